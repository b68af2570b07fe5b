/**
 * A Pulumi program folder driven with the `pulumi` CLI, as users run it: `Pulumi.yaml`,
 * `package.json` and `index.ts` under this run's `.pulumi-test/` folder (inside the repository,
 * so the program and the dynamic provider load this package by name), on its own file backend.
 * Commands run asynchronously, so that a server in the test process keeps answering meanwhile.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ensureEngine } from "../../scripts/engine";
import { backendDir, e2eRoot, testPassphrase } from "./stacks";

/** What a finished command printed, and its exit code. */
export interface CliResult {
    code: number | null;
    stdout: string;
    stderr: string;
    /** stdout and stderr together, for assertions on messages wherever the CLI prints them. */
    output: string;
}

export interface CliStack {
    /** The program folder. */
    dir: string;
    stack: string;
    /** The environment commands run in: the engine on PATH, the backend, the passphrase. */
    env: NodeJS.ProcessEnv;
    /** Runs a command (`pulumi` by default) in the program folder and waits for it. */
    run(args: string[], options?: { command?: string; timeoutMs?: number }): Promise<CliResult>;
    /** Runs `pulumi` in its own process group, so the test can kill it and everything it started. */
    start(args: string[]): ChildProcess;
    /** `pulumi stack export`, parsed. */
    exportState(): Promise<{ deployment: { resources?: { type: string; id?: string }[]; pending_operations?: unknown[] } }>;
}

/** Anything a pulumi command in these tests may take, at most. */
const defaultTimeoutMs = 300_000;

/**
 * Writes a program folder and creates its stack.
 * @param program the text of `index.ts`.
 * @param config stack config; `secret: true` values are set with `--secret`.
 * @throws Error when the engine has no nodejs language host, which `pulumi up` in a folder needs.
 */
export async function cliStack(options: {
    project: string;
    program: string;
    stack?: string;
    config?: Record<string, { value: string; secret?: boolean }>;
    /** The project whose backend to share, so that StackReferences between projects resolve. */
    backendOf?: string;
}): Promise<CliStack> {
    const engine = ensureEngine();
    if (!fs.existsSync(path.join(engine, "pulumi-language-nodejs"))) {
        throw new Error(
            `the engine in ${engine} has no pulumi-language-nodejs, which pulumi up in a program folder needs (scripts/ensure-pulumi)`,
        );
    }
    const root = path.join(e2eRoot, options.project);
    const dir = path.join(root, "program");
    const stateDir = backendDir(options.backendOf ?? options.project);
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(stateDir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${options.project}\nruntime: nodejs\n`);
    // Without its own package.json, the language host would take the repository's as the program's.
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: options.project, private: true, main: "index.ts" }));
    fs.writeFileSync(path.join(dir, "index.ts"), options.program);
    const stack = options.stack ?? "dev";
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        PATH: `${engine}${path.delimiter}${process.env.PATH ?? ""}`,
        PULUMI_BACKEND_URL: `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: testPassphrase,
        PULUMI_SKIP_UPDATE_CHECK: "true",
    };

    const run = (args: string[], runOptions: { command?: string; timeoutMs?: number } = {}): Promise<CliResult> =>
        new Promise((resolve, reject) => {
            const child = spawn(runOptions.command ?? "pulumi", args, { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            let output = "";
            child.stdout.setEncoding("utf8");
            child.stderr.setEncoding("utf8");
            child.stdout.on("data", (chunk: string) => ((stdout += chunk), (output += chunk)));
            child.stderr.on("data", (chunk: string) => ((stderr += chunk), (output += chunk)));
            const timer = setTimeout(() => child.kill("SIGKILL"), runOptions.timeoutMs ?? defaultTimeoutMs);
            child.on("error", reject);
            child.on("close", (code) => {
                clearTimeout(timer);
                resolve({ code, stdout, stderr, output });
            });
        });

    const must = async (args: string[]) => {
        const result = await run(args);
        if (result.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited with ${result.code}: ${result.output}`);
        }
        return result;
    };
    await must(["stack", "init", stack, "--non-interactive"]);
    for (const [key, { value, secret }] of Object.entries(options.config ?? {})) {
        await must(["config", "set", ...(secret ? ["--secret"] : []), key, value, "--stack", stack]);
    }

    return {
        dir,
        stack,
        env,
        run,
        start: (args) => spawn("pulumi", args, { cwd: dir, env, stdio: "ignore", detached: true }),
        exportState: async () => JSON.parse((await must(["stack", "export", "--stack", stack])).stdout),
    };
}
