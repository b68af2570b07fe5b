/** Reading README.md as the tests hold the code to it: its code blocks and its list of exports. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

/** The README's text. */
export const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");

/** A fenced code block: its language tag and its text. */
export interface Block {
    lang: string;
    body: string;
}

/** The text under a heading (`## Usage`, say), up to the next heading of any level. */
function section(heading: string): string {
    const start = readme.indexOf(`\n${heading}\n`);
    assert.ok(start >= 0, `README.md has a "${heading}" section`);
    const rest = readme.slice(start + heading.length + 2);
    const end = rest.search(/^#{1,6} /m);
    return end < 0 ? rest : rest.slice(0, end);
}

/** The code blocks directly under a heading. */
export function blocksUnder(heading: string): Block[] {
    return [...section(heading).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] }));
}

/** The `index`th block of language `lang` among `blocks`. */
export function only(blocks: Block[], lang: string, index = 0): string {
    const matching = blocks.filter((b) => b.lang === lang);
    assert.ok(matching.length > index, `the section has a ${lang} block number ${index + 1}`);
    return matching[index].body;
}

/**
 * The names the "Library functions" section documents, sorted: each bullet starts with the names
 * it documents, each in backticks (a function with its arguments, `f(x)`), then a colon.
 */
export function documentedExports(): string[] {
    const heads = [...section("### Library functions").matchAll(/^- ((?:`[^`]+`(?:, )?)+):/gm)].map((m) => m[1]);
    assert.ok(heads.length > 0, "the Library functions section lists names");
    return heads.flatMap((head) => [...head.matchAll(/`([A-Za-z_$][\w$]*)[^`]*`/g)].map((m) => m[1])).sort();
}
