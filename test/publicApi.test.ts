// The package's public surface: its entry exports exactly what the README's "Library functions"
// section documents, no more and no less.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { repoRoot } from "./helpers/paths";
import { documentedExports } from "./helpers/readme";

const entrySource = path.join(repoRoot, "provider", "index.ts");

/** What a module's source exports, read from its syntax: re-exports by name only, as the entry is written. */
function exportedNames(file: string): string[] {
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022);
    const names: string[] = [];
    for (const statement of source.statements) {
        if (ts.isImportDeclaration(statement)) {
            continue;
        }
        assert.ok(
            ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause),
            `${path.basename(file)} exports only by name, so that what it exports is listed there: ${statement.getText(source)}`,
        );
        names.push(...statement.exportClause.elements.map((e) => e.name.text));
    }
    return names.sort();
}

describe("the public surface", () => {
    it("the package's entry is compiled from provider/index.ts", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
        assert.deepStrictEqual(manifest.exports["."], { types: "./bin/index.d.ts", default: "./bin/index.js" });
        assert.strictEqual(manifest.main, "bin/index.js");
    });

    it("exports exactly the names the README's Library functions section documents", () => {
        assert.deepStrictEqual(exportedNames(entrySource), documentedExports());
    });

    it("has no value at run time that the section leaves out", () => {
        // In tests the package's name resolves to its source (test/helpers/packageSource.ts).
        const values = Object.keys(require("pulumi-ens-keypair") as object);
        const documented = documentedExports();
        assert.deepStrictEqual(
            values.filter((name) => !documented.includes(name)),
            [],
        );
        assert.ok(values.includes("keyPairProvider"), values.join(", "));
    });
});
