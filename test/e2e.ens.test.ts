// The `ens` backend under the real engine, against the ENS-compatible server over real HTTP:
// the lifecycle, drift on refresh, a run under injected faults, and no credentials in state.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { KeyPair } from "../src";
import { EnsClient } from "../src/ensClient";
import { EnsServer, startEnsServer } from "../ens-server/server";
import { pulumiCli } from "../scripts/engine";
import { backendText, e2eRoot, testStack } from "./helpers/stacks";
import { assertArmour } from "./helpers/pem";

const accessKeyId = "e2e-ens-access-key-id";
const accessKeySecret = "e2e-ens-access-key-secret-d41d8cd98f00b204";

/** Stack config that points the provider at the server, with the credentials as secret config. */
function ensConfig(server: EnsServer) {
    return {
        "ens-keypair:backend": { value: "ens" },
        "ens-keypair:endpoint": { value: server.url },
        "ens-keypair:accessKeyId": { value: accessKeyId, secret: true },
        "ens-keypair:accessKeySecret": { value: accessKeySecret, secret: true },
    };
}

function names(server: EnsServer): string[] {
    return server
        .listKeyPairs()
        .map((p) => p.keyPairName)
        .sort();
}

describe("end to end: the ens backend against the ENS-compatible server", function () {
    this.timeout(600_000);
    let server: EnsServer;

    before(async () => {
        fs.mkdirSync(e2eRoot, { recursive: true });
        server = await startEnsServer({ dbPath: path.join(e2eRoot, "ens.db"), accessKeys: { [accessKeyId]: accessKeySecret } });
    });

    after(async () => {
        await server?.close();
    });

    describe("lifecycle", () => {
        let stack: Stack;
        const program = async () => {
            const made = new KeyPair("made", { keyPairName: "e2e-ens-made" });
            const imported = new KeyPair("imported", {
                keyPairName: "e2e-ens-imported",
                publicKey: new pulumi.Config().require("importKey"),
            });
            return {
                madeId: made.keyPairId,
                madeFingerPrint: made.keyPairFingerPrint,
                madePrivateKey: made.privateKeyOpenssh,
                importedId: imported.keyPairId,
            };
        };

        before(async () => {
            const { generateKeyMaterial } = await import("../src");
            const importKey = (await generateKeyMaterial({ keyType: "rsa" })).publicKeyOpenssh;
            stack = await testStack({
                project: "ens-lifecycle",
                program,
                config: { ...ensConfig(server), importKey: { value: importKey } },
            });
        });

        after(async () => {
            await stack?.destroy();
        });

        it("up creates the pairs in ENS, with ENS's ids and fingerprints", async () => {
            const result = await stack.up();
            assert.strictEqual(result.summary.resourceChanges?.create, 3);
            assert.deepStrictEqual(names(server), ["e2e-ens-imported", "e2e-ens-made"]);
            const made = server.listKeyPairs().find((p) => p.keyPairName === "e2e-ens-made");
            assert.strictEqual(result.outputs.madeId.value, made?.keyPairId);
            assert.strictEqual(result.outputs.madeFingerPrint.value, made?.keyPairFingerPrint);
            assert.strictEqual(result.outputs.madePrivateKey.secret, true);
            assertArmour(String(result.outputs.madePrivateKey.value), "OPENSSH PRIVATE KEY");
        });

        it("a second up changes nothing and calls no create", async () => {
            const creates = server.stats().calls.CreateKeyPair ?? 0;
            const again = await stack.up();
            assert.deepStrictEqual(again.summary.resourceChanges, { same: 3 });
            assert.strictEqual(server.stats().calls.CreateKeyPair ?? 0, creates);
        });

        it("refresh drops a pair deleted outside Pulumi, and the next up creates it again", async () => {
            // Deleted with a real API call, as the console or another tool would.
            await new EnsClient({ endpoint: server.url, accessKeyId, accessKeySecret }).deleteKeyPairs({ keyPairName: "e2e-ens-made" });
            const refresh = await stack.refresh();
            assert.strictEqual(refresh.summary.resourceChanges?.delete, 1);
            const up = await stack.up();
            assert.strictEqual(up.summary.resourceChanges?.create, 1);
            assert.deepStrictEqual(names(server), ["e2e-ens-imported", "e2e-ens-made"]);
        });

        it("keeps the credentials out of the state and the serialized provider", () => {
            const exported = pulumiCli(stack, ["stack", "export"]);
            const providers = [...exported.matchAll(/"__provider": ("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]) as string);
            assert.strictEqual(providers.length, 4, "both KeyPairs should carry the serialized provider in inputs and outputs");
            for (const text of [...providers, exported, backendText("ens-lifecycle")]) {
                assert.ok(!text.includes(accessKeySecret), "the access key secret is in the state");
                assert.ok(!text.includes(accessKeyId), "the access key id is in the state");
            }
        });

        it("destroy leaves the server empty", async () => {
            await stack.destroy();
            assert.deepStrictEqual(names(server), []);
        });
    });

    it("reads a pair made outside Pulumi with KeyPair.get, without managing it", async () => {
        const client = new EnsClient({ endpoint: server.url, accessKeyId, accessKeySecret });
        const made = await client.createKeyPair("e2e-ens-existing");
        const stack = await testStack({
            project: "ens-get",
            program: async () => {
                const pair = KeyPair.get("existing", made.keyPairId);
                return { keyPairName: pair.keyPairName, keyPairFingerPrint: pair.keyPairFingerPrint, privateKeyBody: pair.privateKeyBody };
            },
            config: ensConfig(server),
        });
        const up = await stack.up();
        assert.strictEqual(up.outputs.keyPairName.value, "e2e-ens-existing");
        assert.strictEqual(up.outputs.keyPairFingerPrint.value, made.keyPairFingerPrint);
        assert.ok(!up.outputs.privateKeyBody?.value, "ENS never returns an existing pair's private key");
        await stack.destroy();
        assert.deepStrictEqual(names(server), ["e2e-ens-existing"], "destroy leaves a pair it only read");
        await client.deleteKeyPairs({ keyPairId: made.keyPairId });
    });

    describe("under injected faults", () => {
        it("20 pairs with a 20% fault rate: up then destroy converge, nothing orphaned or duplicated", async () => {
            const count = 20;
            const stack = await testStack({
                project: "ens-faults",
                program: async () => {
                    const ids: Record<string, pulumi.Output<string>> = {};
                    for (let i = 0; i < count; i++) {
                        ids[`pair${i}`] = new KeyPair(`pair${i}`, { keyPairName: `e2e-fault-${i}` }).keyPairId;
                    }
                    return ids;
                },
                config: ensConfig(server),
            });
            const before = server.stats();
            server.setFaults({ rate: 0.2, errors: ["Throttling", "InternalError", "ServiceUnavailable"], dropAfterCommit: 0.1 });
            try {
                const up = await stack.up();
                assert.strictEqual(up.summary.resourceChanges?.create, count + 1);
                const inServer = server.listKeyPairs();
                assert.strictEqual(inServer.length, count, "one pair per resource, no orphans");
                assert.deepStrictEqual(
                    inServer.map((p) => p.keyPairId).sort(),
                    Object.values(up.outputs)
                        .map((o) => String(o.value))
                        .sort(),
                );
                await stack.destroy();
                assert.deepStrictEqual(names(server), []);
            } finally {
                server.setFaults({});
            }
            const after = server.stats();
            const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
            const injected = sum(after.faultsInjected) - sum(before.faultsInjected);
            console.log(
                `      fault run: ${after.requests - before.requests} requests, ${injected} faults injected, ${after.droppedAfterCommit - before.droppedAfterCommit} creates dropped after commit`,
            );
            assert.ok(injected > 0, "the run should have met faults");
        });
    });
});
