/**
 * `npm run bench`: the engine on the CLI path for each variant of bench/results.ts at each N,
 * the `ens` backend at scale, the providers' start and key generation; then BENCHMARKS.md is
 * filled in from the results (bench/report.ts), which stay in bench/work/results.json.
 *
 * The machine is shared and noisy, so peers are measured side by side: within a block, each
 * operation runs for every variant, in an order that rotates, before the next operation starts,
 * and the report compares them as ratios. BENCH_QUICK=1 runs a small version for trying changes
 * out; `--only plugin` runs only the plugin against `@pulumi/tls` and the providers' starts, and
 * fills in only their figures; `--report-only` fills BENCHMARKS.md in again, and draws the
 * charts, from the last results (the soak's too, bench/work/soak.json, when `npm run soak` left them).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureEngine } from "../test/helpers/engine";
import { repoRoot } from "../test/helpers/paths";
import { buildPlugin, pluginDir, pluginVersion } from "../scripts/build-plugin";
import { ExportedState, Op, resetWork, Stack, timeStart, workRoot } from "./cli";
import { ensScale } from "./ens";
import { bareRsaBatchMs, keygenBench } from "./keygen";
import { summarizeProfile } from "./profile";
import { writeReport } from "./report";
import { SoakResults, soakResultsFile } from "./soak/soak";
import { Part, parts, Results, StartId, StateFigures, Variant, VariantId, variants } from "./results";

const quick = process.env.BENCH_QUICK === "1";
/** The value of the command-line option `name`, given as `name value`. */
const option = (name: string) => {
    const at = process.argv.indexOf(name);
    return at < 0 ? undefined : process.argv[at + 1];
};
const only = option("--only") as Part | undefined;
const resultsFile = path.join(workRoot, "results.json");
const t0 = performance.now();
/** Runs a command to completion; returns what it printed. */
const sh = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { encoding: "utf8", stdio: "pipe" });
const loadAverage = () =>
    os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(" / ");
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

const lifecycle: Op[] = ["up", "preview", "upNoop", "refresh", "destroy"];
const all: VariantId[] = ["ed25519", "rsa", "tlsEd25519", "tlsRsa", "floor"];
const scale: VariantId[] = ["ed25519", "tlsEd25519", "floor"];
/**
 * The plugin beside `@pulumi/tls`, each key type beside its peer; in a run limited to the plugin's
 * part, the dynamic KeyPair and the floor too, which the scaling chart of that run shows beside
 * them (a full run has them in the engine's blocks).
 */
const pluginPeers: VariantId[] = ["pluginEd25519", "tlsEd25519", "pluginRsa", "tlsRsa", ...(only ? (["ed25519", "floor"] as const) : [])];

interface Block {
    /** The engine's blocks, or a part's, which runs alone with `--only`. */
    part?: Part;
    n: number;
    variants: VariantId[];
    ops: Op[];
    reps: number;
    /** A profiled no-change preview per variant after the lifecycle's no-change up. */
    profile?: boolean;
    /** An up with checkpoints per variant after the lifecycle. */
    checkpoints?: VariantId[];
}

/**
 * The fixed cost at N = 1; KeyPair's own cost against the floor at N = 30, where the resource and
 * the engine's fixed cost are both in view, repeated because the difference is small; state and
 * RSA at N = 100; the slope and memory at N = 1,000. The plugin against `@pulumi/tls` at N = 1 and
 * 100, repeated: the target is a ratio within a few percent.
 */
const allBlocks: Block[] = quick
    ? [
          { n: 1, variants: ["ed25519", "tlsRsa", "floor"], ops: lifecycle, reps: 1 },
          { n: 30, variants: ["ed25519", "ed25519Traced", "floor"], ops: ["up", "preview", "destroy"], reps: 2 },
          { n: 10, variants: all, ops: lifecycle, reps: 1, profile: true, checkpoints: scale },
          { part: "plugin", n: 1, variants: pluginPeers, ops: lifecycle, reps: 2 },
          { part: "plugin", n: 10, variants: pluginPeers, ops: lifecycle, reps: 1 },
      ]
    : [
          { n: 1, variants: all, ops: lifecycle, reps: 1 },
          { n: 30, variants: ["ed25519", "ed25519Traced", "floor"], ops: ["up", "preview", "destroy"], reps: 7 },
          { n: 100, variants: all, ops: lifecycle, reps: 1, checkpoints: scale },
          { n: 1000, variants: scale, ops: lifecycle, reps: 1, profile: true },
          { part: "plugin", n: 1, variants: pluginPeers, ops: lifecycle, reps: 7 },
          { part: "plugin", n: 100, variants: pluginPeers, ops: lifecycle, reps: 5 },
      ];
const blocks = only ? allBlocks.filter((b) => b.part === only) : allBlocks;

/**
 * The plugin as a user gets it: the bundled executable on PATH (where the engine looks first), and
 * a program using the SDK that `pulumi package gen-sdk` makes from its schema, compiled as
 * `pulumi package add` would, with the version that picks the plugin.
 */
async function setUpPlugin(): Promise<Record<string, string>> {
    await buildPlugin();
    const sdk = path.join(workRoot, "sdk");
    sh("pulumi", "package", "gen-sdk", path.join(repoRoot, "provider", "plugin", "schema.json"), "--language", "nodejs", "--out", sdk);
    const packageFile = path.join(sdk, "nodejs", "package.json");
    fs.writeFileSync(packageFile, fs.readFileSync(packageFile, "utf8").replace("${VERSION}", pluginVersion));
    sh(path.join(repoRoot, "node_modules", ".bin", "tsc"), "-p", path.join(sdk, "nodejs"));
    const link = path.join(workRoot, "node_modules", "@pulumi", "ens-keypair");
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.join(sdk, "nodejs"), link);
    return { PATH: `${pluginDir}${path.delimiter}${process.env.PATH}` };
}

function stateFigures(variant: VariantId, n: number, state: ExportedState): StateFigures {
    const mine = state.resources.filter((r) => r.type === variants[variant].type);
    const provider = mine[0]?.inputs?.__provider;
    return {
        variant,
        n,
        bytesPerResource: state.bytes / mine.length,
        exportBytesPerResource: state.exportBytes / mine.length,
        providerBytes: typeof provider === "string" ? Buffer.byteLength(provider) : 0,
        outputProperties: Object.keys(mine[0]?.outputs ?? {}).length,
    };
}

/** Each resource's id and public key, to tell whether a no-change run made a new key (an up may reorder resources). */
const keysOf = (state: ExportedState) => JSON.stringify(state.resources.map((r) => [r.urn, r.id, r.outputs?.publicKeyOpenssh]).sort());

async function main(): Promise<void> {
    if (process.argv.includes("--report-only")) {
        const read = (file: string) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined);
        const reported = { bench: read(resultsFile) as Results | undefined, soak: read(soakResultsFile) as SoakResults | undefined };
        if (!reported.bench && !reported.soak) {
            const files = [resultsFile, soakResultsFile].map((f) => path.relative(repoRoot, f)).join(" or ");
            throw new Error(`no results in ${files} to report: run npm run bench or npm run soak first`);
        }
        await writeReport(reported);
        return;
    }
    if (only !== undefined && !(parts as readonly string[]).includes(only)) {
        throw new Error(`--only takes one of ${parts.join(", ")}, not ${only}`);
    }
    const engineDir = ensureEngine(["tls"]);
    const tlsVersion = (require("@pulumi/tls/package.json") as { version: string }).version;
    const r: Results = {
        machine: {
            date: new Date().toISOString(),
            machine: `${os.cpus().length} cores (${os.cpus()[0]?.model}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
            software: `Node.js ${process.version}, Pulumi CLI ${sh("pulumi", "version").trim()}, @pulumi/tls ${tlsVersion}, ${sh("openssl", "version").trim()}`,
            "load average (1 / 5 / 15 min) at the start": loadAverage(),
        },
        quick,
        ...(only ? { only } : {}),
        minutes: {},
        samples: [],
        states: [],
        profiles: [],
        starts: {},
        ens: [],
        keygen: [],
        errors: [],
    };
    const phase = async (name: string, fn: () => Promise<void>) => {
        const start = performance.now();
        await fn();
        r.minutes[name] = (performance.now() - start) / 60_000;
    };
    resetWork();
    let pluginEnv: Record<string, string> | undefined;
    try {
        pluginEnv = await setUpPlugin();
    } catch (e) {
        r.errors.push(`the plugin could not be set up, its variants are left out: ${(e as Error).message.slice(0, 1000)}`);
    }
    const isPlugin = (id: VariantId) => variants[id].program === "plugin";
    const env = (id: VariantId) => (isPlugin(id) ? pluginEnv : {});
    const runs = blocks.map((b) => ({ ...b, variants: b.variants.filter((id) => env(id)) }));

    const runBlock = async (block: Block) => {
        const stacks = new Map<VariantId, Stack>();
        for (const id of block.variants) {
            const { program, config, env: own } = variants[id] as Variant;
            stacks.set(id, await Stack.create(id, block.n, program, config, { ...own, ...env(id) }, block.part));
        }
        for (let rep = 1; rep <= block.reps; rep++) {
            const before = new Map<VariantId, string>();
            for (const [i, op] of block.ops.entries()) {
                // Rotate which variant goes first, so that none always runs on a fresher (or busier) machine.
                const ids = [...stacks.keys()];
                for (const id of ids.map((_, j) => ids[(j + i + rep) % ids.length])) {
                    const stack = stacks.get(id) as Stack;
                    try {
                        const sample = await stack.op(op, rep);
                        r.samples.push(sample);
                        log(
                            `${id} N=${block.n} rep ${rep} ${op}: ${(sample.cpuMs / 1000).toFixed(1)} s CPU, ${(sample.ms / 1000).toFixed(1)} s`,
                        );
                        if (rep === 1 && (op === "up" || op === "upNoop")) {
                            const state = await stack.exportState();
                            if (op === "up") {
                                r.states.push({ ...stateFigures(id, block.n, state), part: block.part });
                                before.set(id, keysOf(state));
                            } else {
                                (
                                    r.states.find((s) => s.variant === id && s.n === block.n && s.part === block.part) as StateFigures
                                ).unchanged = before.get(id) === keysOf(state);
                            }
                        }
                    } catch (e) {
                        r.errors.push(`${variants[id].label}, N = ${block.n}, ${op}: ${(e as Error).message.slice(0, 2000)}`);
                        log(`${id} N=${block.n} ${op} failed: ${(e as Error).message.slice(0, 800)}`);
                        stacks.delete(id);
                        await stack.op("destroy", rep).catch(() => undefined);
                    }
                }
                if (op === "upNoop" && block.profile && rep === 1) {
                    for (const [id, stack] of stacks) {
                        const dir = path.join(workRoot, "profiles", `${id}-n${block.n}`);
                        await stack.op("preview", 0, { BENCH_CPU_PROFILE_DIR: dir });
                        r.profiles.push({ variant: id, n: block.n, summary: summarizeProfile(path.join(dir, "program.cpuprofile")) });
                    }
                }
            }
        }
        if (block.variants.includes("rsa")) {
            // The floor of the key work inside the up of as many RSA KeyPairs, measured next to it.
            r.bareRsaBatch = { keys: block.n, ms: await bareRsaBatchMs(block.n) };
        }
        for (const id of block.checkpoints ?? []) {
            r.samples.push(await (stacks.get(id) as Stack).op("upCheckpoints", 1));
            await (stacks.get(id) as Stack).op("destroy", 1);
        }
        log(`${block.part ?? "engine"} N=${block.n} done`);
    };
    // The first CLI run pages the binaries in and warms the caches: one unrecorded up.
    await (await Stack.create("warmUp", 1, "floor", {})).op("up", 0);
    for (const part of [undefined, ...parts]) {
        const mine = runs.filter((b) => b.part === part);
        if (mine.length > 0) {
            await phase(part ?? "engine", async () => {
                for (const block of mine) {
                    await runBlock(block);
                }
            });
        }
    }
    if (!only) {
        await phase("ens", async () => {
            r.ens = await ensScale(quick ? 10 : 100, 0.1, log);
        });
    }
    await phase("starts", async () => {
        const commands: Partial<Record<StartId, string>> = {
            floor: path.join(engineDir, "pulumi-resource-pulumi-nodejs"),
            tls: path.join(os.homedir(), ".pulumi", "plugins", `resource-tls-v${tlsVersion}`, "pulumi-resource-tls"),
            ...(pluginEnv ? { plugin: path.join(pluginDir, "pulumi-resource-ens-keypair") } : {}),
        };
        for (let i = 0; i < (quick ? 5 : 11); i++) {
            for (const [id, command] of Object.entries(commands) as [StartId, string][]) {
                (r.starts[id] ??= []).push(await timeStart(command, workRoot));
            }
        }
    });
    if (!only) {
        await phase("keygen", async () => {
            r.keygen = await keygenBench(quick ? ["RSA 2048", "Ed25519"] : ["RSA 2048", "Ed25519", "ECDSA P-256"], log);
        });
    }
    r.machine["load average at the end"] = loadAverage();
    r.minutes.total = (performance.now() - t0) / 60_000;
    fs.writeFileSync(resultsFile, JSON.stringify(r));
    await writeReport({ bench: r });
    log(`done in ${r.minutes.total.toFixed(1)} min: BENCHMARKS.md, from ${path.relative(repoRoot, resultsFile)}`);
}

main().then(
    () => process.exit(0),
    (e: unknown) => {
        log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        process.exit(1);
    },
);
