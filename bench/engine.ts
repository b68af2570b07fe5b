/**
 * The engine benchmarks, on the path users take: `pulumi up` / `preview` / `refresh` / `destroy`
 * typed in a program folder, the program run by the nodejs language host. Each program folder of
 * bench/programs is copied under bench/work (inside the repository, so the dynamic provider
 * resolves this package by name), and every stack keeps its state in one local file backend.
 * One configuration also runs inline through the Automation API, the path the benchmarks took
 * before, so the two can be compared.
 *
 * bench/probe.js, preloaded into every node process the CLI starts, logs module loads, key
 * generations and the provider's gRPC calls; /proc is polled for the peak memory of the
 * provider and program processes (the Go plugin of @pulumi/tls included).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { openStack, repoRoot } from "../scripts/engine";
import { ProcessPeak, watchProcesses } from "./procmon";
import { nowMs } from "./stats";

export const workRoot = path.join(repoRoot, "bench", "work");
const backendDir = path.join(workRoot, "state");
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

/** The command line of each operation, as a pipeline types it (the stack is added). */
export const opArgs: Record<Op, string[]> = {
    up: ["up", "--yes", "--skip-preview"],
    preview: ["preview", "--expect-no-changes"],
    upNoop: ["up", "--yes", "--skip-preview", "--expect-no-changes"],
    refresh: ["refresh", "--yes", "--skip-preview"],
    destroy: ["destroy", "--yes", "--skip-preview"],
};

/** One module load the probe timed: when it began (from the operation's start) and how long it took. */
export interface ModuleLoad {
    label: string;
    atMs: number;
    ms: number;
}

/** One node process the CLI started (the program, or the dynamic provider). */
export interface ProcessTrace {
    role: "program" | "provider";
    pid: number;
    /** When node started, and when it reached the preload (node's own start-up in between). */
    startMs: number;
    preloadMs: number;
    loads: ModuleLoad[];
    /** The provider's gRPC server registered. */
    serveMs?: number;
    /** The program process's exit, and its peak memory then, KiB. */
    exitMs?: number;
    exitPeakKiB?: number;
}

/** What the probe saw during one operation. Times are from the operation's start. */
export interface ProbeSummary {
    keygens: number;
    /** Time with at least one key generation in flight. */
    keygenBusyMs: number;
    /** Per gRPC method the provider served: calls and summed duration. */
    rpc: Record<string, { count: number; totalMs: number }>;
    /** Time with at least one resource call (Check, Diff, Create, Read, Update, Delete) in flight in the provider. */
    busyMs: number;
    firstRpcMs?: number;
    lastRpcEndMs?: number;
    processes: ProcessTrace[];
}

export interface OpSample {
    rep: number;
    /** Wall time. */
    ms: number;
    /** CPU time of the CLI and every process it started (not measured inline, where the program runs in the bench's own process). */
    cpuMs?: number;
    /** Resource counts by step kind, from the CLI's closing summary. */
    summary: Record<string, number>;
    probe: ProbeSummary;
    /** Peak memory of the provider and program processes, seen from outside. */
    peaks: ProcessPeak[];
}

export interface StateFigures {
    /** Bytes of `pulumi stack export` output after the create. */
    exportBytes: number;
    resources: number;
    /** Length of the `__provider` input of one resource (the serialized provider), or 0. */
    providerBytes: number;
    /** Output properties of one resource in state, `__provider` included: what the program registers and the SDK tracks. */
    outputProperties: number;
}

export interface ConfigResult {
    variant: string;
    n: number;
    samples: Record<Op, OpSample[]>;
    state?: StateFigures;
    /** The no-change check: ids and public keys before and after the no-change runs. */
    noChange?: { idsUnchanged: boolean; publicKeysUnchanged: boolean };
    errors: string[];
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
    const summary: ProbeSummary = { keygens: 0, keygenBusyMs: 0, rpc: {}, busyMs: 0, processes: [] };
    if (!fs.existsSync(dir)) {
        return summary;
    }
    const at = (epoch: string) => Number(epoch) - opStartEpochMs;
    const calls: [number, number][] = [];
    const generations: [number, number][] = [];
    for (const file of fs.readdirSync(dir)) {
        let trace: ProcessTrace | undefined;
        for (const line of fs.readFileSync(path.join(dir, file), "utf8").split("\n")) {
            const [kind, a, b, c, d] = line.split(" ");
            if (kind === "start") {
                trace = { role: a as ProcessTrace["role"], pid: Number(b), startMs: at(c), preloadMs: at(d), loads: [] };
                summary.processes.push(trace);
            } else if (kind === "load" && trace) {
                trace.loads.push({ label: a, atMs: at(b), ms: Number(c) });
            } else if (kind === "serve" && trace) {
                trace.serveMs = at(a);
            } else if (kind === "exit" && trace) {
                trace.exitMs = at(a);
                trace.exitPeakKiB = Number(b);
            } else if (kind === "gen") {
                summary.keygens++;
                generations.push([at(b), at(b) + Number(c)]);
            } else if (kind === "rpc") {
                const start = at(b);
                const duration = Number(c);
                const entry = (summary.rpc[a] ??= { count: 0, totalMs: 0 });
                entry.count++;
                entry.totalMs += duration;
                summary.firstRpcMs = Math.min(summary.firstRpcMs ?? Infinity, start);
                summary.lastRpcEndMs = Math.max(summary.lastRpcEndMs ?? 0, start + duration);
                if (resourceRpcs.has(a)) {
                    calls.push([start, start + duration]);
                }
                void d; // the provider's VmHWM; the outside watcher reports the same peak
            }
        }
    }
    summary.busyMs = unionMs(calls);
    summary.keygenBusyMs = unionMs(generations);
    return summary;
}

/** The counts of the CLI's closing "Resources:" block, e.g. `+ 100 created`, `101 unchanged`. */
export function parseSummary(output: string): Record<string, number> {
    const block = output.slice(output.lastIndexOf("Resources:"));
    const counts: Record<string, number> = {};
    for (const match of block.matchAll(
        /^\s+(?:[-+~]\s+)?(\d+) (to create|created|unchanged|to delete|deleted|to update|updated|to replace|replaced)$/gm,
    )) {
        counts[match[2].replace(/^to /, "")] = Number(match[1]);
    }
    return counts;
}

/** An operation's outcome: its wall and CPU time, what it printed (the last 64 KiB) and its exit status. */
interface RunResult {
    ms: number;
    cpuMs: number;
    output: string;
    status: number | null;
}

/** Minutes of bash's `times` output (`0m1.234s`) as milliseconds. */
function timesMs(text: string): number {
    const match = /(\d+)m([\d.]+)s/.exec(text);
    return match ? (Number(match[1]) * 60 + Number(match[2])) * 1000 : NaN;
}

/**
 * Runs a command to completion, keeping the tail of its output; killed after `timeoutMs`. It runs
 * under bash, whose `times` reports the CPU time (user and system) of the command and every
 * process it started and waited for: for the CLI, the language host, the program and the
 * providers. CPU time is far less disturbed than wall time by other work on a shared machine.
 */
function run(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const start = nowMs();
        const script = '"$@"; status=$?; times >&3; exit $status';
        const child = spawn("bash", ["-c", script, "bench", cmd, ...args], {
            cwd: options.cwd,
            env: options.env,
            stdio: ["ignore", "pipe", "pipe", "pipe"],
            // Its own process group, so that a timeout can stop the command with its children.
            detached: true,
        });
        let output = "";
        let times = "";
        const keep = (chunk: Buffer) => {
            output = (output + chunk.toString("utf8")).slice(-65536);
        };
        child.stdout?.on("data", keep);
        child.stderr?.on("data", keep);
        (child.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => (times += chunk.toString("utf8")));
        const timer = setTimeout(() => process.kill(-(child.pid ?? 0), "SIGKILL"), options.timeoutMs);
        child.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        child.on("close", (status) => {
            clearTimeout(timer);
            // The second line of `times` is the children's user and system time.
            const [user, system] = (times.split("\n")[1] ?? "").split(" ");
            resolve({ ms: nowMs() - start, cpuMs: timesMs(user ?? "") + timesMs(system ?? ""), output, status });
        });
    });
}

export interface OpOptions {
    /** Profile the program process's CPU into this folder. */
    profileDir?: string;
    /** Let the engine write checkpoints after every step, as it does by default. */
    checkpoints?: boolean;
}

/** One stack of one program folder, operated through the CLI. */
export interface BenchStack {
    /** The variant's id, for results. */
    readonly variant: string;
    readonly n: number;
    /** Runs one operation; rejects when it fails. */
    op(op: Op, rep: number, options?: OpOptions): Promise<OpSample>;
    /** `pulumi stack export`, parsed. */
    exportState(): Promise<ExportedState>;
}

export interface ExportedState {
    bytes: number;
    resources: { urn: string; type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[];
}

/**
 * Set for every run unless an operation asks for checkpoints: the file backend otherwise rewrites
 * the whole state file after every step, which makes an up or destroy of N resources cost O(N²)
 * in the engine alone (a 1,000-KeyPair up takes ten minutes of it here) and would hide every
 * other cost at N = 1,000. What checkpoints cost is measured apart, at one N.
 */
export const skipCheckpoints = { PULUMI_SKIP_CHECKPOINTS: "true" };

/** The environment every CLI run gets: the throwaway backend, the probe, no update check. */
function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
        ...process.env,
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: passphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        NODE_OPTIONS: `--require ${probeScript}`,
        ...skipCheckpoints,
        ...extra,
    };
}

/** Starts from empty state and fresh program folders: leftovers of an interrupted run would be "changes". */
export function resetWork(): void {
    for (const dir of [backendDir, probeRoot, path.join(workRoot, "programs"), path.join(workRoot, "inline")]) {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    fs.mkdirSync(backendDir, { recursive: true });
}

/** A copy of bench/programs/<program> under bench/work, made once per run. */
function programDir(program: string): string {
    const dir = path.join(workRoot, "programs", program);
    if (!fs.existsSync(dir)) {
        fs.cpSync(path.join(repoRoot, "bench", "programs", program), dir, { recursive: true });
    }
    return dir;
}

function probeDirFor(stack: string, rep: number, op: Op, suffix = ""): string {
    const dir = path.join(probeRoot, `${stack}-r${rep}-${op}${suffix}`);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
}

/** Minutes an operation may take before it is killed: far beyond any expected run, but bounded. */
const opTimeoutMs = 20 * 60_000;

export class CliStack implements BenchStack {
    private readonly dir: string;
    /** Operations run outside the measured lifecycles (profiled, checkpointed), to keep their probe folders apart. */
    private extra = 0;

    private constructor(
        readonly variant: string,
        readonly n: number,
        private readonly name: string,
        program: string,
        private readonly env: Record<string, string>,
    ) {
        this.dir = programDir(program);
    }

    /**
     * Creates the stack `name` of a program, with its config written into the stack's settings
     * file as `pulumi config set` would (plain values; secrets go through `env`).
     */
    static async create(options: {
        variant: string;
        n: number;
        program: string;
        config: Record<string, string>;
        env?: Record<string, string>;
    }): Promise<CliStack> {
        const name = `${options.variant}-n${options.n}`;
        const stack = new CliStack(options.variant, options.n, name, options.program, options.env ?? {});
        await stack.cli(["stack", "init", name, "--secrets-provider", "passphrase"]);
        const project = `bench-${options.program}`;
        const settings = path.join(stack.dir, `Pulumi.${name}.yaml`);
        const lines = Object.entries({ [`${project}:n`]: String(options.n), ...options.config }).map(
            ([key, value]) => `  ${key.includes(":") ? key : `${project}:${key}`}: ${JSON.stringify(value)}`,
        );
        fs.appendFileSync(settings, `config:\n${lines.join("\n")}\n`);
        return stack;
    }

    private async cli(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
        const result = await run("pulumi", [...args, "--non-interactive"], {
            cwd: this.dir,
            env: benchEnv({ ...this.env, ...env, BENCH_PROBE_DIR: env.BENCH_PROBE_DIR ?? "" }),
            timeoutMs: opTimeoutMs,
        });
        if (result.status !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited with ${result.status}:\n${result.output.slice(-3000)}`);
        }
        return result;
    }

    async op(op: Op, rep: number, options: OpOptions = {}): Promise<OpSample> {
        const suffix = options.profileDir ? `-profiled${++this.extra}` : options.checkpoints ? `-checkpoints${++this.extra}` : "";
        const dir = probeDirFor(this.name, rep, op, suffix);
        const env: Record<string, string> = { BENCH_PROBE_DIR: dir };
        if (options.profileDir) {
            env.BENCH_CPU_PROFILE_DIR = options.profileDir;
        }
        if (options.checkpoints) {
            env.PULUMI_SKIP_CHECKPOINTS = "false";
        }
        const watcher = watchProcesses(250);
        const startEpoch = Date.now();
        let peaks: ProcessPeak[] = [];
        let result: RunResult;
        try {
            result = await this.cli([...opArgs[op], "--stack", this.name], env);
        } finally {
            // Stopped whatever happened, or its timer would keep polling.
            peaks = watcher.stop();
        }
        return { rep, ms: result.ms, cpuMs: result.cpuMs, summary: parseSummary(result.output), probe: readProbe(dir, startEpoch), peaks };
    }

    async exportState(): Promise<ExportedState> {
        const file = path.join(workRoot, `${this.name}.export.json`);
        await this.cli(["stack", "export", "--stack", this.name, "--file", file]);
        const text = fs.readFileSync(file, "utf8");
        fs.rmSync(file);
        const parsed = JSON.parse(text) as { deployment: { resources?: ExportedState["resources"] } };
        return { bytes: Buffer.byteLength(text), resources: parsed.deployment.resources ?? [] };
    }
}

/**
 * The same lifecycle with the program inline: the Automation API serves the language runtime from
 * this process, so no language host, no program process and no TypeScript compile are involved.
 */
export class InlineStack implements BenchStack {
    private constructor(
        readonly variant: string,
        readonly n: number,
        private readonly stack: Stack,
    ) {}

    static async create(options: { variant: string; n: number; program: PulumiFn }): Promise<InlineStack> {
        const stack = await openStack({
            stackName: `${options.variant}-n${options.n}`,
            projectName: "bench-inline",
            program: options.program,
            backendDir,
            workDir: path.join(workRoot, "inline"),
            passphrase,
            envVars: { NODE_OPTIONS: `--require ${probeScript}`, BENCH_PROBE_DIR: "", ...skipCheckpoints },
        });
        return new InlineStack(options.variant, options.n, stack);
    }

    async op(op: Op, rep: number): Promise<OpSample> {
        const dir = probeDirFor(this.stack.name, rep, op);
        const envVars = (this.stack.workspace as LocalWorkspace).envVars;
        envVars.BENCH_PROBE_DIR = dir;
        const watcher = watchProcesses(250);
        const startEpoch = Date.now();
        const start = nowMs();
        let summary: Record<string, number> = {};
        let peaks: ProcessPeak[] = [];
        try {
            if (op === "preview") {
                summary = { ...(await this.stack.preview({ expectNoChanges: true })).changeSummary };
            } else {
                const result =
                    op === "up"
                        ? await this.stack.up()
                        : op === "upNoop"
                          ? await this.stack.up({ expectNoChanges: true })
                          : op === "refresh"
                            ? await this.stack.refresh()
                            : await this.stack.destroy();
                summary = { ...result.summary.resourceChanges };
            }
        } finally {
            envVars.BENCH_PROBE_DIR = "";
            peaks = watcher.stop();
        }
        return { rep, ms: nowMs() - start, summary, probe: readProbe(dir, startEpoch), peaks };
    }

    async exportState(): Promise<ExportedState> {
        const deployment = await this.stack.exportStack();
        const text = JSON.stringify(deployment);
        return { bytes: Buffer.byteLength(text), resources: (deployment.deployment as ExportedState).resources ?? [] };
    }
}
