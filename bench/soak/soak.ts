/**
 * The soak: many stacks of both doors in one ENS account, deployed by pipelines running side by side
 * on a shared PostgreSQL state backend while ENS misbehaves, some of them killed mid-update and
 * recovered with docs/ens.md's steps; then every stack checked, and all destroyed.
 *
 * What runs is real: the pulumi CLI in each pipeline's folder, a PostgreSQL 15 cluster, the
 * ENS-compatible server over HTTP. Every step a pipeline takes is a command line of docs/teams.md
 * (the recovery's, of docs/ens.md), run with bash as written. Nothing waits for a fixed time: kills
 * and the lock probe are triggered by the ENS server's commit events, the recovery waits as its doc
 * says (until no provider of the killed run is left).
 *
 * {@link runSoak} returns figures and checks; it throws only when the soak itself cannot run.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EnsServer, EnsServerStats, FaultOptions, startEnsServer } from "../../ens-server/server";
import { archiveName, buildPlugin, distDir, hostPlatform, pluginVersion } from "../../scripts/build-plugin";
import { ensureLanguageHost } from "../../test/helpers/engine";
import { workRoot } from "../cli";
import { cwdOf, processes } from "../procfs";
import { MemoryPeaks, providerKind, watchMemory } from "./memory";
import { documentedLines, errorsOf, Pipeline, Step } from "./pipeline";
import { Postgres, startPostgres } from "./postgres";
import { DoorName, doors } from "../../provider/doors";
import { installTypeScriptTemplate, ownerOf, writeProgram } from "./programs";
import { attemptsPerStep, deployAll, KillFigures, LockFigures, PipelineFigures, UpPhase } from "./upPhase";

/** How many stacks of each door, of how many pairs, and which doors' pipelines to kill (one pipeline per entry). */
export interface SoakSize {
    dynamic: number;
    package: number;
    pairs: number;
    kills: DoorName[];
}

export const sizes = {
    /** The soak `npm run soak` runs. */
    full: { dynamic: 4, package: 4, pairs: 25, kills: ["dynamic", "package"] },
    /** The soak `npm test` runs (test/e2e.soak.test.ts): the package's kill, the cheaper to recover. */
    ci: { dynamic: 1, package: 2, pairs: 5, kills: ["package"] },
} satisfies Record<string, SoakSize>;

/**
 * What ENS does throughout: a fifth of the calls answered with a 5xx instead of running, a tenth of
 * the creates committed and their answer dropped, throttling in bursts, and every committed change
 * answered a little late (the window in which a killed run loses answers).
 */
export const soakFaults: FaultOptions = {
    rate: 0.2,
    errors: ["InternalError", "ServiceUnavailable"],
    dropAfterCommit: 0.1,
    throttleBursts: { every: 40, length: 8 },
    latencyAfterCommitMs: 200,
};

/** Where `npm run soak` keeps its results, beside the benchmark's (not committed). */
export const soakResultsFile = path.join(workRoot, "soak.json");

const docs = {
    teams: "docs/teams.md",
    pipeline: "## A pipeline",
    plugin: "### The package's plugin on each runner",
    check: "## Checking a stack",
    teardown: "## Tearing down",
};

/** What the ENS server counted during a phase. */
export type ServerCounts = EnsServerStats;

export interface SoakResults {
    date: string;
    machine: string;
    size: SoakSize;
    faults: FaultOptions;
    /** Wall time of each phase and of the whole soak, minutes. */
    minutes: Record<"setup" | "up" | "check" | "destroy" | "total", number>;
    /** Pairs deployed (stacks × pairs), and that over the up phase's minutes. */
    pairs: number;
    pairsPerMinute: number;
    pipelines: PipelineFigures[];
    /** What the ENS server counted, by phase. */
    server: Record<"up" | "check" | "destroy", ServerCounts>;
    kills: KillFigures[];
    lock?: LockFigures;
    memory: MemoryPeaks;
    /** Processes of the pipelines still running once all was destroyed (the killed runs' language hosts), by program; the soak ends them. */
    leftAfterKills: string[];
    /** The backend's table after the up phase: rows, and bytes of their data. */
    backend: { rows: number; bytes: number };
    /** ENS against the stacks' states after the up phase. */
    ens: { held: number; inEns: number; orphans: number; missing: number; foreignDeletes: number; afterDestroy: number };
    /** Each stack's pairs in ENS over the up phase: one point per change, time in seconds from its start. */
    timeline: UpPhase["timeline"];
    /** Kills, recoveries and the lock probe on the same clock. */
    marks: UpPhase["marks"];
    checks: { name: string; ok: boolean; detail: string }[];
}

/** The difference between two snapshots of the server's counters. */
function delta(after: EnsServerStats, before: EnsServerStats): ServerCounts {
    const minus = (a: Record<string, number>, b: Record<string, number>) =>
        Object.fromEntries(
            Object.entries(a)
                .map(([k, v]) => [k, v - (b[k] ?? 0)] as const)
                .filter(([, v]) => v > 0),
        );
    return {
        requests: after.requests - before.requests,
        calls: minus(after.calls, before.calls),
        errors: minus(after.errors, before.errors),
        faultsInjected: minus(after.faultsInjected, before.faultsInjected),
        droppedAfterCommit: after.droppedAfterCommit - before.droppedAfterCommit,
    };
}

/** The stacks: dynamic ones `ts1`…, package ones `yaml1`…; each door's killed pipelines are its first ones. */
function plan(size: SoakSize): { stack: string; door: DoorName; kill: boolean }[] {
    const of = (door: DoorName, count: number, label: string) =>
        Array.from({ length: count }, (_, i) => ({
            stack: `${label}${i + 1}`,
            door,
            kill: i < size.kills.filter((d) => d === door).length,
        }));
    return [...of("dynamic", size.dynamic, "ts"), ...of("package", size.package, "yaml")];
}

export async function runSoak(size: SoakSize, log: (line: string) => void): Promise<SoakResults> {
    const t0 = performance.now();
    const minutes = (since: number) => (performance.now() - since) / 60_000;
    const checks: SoakResults["checks"] = [];
    const check = (name: string, ok: boolean, detail = "") => {
        checks.push({ name, ok, detail });
        log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
    };

    // The CLI with the YAML host beside it: none of the plugins the other suites build.
    const engine = ensureLanguageHost("yaml");
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-soak-"));
    const accessKey = { id: "soak-access-key-id", secret: "soak-access-key-secret-7c1e" };
    let postgres: Postgres | undefined;
    let server: EnsServer | undefined;
    const started: Pipeline[] = [];
    let cleaning: Promise<void> | undefined;
    const cleanUp = () =>
        (cleaning ??= (async () => {
            started.forEach((pipeline) => pipeline.killAll());
            await server?.close();
            await postgres?.stop();
            fs.rmSync(root, { recursive: true, force: true });
        })());
    // Interrupted (Ctrl-C, a test's timeout), the soak still stops its server and removes its folders.
    const interrupted = (signal: NodeJS.Signals) => {
        log(`${signal}: stopping what the soak started`);
        void cleanUp().finally(() => process.exit(130));
    };
    process.once("SIGINT", interrupted);
    process.once("SIGTERM", interrupted);
    try {
        // Setup: nothing of it is timed as the soak's throughput.
        const template = path.join(root, "template");
        const [pg, ens] = await Promise.all([
            startPostgres(),
            startEnsServer({ dbPath: path.join(root, "ens.db"), accessKeys: { [accessKey.id]: accessKey.secret } }),
            size.package > 0 ? buildPlugin() : undefined,
            size.dynamic > 0 ? installTypeScriptTemplate(template, engine) : undefined,
        ]);
        [postgres, server] = [pg, ens];
        log(`PostgreSQL on port ${pg.port}, ENS-compatible server at ${ens.url}, folders under ${root}`);

        const pipelines = plan(size).map(({ stack, door, kill }) => {
            const dir = path.join(root, stack);
            writeProgram(door, dir, size.pairs, template);
            const pipeline = new Pipeline(stack, door, dir, engine, {
                STATE_BACKEND: pg.url,
                ENS_ENDPOINT: ens.url,
                PLUGIN_ARCHIVE: path.join(distDir, archiveName(pluginVersion, hostPlatform())),
                PULUMI_CONFIG_PASSPHRASE: `soak-passphrase-of-${stack}`,
                ALIBABA_CLOUD_ACCESS_KEY_ID: accessKey.id,
                ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKey.secret,
            });
            started.push(pipeline);
            return { pipeline, kill };
        });
        const stacks = pipelines.map(({ pipeline }) => pipeline.stack);
        const setupLines = documentedLines(docs.teams, docs.pipeline);
        const upLine = setupLines.pop() as string;
        if (!/^pulumi up\b/.test(upLine)) {
            throw new Error(`the last step of ${docs.teams}'s "${docs.pipeline}" should be the pulumi up, not ${upLine}`);
        }
        const setUp = async (pipeline: Pipeline) => {
            const lines = [...(pipeline.door === "package" ? documentedLines(docs.teams, docs.plugin) : []), ...setupLines];
            for (const line of lines) {
                const step = await pipeline.run(line);
                if (step.status !== 0) {
                    throw new Error(`${pipeline.stack}: ${line} failed:\n${step.output}`);
                }
            }
        };
        // The first login to a new database creates the backend's table, which logins at the same
        // moment race for: one pipeline first, then the others side by side (docs/teams.md says so).
        const [first, ...others] = pipelines.map(({ pipeline }) => pipeline);
        await setUp(first);
        await Promise.all(others.map(setUp));
        const setupMinutes = minutes(t0);
        log(`setup done in ${setupMinutes.toFixed(1)} min: ${stacks.join(", ")}`);

        // The up phase, with ENS faulty from now on.
        const serverBefore = ens.stats();
        ens.setFaults(soakFaults);
        const memory = watchMemory(pg.pid, root);
        const up = await deployAll(pipelines, ens, pg, upLine, size.pairs, log);
        const serverAfterUp = ens.stats();
        const backendRows = pg.query("SELECT count(*), coalesce(sum(octet_length(data::text)), 0) FROM pulumi_state").trim().split("|");

        // Checks: each stack's state against ENS, then the documented checks of each stack.
        const checkStart = performance.now();
        const holdings = new Map<string, { ids: string[]; pending: number }>();
        for (const { pipeline } of pipelines) {
            holdings.set(pipeline.stack, await pipeline.holdings());
        }
        const listing = ens.listKeyPairs();
        const union = new Set([...holdings.values()].flatMap((h) => h.ids));
        const ensIds = new Set(listing.map((p) => p.keyPairId));
        const orphans = listing.filter((p) => !union.has(p.keyPairId));
        const missing = [...union].filter((id) => !ensIds.has(id));
        const killedStacks = new Set(up.kills.map((k) => k.stack));
        const foreignDeletes = up.deleted.filter((d) => !d.owner || !killedStacks.has(d.owner));
        for (const { pipeline } of pipelines) {
            const held = holdings.get(pipeline.stack) as { ids: string[]; pending: number };
            const names = listing.filter((p) => held.ids.includes(p.keyPairId)).map((p) => p.keyPairName);
            const own = names.filter((n) => ownerOf(n, stacks) === pipeline.stack).length;
            check(
                `${pipeline.stack}: its state holds exactly its ${size.pairs} pairs`,
                held.ids.length === size.pairs && own === size.pairs && held.pending === 0,
                `${held.ids.length} ids, ${own} of them in ENS under its prefix, ${held.pending} pending operations`,
            );
        }
        check(
            "ENS holds exactly the union of the stacks' pairs",
            orphans.length === 0 && missing.length === 0,
            `${listing.length} pairs in ENS, ${union.size} held; ${orphans.length} orphans (${orphans.map((p) => p.keyPairName).join(", ")}), ${missing.length} missing`,
        );
        check(
            "no pair deleted from another stack",
            foreignDeletes.length === 0,
            `${up.deleted.length} deleted during the up phase: ${up.deleted.map((d) => d.name).join(", ") || "none"}`,
        );
        check(
            `${size.kills.length} pipeline(s) killed mid-update and recovered with docs/ens.md's steps`,
            up.kills.length === size.kills.length,
            [...killedStacks].join(", "),
        );
        const lock = up.lock;
        if (lock) {
            check(
                "a second up on an updating stack gets the backend's lock error and changes nothing",
                lock.status !== 0 && /locked/.test(lock.message) && !lock.stepsPrinted && lock.locksBefore === 1 && lock.locksAfter === 1,
                `exit ${lock.status}, "${lock.message}", locks ${lock.locksBefore} before and ${lock.locksAfter} after, resource steps printed: ${lock.stepsPrinted}`,
            );
        }
        const checkLines = documentedLines(docs.teams, docs.check);
        await Promise.all(
            pipelines.map(async ({ pipeline }) => {
                // A line that runs another door's command is for that door's stacks.
                const others = (Object.keys(doors) as DoorName[]).filter((d) => d !== pipeline.door).map((d) => doors[d].command);
                for (const line of checkLines.filter((l) => !others.some((command) => l.startsWith(command)))) {
                    const step = await pipeline.run(line);
                    const clean = !/orphans/.test(line) || /No key pair in ENS is an orphan/.test(step.output);
                    check(
                        `${pipeline.stack}: ${line}`,
                        step.status === 0 && clean,
                        step.status === 0 && clean ? "" : errorsOf(step.output),
                    );
                }
            }),
        );
        const checkMinutes = minutes(checkStart);
        const serverAfterCheck = ens.stats();

        // Destroy every stack, as its teardown pipeline would.
        const destroyStart = performance.now();
        const teardown = documentedLines(docs.teams, docs.teardown);
        await Promise.all(
            pipelines.map(async ({ pipeline }) => {
                for (const line of teardown) {
                    let step: Step;
                    let tries = 0;
                    do {
                        step = await pipeline.run(line);
                    } while (step.status !== 0 && ++tries < attemptsPerStep);
                    check(`${pipeline.stack}: ${line}`, step.status === 0, tries > 0 ? `${tries + 1} runs` : "");
                }
            }),
        );
        const destroyMinutes = minutes(destroyStart);
        const peaks = memory();
        const afterDestroy = ens.listKeyPairs().length;
        check("destroying every stack leaves ENS empty", afterDestroy === 0, `${afterDestroy} pairs left`);
        // Pulumi's language hosts run in process groups of their own and outlive a killed CLI; a provider must not.
        const leftovers = processes().filter(({ pid, cmdline }) => cmdline.includes(root) || cwdOf(pid).startsWith(root));
        const providersLeft = leftovers.filter(({ cmdline }) => providerKind(cmdline, root));
        check(
            "no provider process of the soak is left running",
            providersLeft.length === 0,
            providersLeft.map(({ pid, cmdline }) => `${pid} ${cmdline.slice(0, 200)}`).join("; "),
        );
        for (const { pid } of leftovers) {
            try {
                process.kill(pid, "SIGKILL");
            } catch {
                // It ended meanwhile.
            }
        }
        ens.setFaults({});

        return {
            date: new Date().toISOString(),
            machine: `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, load ${os.loadavg()[0].toFixed(1)} at the end`,
            size,
            faults: soakFaults,
            minutes: { setup: setupMinutes, up: up.minutes, check: checkMinutes, destroy: destroyMinutes, total: minutes(t0) },
            pairs: stacks.length * size.pairs,
            pairsPerMinute: (stacks.length * size.pairs) / up.minutes,
            pipelines: up.pipelines,
            server: {
                up: delta(serverAfterUp, serverBefore),
                check: delta(serverAfterCheck, serverAfterUp),
                destroy: delta(ens.stats(), serverAfterCheck),
            },
            kills: up.kills,
            lock,
            memory: peaks,
            leftAfterKills: leftovers.map(({ cmdline }) => path.basename(cmdline.split(" ")[0])),
            backend: { rows: Number(backendRows[0]), bytes: Number(backendRows[1]) },
            ens: {
                held: union.size,
                inEns: listing.length,
                orphans: orphans.length,
                missing: missing.length,
                foreignDeletes: foreignDeletes.length,
                afterDestroy,
            },
            timeline: up.timeline,
            marks: up.marks,
            checks,
        };
    } finally {
        process.off("SIGINT", interrupted);
        process.off("SIGTERM", interrupted);
        await cleanUp();
    }
}
