/**
 * The soak's up phase: every pipeline's `pulumi up` at once, run again when it fails, as a CI job's
 * retries would. The ENS server's commit events drive the rest, so that nothing waits for a fixed
 * time: a pipeline to kill is killed (`kill -9` of the CLI's process group) the moment ENS commits
 * one of its creates, so that the answer is lost, and recovered with docs/ens.md's steps as written;
 * the first create of another holds its answer while a second `pulumi up` of that stack meets the
 * backend's lock.
 */
import { DoorName } from "../../provider/doors";
import { EnsServer } from "../../ens-server/server";
import { documentedCommands, documentedProviderBoundMs, runOnTerminal } from "../../test/helpers/recovery";
import { errorsOf, Pipeline, Running, Step } from "./pipeline";
import { Postgres } from "./postgres";
import { ownerOf } from "./programs";

/** How often a pipeline runs a failed step again before the soak gives up on it, as a CI job's retries. */
export const attemptsPerStep = 5;

/** The section of docs/ens.md whose steps recover a killed `pulumi up`. */
const recoveryHeading = "Recovering from an interrupted `pulumi up`";

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

/** What the up phase did. */
export interface UpPhase {
    /** Its wall time, minutes. */
    minutes: number;
    pipelines: PipelineFigures[];
    kills: KillFigures[];
    lock?: LockFigures;
    /** Each stack's pairs in ENS: one point per change, time in seconds from the phase's start. */
    timeline: { t: number; stack: string; pairs: number }[];
    /** Kills, recoveries and the lock probe on the same clock. */
    marks: { t: number; stack: string; what: "kill" | "recovered" | "lock probe" }[];
    /** Every pair deleted, and the stack whose prefix its name carries. */
    deleted: { name: string; owner?: string }[];
}

/**
 * Deploys every pipeline at once, killing those marked `kill` once half their pairs are committed.
 * @param upLine docs/teams.md's `pulumi up` line.
 */
export async function deployAll(
    pipelines: { pipeline: Pipeline; kill: boolean }[],
    ens: EnsServer,
    pg: Postgres,
    upLine: string,
    pairs: number,
    log: (line: string) => void,
): Promise<UpPhase> {
    const stacks = pipelines.map(({ pipeline }) => pipeline.stack);
    const upStart = performance.now();
    const at = () => (performance.now() - upStart) / 1000;
    const timeline: UpPhase["timeline"] = [];
    const marks: UpPhase["marks"] = [];
    const inEns = new Map(stacks.map((s) => [s, 0]));
    const committed = new Map(stacks.map((s) => [s, 0]));
    const deletes: UpPhase["deleted"] = [];
    const current = new Map<string, Running>();
    const killAfter = Math.max(1, Math.floor(pairs / 2));
    const kills = new Map<string, { at: number; committed: number }>();
    const lockStack = pipelines.filter((p) => !p.kill).pop()?.pipeline;
    let lockProbe: Promise<LockFigures> | undefined;

    const stopCommits = ens.onCommit(({ created, deleted }) => {
        for (const pair of deleted) {
            const owner = ownerOf(pair.keyPairName, stacks);
            deletes.push({ name: pair.keyPairName, owner });
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
                log(`${pipeline.stack}: up ${ups} failed (${errorsOf(step.output)}); running it again`);
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
    stopCommits();
    return {
        minutes: (performance.now() - upStart) / 60_000,
        pipelines: deployed.map(({ stack, door, ups, ms, killed }) => ({ stack, door, ups, ms, killed })),
        kills: deployed.flatMap((d) => (d.kill ? [{ ...d.kill, committedAtKill: kills.get(d.stack)?.committed ?? 0 }] : [])),
        lock: await lockProbe,
        timeline,
        marks,
        deleted: deletes,
    };
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
        message: (/error: (.*locked.*)/.exec(step.output)?.[1] ?? errorsOf(step.output)).trim(),
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
    for (const written of documentedCommands(recoveryHeading, pipeline.door)) {
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
            log(`${pipeline.stack} recovery: ${line} -> ${step.status}${step.status !== 0 ? ` (${errorsOf(step.output)})` : ""}`);
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
