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
import { documentedLines, Pipeline, Running, Step } from "./pipeline";
import { Postgres, startPostgres } from "./postgres";
import { DoorName, doors } from "../../provider/doors";
import { documentedCommands, documentedProviderBoundMs, runOnTerminal } from "../../test/helpers/recovery";
import { installTypeScriptTemplate, namePrefix, writeProgram } from "./programs";

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

/** How often a pipeline runs a failed `pulumi up` or `destroy` again before the soak gives up on it, as a CI job's retries. */
const attemptsPerStep = 5;

const docs = {
    teams: "docs/teams.md",
    pipeline: "## A pipeline",
    plugin: "### The package's plugin on each runner",
    check: "## Checking a stack",
    teardown: "## Tearing down",
    ens: "docs/ens.md",
    recovery: "Recovering from an interrupted `pulumi up`",
};

/** What the ENS server counted during a phase. */
export type ServerCounts = EnsServerStats;

/** One pipeline's deployment. */
export interface PipelineFigures {
    stack: string;
    door: DoorName;
    /** `pulumi up` runs until the stack converged, the killed one and the recovery's included. */
    ups: number;
    /** From its first up's start until it converged, ms. */
    ms: number;
    killed: boolean;
}

/** A pipeline killed mid-update and its recovery. */
export interface KillFigures {
    stack: string;
    door: DoorName;
    /** The stack's creates ENS had committed when the kill came (one of them, at least, not yet answered). */
    committedAtKill: number;
    /** From the kill until `pgrep` showed no provider of the killed run. */
    providerGoneMs: number;
    /** Pairs the recovery's `orphans` listed, and those it deleted. */
    orphansListed: number;
    orphansDeleted: number;
    /** From the kill until the stack converged again. */
    recoveryMs: number;
    /** `pulumi up` runs of the recovery (its last step, run again when ENS failed it). */
    ups: number;
    /** The recovery's steps as run, with their exit status and time. */
    steps: { line: string; status: number; ms: number }[];
}

/** The second `pulumi up` started while one runs on the same stack. */
export interface LockFigures {
    stack: string;
    status: number;
    /** The backend's error, as the CLI printed it. */
    message: string;
    /** Lock entries of the stack in the backend while the second up ran, before and after it. */
    locksBefore: number;
    locksAfter: number;
    /** Whether the second up printed any resource step. */
    stepsPrinted: boolean;
}

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
    timeline: { t: number; stack: string; pairs: number }[];
    /** Kills and recoveries on the same clock. */
    marks: { t: number; stack: string; what: "kill" | "recovered" | "lock probe" }[];
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

/** The stack whose prefix a pair's name carries, among `stacks`. */
function ownerOf(name: string, stacks: string[]): string | undefined {
    return stacks.find((stack) => name.startsWith(namePrefix(stack)));
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

        // The up phase: every pipeline at once, ENS faulty, kills and the lock probe on commit events.
        const upStart = performance.now();
        const at = () => (performance.now() - upStart) / 1000;
        const timeline: SoakResults["timeline"] = [];
        const marks: SoakResults["marks"] = [];
        const inEns = new Map(stacks.map((s) => [s, 0]));
        const committed = new Map(stacks.map((s) => [s, 0]));
        const deletedBy: { name: string; owner?: string }[] = [];
        const current = new Map<string, Running>();
        const killAfter = Math.max(1, Math.floor(size.pairs / 2));
        const kills = new Map<string, { at: number; committed: number }>();
        const lockStack = pipelines.filter((p) => !p.kill).pop()?.pipeline;
        let lockProbe: Promise<LockFigures> | undefined;

        const serverBefore = ens.stats();
        ens.setFaults(soakFaults);
        let recording = true;
        const stopCommits = ens.onCommit(({ created, deleted }) => {
            if (!recording) {
                return undefined;
            }
            for (const pair of deleted) {
                const owner = ownerOf(pair.keyPairName, stacks);
                deletedBy.push({ name: pair.keyPairName, owner });
                if (owner) {
                    inEns.set(owner, (inEns.get(owner) as number) - 1);
                    timeline.push({ t: at(), stack: owner, pairs: inEns.get(owner) as number });
                }
            }
            for (const pair of created) {
                const owner = ownerOf(pair.keyPairName, stacks);
                if (!owner) {
                    continue;
                }
                inEns.set(owner, (inEns.get(owner) as number) + 1);
                committed.set(owner, (committed.get(owner) as number) + 1);
                timeline.push({ t: at(), stack: owner, pairs: inEns.get(owner) as number });
                const entry = pipelines.find((p) => p.pipeline.stack === owner);
                const up = current.get(owner);
                // This create is committed and its answer still due: kill the run now, as a cancelled CI job.
                if (entry?.kill && up && !kills.has(owner) && (committed.get(owner) as number) >= killAfter) {
                    entry.pipeline.kill(up.child);
                    kills.set(owner, { at: performance.now(), committed: committed.get(owner) as number });
                    marks.push({ t: at(), stack: owner, what: "kill" });
                    log(`killed ${owner}'s pulumi up (kill -9 of its process group) with ${committed.get(owner)} of its creates committed`);
                }
                if (lockStack && owner === lockStack.stack && up && !lockProbe) {
                    // Its up holds the backend's lock, and keeps it: this answer waits until the probe is over.
                    marks.push({ t: at(), stack: owner, what: "lock probe" });
                    lockProbe = probeLock(lockStack, upLine, pg);
                    return lockProbe;
                }
            }
            return undefined;
        });
        const memory = watchMemory(pg.pid, root);

        const deployed = await Promise.all(
            pipelines.map(async ({ pipeline }): Promise<PipelineFigures & { kill?: KillFigures }> => {
                const started = performance.now();
                let ups = 0;
                let kill: KillFigures | undefined;
                for (let failures = 0; ;) {
                    ups++;
                    const up = pipeline.start(upLine);
                    current.set(pipeline.stack, up);
                    const step = await up.done;
                    current.delete(pipeline.stack);
                    const killed = kills.get(pipeline.stack);
                    if (killed && !kill) {
                        // The recovery ends with an up of its own, which the pipeline runs again if ENS failed it.
                        kill = await recover(pipeline, killed, log);
                        ups += kill.ups;
                        break;
                    }
                    if (step.status === 0) {
                        break;
                    }
                    if (++failures >= attemptsPerStep) {
                        throw new Error(`${pipeline.stack}: pulumi up failed ${failures} times; the last:\n${step.output.slice(-4000)}`);
                    }
                    log(`${pipeline.stack}: up ${ups} failed (${lastError(step.output)}); running it again`);
                }
                if (kill) {
                    kill.recoveryMs = performance.now() - (kills.get(pipeline.stack) as { at: number }).at;
                    marks.push({ t: at(), stack: pipeline.stack, what: "recovered" });
                }
                log(`${pipeline.stack}: converged after ${ups} up(s) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
                return {
                    stack: pipeline.stack,
                    door: pipeline.door,
                    ups,
                    ms: performance.now() - started,
                    killed: kill !== undefined,
                    kill,
                };
            }),
        );
        const upMinutes = minutes(upStart);
        recording = false;
        const lock = await lockProbe;
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
        const killedStacks = new Set(kills.keys());
        const foreignDeletes = deletedBy.filter((d) => !d.owner || !killedStacks.has(d.owner));
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
            `${deletedBy.length} deleted during the up phase: ${deletedBy.map((d) => d.name).join(", ") || "none"}`,
        );
        check(
            `${size.kills.length} pipeline(s) killed mid-update and recovered with ${docs.ens}'s steps`,
            deployed.filter((d) => d.kill).length === size.kills.length,
            [...kills.keys()].join(", "),
        );
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
                        step.status === 0 && clean ? "" : lastError(step.output),
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
        stopCommits();
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
            minutes: { setup: setupMinutes, up: upMinutes, check: checkMinutes, destroy: destroyMinutes, total: minutes(t0) },
            pairs: stacks.length * size.pairs,
            pairsPerMinute: (stacks.length * size.pairs) / upMinutes,
            pipelines: deployed.map(({ stack, door, ups, ms, killed }) => ({ stack, door, ups, ms, killed })),
            server: {
                up: delta(serverAfterUp, serverBefore),
                check: delta(serverAfterCheck, serverAfterUp),
                destroy: delta(ens.stats(), serverAfterCheck),
            },
            kills: deployed.flatMap((d) => (d.kill ? [{ ...d.kill, committedAtKill: kills.get(d.stack)?.committed ?? 0 }] : [])),
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
            timeline,
            marks,
            checks,
        };
    } finally {
        process.off("SIGINT", interrupted);
        process.off("SIGTERM", interrupted);
        await cleanUp();
    }
}

/** The last error line a pulumi command printed, for the log. */
/** The distinct errors a pulumi command printed (the first few, cut short), for the log. */
function lastError(output: string): string {
    const errors = [...new Set(output.split("\n").filter((l) => /error/i.test(l) && !/errored|update failed/.test(l)))];
    const shown = errors.length > 0 ? errors.slice(0, 4) : [output.trim().split("\n").pop() ?? ""];
    return shown.map((l) => l.trim().slice(0, 400)).join(" | ");
}

/**
 * Starts a second `pulumi up` on a stack whose up holds the backend's lock (its creates are being
 * committed), and reports what it did; the lock entries are counted in the backend's table.
 */
async function probeLock(pipeline: Pipeline, upLine: string, pg: Postgres): Promise<LockFigures> {
    const locks = () => Number(pg.query(`SELECT count(*) FROM pulumi_state WHERE key LIKE '%/.pulumi/locks/%/${pipeline.stack}/%'`).trim());
    const locksBefore = locks();
    const step = await pipeline.run(upLine);
    const locksAfter = locks();
    return {
        stack: pipeline.stack,
        status: step.status,
        message: (/error: (.*locked.*)/.exec(step.output)?.[1] ?? lastError(step.output)).trim(),
        locksBefore,
        locksAfter,
        // An update that ran prints its resources (by type) and a summary; a refused one neither.
        stepsPrinted: /Resources:|:KeyPair\b|dynamic:Resource\b/.test(step.output),
    };
}

/**
 * docs/ens.md's recovery after the kill, as written for the pipeline's door (the stack's name after
 * `--stack`): the `pgrep` line is repeated until it shows nothing of this pipeline, which must
 * happen within the documented bound; `orphans` runs on a terminal, as it asks before deleting, and
 * is told yes; every other line runs once, and again when ENS failed it (as whoever recovers would
 * run it again), at most {@link attemptsPerStep} times.
 */
async function recover(pipeline: Pipeline, killed: { at: number }, log: (line: string) => void): Promise<KillFigures> {
    const figures: KillFigures = {
        stack: pipeline.stack,
        door: pipeline.door,
        committedAtKill: 0,
        providerGoneMs: NaN,
        orphansListed: 0,
        orphansDeleted: 0,
        recoveryMs: NaN,
        ups: 0,
        steps: [],
    };
    // The pipeline's folder starts the paths of its program's node_modules and of its Pulumi home's plugins.
    const ofThisRun = (output: string) => output.split("\n").filter((line) => line.includes(pipeline.dir));
    for (const written of documentedCommands(docs.recovery, pipeline.door)) {
        const line = written.replace(/--stack dev(?= |$)/, `--stack ${pipeline.stack}`);
        if (/^pgrep\b/.test(line)) {
            for (let step = await pipeline.run(line); ofThisRun(step.output).length > 0; step = await pipeline.run(line)) {
                if (performance.now() - killed.at > documentedProviderBoundMs) {
                    throw new Error(
                        `${pipeline.stack}: the killed run's provider outlived docs/ens.md's bound:\n${ofThisRun(step.output).join("\n")}`,
                    );
                }
                await new Promise((resolve) => setTimeout(resolve, 250));
            }
            figures.providerGoneMs = performance.now() - killed.at;
            figures.steps.push({ line, status: 0, ms: figures.providerGoneMs });
            log(
                `${pipeline.stack} recovery: ${line}: nothing of the killed run left after ${(figures.providerGoneMs / 1000).toFixed(1)} s`,
            );
            continue;
        }
        let step: Step;
        let tries = 0;
        do {
            step = / orphans /.test(line) ? await onTerminal(pipeline, line) : await pipeline.run(line);
            figures.steps.push({ line, status: step.status, ms: step.ms });
            figures.ups += /^pulumi up\b/.test(line) ? 1 : 0;
            log(`${pipeline.stack} recovery: ${line} -> ${step.status}${step.status !== 0 ? ` (${lastError(step.output)})` : ""}`);
        } while (step.status !== 0 && ++tries < attemptsPerStep);
        if (step.status !== 0) {
            throw new Error(`${pipeline.stack}: the recovery's ${line} failed ${tries} times:\n${step.output.slice(-4000)}`);
        }
        if (/ orphans /.test(line)) {
            figures.orphansListed = (step.output.match(/^\s+ssh-\S+/gm) ?? []).length;
            figures.orphansDeleted = (step.output.match(/^deleted ssh-/gm) ?? []).length;
        }
    }
    return figures;
}

/** Runs a command line that asks before it deletes on a terminal, answering yes, as docs/ens.md says to. */
async function onTerminal(pipeline: Pipeline, line: string): Promise<Step> {
    const started = performance.now();
    const result = await runOnTerminal(pipeline, line, "yes");
    return { line, status: result.status, stdout: result.stdout, output: result.output, ms: performance.now() - started };
}
