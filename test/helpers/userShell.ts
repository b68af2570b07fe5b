/**
 * Commands run as a user types them at a shell, for tests that follow a README as written: bash,
 * in a given folder, with the environment a user's shell has rather than the test run's.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";

/**
 * This process's environment as a user's shell has it: the engine first on PATH, and nothing that
 * npm or the test run set. `npm test` runs under npm, whose `npm_*` variables would point
 * `npm install` back at this repository; `PULUMI_*`, `ALIBABA_CLOUD_*` and `ENS_KEYPAIR_*` are the
 * user's to set.
 */
export function userEnvironment(engine: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${engine}${path.delimiter}${process.env.PATH ?? ""}` };
    for (const name of Object.keys(env)) {
        if (/^(npm_|ALIBABA_CLOUD_|ENS_KEYPAIR_|PULUMI_)/i.test(name)) {
            delete env[name];
        }
    }
    return env;
}

/** What commands printed. */
export interface TypedOutput {
    stdout: string;
    stderr: string;
}

/**
 * Runs `script` with bash in `cwd`, stopping at the first failure (`-e`, `pipefail`).
 * @throws AssertionError with the script and its output when it fails.
 */
export function typeCommands(script: string, cwd: string, env: NodeJS.ProcessEnv): TypedOutput {
    const result = spawnSync("bash", ["-eo", "pipefail", "-c", script], { cwd, env, encoding: "utf8", timeout: 600_000 });
    assert.strictEqual(result.status, 0, `${script}\nfailed:\n${result.stdout}\n${result.stderr}`);
    return { stdout: result.stdout, stderr: result.stderr };
}
