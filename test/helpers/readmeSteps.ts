/**
 * The commands of the README and the docs run as written: the code blocks under a heading, run
 * with bash in the environment of a user who has only the Pulumi CLI on PATH.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ensureEngine } from "./engine";
import { repoRoot } from "./paths";

/** A fenced code block: its language and its text. */
export interface Block {
    lang: string;
    body: string;
    /** The file the block is the content of, when the text before it ends by naming one: "… `main.go`:". */
    file?: string;
}

/** The code blocks directly under a heading, up to the next heading of any level (a shell comment in a block is none). */
export function blocksUnder(document: string, heading: string, name = "the document"): Block[] {
    // A newline before the first line, so that a title on it is found as any other heading.
    const text = `\n${document}`;
    const start = text.indexOf(`\n${heading}\n`);
    assert.ok(start >= 0, `${name} has a "${heading}" section`);
    const blocks: Block[] = [];
    let open: Block | undefined;
    let lastText = "";
    for (const line of text.slice(start + heading.length + 2).split("\n")) {
        if (open === undefined && /^#{1,6} /.test(line)) {
            break;
        }
        const fence = /^```(\w*)$/.exec(line);
        if (fence && open === undefined) {
            open = { lang: fence[1], body: "", file: /`([^`\s]+)`:$/.exec(lastText)?.[1] };
        } else if (fence) {
            blocks.push(open as Block);
            open = undefined;
            lastText = "";
        } else if (open !== undefined) {
            open.body += `${line}\n`;
        } else if (line.trim() !== "") {
            lastText = line.trim();
        }
    }
    return blocks;
}

/** The code blocks under a heading of a document of this repository (`README.md`, `docs/sealing.md`). */
export function blocksOf(file: string, heading: string): Block[] {
    return blocksUnder(fs.readFileSync(path.join(repoRoot, file), "utf8"), heading, file);
}

/** The text of the `index`th block of language `lang` among `blocks`. */
export function only(blocks: Block[], lang: string, index = 0): string {
    const matching = blocks.filter((b) => b.lang === lang);
    assert.ok(matching.length > index, `the section has a ${lang} block number ${index + 1}`);
    return matching[index].body;
}

/**
 * The environment of a user's shell: the Pulumi engine (the folder holding `pulumi`; by default with
 * the random and tls plugins registered) on PATH, and none of the variables of this
 * test run that would change what the commands do (npm test's npm_* variables would point npm
 * install back at this repository; Pulumi's, ENS's and Alibaba Cloud's are the README's to set).
 */
export function userEnvironment(engine = ensureEngine()): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${engine}${path.delimiter}${process.env.PATH}` };
    for (const name of Object.keys(env)) {
        if (/^(npm_|ALIBABA_CLOUD_|ENS_KEYPAIR_|PULUMI_)/i.test(name)) {
            delete env[name];
        }
    }
    env.PULUMI_SKIP_UPDATE_CHECK = "true";
    return env;
}

/**
 * Follows a section that builds a program from an empty folder `cwd`, as written: each block that
 * names its file is written there, each `sh` block is run, in the section's order; there must be
 * no other blocks. Returns what the commands printed (stdout and stderr).
 */
export function followSection(blocks: Block[], cwd: string, env: NodeJS.ProcessEnv): string {
    let printed = "";
    for (const block of blocks) {
        if (block.file !== undefined) {
            fs.mkdirSync(path.dirname(path.join(cwd, block.file)), { recursive: true });
            fs.writeFileSync(path.join(cwd, block.file), block.body);
        } else {
            assert.strictEqual(block.lang, "sh", `a ${block.lang} block that names no file:\n${block.body}`);
            printed += runSteps(`exec 2>&1\n${block.body}`, cwd, env);
        }
    }
    return printed;
}

/**
 * Runs a command block with bash in `cwd`, stopping at the first failure; `input` is what a user
 * types at its prompts.
 * @returns what it printed on stdout.
 */
export function runSteps(script: string, cwd: string, env: NodeJS.ProcessEnv, input?: string): string {
    const result = spawnSync("bash", ["-eo", "pipefail", "-c", script], { cwd, env, input, encoding: "utf8", timeout: 600_000 });
    assert.strictEqual(result.status, 0, `${script}\nfailed:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}
