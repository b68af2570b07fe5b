/**
 * `docs/ens-api.md` as the tests read it: its sections, its tables, and the HTTP status it gives
 * each error code. Tests expect what the document says, not what the product's own tables say, so
 * a status written wrongly in `provider/ens/api.ts` fails them.
 */
import * as assert from "assert";
import { readFileSync } from "fs";
import { join } from "path";

const doc = readFileSync(join(__dirname, "..", "..", "docs", "ens-api.md"), "utf8");

/** The body of the section headed `## title`, up to the next `## `. */
export function section(title: string): string {
    const start = doc.indexOf(`\n## ${title}\n`);
    assert.ok(start >= 0, `docs/ens-api.md has a section "${title}"`);
    const end = doc.indexOf("\n## ", start + 1);
    return doc.slice(start, end < 0 ? undefined : end);
}

/** The rows, as cells, of every table in `text` whose header starts with `firstColumn`. */
export function tableRows(text: string, firstColumn: string): string[][] {
    const lines = text.split("\n");
    const rows: string[][] = [];
    const header = new RegExp(`^\\|\\s*${firstColumn}\\s*\\|`);
    lines.forEach((line, i) => {
        if (!header.test(line)) {
            return;
        }
        for (const row of lines.slice(i + 2)) {
            if (!row.startsWith("|")) {
                break;
            }
            rows.push(
                row
                    .slice(1, -1)
                    .split("|")
                    .map((cell) => cell.trim()),
            );
        }
    });
    assert.ok(rows.length > 0, `a table headed "${firstColumn}"`);
    return rows;
}

/** Every error code of the section "Errors", with the HTTP status the document gives it. */
export const documentedStatuses: ReadonlyMap<string, number> = new Map(
    tableRows(section("Errors"), "code").map(([code, status]) => {
        assert.match(code, /^`[^`]+`$/, "an error code is written as code");
        assert.match(status, /^\d{3}$/, `the HTTP status of ${code}`);
        return [code.slice(1, -1), Number(status)];
    }),
);

/** The HTTP status docs/ens-api.md gives `code`; `InvalidParameter.<Field>`'s for any field. */
export function documentedStatus(code: string): number {
    const status =
        documentedStatuses.get(code) ??
        (code.startsWith("InvalidParameter.") ? documentedStatuses.get("InvalidParameter.<Field>") : undefined);
    assert.ok(status !== undefined, `docs/ens-api.md lists no HTTP status for ${code}`);
    return status;
}
