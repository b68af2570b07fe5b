// The user documents as a reader meets them: a README short enough to read, that starts with the
// two quick-start commands; links between the documents that lead somewhere; and no test file
// cited to a user. The commands they show are run by the end-to-end tests.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { repoRoot, userDocuments } from "./helpers/documents";

/** Every Markdown file whose links are checked: the user documents and the contributors' guide (BENCHMARKS.md is written by the benchmark from its results). */
const linkedDocuments = [...userDocuments(), "CONTRIBUTING.md"];

/** A document's lines outside fenced code blocks (a `#` comment in a shell block is no heading). */
function prose(file: string): string[] {
    let fenced = false;
    return fs
        .readFileSync(path.join(repoRoot, file), "utf8")
        .split("\n")
        .filter((line) => {
            if (/^\s*```/.test(line)) {
                fenced = !fenced;
                return false;
            }
            return !fenced;
        });
}

/** The anchors a document's headings get, as GitHub makes them: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(file: string): Set<string> {
    const seen = new Map<string, number>();
    const result = new Set<string>();
    for (const line of prose(file)) {
        const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
        if (heading === undefined) {
            continue;
        }
        const slug = heading
            .trim()
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\p{M} _-]/gu, "")
            .replace(/ /g, "-");
        const count = seen.get(slug) ?? 0;
        seen.set(slug, count + 1);
        result.add(count === 0 ? slug : `${slug}-${count}`);
    }
    return result;
}

/** The relative links of a document's prose: `[text](target)`, without web addresses. */
function relativeLinks(file: string): string[] {
    return prose(file)
        .flatMap((line) => [...line.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]))
        .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe("the user documents", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");

    it("the README is at most 220 lines", () => {
        const lines = readme.split("\n").length - (readme.endsWith("\n") ? 1 : 0);
        assert.ok(lines <= 220, `README.md has ${lines} lines`);
    });

    it("the README shows the quick-start commands: npm run demo and npm test", () => {
        const quickStart = readme.split(/\n## /).find((section) => section.startsWith("Quick start\n"));
        assert.ok(quickStart, "README.md has a Quick start section");
        assert.match(quickStart, /^npm run demo\b/m);
        assert.match(quickStart, /^npm test\b/m);
    });

    for (const file of linkedDocuments) {
        it(`every relative link of ${file} leads to a file, and to a heading there where it names one`, () => {
            const broken = relativeLinks(file).filter((link) => {
                const [target, anchor] = link.split("#");
                const resolved = target === "" ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
                if (!fs.existsSync(path.join(repoRoot, resolved))) {
                    return true;
                }
                return anchor !== undefined && (!resolved.endsWith(".md") || !anchors(resolved).has(decodeURIComponent(anchor)));
            });
            assert.deepStrictEqual(broken, []);
        });
    }

    it("show key pair ids in ENS's form, which commands copied from them take: ssh- and 23 lower-case letters and digits", () => {
        const shown = userDocuments().flatMap((file) =>
            [...fs.readFileSync(path.join(repoRoot, file), "utf8").matchAll(/\bssh-[a-z0-9]{16,}(?![\w*])/g)].map(
                (m) => `${file}: ${m[0]}`,
            ),
        );
        assert.ok(shown.length > 0, "the documents show an id");
        assert.deepStrictEqual(
            shown.filter((id) => !/: ssh-[a-z0-9]{23}$/.test(id)),
            [],
        );
    });

    it("cite no test file to a user", () => {
        const citing = userDocuments().filter((file) => /\btest\/\S*\.ts\b|\.test\.ts\b/.test(prose(file).join("\n")));
        assert.deepStrictEqual(citing, []);
    });
});
