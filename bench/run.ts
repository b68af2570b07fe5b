/**
 * `npm run bench`: key generation, the engine lifecycles on the CLI path against @pulumi/tls and
 * the do-nothing floor, the `ens` backend at scale, then the report. Writes bench/results.json,
 * BENCHMARKS.md and bench/up-time.svg.
 *
 * The machine is shared and noisy, so every comparison is made side by side: at each N, every
 * operation runs for all variants one after the other (in an order that rotates between
 * operations and repetitions) before the next operation starts, and the report gives ratios of
 * peers measured together. Blocks run in order of importance; one that would overrun the time
 * budget is skipped (the results say which).
 *
 * Environment: BENCH_BUDGET_MIN (default 29) bounds the run; BENCH_QUICK=1 runs a small version
 * (N = 1 and 10, one repetition) for trying changes out. With `--report-only`, only BENCHMARKS.md
 * and the chart are rewritten, from the existing bench/results.json.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureEngine, repoRoot } from "../scripts/engine";
import { writeChart } from "./chart";
import {
    BenchStack,
    CliStack,
    ConfigResult,
    ExportedState,
    InlineStack,
    Op,
    opArgs,
    OpSample,
    ops,
    resetWork,
    skipCheckpoints,
    workRoot,
} from "./engine";
import { ensScale } from "./ens";
import { bareBatch, keygenBench } from "./keygen";
import { describeMachine } from "./machine";
import { profileOf, summarizeProfile } from "./profile";
import { Variant, VariantId, variants } from "./programs";
import { writeReport } from "./report";
import { BenchResults, ProgramProfile } from "./results";
import { nowMs } from "./stats";

const quick = process.env.BENCH_QUICK === "1";
const budgetMs = Number(process.env.BENCH_BUDGET_MIN ?? (quick ? 15 : 29)) * 60_000;
const t0 = nowMs();
const elapsedS = () => (nowMs() - t0) / 1000;
const log = (line: string) => process.stderr.write(`[bench ${elapsedS().toFixed(0).padStart(4)}s] ${line}\n`);

const allPeers: VariantId[] = ["rsa", "ed25519", "tlsRsa", "tlsEd25519", "floor"];
const scalePeers: VariantId[] = ["ed25519", "tlsEd25519", "floor"];

/**
 * The engine blocks in the order they run. The first repetitions at N = 1, 100 and 1,000 (the
 * fixed cost, and the sizes the slope is measured between) always run; the rest (N = 10 with the
 * inline comparison, second repetitions) only if they fit in the time budget.
 */
const blocks: { n: number; variants: VariantId[]; rep: number; optional?: boolean }[] = quick
    ? [
          { n: 1, variants: allPeers, rep: 1 },
          { n: 10, variants: [...scalePeers, "inlineEd25519"], rep: 1 },
      ]
    : [
          // At N = 1 an RSA key is no more work than the rest of an operation: Ed25519 stands for both.
          { n: 1, variants: scalePeers, rep: 1 },
          { n: 100, variants: allPeers, rep: 1 },
          { n: 1000, variants: scalePeers, rep: 1 },
          { n: 10, variants: [...allPeers, "inlineEd25519"], rep: 1, optional: true },
          { n: 1, variants: scalePeers, rep: 2, optional: true },
      ];
const ensN = quick ? 10 : 100;
/** Where the cost of the engine's checkpoints is measured. */
const checkpointsN = quick ? 10 : 100;
const keygenReps = 1;
/** Key generation: RSA 3072 and 4096 would add minutes of prime search and are left to bench/keygen.ts's callers. */
const keygenSizes = quick ? ["rsa2048", "ed25519"] : ["rsa2048", "ed25519", "ecdsaP256"];
const resultsFile = path.join(repoRoot, "bench", "results.json");

/**
 * results.json is committed, so it is kept small: the key generation figures' raw samples
 * (thousands of sub-millisecond timings) keep only their summary, and fractions are cut to six
 * significant digits, far finer than the measurements resolve.
 */
function compact(key: string, value: unknown): unknown {
    if (key === "samples" && Array.isArray(value) && value.length > 100) {
        return undefined;
    }
    return typeof value === "number" && !Number.isInteger(value) ? Number(value.toPrecision(6)) : value;
}

function writeOutputs(results: BenchResults): void {
    writeChart(results, path.join(repoRoot, "bench", "up-time.svg"));
    writeReport(results, path.join(repoRoot, "BENCHMARKS.md"));
}

/** A public field of each of a variant's resources, by URN, to tell whether the no-change runs made new keys. */
function fieldByUrn(
    state: ExportedState,
    type: string,
    field: (r: ExportedState["resources"][number]) => string | undefined,
): Map<string, string> {
    return new Map(state.resources.filter((r) => r.type === type).map((r) => [r.urn, field(r) ?? ""]));
}

function sameMaps(a: Map<string, string>, b: Map<string, string>): boolean {
    return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

class EngineRun {
    readonly configs = new Map<string, ConfigResult>();
    private readonly stacks = new Map<string, BenchStack>();
    readonly profiles: ProgramProfile[] = [];

    result(variant: VariantId, n: number): ConfigResult {
        const key = `${variant}-n${n}`;
        let result = this.configs.get(key);
        if (!result) {
            result = { variant, n, samples: { up: [], preview: [], upNoop: [], refresh: [], destroy: [] }, errors: [] };
            this.configs.set(key, result);
        }
        return result;
    }

    private async stack(variant: Variant, n: number): Promise<BenchStack> {
        const key = `${variant.id}-n${n}`;
        let stack = this.stacks.get(key);
        if (!stack) {
            stack =
                typeof variant.program === "string"
                    ? await CliStack.create({ variant: variant.id, n, program: variant.program, config: variant.config })
                    : await InlineStack.create({ variant: variant.id, n, program: variant.program(n) });
            this.stacks.set(key, stack);
        }
        return stack;
    }

    /**
     * One repetition at one N: each operation for every variant before the next operation, so
     * that peers are measured minutes apart at most. A variant whose operation fails is destroyed
     * and left out of the rest of the repetition.
     */
    async block(n: number, ids: VariantId[], rep: number, profile: boolean): Promise<void> {
        const live = new Map<VariantId, BenchStack>();
        for (const id of ids) {
            live.set(id, await this.stack(variants[id], n));
        }
        const before = new Map<VariantId, ExportedState>();
        const sequence: Op[] = ["up", "preview", "upNoop", "refresh", "destroy"];
        for (const [i, op] of sequence.entries()) {
            // Rotate which variant goes first, so none always runs on a fresher (or busier) machine.
            const order = ids.map((_, j) => ids[(j + i + rep - 1) % ids.length]);
            for (const id of order) {
                const stack = live.get(id);
                if (!stack) {
                    continue;
                }
                const result = this.result(id, n);
                try {
                    const sample = await stack.op(op, rep);
                    result.samples[op].push(sample);
                    log(`  ${id} N=${n} rep ${rep} ${op}: ${(sample.ms / 1000).toFixed(2)} s ${JSON.stringify(sample.summary)}`);
                    if (op === "up" && result.state === undefined) {
                        const state = await stack.exportState();
                        before.set(id, state);
                        result.state = stateFigures(state, variants[id].type);
                    }
                    if (op === "upNoop" && before.has(id)) {
                        result.noChange = noChangeCheck(before.get(id) as ExportedState, await stack.exportState(), variants[id].type);
                    }
                } catch (e) {
                    result.errors.push(`rep ${rep} ${op}: ${(e as Error).message.slice(0, 2000)}`);
                    log(`  ${id} N=${n} rep ${rep} ${op} failed: ${(e as Error).message.slice(0, 800)}`);
                    live.delete(id);
                    if (op !== "destroy") {
                        await stack.op("destroy", rep).catch(() => undefined);
                    }
                }
            }
            if (op === "upNoop" && profile) {
                await this.profile(n, [...live.entries()], rep);
            }
        }
    }

    /**
     * An up with the engine's default checkpoints (one state write per step) for each variant,
     * next to the measured ups without: what the file backend's checkpoints cost at this N.
     */
    async checkpointCost(n: number, ids: VariantId[]): Promise<NonNullable<BenchResults["checkpoints"]>> {
        const ups: Partial<Record<VariantId, OpSample>> = {};
        for (const id of ids) {
            const stack = await this.stack(variants[id], n);
            try {
                ups[id] = await stack.op("up", 1, { checkpoints: true });
                log(`  ${id} N=${n} up with checkpoints: ${((ups[id]?.ms ?? NaN) / 1000).toFixed(2)} s`);
            } catch (e) {
                log(`  ${id} N=${n} up with checkpoints failed: ${(e as Error).message.slice(0, 500)}`);
            }
            await stack.op("destroy", 1).catch(() => undefined);
        }
        return { n, ups };
    }

    /** One more no-change preview per variant with the CPU profiler on in the program process (bench/probe.js). */
    private async profile(n: number, stacks: [VariantId, BenchStack][], rep: number): Promise<void> {
        for (const [id, stack] of stacks) {
            // KeyPair and its peer: the floor's profile would only say what both share.
            if (!(stack instanceof CliStack) || id === "floor") {
                continue;
            }
            const dir = path.join(workRoot, "profiles", `${id}-n${n}`);
            fs.rmSync(dir, { recursive: true, force: true });
            try {
                const sample: OpSample = await stack.op("preview", rep, { profileDir: dir });
                const program = sample.probe.processes.find((p) => p.role === "program");
                const file = program && profileOf(dir, program.pid);
                if (file) {
                    this.profiles.push({ variant: id, n, ms: sample.ms, summary: summarizeProfile(file) });
                    log(`  ${id} N=${n}: profiled preview ${(sample.ms / 1000).toFixed(1)} s`);
                } else {
                    log(`  ${id} N=${n}: the profiled preview left no profile of the program`);
                }
            } catch (e) {
                log(`  ${id} N=${n} profiled preview failed: ${(e as Error).message.slice(0, 500)}`);
            }
        }
    }
}

function stateFigures(state: ExportedState, type: string): ConfigResult["state"] {
    const mine = state.resources.filter((r) => r.type === type);
    const serialized = mine[0]?.inputs?.__provider;
    return {
        exportBytes: state.bytes,
        resources: mine.length,
        providerBytes: typeof serialized === "string" ? Buffer.byteLength(serialized) : 0,
        outputProperties: Object.keys(mine[0]?.outputs ?? {}).length,
    };
}

function noChangeCheck(before: ExportedState, after: ExportedState, type: string): ConfigResult["noChange"] {
    const publicKey = (r: ExportedState["resources"][number]) => {
        const key = r.outputs?.publicKeyOpenssh;
        return typeof key === "string" ? key : undefined;
    };
    return {
        idsUnchanged: sameMaps(
            fieldByUrn(before, type, (r) => r.id),
            fieldByUrn(after, type, (r) => r.id),
        ),
        // A new key would show as a new public key even under the same id.
        publicKeysUnchanged: sameMaps(fieldByUrn(before, type, publicKey), fieldByUrn(after, type, publicKey)),
    };
}

async function main(): Promise<void> {
    if (process.argv.includes("--report-only")) {
        writeOutputs(JSON.parse(fs.readFileSync(resultsFile, "utf8")) as BenchResults);
        log("rewrote BENCHMARKS.md and bench/up-time.svg from bench/results.json");
        return;
    }
    ensureEngine();
    const machine = describeMachine();
    const sampleLoad = (at: string) => machine.load.push({ at, atS: Math.round(elapsedS()), load: os.loadavg() });
    sampleLoad("start");
    log(`machine: ${machine.cores} cores, node ${machine.node}, pulumi ${machine.engine}, load ${os.loadavg()[0].toFixed(1)}`);
    const durations: Record<string, number> = {};
    const skipped: string[] = [];
    const timedPhase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
        const start = nowMs();
        try {
            return await fn();
        } finally {
            durations[name] = (nowMs() - start) / 1000;
            sampleLoad(`after ${name}`);
        }
    };

    // ensureEngine registered the tls plugin of this version (scripts/ensure-plugins).
    const tls = { version: (require("@pulumi/tls/package.json") as { version: string }).version };
    resetWork();
    const engine = new EngineRun();
    const plan: BenchResults["plan"]["engine"] = {};
    const bareRsaBatch: { keys: number; ms: number[] } = { keys: 0, ms: [] };
    let ens: BenchResults["ens"];
    let checkpoints: BenchResults["checkpoints"];
    /** Seconds per operation: the fixed part (from N = 1) and the part per resource (from larger N). */
    const opCost = { fixed: 15, perResource: 0.1 };
    const estimateS = (n: number, count: number) => count * 6 * (opCost.fixed + opCost.perResource * n);
    const fits = (what: string, seconds: number) => {
        if (elapsedS() + seconds <= budgetMs / 1000 - 60) {
            return true;
        }
        skipped.push(what);
        log(`skipping ${what}: about ${(seconds / 60).toFixed(1)} min would overrun the ${budgetMs / 60_000}-minute budget`);
        return false;
    };
    const maxN = Math.max(...blocks.map((b) => b.n));
    const maxRsaN = Math.max(...blocks.filter((b) => b.variants.includes("rsa")).map((b) => b.n));
    const measure = async (block: (typeof blocks)[number], ids: VariantId[]) => {
        const start = nowMs();
        if (block.n === maxRsaN && block.rep === 1 && ids.includes("rsa")) {
            // The floor of the key work inside the largest RSA up, measured next to it.
            bareRsaBatch.keys = block.n;
            bareRsaBatch.ms.push(await bareBatch({ keyType: "rsa", rsaBits: 2048 }, block.n));
        }
        await engine.block(block.n, ids, block.rep, block.rep === 1 && block.n === maxN);
        const perOp = (nowMs() - start) / 1000 / (ids.length * 5);
        if (block.n === 1) {
            opCost.fixed = perOp;
        } else {
            opCost.perResource = Math.max(0, (perOp - opCost.fixed) / block.n);
        }
        plan[block.n].run = Math.max(plan[block.n].run, block.rep);
        sampleLoad(`after N = ${block.n} rep ${block.rep}`);
    };
    await timedPhase("engine", async () => {
        // The first CLI run pages in the binaries and warms the caches: one unrecorded up.
        await (await CliStack.create({ variant: "warmUp", n: 1, program: "floor", config: {} })).op("up", 0);
        for (const block of blocks) {
            const ids = block.variants;
            plan[block.n] ??= { variants: ids, planned: 0, run: 0 };
            plan[block.n].planned = Math.max(plan[block.n].planned, block.rep);
            // The ens run goes right after the largest block: it is a deliverable of its own.
            const ensAfter = block.n === maxN && ens === undefined;
            if (!block.optional || fits(`repetition ${block.rep} at N = ${block.n}`, estimateS(block.n, ids.length))) {
                await measure(block, ids);
            }
            if (
                block.n === checkpointsN &&
                block.rep === 1 &&
                checkpoints === undefined &&
                fits("the checkpoint cost", estimateS(block.n, 3) / 2)
            ) {
                checkpoints = await engine.checkpointCost(
                    block.n,
                    ids.filter((id) => scalePeers.includes(id)),
                );
            }
            if (ensAfter) {
                const start = nowMs();
                ens = await ensScale({ n: ensN, throttleRate: 0.1, log });
                durations.ens = (nowMs() - start) / 1000;
            }
        }
    });
    durations.engine -= durations.ens ?? 0;
    const keygen = fits("key generation", quick ? 60 : 150)
        ? await timedPhase("keygen", () => keygenBench({ reps: keygenReps, sizes: keygenSizes, log }))
        : [];

    sampleLoad("end");
    durations.total = elapsedS();
    const results: BenchResults = {
        machine,
        tls,
        plan: { quick, budgetMinutes: budgetMs / 60_000, commands: opArgsOf(), env: skipCheckpoints, engine: plan, keygenReps, skipped },
        keygen,
        engine: { configs: [...engine.configs.values()], bareRsaBatch },
        profiles: engine.profiles,
        ens,
        checkpoints,
        durations,
    };
    fs.writeFileSync(resultsFile, JSON.stringify(results, compact, 2) + "\n");
    writeOutputs(results);
    log(`done in ${(elapsedS() / 60).toFixed(1)} min: bench/results.json, BENCHMARKS.md, bench/up-time.svg`);
}

function opArgsOf(): Record<Op, string> {
    return Object.fromEntries(ops.map((op) => [op, `pulumi ${opArgs[op].join(" ")}`])) as Record<Op, string>;
}

main().then(
    () => process.exit(0),
    (e: unknown) => {
        log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        process.exit(1);
    },
);
