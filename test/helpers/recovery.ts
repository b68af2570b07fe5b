/**
 * A killed `pulumi` run and the recovery docs/ens.md gives for it, run as written: killing the CLI
 * as `kill -9` does, then each documented command in the stack's folder, at once, the `orphans`
 * command on a terminal of its own (it asks before deleting) answered `yes`.
 */
import * as assert from "assert";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DoorName, doors, providerProcesses } from "../../provider/doors";
import { repoRoot } from "./paths";
import { ProgramStack, StreamedCommandResult } from "./programStack";

/** How long docs/ens.md says a killed run's provider may outlive the CLI. */
export const documentedProviderBoundMs = 25_000;

/** Kills what a killed pulumi left running in `dir` (its language host and program), by pid. */
export function killLeftovers(dir: string): void {
    for (const pid of fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
        try {
            if (fs.readlinkSync(`/proc/${pid}/cwd`) === dir) {
                process.kill(Number(pid), "SIGKILL");
            }
        } catch {
            // Gone already, or not ours to read.
        }
    }
}

/** Kills the pulumi CLI alone, as `kill -9 <pid>` does, once `ready` holds; resolves with the time of the kill. */
export async function killWhen(cli: ChildProcess, ready: () => boolean, what: string): Promise<number> {
    try {
        for (const deadline = Date.now() + 120_000; !ready();) {
            assert.ok(Date.now() < deadline, `waited in vain for ${what}`);
            await new Promise((r) => setTimeout(r, 100));
        }
    } finally {
        process.kill(cli.pid as number, "SIGKILL");
    }
    return Date.now();
}

/**
 * The commands of the `sh` block under `## heading` in docs/ens.md that a user of `door` runs
 * (the block running that door's `orphans`, or the section's only block), comments dropped.
 */
export function documentedCommands(heading: string, door: DoorName): string[] {
    const doc = fs.readFileSync(path.join(repoRoot, "docs", "ens.md"), "utf8");
    const at = doc.indexOf(`\n## ${heading}\n`);
    assert.ok(at >= 0, `docs/ens.md has a section "${heading}"`);
    const section = doc.slice(at + 1).split(/\n## /)[0];
    const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    const withOrphans = blocks.filter((block) => block.includes(" orphans "));
    const block = withOrphans.length === 0 ? blocks[0] : withOrphans.find((b) => b.includes(`${doors[door].command} orphans `));
    assert.ok(block, `the section "${heading}" gives the commands for the ${door} door`);
    return block
        .split("\n")
        .map((line) => line.replace(/\s+#.*$/, "").trim())
        .filter(Boolean);
}

/**
 * Runs `commandLine` with bash on a terminal of its own (util-linux `script`) in the stack's folder
 * and environment, typing `answer` when it asks "Type yes".
 */
export function runOnTerminal(
    stack: Pick<ProgramStack, "dir" | "env">,
    commandLine: string,
    answer: string,
): Promise<StreamedCommandResult & { asked: boolean }> {
    return new Promise((resolve, reject) => {
        const child = spawn("script", ["-qec", commandLine, "/dev/null"], {
            cwd: stack.dir,
            env: { ...stack.env, SHELL: "/bin/bash" },
            stdio: ["pipe", "pipe", "pipe"],
        });
        let output = "";
        let asked = false;
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
            output += chunk;
            if (!asked && output.includes("Type yes")) {
                asked = true;
                child.stdin.write(`${answer}\n`);
            }
        });
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
        child.on("error", (err) =>
            reject(new Error(`util-linux's script, which gives the command a terminal, did not run: ${err.message} (install bsdutils)`)),
        );
        child.on("close", (code) => {
            const text = output.replace(/\r/g, "");
            resolve({ status: code ?? -1, stdout: text, stderr: "", output: text, asked });
        });
    });
}

/**
 * Runs a documented recovery in the stack's folder, at once, as written for `door` (`--stack dev`
 * naming this stack): the `pgrep` line is repeated until it prints no line that `ofThisRun`
 * claims, failing if one outlives the documented bound; `orphans` runs on a terminal and is told
 * yes; every other command must succeed. Resolves with what `pgrep` first showed of the run.
 * @param ofThisRun whether a line `pgrep` printed is a provider of the killed run.
 */
export async function runDocumented(
    stack: ProgramStack,
    heading: string,
    door: DoorName,
    killedAt: number,
    ofThisRun: (line: string) => boolean,
): Promise<{ providerGoneMs: number; providersAtFirst: string[]; results: { command: string; output: string }[] }> {
    let providerGoneMs = -1;
    let providersAtFirst: string[] = [];
    const results: { command: string; output: string }[] = [];
    for (const written of documentedCommands(heading, door)) {
        const line = written.replace(/--stack dev(?= |$)/, `--stack ${stack.name}`);
        const [command, ...args] = line.split(/\s+/);
        if (command === "pgrep") {
            assert.ok(line.includes(`'${providerProcesses}'`), `the documented pgrep looks for the providers of both doors: ${line}`);
            const left = () => {
                const listed = spawnSync("bash", ["-c", line], { encoding: "utf8" });
                assert.ok(listed.status === 0 || listed.status === 1, `${line} did not run (install procps): ${listed.stderr}`);
                return listed.stdout.split("\n").filter(ofThisRun);
            };
            providersAtFirst = left();
            while (left().length > 0) {
                assert.ok(
                    Date.now() - killedAt <= documentedProviderBoundMs,
                    `the killed run's provider still runs:\n${left().join("\n")}`,
                );
                await new Promise((r) => setTimeout(r, 250));
            }
            providerGoneMs = Date.now() - killedAt;
            continue;
        }
        let result: StreamedCommandResult;
        if (args.includes("orphans")) {
            result = await runOnTerminal(stack, line, "yes");
        } else {
            assert.strictEqual(command, "pulumi", `a command the test knows how to run: ${line}`);
            result = await stack.runAsync(args);
        }
        assert.strictEqual(result.status, 0, `${line}:\n${result.output}`);
        results.push({ command: line, output: result.output });
    }
    assert.ok(providerGoneMs >= 0, "the recovery checks that nothing of the killed run is left");
    return { providerGoneMs, providersAtFirst, results };
}
