// The examples and bad input under the real engine: the pipeline stack's key read by the
// consumer stack through a StackReference, and an invalid name stopped at preview.
import * as assert from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { KeyPair } from "../src";
import { pulumiCli, repoRoot } from "../scripts/engine";
import { leakedPiece } from "./helpers/leaks";
import { backendText, testStack } from "./helpers/stacks";
import { assertSameKey } from "./helpers/pem";

const examples = path.join(repoRoot, "examples");

describe("end to end: the pipeline and consumer examples", function () {
    this.timeout(300_000);
    let producer: Stack;
    let consumer: Stack;

    before(async () => {
        producer = await testStack({
            project: "ens-keypair-pipeline",
            program: require(path.join(examples, "pipeline", "index.ts")),
            config: { keyType: { value: "ed25519" } },
        });
        consumer = await testStack({
            project: "ens-keypair-consumer",
            program: require(path.join(examples, "consumer", "index.ts")),
            backendOf: "ens-keypair-pipeline",
            config: { producerStack: { value: "organization/ens-keypair-pipeline/test" } },
        });
    });

    after(async () => {
        await consumer?.destroy();
        await producer?.destroy();
    });

    it("the pipeline makes a deploy key whose name is unique per stack and stable across runs", async () => {
        const first = await producer.up();
        assert.match(String(first.outputs.keyPairName.value), /^test-deploy-[a-z0-9]{8}$/);
        const second = await producer.up();
        assert.deepStrictEqual(second.summary.resourceChanges, { same: 2 });
        assert.strictEqual(second.outputs.keyPairName.value, first.outputs.keyPairName.value);
    });

    it("the consumer reads the private key through a StackReference and keeps it secret", async () => {
        const produced = await producer.outputs();
        const result = await consumer.up();
        assertSameKey(result.outputs.deployPrivateKey.value, produced.privateKeyOpenssh.value, "the key read through the StackReference");
        assert.strictEqual(result.outputs.deployPrivateKey.secret, true);
        assert.strictEqual(result.outputs.deployPublicKey.value, produced.publicKeyOpenssh.value);
        const text = pulumiCli(consumer, ["stack", "export"]) + backendText("ens-keypair-pipeline");
        const privateKey = String(produced.privateKeyOpenssh.value);
        assert.ok(!text.includes(privateKey));
        assert.strictEqual(leakedPiece(text, privateKey, String(produced.publicKeyOpenssh.value)), undefined);
    });
});

describe("end to end: bad input", function () {
    this.timeout(120_000);

    it("an invalid name fails at preview with the ENS error and nothing is created", async () => {
        const stack = await testStack({
            project: "bad-input",
            program: async () => {
                new KeyPair("bad", { keyPairName: "http://not-a-name" });
                return { stack: pulumi.getStack() };
            },
        });
        await assert.rejects(stack.preview(), (err: Error) => {
            assert.match(err.message, /InvalidParameter\.KeyPairName/);
            assert.match(err.message, /keyPairName must not start with http:\/\/ or https:\/\//);
            return true;
        });
        await assert.rejects(stack.up(), /InvalidParameter\.KeyPairName/);
        const state = await stack.exportStack();
        // Compare types only: the export is taken with secrets shown, and must not reach the log.
        const types = (state.deployment.resources ?? []).map((r: { type: string }) => r.type);
        assert.ok(!types.some((t: string) => t.endsWith(":KeyPair")), `no KeyPair expected, found ${types.join(", ")}`);
    });
});
