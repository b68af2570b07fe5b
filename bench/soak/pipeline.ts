/**
 * One pipeline of the soak, as a CI job runs it: its own checkout of the program (a folder), its own
 * runner (a PULUMI_HOME, where `pulumi login` and installed plugins live), the secrets a team keeps in
 * its CI settings in the environment, and every step a command line from the docs, run with bash as
 * written.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DoorName, doorOf } from "../../provider/doors";
import { repoRoot } from "../../test/helpers/paths";
import { blocksUnder, userEnvironment } from "../../test/helpers/readmeSteps";

/** Longest any one command may run before the soak gives up on it. */
const commandTimeoutMs = 15 * 60_000;

/** A finished command line. */
export interface Step {
    line: string;
    status: number;
    stdout: string;
    /** stdout and stderr together, as printed (the last MiB). */
    output: string;
    ms: number;
}

/** A command line running in its own process group, which {@link Pipeline.kill} ends as a CI runner's cancel does. */
export interface Running {
    child: ChildProcess;
    done: Promise<Step>;
}

/**
 * The command lines of the `sh` blocks under a heading of a document in the repository (the whole
 * heading line, such as "## A pipeline"), blank lines dropped; comments stay, for bash to skip.
 */
export function documentedLines(file: string, heading: string): string[] {
    const text = fs.readFileSync(path.join(repoRoot, file), "utf8");
    const lines = blocksUnder(text, heading)
        .filter((block) => block.lang === "sh")
        .flatMap((block) => block.body.split("\n"))
        .filter((line) => line.trim() !== "");
    if (lines.length === 0) {
        throw new Error(`${file} shows no sh command under "${heading}"`);
    }
    return lines;
}

export class Pipeline {
    /** The environment of every step: a user's, plus what the pipeline's settings give it. */
    readonly env: NodeJS.ProcessEnv;
    /** The runner's Pulumi home. */
    readonly home: string;
    /** The commands running now, each the leader of its process group. */
    private readonly running = new Set<ChildProcess>();

    /**
     * @param stack the stack's name, which prefixes its pairs' names too.
     * @param dir the program's folder.
     * @param engine the folder holding `pulumi` and the language hosts.
     * @param settings the variables the documented steps read (`STACK`, the backend's URL, ENS's
     *   endpoint and access key, the passphrase of the stack's secrets).
     */
    constructor(
        readonly stack: string,
        readonly door: DoorName,
        readonly dir: string,
        engine: string,
        settings: Record<string, string>,
    ) {
        this.home = `${dir}.pulumi-home`;
        fs.mkdirSync(this.home, { recursive: true });
        this.env = { ...userEnvironment(engine), ...settings, STACK: stack, PULUMI_HOME: this.home };
    }

    /** Starts a command line with bash in the program's folder, in a process group of its own. */
    start(line: string): Running {
        const started = performance.now();
        const child = spawn("bash", ["-c", line], { cwd: this.dir, env: this.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
        this.running.add(child);
        let [stdout, output] = ["", ""];
        const keep = (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-1024 * 1024));
        child.stdout?.on("data", (chunk: Buffer) => ((stdout += chunk.toString("utf8")), keep(chunk)));
        child.stderr?.on("data", keep);
        const timer = setTimeout(() => this.kill(child), commandTimeoutMs);
        const done = new Promise<Step>((resolve, reject) => {
            child.on("error", reject);
            child.on("close", (code, signal) => {
                clearTimeout(timer);
                this.running.delete(child);
                resolve({ line, status: code ?? (signal ? 128 + 9 : -1), stdout, output, ms: performance.now() - started });
            });
        });
        return { child, done };
    }

    /** Runs a command line to its end. */
    run(line: string): Promise<Step> {
        return this.start(line).done;
    }

    /** `kill -9` of a running command's process group: bash and the pulumi CLI; the plugins the CLI started have groups of their own. */
    kill(child: ChildProcess): void {
        try {
            process.kill(-(child.pid as number), "SIGKILL");
        } catch {
            // It ended on its own meanwhile.
        }
    }

    /** Kills every command of the pipeline still running, as when the job is cancelled. */
    killAll(): void {
        for (const child of this.running) {
            this.kill(child);
        }
    }

    /** The ids of the key pairs the stack's state holds (either door's resources), and how many operations it records as pending. */
    async holdings(): Promise<{ ids: string[]; pending: number }> {
        const step = await this.run(`pulumi stack export --stack ${this.stack}`);
        if (step.status !== 0) {
            throw new Error(`pulumi stack export of ${this.stack} failed:\n${step.output}`);
        }
        const state = JSON.parse(step.stdout) as {
            deployment: { resources?: { type: string; id?: string }[]; pending_operations?: unknown[] };
        };
        const ids = (state.deployment.resources ?? []).filter((r) => doorOf(r.type) && r.id).map((r) => r.id as string);
        return { ids: ids.sort(), pending: state.deployment.pending_operations?.length ?? 0 };
    }
}

/** The distinct errors a command printed (the first few, cut short), for the log. */
export function errorsOf(output: string): string {
    const errors = [...new Set(output.split("\n").filter((l) => /error/i.test(l) && !/errored|update failed/.test(l)))];
    const shown = errors.length > 0 ? errors.slice(0, 4) : [output.trim().split("\n").pop() ?? ""];
    return shown.map((l) => l.trim().slice(0, 400)).join(" | ");
}
