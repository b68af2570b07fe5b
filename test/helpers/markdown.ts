/**
 * Code blocks of the project's Markdown (README.md, the examples' READMEs), for tests that run
 * the commands a README shows as written.
 */
import * as assert from "assert";

/** A fenced code block: its language tag and its text. */
export interface Block {
    lang: string;
    body: string;
}

/** Every fenced code block in `markdown`, in order. */
export function codeBlocks(markdown: string): Block[] {
    return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] }));
}

/** The code blocks directly under a heading (up to the next heading of any level). */
export function blocksUnder(markdown: string, heading: string): Block[] {
    const start = markdown.indexOf(`\n${heading}\n`);
    assert.ok(start >= 0, `the document has a "${heading}" section`);
    const rest = markdown.slice(start + heading.length + 2);
    const end = rest.search(/^#{1,6} /m);
    return codeBlocks(end < 0 ? rest : rest.slice(0, end));
}

/** The `index`th block of language `lang` among `blocks`. */
export function only(blocks: Block[], lang: string, index = 0): string {
    const matching = blocks.filter((b) => b.lang === lang);
    assert.ok(matching.length > index, `the section has a ${lang} block number ${index + 1}`);
    return matching[index].body;
}
