/**
 * Inputs that a program makes secret, in the dynamic door: any input may arrive secret, and the
 * engine prints the value of the property a check failure names. The engine sends a dynamic
 * provider every value in the clear, so the `KeyPair` lists the inputs the program made secret
 * (`__secretInputs`, see test/resource.test.ts), and the provider keeps that list with the inputs
 * and outputs. No failure then names such an input or quotes its value, and no error or message
 * of a later method shows it. The plugin's side is in test/plugin.test.ts.
 */
import * as assert from "assert";
import { defaultAccessKey } from "../ens-server/server";
import { secretInputsProperty } from "../provider/doors";
import * as provider from "../provider/dynamic/implementation";
import { EnsClient } from "../provider/ens/client";
import { KeyPairInputs } from "../provider/inputs";
import { KeyPairOutputs } from "../provider/state";
import { useEnsServer } from "./helpers/provider";

type Raw = Record<string, unknown>;

/** Inputs that break a rule whose failure quotes the value, one field each, with a value that is easy to find. */
const badValues: [string, Raw][] = [
    ["keyPairName", { keyPairName: "1-made-secret-name" }],
    ["keyPairNamePrefix", { keyPairNamePrefix: "1-made-secret-prefix" }],
    ["keyType", { keyPairName: "ab", keyType: "made-secret-type" }],
    ["rsaBits", { keyPairName: "ab", rsaBits: "made-secret-bits" }],
    ["ecdsaCurve", { keyPairName: "ab", keyType: "ecdsa", ecdsaCurve: "made-secret-curve" }],
    ["rotateAfter", { keyPairName: "ab", rotateAfter: "made-secret-duration" }],
    ["sealedOnly", { keyPairName: "ab", sealedOnly: "made-secret-flag" }],
];

describe("inputs a program made secret, in the dynamic door", function () {
    this.timeout(60_000);

    for (const [field, news] of badValues) {
        const value = news[field] as string;

        it(`a failure on a secret ${field} names no property and does not quote it; a plain one does both`, async () => {
            const plain = (await provider.check({}, news)).failures ?? [];
            assert.strictEqual(plain.length, 1, JSON.stringify(plain));
            assert.strictEqual(plain[0].property, field);
            assert.ok(plain[0].reason.includes(`got "${value}"`), plain[0].reason);

            const secret = (await provider.check({}, { ...news, [secretInputsProperty]: [field] })).failures ?? [];
            assert.strictEqual(secret.length, 1, JSON.stringify(secret));
            assert.strictEqual(secret[0].property, "", "the engine would print the value of the property named");
            assert.ok(secret[0].reason.includes(field), `the reason names the field: ${secret[0].reason}`);
            assert.ok(!secret[0].reason.includes(value) && !secret[0].reason.includes("got "), secret[0].reason);
        });
    }

    it("keeps the list with the checked inputs and the outputs, where diff, update, read and delete find it", async () => {
        const news = { keyPairName: "made-secret", keyType: "ed25519", [secretInputsProperty]: ["keyPairName"] };
        const checked = await provider.check({}, news);
        assert.deepStrictEqual(checked.failures, []);
        assert.deepStrictEqual(checked.inputs[secretInputsProperty], ["keyPairName"]);
        const created = await provider.create(checked.inputs as KeyPairInputs);
        const outs = created.outs as KeyPairOutputs & Raw;
        assert.deepStrictEqual(outs[secretInputsProperty], ["keyPairName"]);
        const read = await provider.read(created.id, outs);
        assert.deepStrictEqual((read.props as Raw)[secretInputsProperty], ["keyPairName"]);
        const rechecked = await provider.check(checked.inputs, { ...news, rotateAfter: "90d" });
        assert.deepStrictEqual(rechecked.failures, []);
        const updated = await provider.update(created.id, outs, rechecked.inputs as KeyPairInputs);
        assert.deepStrictEqual((updated.outs as Raw)[secretInputsProperty], ["keyPairName"]);
    });

    it("a pair whose program made nothing secret keeps no list", async () => {
        const checked = await provider.check({}, { keyPairName: "plain", keyType: "ed25519" });
        assert.ok(!(secretInputsProperty in checked.inputs));
        const created = await provider.create(checked.inputs as KeyPairInputs);
        assert.ok(!(secretInputsProperty in created.outs));
    });

    describe("in the ens backend", () => {
        const server = useEnsServer(provider);

        it("an error naming the pair shows [secret] in place of a name the program made secret", async () => {
            const { id, secret } = defaultAccessKey;
            const client = new EnsClient({ endpoint: server().url, accessKeyId: id, accessKeySecret: secret });
            // A pair that no stack made holds the name: the create fails, naming the pair that holds it.
            const foreign = await client.createKeyPair("made-secret-taken");
            const news = { keyPairName: "made-secret-taken", [secretInputsProperty]: ["keyPairName"] };
            const checked = await provider.check({}, news);
            assert.deepStrictEqual(checked.failures, []);
            await assert.rejects(provider.create(checked.inputs as KeyPairInputs), (err: Error) => {
                assert.match(err.message, /^PubKeyNameExisted: /);
                assert.ok(err.message.includes("[secret]") && err.message.includes(foreign.keyPairId), err.message);
                assert.ok(!err.message.includes("made-secret-taken"), err.message);
                return true;
            });
            // Without the list, the same error names the pair.
            await assert.rejects(provider.create({ keyPairName: "made-secret-taken", keyType: "rsa" }), /made-secret-taken/);
            await client.deleteKeyPairs({ keyPairId: foreign.keyPairId });
        });
    });
});
