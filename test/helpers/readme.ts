/** What the README documents that tests hold the code to: the package's exports. */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

/**
 * The names the README's "Library functions" section documents, sorted: each bullet starts with
 * the names it documents, each in backticks (a function with its arguments, `f(x)`), then a colon.
 */
export function documentedExports(): string[] {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    const start = readme.indexOf("\n### Library functions\n");
    assert.ok(start >= 0, 'README.md has a "Library functions" section');
    const section = readme.slice(start + 1).split(/\n#{1,6} /)[0];
    const heads = [...section.matchAll(/^- ((?:`[^`]+`(?:, )?)+):/gm)].map((m) => m[1]);
    assert.ok(heads.length > 0, "the Library functions section lists names");
    return heads.flatMap((head) => [...head.matchAll(/`([A-Za-z_$][\w$]*)[^`]*`/g)].map((m) => m[1])).sort();
}
