/**
 * Stacks of program folders driven by the `pulumi` command, as users and pipelines run it: a
 * program under `test/programs/` (its `Pulumi.yaml` and `index.ts`) or an installed example, on a
 * throwaway file backend, every step a `pulumi` process started in that folder and awaited
 * (`cliStack.ts` has the asynchronous kind, for tests that serve or kill meanwhile). Step order comes from the engine's event log (`--event-log`, the record of the
 * steps the Automation API reads too), outputs from `pulumi stack output --json`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import { ensureEngine } from "../../scripts/engine";
import { e2eRoot, filesText, testPassphrase } from "./stacks";

/** The test programs, one folder each. */
export const programsDir = path.join(__dirname, "..", "programs");

/** Longest a single `pulumi` command may take before the test fails. */
const commandTimeoutMs = 240_000;

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

export type ProgramStackOptions = {
    /** Names the backend (and the program's copy); unique within a test run. */
    scenario: string;
    /** The stack's plain-text config. */
    config?: Record<string, string>;
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
);

/** The stack `test` of a program folder, on a file backend of its own. */
export class ProgramStack {
    readonly name = "test";

    private constructor(
        /** The program folder, where every command runs. */
        readonly dir: string,
        /** The folder of the file backend. */
        readonly backendDir: string,
    ) {}

    /** Copies the program and creates its stack, with the options' config set. */
    static create(options: ProgramStackOptions): ProgramStack {
        const root = path.join(e2eRoot, options.scenario);
        let dir: string;
        if ("workDir" in options) {
            dir = options.workDir;
        } else {
            dir = path.join(root, "program");
            fs.cpSync(path.join(programsDir, options.program), dir, { recursive: true });
        }
        const backendDir = options.backendOf?.backendDir ?? path.join(root, "state");
        fs.mkdirSync(backendDir, { recursive: true });
        const stack = new ProgramStack(dir, backendDir);
        stack.pulumi(["stack", "init"]);
        const config = Object.entries(options.config ?? {});
        if (config.length > 0) {
            stack.pulumi(["config", "set-all", ...config.flatMap(([key, value]) => ["--plaintext", `${key}=${value}`])]);
        }
        return stack;
    }

    /** The environment every command gets: the engine on PATH, this stack's backend and passphrase. */
    get env(): NodeJS.ProcessEnv {
        return {
            ...process.env,
            PATH: `${ensureEngine()}${path.delimiter}${process.env.PATH ?? ""}`,
            PULUMI_BACKEND_URL: `file://${this.backendDir}`,
            PULUMI_CONFIG_PASSPHRASE: testPassphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
        };
    }

    /** Runs `pulumi <args> --stack test --non-interactive` in the program folder and returns its exit status and output. */
    run(args: string[], env: NodeJS.ProcessEnv = {}): CommandResult {
        const result = spawnSync("pulumi", [...args, "--stack", this.name, "--non-interactive"], {
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

    /** The resources `pulumi stack export` lists, as `<type>` strings. */
    resourceTypes(): string[] {
        const state = JSON.parse(this.exportText());
        return (state.deployment.resources ?? []).map((r: { type: string }) => r.type);
    }

    /** Sets one plain-text config value. */
    setConfig(key: string, value: string): void {
        this.pulumi(["config", "set", key, value]);
    }

    /** Every file the backend holds (state, backups, history), as one string. */
    backendText(): string {
        return filesText(this.backendDir);
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
