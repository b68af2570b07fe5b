/**
 * The engine benchmarks: each variant's full lifecycle (create, no-change preview and up, refresh,
 * destroy) through the real CLI on a local file backend, timed from the Automation API call to its
 * return, which is what a pipeline waits for.
 *
 * Inside the provider process, bench/probe.js (preloaded through NODE_OPTIONS, for every
 * variant alike) logs each key generation and each gRPC call; outside, /proc is polled for the
 * provider's peak memory. Together they split an operation's wall time into the provider's share
 * and the rest (CLI, engine, SDK, state writes), and prove that a no-change run generates no key.
 */
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { openStack, pulumiCli, repoRoot } from "../scripts/engine";
import { ProcessPeak, watchProviders } from "./procmon";
import { Variant, VariantId } from "./programs";
import { nowMs } from "./stats";

export const workRoot = path.join(repoRoot, "bench", "work");
const backendDir = path.join(workRoot, "state");
const projectDir = path.join(workRoot, "project");
const probeRoot = path.join(workRoot, "probe");
const probeScript = path.join(repoRoot, "bench", "probe.js");
const passphrase = "benchmark-throwaway-passphrase";

export type Op = "up" | "preview" | "upNoop" | "refresh" | "destroy";
export const ops: readonly Op[] = ["up", "preview", "upNoop", "refresh", "destroy"];
export const opLabels: Record<Op, string> = {
    up: "up (create)",
    preview: "preview, no change",
    upNoop: "up, no change",
    refresh: "refresh",
    destroy: "destroy",
};

/** What the probe saw in the provider process(es) during one operation. */
export interface ProbeSummary {
    keygens: number;
    /** Sum of the generations' durations (they overlap when concurrent). */
    keygenMs: number;
    /** Time with at least one generation in flight. */
    keygenBusyMs: number;
    /** Per gRPC method: calls and summed duration. */
    rpc: Record<string, { count: number; totalMs: number }>;
    /** When the provider process started, from the operation's start. */
    providerStartMs?: number;
    /** When its first and last gRPC calls began and ended, from the operation's start. */
    firstRpcMs?: number;
    lastRpcEndMs?: number;
    /** Time with at least one resource call (Check, Diff, Create, Read, Delete, Update) in flight. */
    busyMs: number;
    /** VmHWM after the last call, KiB (the highest over the provider processes). */
    peakRssKiB: number;
}

export interface OpSample {
    rep: number;
    ms: number;
    /** The inline program's run (constructing the resources, in the bench process), from its start to its end. */
    programMs?: number;
    /** The engine's summary: resource counts by step kind. */
    summary: Record<string, number>;
    probe: ProbeSummary;
    /** Provider processes' peak memory seen from outside (up only). */
    peaks?: ProcessPeak[];
}

export interface StateFigures {
    /** Bytes of `pulumi stack export` output after the create. */
    exportBytes: number;
    resources: number;
    /** Length of the `__provider` input of one resource (the serialized provider), or 0. */
    providerBytes: number;
    /** How many copies of it one resource keeps (inputs and outputs). */
    providerCopies: number;
    /**
     * Where one resource's bytes go: each part's size as compact JSON, and the whole entry's
     * (the export itself is indented, so its bytes run somewhat higher).
     */
    breakdown?: { entry: number; parts: Record<string, number> };
}

export interface ConfigResult {
    variant: VariantId;
    n: number;
    samples: Record<Op, OpSample[]>;
    state?: StateFigures;
    /** The no-change check: ids and public fingerprints before and after, and the engine's summaries. */
    noChange?: { idsUnchanged: boolean; fingerprintsUnchanged: boolean; summariesOnlySame: boolean };
    errors: string[];
}

function emptyProbe(): ProbeSummary {
    return { keygens: 0, keygenMs: 0, keygenBusyMs: 0, rpc: {}, busyMs: 0, peakRssKiB: 0 };
}

const resourceRpcs = new Set(["check", "diff", "create", "read", "update", "delete"]);

/** Length of the union of intervals: overlapping (concurrent) ones count once. */
function unionMs(intervals: [number, number][]): number {
    let total = 0;
    let end = -Infinity;
    for (const [s, e] of [...intervals].sort((x, y) => x[0] - y[0])) {
        if (e > end) {
            total += e - Math.max(s, end);
            end = e;
        }
    }
    return total;
}

/** Reads the probe's logs of one operation; times become offsets from the operation's start. */
export function readProbe(dir: string, opStartEpochMs: number): ProbeSummary {
    const summary = emptyProbe();
    if (!fs.existsSync(dir)) {
        return summary;
    }
    const intervals: [number, number][] = [];
    const generations: [number, number][] = [];
    for (const file of fs.readdirSync(dir)) {
        for (const line of fs.readFileSync(path.join(dir, file), "utf8").split("\n")) {
            const [kind, a, b, c, d] = line.split(" ");
            if (kind === "start") {
                const at = Number(a) - opStartEpochMs;
                summary.providerStartMs = summary.providerStartMs === undefined ? at : Math.min(summary.providerStartMs, at);
            } else if (kind === "gen") {
                summary.keygens++;
                summary.keygenMs += Number(c);
                generations.push([Number(b), Number(b) + Number(c)]);
            } else if (kind === "rpc") {
                const start = Number(b) - opStartEpochMs;
                const duration = Number(c);
                const entry = (summary.rpc[a] ??= { count: 0, totalMs: 0 });
                entry.count++;
                entry.totalMs += duration;
                summary.firstRpcMs = summary.firstRpcMs === undefined ? start : Math.min(summary.firstRpcMs, start);
                summary.lastRpcEndMs = Math.max(summary.lastRpcEndMs ?? 0, start + duration);
                summary.peakRssKiB = Math.max(summary.peakRssKiB, Number(d));
                if (resourceRpcs.has(a)) {
                    intervals.push([start, start + duration]);
                }
            }
        }
    }
    summary.busyMs = unionMs(intervals);
    summary.keygenBusyMs = unionMs(generations);
    return summary;
}

/** Counts of resources by step kind, from an up/refresh/destroy or a preview result. */
function summaryOf(result: unknown): Record<string, number> {
    const r = result as { summary?: { resourceChanges?: Record<string, number> }; changeSummary?: Record<string, number> };
    return { ...(r.changeSummary ?? r.summary?.resourceChanges ?? {}) };
}

interface Exported {
    bytes: number;
    resources: {
        urn: string;
        type: string;
        id?: string;
        inputs?: Record<string, unknown>;
        outputs?: Record<string, unknown>;
        [field: string]: unknown;
    }[];
}

/** Secrets in state are objects carrying this signature key, with the value as ciphertext. */
const secretSig = "4dabf18193072939515e22adb298388d";

function isSecret(value: unknown): boolean {
    return typeof value === "object" && value !== null && secretSig in value;
}

function jsonBytes(value: unknown): number {
    return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value));
}

function breakdownOf(resource: Exported["resources"][number]): StateFigures["breakdown"] {
    const { inputs = {}, outputs = {}, stackTrace, sourcePosition } = resource;
    const { __provider: inProvider, ...otherInputs } = inputs;
    const { __provider: outProvider, ...otherOutputs } = outputs;
    const secrets = Object.values(otherOutputs).filter(isSecret);
    const plain = Object.fromEntries(Object.entries(otherOutputs).filter(([, v]) => !isSecret(v)));
    const parts: Record<string, number> = {
        "serialized provider, in inputs": jsonBytes(inProvider),
        "serialized provider, in outputs": jsonBytes(outProvider),
        "secret outputs (ciphertext)": secrets.reduce((sum: number, v) => sum + jsonBytes(v), 0),
        "other outputs": jsonBytes(plain),
        "other inputs": jsonBytes(otherInputs),
        "stack trace and source position": jsonBytes(stackTrace) + jsonBytes(sourcePosition),
    };
    const entry = jsonBytes(resource);
    parts["the rest (URN, type, id, parent, provider reference, timestamps, ...)"] =
        entry - Object.values(parts).reduce((a, b) => a + b, 0);
    return { entry, parts };
}

function exportState(stack: Stack): Exported {
    const text = pulumiCli(stack, ["stack", "export"]);
    const parsed = JSON.parse(text) as { deployment: { resources?: Exported["resources"] } };
    return { bytes: Buffer.byteLength(text), resources: parsed.deployment.resources ?? [] };
}

function stateFigures(exported: Exported, type: string): StateFigures {
    const mine = exported.resources.filter((r) => r.type === type);
    const serialized = mine[0]?.inputs?.__provider;
    const copies = mine[0] ? [mine[0].inputs?.__provider, mine[0].outputs?.__provider].filter((v) => typeof v === "string").length : 0;
    return {
        exportBytes: exported.bytes,
        resources: mine.length,
        providerBytes: typeof serialized === "string" ? Buffer.byteLength(serialized) : 0,
        providerCopies: copies,
        breakdown: mine[0] ? breakdownOf(mine[0]) : undefined,
    };
}

type ExportedResource = Exported["resources"][number];

/** One field of each of the variant's resources, by URN. */
function byUrn(exported: Exported, type: string, field: (r: ExportedResource) => unknown): Map<string, string> {
    return new Map(exported.resources.filter((r) => r.type === type).map((r) => [r.urn, String(field(r) ?? "")]));
}

function sameMaps(a: Map<string, string>, b: Map<string, string>): boolean {
    return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

export class EngineBench {
    private readonly stacks = new Map<string, Stack>();
    /** When the current operation's program started and ended (it runs in this process). */
    private program: { start?: number; end?: number } = {};
    readonly results = new Map<string, ConfigResult>();

    constructor(private readonly log: (line: string) => void) {}

    /** Starts from empty state: leftovers of an interrupted run would otherwise be "changes". */
    static reset(): void {
        for (const dir of [backendDir, projectDir, probeRoot]) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }

    private async stackFor(variant: Variant, n: number): Promise<Stack> {
        const name = `${variant.id}-n${n}`;
        let stack = this.stacks.get(name);
        if (!stack) {
            stack = await openStack({
                stackName: name,
                projectName: "bench",
                program: this.timedProgram(variant.program(n)),
                backendDir,
                workDir: projectDir,
                passphrase,
                envVars: { NODE_OPTIONS: `--require ${probeScript}`, BENCH_PROBE_DIR: "" },
            });
            this.stacks.set(name, stack);
        }
        return stack;
    }

    private timedProgram(program: PulumiFn): PulumiFn {
        return async () => {
            this.program.start = nowMs();
            const outputs = await program();
            this.program.end = nowMs();
            return outputs;
        };
    }

    result(variant: VariantId, n: number): ConfigResult {
        const key = `${variant}-n${n}`;
        let result = this.results.get(key);
        if (!result) {
            result = { variant, n, samples: { up: [], preview: [], upNoop: [], refresh: [], destroy: [] }, errors: [] };
            this.results.set(key, result);
        }
        return result;
    }

    /** Runs one operation with the probe pointed at a fresh folder; polls memory during ups. */
    private async op(stack: Stack, op: Op, rep: number, label: string, repeat = 0): Promise<OpSample> {
        const dir = path.join(probeRoot, `${stack.name}-r${rep}-${op}${repeat ? `-${repeat}` : ""}`);
        fs.mkdirSync(dir, { recursive: true });
        (stack.workspace as LocalWorkspace).envVars.BENCH_PROBE_DIR = dir;
        const watcher = op === "up" ? watchProviders(200) : undefined;
        this.program = {};
        const startEpoch = Date.now();
        const start = nowMs();
        let result: unknown;
        let peaks: ProcessPeak[] | undefined;
        let ms = NaN;
        try {
            switch (op) {
                case "up":
                case "upNoop":
                    result = await stack.up();
                    break;
                case "preview":
                    result = await stack.preview();
                    break;
                case "refresh":
                    result = await stack.refresh();
                    break;
                case "destroy":
                    result = await stack.destroy();
                    break;
            }
        } finally {
            ms = nowMs() - start;
            (stack.workspace as LocalWorkspace).envVars.BENCH_PROBE_DIR = "";
            // Stopped whatever happened, or its timer would keep polling.
            peaks = watcher?.stop();
        }
        const { start: programStart, end: programEnd } = this.program;
        const programMs = programStart !== undefined && programEnd !== undefined ? programEnd - programStart : undefined;
        const sample: OpSample = { rep, ms, programMs, summary: summaryOf(result), probe: readProbe(dir, startEpoch), peaks };
        this.log(
            `  ${label} ${op}: ${(ms / 1000).toFixed(2)} s ${JSON.stringify(sample.summary)}${sample.probe.keygens ? `, ${sample.probe.keygens} keys` : ""}`,
        );
        return sample;
    }

    /** One lifecycle of N resources; on rep 1 also the state figures and the no-change check. */
    async lifecycle(variant: Variant, n: number, rep: number): Promise<void> {
        const result = this.result(variant.id, n);
        const stack = await this.stackFor(variant, n);
        const label = `${variant.id} N=${n} rep ${rep}`;
        const measureState = result.state === undefined;
        try {
            result.samples.up.push(await this.op(stack, "up", rep, label));
            const before = measureState ? exportState(stack) : undefined;
            if (before) {
                result.state = stateFigures(before, variant.type);
            }
            // The no-change runs are cheap next to create and destroy and carry the tightest
            // target (1.1x of the floor), so at N = 100, where repetitions are few, each
            // lifecycle runs them twice, alternating.
            const noChange: OpSample[] = [];
            for (let i = 0; i < (n >= 100 ? 2 : 1); i++) {
                const preview = await this.op(stack, "preview", rep, label, i);
                const upNoop = await this.op(stack, "upNoop", rep, label, i);
                result.samples.preview.push(preview);
                result.samples.upNoop.push(upNoop);
                noChange.push(preview, upNoop);
            }
            const onlySame = noChange.every((s) => Object.keys(s.summary).every((k) => k === "same") && s.summary.same === n + 1);
            if (before) {
                const after = exportState(stack);
                result.noChange = {
                    idsUnchanged: sameMaps(
                        byUrn(before, variant.type, (r) => r.id),
                        byUrn(after, variant.type, (r) => r.id),
                    ),
                    // A new key would show as a new public fingerprint even under the same id.
                    fingerprintsUnchanged: sameMaps(
                        byUrn(before, variant.type, (r) => r.outputs?.fingerprintSha256 ?? r.outputs?.publicKeyOpenssh),
                        byUrn(after, variant.type, (r) => r.outputs?.fingerprintSha256 ?? r.outputs?.publicKeyOpenssh),
                    ),
                    summariesOnlySame: onlySame,
                };
            } else if (result.noChange) {
                result.noChange.summariesOnlySame &&= onlySame;
            }
            result.samples.refresh.push(await this.op(stack, "refresh", rep, label));
        } catch (e) {
            result.errors.push(`rep ${rep}: ${(e as Error).message.slice(0, 2000)}`);
            this.log(`  ${label} failed: ${(e as Error).message.slice(0, 500)}`);
        } finally {
            // Always leave the stack empty for the next repetition.
            try {
                result.samples.destroy.push(await this.op(stack, "destroy", rep, label));
            } catch (e) {
                result.errors.push(`rep ${rep} destroy: ${(e as Error).message.slice(0, 2000)}`);
            }
        }
    }

    /** Creates and destroys one resource, unrecorded: the first CLI run pages in the binaries. */
    async warmUp(variant: Variant): Promise<void> {
        const stack = await openStack({
            stackName: "warm-up",
            projectName: "bench",
            program: variant.program(1),
            backendDir,
            workDir: projectDir,
            passphrase,
        });
        await stack.up();
        await stack.destroy();
        await stack.workspace.removeStack(stack.name);
    }
}
