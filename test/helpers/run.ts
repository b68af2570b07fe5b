/** Running the real OpenSSH, OpenSSL and age tools from tests. A missing tool fails the test, never skips it. */
import { spawnSync } from "child_process";

/** What a finished command printed. */
export interface RunResult {
    stdout: string;
    stderr: string;
    status: number;
}

/**
 * Runs a command and waits for it.
 * @param options.input text for the command's stdin.
 * @param options.allowFailure return a non-zero exit status instead of throwing.
 * @throws Error when the tool is not installed, or (without `allowFailure`) when it exits non-zero.
 */
export function run(cmd: string, args: string[], options: { input?: string; allowFailure?: boolean } = {}): RunResult {
    const result = spawnSync(cmd, args, { input: options.input ?? "", encoding: "utf8", timeout: 60_000 });
    if (result.error) {
        const code = (result.error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
            throw new Error(
                `required tool "${cmd}" is not installed: scripts/ensure-deps tools installs it (npm test, npm run test:fast and npm run test:integration run that).`,
            );
        }
        throw result.error;
    }
    const out = { stdout: result.stdout, stderr: result.stderr, status: result.status ?? -1 };
    if (out.status !== 0 && !options.allowFailure) {
        throw new Error(`${cmd} ${args.join(" ")} exited with ${out.status}: ${out.stderr.trim()}`);
    }
    return out;
}
