/**
 * Stacks of program folders driven by the `pulumi` command, as users and pipelines run it: a
 * program under `test/programs/` (its `Pulumi.yaml` and `index.ts`), an installed example or a
 * program's text, on a throwaway file backend, every step a `pulumi` process started in that
 * folder. Commands run synchronously, or asynchronously for tests whose process meanwhile serves
 * the program's requests (an ENS-compatible server) or kills the command. Step order comes from
 * the engine's event log (`--event-log`, the record of the steps the Automation API reads too),
 * outputs from `pulumi stack output --json`.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ConfigValue, EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import { ensureEngine } from "./engine";
import { e2eRoot } from "./paths";
import { filesText, testPassphrase } from "./stacks";

/** The test programs, one folder each. */
export const programsDir = path.join(__dirname, "..", "programs");

/** Longest a single `pulumi` command may take before the test fails. */
const commandTimeoutMs = 300_000;

/** What a `pulumi up`, `preview`, `refresh` or `destroy` did, from the engine's event log. */
export interface Operation {
    /** Resources per operation (`create`, `same`, `replace`, …), from the engine's summary. */
    changes: OpMap;
    /** `<op> <resource name>` of every resource step in order (the update's, not its preview's). */
    steps: string[];
    /** What the command printed (stdout and stderr). */
    output: string;
}

/** A finished `pulumi` command. */
export interface CommandResult {
    status: number;
    stdout: string;
    stderr: string;
}

/** A command run asynchronously, which also has its output in the order it was printed. */
export interface StreamedCommandResult extends CommandResult {
    /** stdout and stderr together, for assertions on messages wherever the CLI prints them. */
    output: string;
}

/** What `pulumi stack export` prints, as far as the tests read it. */
export interface ExportedState {
    /** A resource's `provider` is its provider's URN, `::`, and the provider's id. */
    deployment: { resources?: { urn: string; type: string; id?: string; provider?: string }[]; pending_operations?: unknown[] };
}

export type ProgramStackOptions = {
    /** Names the backend (and the program's copy); unique within a test run. */
    scenario: string;
    /** The stack's config: a string is set as plain text, a `{ value, secret: true }` with `--secret`. */
    config?: Record<string, string | ConfigValue>;
    /** Another stack whose backend to share, so that StackReferences to it resolve. */
    backendOf?: ProgramStack;
} & (
    | {
          /**
           * A folder under `test/programs` to copy and work in. The copy goes under this run's
           * folder inside the repository, so the program loads this package by name.
           */
          program: string;
      }
    | {
          /** A folder to work in as it is, e.g. an installed example. */
          workDir: string;
      }
    | {
          /** The text of the program's `index.ts`, written to a new folder under this run's folder. */
          programText: string;
      }
);

/** A stack that commands run outside the tests' helpers made, such as an example's README. */
export interface ExistingStack {
    /** The program folder. */
    dir: string;
    /** The stack's name. */
    name: string;
    /** The folder of its file backend. */
    backendDir: string;
    passphrase: string;
    /** The folder holding `pulumi` (and the language host the program needs). */
    engine: string;
    /** The environment commands run in, the stack's backend and passphrase aside (default: this process's). */
    env?: NodeJS.ProcessEnv;
}

/** The stack `test` of a program folder, on a file backend of its own (or a stack made elsewhere: {@link ProgramStack.attach}). */
export class ProgramStack {
    /**
     * The environment every command gets: the engine on PATH, this stack's backend and passphrase.
     * A test may add variables for the program to read.
     */
    readonly env: NodeJS.ProcessEnv;

    private constructor(
        /** The program folder, where every command runs. */
        readonly dir: string,
        /** The folder of the file backend. */
        readonly backendDir: string,
        engine: string,
        readonly name = "test",
        passphrase = testPassphrase,
        env: NodeJS.ProcessEnv = process.env,
    ) {
        this.env = {
            ...env,
            PATH: `${engine}${path.delimiter}${env.PATH ?? ""}`,
            PULUMI_BACKEND_URL: `file://${backendDir}`,
            PULUMI_CONFIG_PASSPHRASE: passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
        };
    }

    /** A stack that already exists, for the tests to drive and inspect with the same commands. */
    static attach(stack: ExistingStack): ProgramStack {
        return new ProgramStack(stack.dir, stack.backendDir, stack.engine, stack.name, stack.passphrase, stack.env);
    }

    /**
     * Copies or writes the program and creates its stack, with the options' config set.
     * @throws Error when the engine has no nodejs language host, which `pulumi up` in a folder needs.
     */
    static create(options: ProgramStackOptions): ProgramStack {
        const engine = ensureEngine();
        if (!fs.existsSync(path.join(engine, "pulumi-language-nodejs"))) {
            throw new Error(
                `the engine in ${engine} has no pulumi-language-nodejs, which pulumi up in a program folder needs (scripts/ensure-pulumi)`,
            );
        }
        const root = path.join(e2eRoot, options.scenario);
        let dir: string;
        if ("workDir" in options) {
            dir = options.workDir;
        } else if ("program" in options) {
            dir = path.join(root, "program");
            fs.cpSync(path.join(programsDir, options.program), dir, { recursive: true });
        } else {
            dir = path.join(root, "program");
            fs.mkdirSync(dir, { recursive: true });
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${options.scenario}\nruntime: nodejs\n`);
            // Without its own package.json, the language host would take the repository's as the program's.
            fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: options.scenario, private: true, main: "index.ts" }));
            fs.writeFileSync(path.join(dir, "index.ts"), options.programText);
        }
        const backendDir = options.backendOf?.backendDir ?? path.join(root, "state");
        fs.mkdirSync(backendDir, { recursive: true });
        const stack = new ProgramStack(dir, backendDir, engine);
        stack.pulumi(["stack", "init"]);
        const config = Object.entries(options.config ?? {});
        if (config.length > 0) {
            const flags = config.flatMap(([key, value]) =>
                typeof value === "string"
                    ? ["--plaintext", `${key}=${value}`]
                    : [value.secret ? "--secret" : "--plaintext", `${key}=${value.value}`],
            );
            stack.pulumi(["config", "set-all", ...flags]);
        }
        return stack;
    }

    /** Runs `pulumi <args> --stack test --non-interactive` in the program folder and returns its exit status and output. */
    run(args: string[], env: NodeJS.ProcessEnv = {}): CommandResult {
        const result = spawnSync("pulumi", this.stackArgs(args), {
            cwd: this.dir,
            env: { ...this.env, ...env },
            encoding: "utf8",
            timeout: commandTimeoutMs,
            maxBuffer: 64 * 1024 * 1024,
        });
        if (result.error) {
            throw result.error;
        }
        return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    }

    /**
     * Like `run`, but asynchronous: the test's process goes on serving requests (an ENS-compatible
     * server) while the command runs.
     */
    runAsync(args: string[]): Promise<StreamedCommandResult> {
        return this.exec("pulumi", this.stackArgs(args));
    }

    /** Runs any command (such as `npx pulumi-ens-keypair`) in the program folder, in the stack's environment, asynchronously. */
    exec(command: string, args: string[]): Promise<StreamedCommandResult> {
        return new Promise((resolve, reject) => {
            const child = spawn(command, args, { cwd: this.dir, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            let output = "";
            child.stdout.setEncoding("utf8");
            child.stderr.setEncoding("utf8");
            child.stdout.on("data", (chunk: string) => ((stdout += chunk), (output += chunk)));
            child.stderr.on("data", (chunk: string) => ((stderr += chunk), (output += chunk)));
            const timer = setTimeout(() => child.kill("SIGKILL"), commandTimeoutMs);
            child.on("error", reject);
            child.on("close", (code) => {
                clearTimeout(timer);
                resolve({ status: code ?? -1, stdout, stderr, output });
            });
        });
    }

    /** Starts `pulumi <args>` like `run`, in its own process group, so the test can kill it and everything it started. */
    start(args: string[]): ChildProcess {
        return spawn("pulumi", this.stackArgs(args), { cwd: this.dir, env: this.env, stdio: "ignore", detached: true });
    }

    /** Like `run`, but a non-zero exit fails with the command's output (the CLI masks secrets in it). */
    pulumi(args: string[]): string {
        const result = this.run(args);
        if (result.status !== 0) {
            throw failure(args, result);
        }
        return result.stdout;
    }

    /**
     * `pulumi up --yes`, as a pipeline step runs it (preview first, then the update). Setting up a
     * scenario, pass `--skip-preview` to save a run of the program.
     */
    up(...args: string[]): Operation {
        return this.operation(["up", "--yes", ...args]);
    }

    /** `pulumi preview`; `--expect-no-changes` and the like go in `args`. */
    preview(...args: string[]): Operation {
        return this.operation(["preview", ...args], true);
    }

    /** `pulumi refresh --yes`. */
    refresh(...args: string[]): Operation {
        return this.operation(["refresh", "--yes", ...args]);
    }

    /** `pulumi destroy --yes`. */
    destroy(...args: string[]): Operation {
        return this.operation(["destroy", "--yes", ...args]);
    }

    /** The stack's outputs with secrets revealed (`pulumi stack output --json --show-secrets`). */
    outputs(): Record<string, unknown> {
        return JSON.parse(this.pulumi(["stack", "output", "--json", "--show-secrets"]));
    }

    /** The names of the outputs the CLI masks as secrets when not asked to show them. */
    secretOutputNames(): string[] {
        const masked: Record<string, unknown> = JSON.parse(this.pulumi(["stack", "output", "--json"]));
        return Object.keys(masked).filter((name) => masked[name] === "[secret]");
    }

    /** `pulumi stack export`, as text. */
    exportText(): string {
        return this.pulumi(["stack", "export"]);
    }

    /** `pulumi stack export`, parsed. */
    exportState(): ExportedState {
        return JSON.parse(this.exportText());
    }

    /** The resources `pulumi stack export` lists, as `<type>` strings. */
    resourceTypes(): string[] {
        return (this.exportState().deployment.resources ?? []).map((r) => r.type);
    }

    /** Sets one plain-text config value. */
    setConfig(key: string, value: string): void {
        this.pulumi(["config", "set", key, value]);
    }

    /** Every file the backend holds (state, backups, history), as one string. */
    backendText(): string {
        return filesText(this.backendDir);
    }

    private stackArgs(args: string[]): string[] {
        return [...args, "--stack", this.name, "--non-interactive"];
    }

    private operation(args: string[], planning = false): Operation {
        const log = path.join(path.dirname(this.backendDir), `events-${process.hrtime.bigint()}.jsonl`);
        try {
            // The CLI offers --event-log among its debugging flags, as the Automation API uses it.
            const result = this.run([...args, "--event-log", log], { PULUMI_DEBUG_COMMANDS: "true" });
            const output = `${result.stdout}\n${result.stderr}`;
            if (result.status !== 0) {
                throw failure(args, result);
            }
            return { ...operationOf(fs.readFileSync(log, "utf8"), planning), output };
        } finally {
            fs.rmSync(log, { force: true });
        }
    }
}

/** The stack itself and the providers, which the engine reports as resources too. */
function isInternal(type: string): boolean {
    return type === "pulumi:pulumi:Stack" || type.startsWith("pulumi:providers:");
}

function failure(args: string[], result: CommandResult): Error {
    return new Error(`pulumi ${args.join(" ")} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
}

/** The summary and the steps (of the update, or of the preview when `planning`) in an event log. */
function operationOf(eventLog: string, planning: boolean): Omit<Operation, "output"> {
    const events: EngineEvent[] = eventLog
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line));
    const steps = events
        .map((e) => e.resourcePreEvent)
        .filter((pre) => pre !== undefined && Boolean(pre.planning) === planning && !isInternal(pre.metadata.type))
        .map((pre) => `${pre!.metadata.op} ${pre!.metadata.urn.split("::").pop()}`);
    // `up` previews first: its summary comes before the update's.
    const summary = events
        .map((e) => e.summaryEvent)
        .filter((s) => s !== undefined)
        .pop();
    if (summary === undefined) {
        throw new Error("the engine's event log has no summary");
    }
    return { changes: summary.resourceChanges, steps };
}
