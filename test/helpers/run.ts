/** Running the real OpenSSH, OpenSSL and age tools from tests. A missing tool fails the test, never skips it. */
import { spawn, spawnSync } from "child_process";

/** What a finished command printed. */
export interface RunResult {
    stdout: string;
    stderr: string;
    status: number;
}

/** How a tool's run is checked: a missing tool, or (without `allowFailure`) a non-zero exit, throws. */
interface RunOptions {
    /** Text for the command's stdin. */
    input?: string;
    /** Return a non-zero exit status instead of throwing. */
    allowFailure?: boolean;
}

function missing(cmd: string): Error {
    return new Error(
        `required tool "${cmd}" is not installed: scripts/ensure-deps tools installs it (npm test, npm run test:fast and npm run test:integration run that).`,
    );
}

/** The error a finished run is, if any: a non-zero exit, unless `allowFailure`. */
function failure(cmd: string, args: string[], out: RunResult, options: RunOptions): Error | undefined {
    return out.status !== 0 && !options.allowFailure
        ? new Error(`${cmd} ${args.join(" ")} exited with ${out.status}: ${out.stderr.trim()}`)
        : undefined;
}

/**
 * Runs a command and waits for it, blocking: for the quick ones (reading or converting a key).
 * @throws Error when the tool is not installed, or (without `allowFailure`) when it exits non-zero.
 */
export function run(cmd: string, args: string[], options: RunOptions = {}): RunResult {
    // Mocha's timeout cannot fire while this blocks: this one, as long, guards against a hung tool.
    const result = spawnSync(cmd, args, { input: options.input ?? "", encoding: "utf8", timeout: 300_000 });
    if (result.error) {
        throw (result.error as NodeJS.ErrnoException).code === "ENOENT" ? missing(cmd) : result.error;
    }
    const out = { stdout: result.stdout, stderr: result.stderr, status: result.status ?? -1 };
    const err = failure(cmd, args, out, options);
    if (err) {
        throw err;
    }
    return out;
}

/**
 * As {@link run}, without blocking and without a time limit of its own: for the slow ones (making
 * an RSA key takes ssh-keygen seconds, and a minute on a busy machine), which may run side by side.
 */
export function runAsync(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        child.on("error", (err: NodeJS.ErrnoException) => reject(err.code === "ENOENT" ? missing(cmd) : err));
        child.on("close", (status) => {
            const out = { stdout, stderr, status: status ?? -1 };
            const err = failure(cmd, args, out, options);
            if (err) {
                reject(err);
            } else {
                resolve(out);
            }
        });
        // A tool that exits without reading its input (ssh-keygen reading a key file) closes the pipe
        // under the write: EPIPE is not a failure, its exit status says how it went.
        child.stdin?.on("error", (err: NodeJS.ErrnoException) => {
            if (err.code !== "EPIPE") {
                reject(err);
            }
        });
        child.stdin?.end(options.input);
    });
}
