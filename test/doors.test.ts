// The per-door facts the user documents show (type tokens, provider processes, the way each door's
// users run `orphans`) against provider/doors.ts, which the code reads: a document naming another
// token, process or command would send a user to something that does not exist.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { doors, providerProcesses } from "../provider/doors";
import { repoRoot, userDocuments } from "./helpers/documents";

/** The user documents with their text. */
function userDocumentTexts(): { file: string; text: string }[] {
    return userDocuments().map((file) => ({ file, text: fs.readFileSync(path.join(repoRoot, file), "utf8") }));
}

describe("the doors in the user documents", () => {
    const documents = userDocumentTexts();
    const all = documents.map((d) => d.text).join("\n");

    it("name the type tokens of doors.ts, both of them, and no other", () => {
        for (const door of Object.values(doors)) {
            assert.ok(all.includes(`\`${door.resourceType}\``), `no document names ${door.resourceType}`);
        }
        const tokens: string[] = Object.values(doors).map((door) => door.resourceType);
        for (const { file, text } of documents) {
            for (const [token] of text.matchAll(/\bpulumi-nodejs:dynamic\/[\w-]+:KeyPair\b|\b[\w-]+:index:KeyPair\b/g)) {
                assert.ok(tokens.includes(token), `${file} names the type ${token}`);
            }
        }
    });

    it("look for both doors' provider processes, and run orphans as each door's users can", () => {
        const pgreps = [...all.matchAll(/pgrep -af ('[^']*'|\S+)/g)].map((m) => m[1]);
        assert.ok(pgreps.length > 0, "a document shows how to find the providers of a killed run");
        for (const pattern of pgreps) {
            assert.strictEqual(pattern, `'${providerProcesses}'`);
        }
        const commands = Object.values(doors).map((door) => `${door.command} orphans`);
        for (const command of commands) {
            assert.ok(all.includes(command), `no document runs ${command}`);
        }
        for (const { file, text } of documents) {
            for (const [line] of text.matchAll(/^.*\sorphans --.*$/gm)) {
                assert.ok(
                    commands.some((command) => line.includes(command)),
                    `${file} runs orphans in a way neither door's users can: ${line}`,
                );
            }
        }
    });
});
