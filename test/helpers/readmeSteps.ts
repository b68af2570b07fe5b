/**
 * README commands run as written: the code blocks under a heading, run with bash in the
 * environment of a user who has only the Pulumi CLI on PATH.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { ensureEngine } from "../../scripts/engine";

/** A fenced code block: its language and its text. */
export interface Block {
    lang: string;
    body: string;
}

/** The code blocks directly under a heading, up to the next heading of any level (a shell comment in a block is none). */
export function blocksUnder(readme: string, heading: string): Block[] {
    const start = readme.indexOf(`\n${heading}\n`);
    assert.ok(start >= 0, `the README has a "${heading}" section`);
    const blocks: Block[] = [];
    let open: Block | undefined;
    for (const line of readme.slice(start + heading.length + 2).split("\n")) {
        if (open === undefined && /^#{1,6} /.test(line)) {
            break;
        }
        const fence = /^```(\w*)$/.exec(line);
        if (fence && open === undefined) {
            open = { lang: fence[1], body: "" };
        } else if (fence) {
            blocks.push(open as Block);
            open = undefined;
        } else if (open !== undefined) {
            open.body += `${line}\n`;
        }
    }
    return blocks;
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
 * Runs a README command block with bash in `cwd`, stopping at the first failure.
 * @returns what it printed on stdout.
 */
export function runSteps(script: string, cwd: string, env: NodeJS.ProcessEnv): string {
    const result = spawnSync("bash", ["-eo", "pipefail", "-c", script], { cwd, env, encoding: "utf8", timeout: 600_000 });
    assert.strictEqual(result.status, 0, `${script}\nfailed:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
}
