// The KeyPair lifecycle under the real Pulumi engine: up, no-change up and preview, refresh,
// replacements in the right order, destroy.
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { KeyPair } from "../src";
import { stepRecorder, testStack } from "./helpers/stacks";
import { assertArmour, assertSameKey } from "./helpers/pem";

function program() {
    const config = new pulumi.Config();
    const pair = new KeyPair("pair", {
        keyPairName: config.require("name"),
        keyType: config.require("keyType") as "rsa" | "ed25519",
    });
    return {
        keyPairId: pair.keyPairId,
        keyPairName: pair.keyPairName,
        keyType: pair.keyType,
        rsaBits: pair.rsaBits,
        keyPairFingerPrint: pair.keyPairFingerPrint,
        fingerprintMd5: pair.fingerprintMd5,
        fingerprintSha256: pair.fingerprintSha256,
        publicKeyOpenssh: pair.publicKeyOpenssh,
        privateKeyBody: pair.privateKeyBody,
        privateKeyOpenssh: pair.privateKeyOpenssh,
        creationTime: pair.creationTime,
        requestId: pair.requestId,
    };
}

describe("end to end: lifecycle under the Pulumi engine", function () {
    this.timeout(300_000);
    let stack: Stack;
    let first: Record<string, { value: unknown; secret: boolean }>;

    before(async () => {
        stack = await testStack({
            project: "lifecycle",
            program: async () => program(),
            config: { name: { value: "e2e-lifecycle" }, keyType: { value: "rsa" } },
        });
    });

    after(async () => {
        await stack?.destroy();
    });

    it("up creates the pair, with outputs of the documented shapes and private keys secret", async () => {
        const result = await stack.up();
        assert.strictEqual(result.summary.resourceChanges?.create, 2);
        first = result.outputs;
        const value = (name: string) => String(first[name].value);
        assert.match(value("keyPairId"), /^ssh-[a-z0-9]{23}$/);
        assert.strictEqual(value("keyPairName"), "e2e-lifecycle");
        assert.strictEqual(value("keyType"), "rsa");
        assert.strictEqual(first.rsaBits.value, 2048);
        assert.match(value("keyPairFingerPrint"), /^[0-9a-f]{32}$/);
        assert.strictEqual(value("fingerprintMd5").replace(/:/g, ""), value("keyPairFingerPrint"));
        assert.match(value("fingerprintSha256"), /^SHA256:[A-Za-z0-9+/]{43}$/);
        assert.match(value("publicKeyOpenssh"), /^ssh-rsa AAAA[A-Za-z0-9+/=]+$/);
        assertArmour(value("privateKeyBody"), "PRIVATE KEY");
        assertArmour(value("privateKeyOpenssh"), "OPENSSH PRIVATE KEY");
        assert.match(value("creationTime"), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.match(value("requestId"), /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
        assert.strictEqual(first.privateKeyBody.secret, true);
        assert.strictEqual(first.privateKeyOpenssh.secret, true);
        assert.strictEqual(first.publicKeyOpenssh.secret, false);
    });

    it("a second up and a preview report no changes and keep the same key", async () => {
        const preview = await stack.preview();
        assert.deepStrictEqual(preview.changeSummary, { same: 2 });
        const again = await stack.up();
        assert.deepStrictEqual(again.summary.resourceChanges, { same: 2 });
        assertSameKey(again.outputs.privateKeyBody.value, first.privateKeyBody.value, "after a second up");
        assert.strictEqual(again.outputs.keyPairId.value, first.keyPairId.value);
    });

    it("refresh after up changes nothing", async () => {
        const refresh = await stack.refresh();
        assert.deepStrictEqual(refresh.summary.resourceChanges, { same: 2 });
        const after = await stack.outputs();
        assertSameKey(after.privateKeyBody.value, first.privateKeyBody.value, "after refresh");
    });

    it("changing keyType replaces the pair, deleting the old one first since the name stays", async () => {
        await stack.setConfig("keyType", { value: "ed25519" });
        const recorder = stepRecorder();
        const result = await stack.up({ onEvent: recorder.onEvent });
        assert.strictEqual(result.summary.resourceChanges?.replace, 1);
        assert.match(String(result.outputs.publicKeyOpenssh.value), /^ssh-ed25519 /);
        assert.notStrictEqual(result.outputs.keyPairId.value, first.keyPairId.value);
        const order = recorder.steps.filter((s) => /replace/.test(s));
        // The engine reports the replace step itself between the two; what matters is delete first.
        assert.deepStrictEqual(order, ["delete-replaced pair", "replace pair", "create-replacement pair"]);
    });

    it("renaming replaces the pair, creating the new one first", async () => {
        await stack.setConfig("name", { value: "e2e-lifecycle-renamed" });
        const recorder = stepRecorder();
        const result = await stack.up({ onEvent: recorder.onEvent });
        assert.strictEqual(result.summary.resourceChanges?.replace, 1);
        assert.strictEqual(result.outputs.keyPairName.value, "e2e-lifecycle-renamed");
        const order = recorder.steps.filter((s) => /replace/.test(s));
        assert.deepStrictEqual(order, ["create-replacement pair", "replace pair", "delete-replaced pair"]);
    });

    it("destroy leaves an empty stack", async () => {
        const result = await stack.destroy();
        assert.strictEqual(result.summary.resourceChanges?.delete, 2);
        const state = await stack.exportStack();
        assert.deepStrictEqual(state.deployment.resources ?? [], []);
    });
});
