/**
 * The engine on the path users take: `pulumi up`, `preview`, `refresh` and `destroy` typed in a
 * program folder of bench/programs (copied under bench/work, inside the repository, so that the
 * programs and the dynamic provider resolve this package by name), every stack on one file
 * backend. Each command runs under bash, whose `times` gives the CPU time of the command and every
 * process it started: the machine is shared, and CPU time is far less disturbed by other work than
 * wall time. bench/probe.js traces the node processes from inside; /proc is polled from outside for
 * the peak memory of the providers (the Go and bundled plugins included) and the program.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { repoRoot } from "../test/helpers/paths";
import { peakRssKiB, processes } from "./procfs";

export const workRoot = path.join(repoRoot, "bench", "work");
const backendDir = path.join(workRoot, "state");
let probeSeq = 0;

/** The operations, as a pipeline types them (the stack is added). */
export const opArgs = {
    up: ["up", "--yes", "--skip-preview"],
    preview: ["preview", "--expect-no-changes"],
    upNoop: ["up", "--yes", "--skip-preview", "--expect-no-changes"],
    refresh: ["refresh", "--yes", "--skip-preview"],
    destroy: ["destroy", "--yes", "--skip-preview"],
    /** An up with the engine's default checkpoints, which every other operation turns off. */
    upCheckpoints: ["up", "--yes", "--skip-preview"],
};
export type Op = keyof typeof opArgs;

/**
 * Every operation but one runs without checkpoints: by default the file backend rewrites the whole
 * state after every step, which makes an up of N resources cost O(N²) in the engine alone and
 * would hide every other cost at N = 1,000. What they cost is measured apart (`upCheckpoints`).
 */
export const skipCheckpoints = { PULUMI_SKIP_CHECKPOINTS: "true" };

/** One node process the probe traced. Times are from the operation's start, ms. */
export interface Traced {
    startMs: number;
    preloadMs: number;
    /** Load time by label (bench/probe.js). */
    loads: Record<string, number>;
    exitMs?: number;
    peakKiB?: number;
}

/** What the probe saw during one operation. */
export interface Probe {
    program?: Traced;
    provider?: Traced;
    keygens: number;
    /** Time with at least one key generation in flight. */
    keygenBusyMs: number;
    /** Per gRPC method of the dynamic provider: calls and summed duration. */
    rpc: Record<string, { count: number; totalMs: number }>;
    /** Time with at least one resource call in flight in the dynamic provider. */
    busyMs: number;
    firstRpcMs?: number;
}

/** One operation of one stack. */
export interface Sample {
    variant: string;
    n: number;
    op: Op;
    rep: number;
    /** Wall time and CPU time (user and system, every process), ms. */
    ms: number;
    cpuMs: number;
    /** Resources by step kind, from the CLI's closing summary. */
    counts: Record<string, number>;
    probe: Probe;
    /** Peak resident memory seen from outside, KiB. */
    peakKiB: { program?: number; provider?: number };
}

export interface ExportedState {
    /** Its size as the file backend stores it (compact JSON), and as `pulumi stack export` prints it (indented). */
    bytes: number;
    exportBytes: number;
    resources: {
        urn: string;
        type: string;
        id?: string;
        inputs?: Record<string, unknown>;
        outputs?: Record<string, unknown>;
        /** Where the program declared the resource, as the SDK records it. */
        stackTrace?: { sourcePosition?: string }[];
    }[];
}

/** Length of the union of intervals: overlapping (concurrent) ones count once. */
function unionMs(intervals: [number, number][]): number {
    let total = 0;
    let end = -Infinity;
    for (const [s, e] of intervals.sort((x, y) => x[0] - y[0])) {
        total += Math.max(0, e - Math.max(s, end));
        end = Math.max(end, e);
    }
    return total;
}

function readProbe(dir: string, startEpochMs: number): Probe {
    const probe: Probe = { keygens: 0, keygenBusyMs: 0, rpc: {}, busyMs: 0 };
    const calls: [number, number][] = [];
    const keygens: [number, number][] = [];
    const at = (epoch: string) => Number(epoch) - startEpochMs;
    for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        let traced: Traced | undefined;
        for (const line of fs.readFileSync(path.join(dir, file), "utf8").split("\n")) {
            const [kind, a, b, c] = line.split(" ");
            if (kind === "start") {
                traced = { startMs: at(b), preloadMs: at(c), loads: {} };
                probe[a as "program" | "provider"] = traced;
            } else if (kind === "load" && traced) {
                traced.loads[a] = Number(c);
            } else if (kind === "exit" && traced) {
                traced.exitMs = at(a);
                traced.peakKiB = Number(b);
            } else if (kind === "gen") {
                keygens.push([at(a), at(a) + Number(b)]);
            } else if (kind === "rpc") {
                const entry = (probe.rpc[a] ??= { count: 0, totalMs: 0 });
                entry.count++;
                entry.totalMs += Number(c);
                probe.firstRpcMs = Math.min(probe.firstRpcMs ?? Infinity, at(b));
                if (/^(check|diff|create|read|update|delete)$/.test(a)) {
                    calls.push([at(b), at(b) + Number(c)]);
                }
            }
        }
    }
    probe.keygens = keygens.length;
    probe.keygenBusyMs = unionMs(keygens);
    probe.busyMs = unionMs(calls);
    return probe;
}

/** Which of this process's descendants are a provider (a plugin or the dynamic provider) or the program. */
function roleOf(cmdline: string): "provider" | "program" | undefined {
    if (/^\S*node -e /.test(cmdline)) {
        return undefined; // the dynamic-provider shim's one-line `node -e` that resolves a path
    }
    if (cmdline.includes("dynamic-provider") || /pulumi-resource-(?!pulumi-nodejs)/.test(cmdline)) {
        return "provider";
    }
    return /@pulumi[/\\]pulumi[/\\]cmd[/\\]run/.test(cmdline) ? "program" : undefined;
}

/**
 * Polls this process's descendants until stopped; returns the highest VmHWM seen per role. VmHWM
 * only grows, so a late poll still sees an earlier peak. Other people's processes are not ours.
 */
function watchPeaks(): () => Sample["peakKiB"] {
    const peaks: Sample["peakKiB"] = {};
    const poll = () => {
        const all = processes();
        const parent = new Map(all.map((p) => [p.pid, p.ppid]));
        for (const { pid, cmdline } of all) {
            let p = parent.get(pid);
            while (p !== undefined && p > 1 && p !== process.pid) {
                p = parent.get(p);
            }
            const role = p === process.pid ? roleOf(cmdline) : undefined;
            const kib = role ? peakRssKiB(pid) : NaN;
            if (role && kib > (peaks[role] ?? 0)) {
                peaks[role] = kib;
            }
        }
    };
    const timer = setInterval(poll, 250);
    return () => {
        clearInterval(timer);
        poll();
        return peaks;
    };
}

/** Runs a command under bash to completion (killed with its children after 20 minutes); keeps the tail of its output. */
function run(
    args: string[],
    cwd: string,
    env: NodeJS.ProcessEnv,
): Promise<{ ms: number; cpuMs: number; output: string; status: number | null }> {
    return new Promise((resolve, reject) => {
        const start = performance.now();
        const child = spawn("bash", ["-c", '"$@"; status=$?; times >&3; exit $status', "bench", ...args], {
            cwd,
            env,
            stdio: ["ignore", "pipe", "pipe", "pipe"],
            detached: true,
        });
        let output = "";
        let times = "";
        const keep = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-65536));
        child.stdout?.on("data", keep);
        child.stderr?.on("data", keep);
        (child.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => (times += chunk.toString("utf8")));
        const timer = setTimeout(() => process.kill(-(child.pid ?? 0), "SIGKILL"), 20 * 60_000);
        child.on("error", reject);
        child.on("close", (status) => {
            clearTimeout(timer);
            // The second line of `times`: the user and system time of the children, as `0m1.234s 0m0.567s`.
            const cpuMs = [...(times.split("\n")[1] ?? "").matchAll(/(\d+)m([\d.]+)s/g)].reduce(
                (sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1000,
                0,
            );
            resolve({ ms: performance.now() - start, cpuMs, output, status });
        });
    });
}

/** One stack of one program folder, its config in the stack's settings file. */
export class Stack {
    private constructor(
        readonly variant: string,
        readonly n: number,
        private readonly dir: string,
        private readonly env: Record<string, string>,
    ) {}

    static async create(
        variant: string,
        n: number,
        program: string,
        config: Record<string, string>,
        env: Record<string, string> = {},
    ): Promise<Stack> {
        const dir = path.join(workRoot, "programs", program);
        if (!fs.existsSync(dir)) {
            fs.cpSync(path.join(repoRoot, "bench", "programs", program), dir, { recursive: true });
        }
        const stack = new Stack(variant, n, dir, env);
        await stack.cli(["stack", "init", "--secrets-provider", "passphrase"]);
        const lines = Object.entries({ n: String(n), ...config }).map(
            ([key, value]) => `  ${key.includes(":") ? key : `bench-${program}:${key}`}: ${JSON.stringify(value)}`,
        );
        fs.appendFileSync(path.join(dir, `Pulumi.${stack.name}.yaml`), `config:\n${lines.join("\n")}\n`);
        return stack;
    }

    get name(): string {
        return `${this.variant}-n${this.n}`;
    }

    private async cli(args: string[], env: Record<string, string> = {}) {
        const result = await run(["pulumi", ...args, "--stack", this.name, "--non-interactive"], this.dir, {
            ...process.env,
            PULUMI_BACKEND_URL: `file://${backendDir}`,
            PULUMI_CONFIG_PASSPHRASE: "benchmark-throwaway-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            NODE_OPTIONS: `--require ${path.join(repoRoot, "bench", "probe.js")}`,
            ...skipCheckpoints,
            ...this.env,
            ...env,
        });
        if (result.status !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited with ${result.status}:\n${result.output.slice(-3000)}`);
        }
        return result;
    }

    /** Runs one operation; rejects when it fails. `env` adds to the environment (the probe's profile folder, say). */
    async op(op: Op, rep: number, env: Record<string, string> = {}): Promise<Sample> {
        const probeDir = path.join(workRoot, "probe", `${this.name}-${op}-${++probeSeq}`);
        fs.mkdirSync(probeDir, { recursive: true });
        const stopWatching = watchPeaks();
        const startEpoch = Date.now();
        const checkpoints: Record<string, string> = op === "upCheckpoints" ? { PULUMI_SKIP_CHECKPOINTS: "false" } : {};
        let peakKiB: Sample["peakKiB"] = {};
        let result: Awaited<ReturnType<typeof run>>;
        try {
            result = await this.cli(opArgs[op], { BENCH_PROBE_DIR: probeDir, ...checkpoints, ...env });
        } finally {
            peakKiB = stopWatching();
        }
        const counts: Record<string, number> = {};
        const summary = result.output.slice(result.output.lastIndexOf("Resources:"));
        for (const m of summary.matchAll(/^\s+(?:[-+~]\s+)?(\d+) (?:to )?(create|unchanged|delete|update|replace)d?$/gm)) {
            counts[m[2]] = Number(m[1]);
        }
        const probe = readProbe(probeDir, startEpoch);
        return { variant: this.variant, n: this.n, op, rep, ms: result.ms, cpuMs: result.cpuMs, counts, probe, peakKiB };
    }

    async exportState(): Promise<ExportedState> {
        const file = path.join(workRoot, `${this.name}.export.json`);
        await this.cli(["stack", "export", "--file", file]);
        const text = fs.readFileSync(file, "utf8");
        fs.rmSync(file);
        const parsed = JSON.parse(text) as { deployment: { resources?: ExportedState["resources"] } };
        const resources = parsed.deployment.resources ?? [];
        // The probe wraps the load of the program, so its frame is in the stack trace recorded with each
        // resource; a user's state has none. (`pulumi stack export` prints the state with 4 spaces.)
        for (const r of resources) {
            r.stackTrace = r.stackTrace?.filter((frame) => !/\/probe\.js#/.test(frame.sourcePosition ?? ""));
        }
        return {
            bytes: Buffer.byteLength(JSON.stringify(parsed)),
            exportBytes: Buffer.byteLength(JSON.stringify(parsed, null, 4)) + 1,
            resources,
        };
    }
}

/** Starts from empty state and fresh program folders: leftovers of an interrupted run would be changes. */
export function resetWork(): void {
    for (const dir of ["state", "probe", "programs", "profiles"]) {
        fs.rmSync(path.join(workRoot, dir), { recursive: true, force: true });
    }
    fs.mkdirSync(backendDir, { recursive: true });
}

/**
 * A provider's start, from launch to serving: the time until it prints its port, as the engine
 * waits for. It is given the address of a listener that stands in for the engine: a plugin watches
 * that its engine is still there, and ends when it is not.
 */
export async function startMs(command: string, cwd: string): Promise<number> {
    const engine = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => engine.listen(0, "127.0.0.1", resolve));
    const { port } = engine.address() as net.AddressInfo;
    try {
        return await new Promise<number>((resolve, reject) => {
            const start = performance.now();
            const child = spawn(command, [`127.0.0.1:${port}`], { cwd, stdio: ["ignore", "pipe", "ignore"], detached: true });
            child.stdout?.once("data", () => {
                resolve(performance.now() - start);
                process.kill(-(child.pid ?? 0), "SIGKILL");
            });
            child.on("error", reject);
            child.on("exit", (code) => reject(new Error(`${command} exited with ${code} before serving`)));
        });
    } finally {
        engine.close();
    }
}
