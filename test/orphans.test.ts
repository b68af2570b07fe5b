// The orphans command against the ENS-compatible server over HTTP: which pairs it lists, that it
// deletes only with --delete and only what it listed, and its messages. The command under the
// real engine, after an interrupted `pulumi up`, is in e2e.ens.test.ts.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { main } from "../provider/cli/main";
import { holdingsOf, keyPairType } from "../provider/cli/orphans";
import { EnsClient } from "../provider/ens/client";
import { generateKeyMaterial } from "../provider/keys/material";
import { defaultAccessKey, EnsServer, startEnsServer } from "../ens-server/server";

/** A `pulumi stack export` document holding KeyPairs with these ids, and interrupted creates of these names. */
function stackExport(heldIds: string[], pendingNames: string[]): string {
    const urn = (name: string) => `urn:pulumi:dev::keys::${keyPairType}::${name}`;
    return JSON.stringify({
        version: 3,
        deployment: {
            manifest: { time: "2026-11-29T08:00:00Z", magic: "", version: "v3.248.0" },
            resources: [
                { urn: "urn:pulumi:dev::keys::pulumi:pulumi:Stack::keys-dev", custom: false, type: "pulumi:pulumi:Stack" },
                ...heldIds.map((id, i) => ({
                    urn: urn(`held${i}`),
                    custom: true,
                    id,
                    type: keyPairType,
                    inputs: { keyPairName: `held-${i}` },
                    outputs: { keyPairId: id, backend: "ens" },
                })),
            ],
            pending_operations: pendingNames.map((keyPairName, i) => ({
                resource: { urn: urn(`pending${i}`), custom: true, type: keyPairType, inputs: { keyPairName } },
                type: "creating",
            })),
        },
    });
}

describe("the orphans command", function () {
    this.timeout(60_000);
    let server: EnsServer;
    let client: EnsClient;
    let dir: string;
    const saved: Record<string, string | undefined> = {};
    const env = {
        ENS_KEYPAIR_BACKEND: "ens",
        ALIBABA_CLOUD_ACCESS_KEY_ID: defaultAccessKey.id,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: defaultAccessKey.secret,
    };

    /** Runs the command in-process; its exit code and what it printed. */
    async function run(...argv: string[]): Promise<{ code: number; lines: string[] }> {
        const lines: string[] = [];
        const code = await main(argv, (line) => lines.push(line));
        return { code, lines };
    }
    const names = () =>
        server
            .listKeyPairs()
            .map((p) => p.keyPairName)
            .sort();

    before(async () => {
        server = await startEnsServer();
        client = new EnsClient({ endpoint: server.url, accessKeyId: defaultAccessKey.id, accessKeySecret: defaultAccessKey.secret });
        dir = mkdtempSync(join(tmpdir(), "ens-orphans-"));
        for (const [key, value] of Object.entries({ ...env, ENS_KEYPAIR_ENDPOINT: server.url })) {
            saved[key] = process.env[key];
            process.env[key] = value;
        }
    });

    after(async () => {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) {
                delete process.env[key];
            } else {
                process.env[key] = value;
            }
        }
        rmSync(dir, { recursive: true, force: true });
        await server?.close();
    });

    it("reads held ids and interrupted creates from a stack export", () => {
        const holdings = holdingsOf(stackExport(["ssh-aaa", "ssh-bbb"], ["left-1"]));
        assert.deepStrictEqual([...holdings.ids].sort(), ["ssh-aaa", "ssh-bbb"]);
        assert.deepStrictEqual(holdings.pendingNames, ["left-1"]);
        assert.throws(() => holdingsOf("not json"), /pulumi stack export/);
        assert.throws(() => holdingsOf("{}"), /no deployment/);
    });

    it("lists interrupted creates and pairs picked by prefix or name that the stack does not hold, deleting only with --delete", async () => {
        const held = await client.createKeyPair("app-held");
        await client.createKeyPair("app-left");
        await client.importKeyPair("app-by-prefix", (await generateKeyMaterial({ keyType: "rsa" })).publicKeyOpenssh);
        await client.createKeyPair("by-name");
        await client.createKeyPair("someone-else");
        const state = join(dir, "state.json");
        writeFileSync(state, stackExport([held.keyPairId], ["app-left", "never-created"]));

        const listed = await run("orphans", "--state", state, "--prefix", "app-", "--name", "by-name");
        assert.strictEqual(listed.code, 0, listed.lines.join("\n"));
        assert.match(listed.lines[0], /does not hold \(3\):/);
        const rows = listed.lines.slice(1, 4).join("\n");
        for (const part of [
            "app-left",
            "(an interrupted create in the stack)",
            "app-by-prefix",
            '(name starts with "app-")',
            "by-name",
            "(named on the command line)",
        ]) {
            assert.ok(rows.includes(part), `the list shows ${part}:\n${rows}`);
        }
        assert.ok(!rows.includes("app-held") && !rows.includes("someone-else"), rows);
        assert.match(listed.lines[4], /Nothing was deleted\..*--delete/);
        assert.deepStrictEqual(names(), ["app-by-prefix", "app-held", "app-left", "by-name", "someone-else"], "listing deletes nothing");

        const deleted = await run("orphans", "--state", state, "--prefix", "app-", "--name", "by-name", "--delete");
        assert.strictEqual(deleted.code, 0, deleted.lines.join("\n"));
        assert.match(deleted.lines[0], /does not hold \(3\):/, "the list is shown before deleting");
        assert.strictEqual(deleted.lines.filter((l) => l.startsWith("deleted ssh-")).length, 3);
        assert.deepStrictEqual(names(), ["app-held", "someone-else"]);

        const again = await run("orphans", "--state", state, "--prefix", "app-");
        assert.strictEqual(again.code, 0);
        assert.match(again.lines.join("\n"), /No key pair in ENS is an orphan of the stack/);
        await client.deleteKeyPairs({ keyPairId: held.keyPairId });
        await client.deleteKeyPairs({ keyPairName: "someone-else" });
    });

    it("says there is nothing to look for when the state has no interrupted create and no name is given", async () => {
        const state = join(dir, "clean.json");
        writeFileSync(state, stackExport([], []));
        const result = await run("orphans", "--state", state);
        assert.strictEqual(result.code, 0);
        assert.match(result.lines.join("\n"), /records no interrupted create.*--prefix or --name/);
    });

    it("runs as a command, refusing a missing stack and unknown flags with exit code 2", () => {
        // The command's source in a process of its own; test/e2e.readme.test.ts runs the packed one with npx.
        const command = (...args: string[]) =>
            spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", join("provider", "cli", "main.ts"), ...args], {
                cwd: join(__dirname, ".."),
                encoding: "utf8",
            });
        const help = command("orphans", "--help");
        assert.strictEqual(help.status, 0, help.stderr);
        assert.match(help.stdout, /^Usage: npx pulumi-ens-keypair orphans/);
        const bare = command("orphans");
        assert.strictEqual(bare.status, 2);
        assert.match(bare.stderr, /give --stack NAME/);
        const bogus = command("orphans", "--bogus");
        assert.strictEqual(bogus.status, 2);
        assert.match(bogus.stderr, /--bogus/);
    });
});
