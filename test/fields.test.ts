// The README's input and output tables against the field table, which the code derives from.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { FieldName, inputNames, keyPairFields, outputNames } from "../provider/fields";

/** The rows of the table that follows a README heading, as cells by column name. */
function readmeTable(heading: string): Record<string, string>[] {
    const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
    const start = readme.indexOf(`\n${heading}\n`);
    assert.ok(start >= 0, `README.md has a "${heading}" section`);
    const lines = readme.slice(start).split("\n");
    const first = lines.findIndex((line) => line.startsWith("|"));
    const rows: string[][] = [];
    for (const line of lines.slice(first)) {
        if (!line.startsWith("|")) {
            break;
        }
        // A cell ends at a pipe that is not escaped as `\|`.
        rows.push(
            line
                .slice(1, -1)
                .split(/(?<!\\)\|/)
                .map((cell) => cell.trim()),
        );
    }
    const [header, , ...body] = rows;
    return body.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ""])));
}

/** The field names a row's first cell lists: `a`, `b`. */
function namesIn(cell: string): FieldName[] {
    return [...cell.matchAll(/`(\w+)`/g)].map((m) => m[1] as FieldName);
}

describe("README tables and the field table", () => {
    it("the Inputs table lists every input with its default and whether it replaces the pair", () => {
        const rows = readmeTable("### Inputs");
        assert.deepStrictEqual(rows.flatMap((row) => namesIn(row.input)).sort(), [...inputNames].sort());
        for (const row of rows) {
            const [name] = namesIn(row.input);
            const spec: { default?: unknown; replaces: boolean; replacesWhen?: string } = keyPairFields[name];
            const expectedDefault = spec.default === undefined ? undefined : JSON.stringify(spec.default);
            const documentedDefault = /^`?("[^"]*"|\d+|true|false)`?$/.exec(row.default)?.[1];
            assert.strictEqual(documentedDefault, expectedDefault, `default of ${name}: README says "${row.default}"`);
            const replaces = spec.replaces ? "yes" : spec.replacesWhen ? `no (yes with \`${spec.replacesWhen}\`)` : "no";
            assert.strictEqual(row.replaces, replaces, `whether changing ${name} replaces the pair`);
        }
    });

    it("the Outputs table lists every output and which are secret", () => {
        const rows = readmeTable("### Outputs");
        assert.deepStrictEqual(rows.flatMap((row) => namesIn(row.output)).sort(), [...outputNames].sort());
        for (const row of rows) {
            for (const name of namesIn(row.output)) {
                assert.strictEqual(row.secret, keyPairFields[name].secret ? "yes" : "no", `whether ${name} is secret`);
            }
        }
    });
});
