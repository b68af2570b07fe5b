/**
 * The provider's methods called directly, as the engine calls them: check failures and
 * resolution, create outputs, diff decisions, read integrity and delete. One block goes through
 * the serialized `keyPairProvider`, which loads the implementation by package name.
 */
import * as assert from "assert";
import { unknownValue } from "../provider/inputs";
import { keyPairProvider } from "../provider/dynamic/serializedProvider";
import { KeyPairOutputs } from "../provider/state";
import * as provider from "../provider/dynamic/implementation";
import { assertMentions } from "./helpers/ensErrors";
import { assertStampedBetween } from "./helpers/clock";
import { sharedKey, sshKeygenPublicKey } from "./helpers/keys";
import { assertNoKeyMaterial } from "./helpers/leaks";
import { checkAndCreate, configRequest, configWith, CreatedPair } from "./helpers/provider";
import { fingerprints } from "../provider/keys/fingerprints";
import { assertArmour } from "./helpers/pem";

type Raw = Record<string, unknown>;

/** The stack points at ENS through an endpoint the ens backend refuses outright: any call that reached ENS fails. */
const refusedEns = configWith({ backend: "ens", endpoint: "http://127.0.0.1:1/not-ens", accessKeyId: "id", accessKeySecret: "secret" });

async function failuresOf(news: Raw, olds: Raw = {}) {
    return (await provider.check(olds, news)).failures ?? [];
}

/** Asserts that check reports exactly one failure, on `property`, whose reason has every fragment. */
async function expectFailure(news: Raw, property: string, ...fragments: (string | RegExp)[]) {
    const failures = await failuresOf(news);
    assert.strictEqual(failures.length, 1, `expected one failure, got ${JSON.stringify(failures)}`);
    assert.strictEqual(failures[0].property, property);
    assertMentions(failures[0].reason, ...fragments);
    return failures[0];
}

/** Asserts that read rejects the state with a message holding every fragment and no key material. */
async function expectCorrupt(state: KeyPairOutputs, keys: string[], ...fragments: string[]) {
    let message = "";
    await assert.rejects(provider.read(state.keyPairId, state), (err: Error) => {
        message = err.message;
        return true;
    });
    assertMentions(message, "is corrupt", state.keyPairId, ...fragments);
    assertNoKeyMaterial(message, ...keys);
}

describe("provider", function () {
    let rsa1024: string;
    let importedRsa: string;
    let importedEd: string;

    before(async function () {
        await provider.configure(configRequest("local"));
        rsa1024 = await sshKeygenPublicKey(["-t", "rsa", "-b", "1024"]);
        importedRsa = await sshKeygenPublicKey(["-t", "rsa", "-b", "3072"], "alice@laptop");
        importedEd = await sshKeygenPublicKey(["-t", "ed25519"], "bob@laptop");
    });

    describe("check", () => {
        describe("fails before anything is created", () => {
            it("on a missing name", async () => {
                await expectFailure({}, "keyPairName", "MissingParameter", "keyPairName is required");
                await expectFailure({ keyType: "ed25519" }, "keyPairName", "MissingParameter");
            });

            it("on an empty name", async () => {
                await expectFailure({ keyPairName: "" }, "keyPairName", "MissingParameter", "keyPairName is required");
            });

            for (const [name, rule] of [
                ["a", "must be 2 to 128 characters long"],
                ["9lives", "must start with a letter"],
                ["https://x", "must not start with http:// or https://"],
                ["my.key", 'not "."'],
            ]) {
                it(`on the bad name ${JSON.stringify(name)}`, async () => {
                    await expectFailure({ keyPairName: name }, "keyPairName", "InvalidParameter.KeyPairName", "keyPairName", rule);
                });
            }

            it("on a bad prefix", async () => {
                await expectFailure(
                    { keyPairNamePrefix: "1-" },
                    "keyPairNamePrefix",
                    "InvalidParameter.KeyPairName",
                    "keyPairNamePrefix must start with a letter",
                );
            });

            it("on a name and a prefix together", async () => {
                await expectFailure(
                    { keyPairName: "ab", keyPairNamePrefix: "ab" },
                    "keyPairName",
                    "InvalidParameter.KeyPairName",
                    "keyPairName or keyPairNamePrefix, not both",
                );
            });

            it("on an unknown keyType", async () => {
                await expectFailure(
                    { keyPairName: "ab", keyType: "dsa" },
                    "keyType",
                    "InvalidParameter.KeyType",
                    'keyType must be one of "rsa", "ed25519", "ecdsa"; got "dsa"',
                );
                await expectFailure({ keyPairName: "ab", keyType: "RSA" }, "keyType", 'got "RSA"');
            });

            it("on rsaBits with an ed25519 or ecdsa key", async () => {
                await expectFailure(
                    { keyPairName: "ab", keyType: "ed25519", rsaBits: 2048 },
                    "rsaBits",
                    "InvalidParameter.RsaBits",
                    "rsaBits applies only to rsa keys",
                );
                await expectFailure({ keyPairName: "ab", keyType: "ecdsa", rsaBits: 4096 }, "rsaBits", "rsaBits applies only to rsa keys");
            });

            it("on an rsaBits ENS does not make", async () => {
                for (const bits of [1024, 2047, 8192, "2048"]) {
                    await expectFailure(
                        { keyPairName: "ab", rsaBits: bits },
                        "rsaBits",
                        "InvalidParameter.RsaBits",
                        "rsaBits must be one of 2048, 3072, 4096",
                        `got ${JSON.stringify(bits)}`,
                    );
                }
            });

            it("on a bad ecdsaCurve", async () => {
                await expectFailure(
                    { keyPairName: "ab", keyType: "ecdsa", ecdsaCurve: "P224" },
                    "ecdsaCurve",
                    "InvalidParameter.EcdsaCurve",
                    'ecdsaCurve must be one of "P256", "P384", "P521"; got "P224"',
                );
                await expectFailure({ keyPairName: "ab", keyType: "ecdsa", ecdsaCurve: "p256" }, "ecdsaCurve", 'got "p256"');
            });

            it("on an ecdsaCurve with an rsa or ed25519 key", async () => {
                await expectFailure({ keyPairName: "ab", ecdsaCurve: "P256" }, "ecdsaCurve", "ecdsaCurve applies only to ecdsa keys");
                await expectFailure(
                    { keyPairName: "ab", keyType: "ed25519", ecdsaCurve: "P384" },
                    "ecdsaCurve",
                    "ecdsaCurve applies only to ecdsa keys",
                );
            });

            it("on a truncated publicKey", async () => {
                await expectFailure(
                    { keyPairName: "ab", publicKey: importedEd.slice(0, 40) },
                    "", // publicKey may hold a pasted private key: a failure naming it would make the engine print it
                    "InvalidParameter.PublicKeyBody",
                    "publicKey",
                    /truncated|damaged/,
                );
            });

            it("on an RSA 1024 publicKey", async () => {
                await expectFailure(
                    { keyPairName: "ab", publicKey: rsa1024 },
                    "",
                    "InvalidParameter.PublicKeyBody",
                    "is a 1024-bit RSA key; RSA keys must have 2048 to 16384 bits",
                );
            });

            it("on a private key given as publicKey, without quoting it", async () => {
                const key = await sharedKey({ keyType: "ed25519" });
                const failure = await expectFailure(
                    { keyPairName: "ab", publicKey: key.privateKeyOpenssh },
                    "",
                    "publicKey holds a private key",
                );
                assertNoKeyMaterial(failure.reason, key.privateKeyOpenssh);
            });

            it("on a keyType, rsaBits or ecdsaCurve that contradicts the imported key", async () => {
                await expectFailure(
                    { keyPairName: "ab", publicKey: importedEd, keyType: "rsa" },
                    "keyType",
                    'keyType must be omitted when importing a key, or be "ed25519": publicKey is an ed25519 key; got "rsa".',
                );
                await expectFailure(
                    { keyPairName: "ab", publicKey: importedRsa, rsaBits: 2048 },
                    "rsaBits",
                    "rsaBits must be omitted when importing a key, or be 3072, which publicKey has; got 2048.",
                );
                const ecdsa = await sharedKey({ keyType: "ecdsa", ecdsaCurve: "P384" });
                await expectFailure(
                    { keyPairName: "ab", publicKey: ecdsa.publicKeyOpenssh, ecdsaCurve: "P256" },
                    "ecdsaCurve",
                    'ecdsaCurve must be omitted when importing a key, or be "P384", which publicKey has; got "P256".',
                );
            });

            it("reports every broken rule at once", async () => {
                const failures = await failuresOf({ keyPairName: "1", keyType: "ed25519", rsaBits: 4096 });
                assert.deepStrictEqual(failures.map((f) => f.property).sort(), ["keyPairName", "rsaBits"]);
            });
        });

        describe("resolves good inputs", () => {
            it("applies ENS's default: RSA 2048", async () => {
                const { inputs, failures } = await provider.check({}, { keyPairName: "ci-deploy" });
                assert.deepStrictEqual(failures, []);
                assert.deepStrictEqual(inputs, { keyPairName: "ci-deploy", keyType: "rsa", rsaBits: 2048 });
            });

            it("defaults ecdsa to P256 and gives ed25519 neither size nor curve", async () => {
                assert.deepStrictEqual((await provider.check({}, { keyPairName: "ab", keyType: "ecdsa" })).inputs, {
                    keyPairName: "ab",
                    keyType: "ecdsa",
                    ecdsaCurve: "P256",
                });
                assert.deepStrictEqual((await provider.check({}, { keyPairName: "ab", keyType: "ed25519" })).inputs, {
                    keyPairName: "ab",
                    keyType: "ed25519",
                });
            });

            it("takes the type and size of an imported key from the key and drops its comment", async () => {
                const { inputs, failures } = await provider.check({}, { keyPairName: "ab", publicKey: `${importedRsa}\n` });
                assert.deepStrictEqual(failures, []);
                assert.deepStrictEqual(inputs, {
                    keyPairName: "ab",
                    keyType: "rsa",
                    rsaBits: 3072,
                    publicKey: importedRsa.split(" ").slice(0, 2).join(" "),
                });
                const ed = await provider.check({}, { keyPairName: "ab", publicKey: importedEd, keyType: "ed25519" });
                assert.deepStrictEqual(ed.failures, []);
                assert.deepStrictEqual(ed.inputs, {
                    keyPairName: "ab",
                    keyType: "ed25519",
                    publicKey: importedEd.split(" ").slice(0, 2).join(" "),
                });
            });

            it("makes a name from a prefix and keeps it across checks", async () => {
                const first = await provider.check({}, { keyPairNamePrefix: "ci-" });
                assert.deepStrictEqual(first.failures, []);
                const name = first.inputs.keyPairName as string;
                assert.match(name, /^ci-[a-z0-9]{8}$/);
                assert.strictEqual(first.inputs.keyPairNamePrefix, "ci-");
                const again = await provider.check(first.inputs, { keyPairNamePrefix: "ci-", keyType: "ed25519" });
                assert.strictEqual(again.inputs.keyPairName, name);
            });

            it("makes a new name when the prefix changes, even to a prefix of the old one", async () => {
                const first = await provider.check({}, { keyPairNamePrefix: "ci-" });
                const other = await provider.check(first.inputs, { keyPairNamePrefix: "cd-" });
                assert.match(other.inputs.keyPairName as string, /^cd-[a-z0-9]{8}$/);
                const shorter = await provider.check(first.inputs, { keyPairNamePrefix: "ci" });
                assert.match(shorter.inputs.keyPairName as string, /^ci[a-z0-9]{8}$/);
                assert.notStrictEqual(shorter.inputs.keyPairName, first.inputs.keyPairName);
            });

            it("makes a new name for a new resource with the same prefix", async () => {
                const a = await provider.check({}, { keyPairNamePrefix: "web-" });
                const b = await provider.check({}, { keyPairNamePrefix: "web-" });
                assert.notStrictEqual(a.inputs.keyPairName, b.inputs.keyPairName);
            });
        });

        describe("accepts values not known until deployment", () => {
            const cases: [string, Raw][] = [
                ["keyPairName", { keyPairName: unknownValue }],
                ["keyPairNamePrefix", { keyPairNamePrefix: unknownValue }],
                ["keyType", { keyPairName: "ab", keyType: unknownValue }],
                ["keyType with rsaBits", { keyPairName: "ab", keyType: unknownValue, rsaBits: 4096 }],
                ["rsaBits", { keyPairName: "ab", rsaBits: unknownValue }],
                ["ecdsaCurve", { keyPairName: "ab", keyType: "ecdsa", ecdsaCurve: unknownValue }],
                ["publicKey", { keyPairName: "ab", publicKey: unknownValue }],
                ["everything", { keyPairName: unknownValue, keyType: unknownValue, rsaBits: unknownValue, publicKey: unknownValue }],
            ];
            for (const [title, news] of cases) {
                it(`an unknown ${title}, and keeps it unknown`, async () => {
                    const { inputs, failures } = await provider.check({}, news);
                    assert.deepStrictEqual(failures, []);
                    for (const [key, value] of Object.entries(news)) {
                        if (value === unknownValue) {
                            assert.strictEqual((inputs as Raw)[key], unknownValue, `${key} should stay unknown`);
                        }
                    }
                });
            }

            it("an unknown prefix leaves the name unknown", async () => {
                const { inputs } = await provider.check({}, { keyPairNamePrefix: unknownValue });
                assert.strictEqual(inputs.keyPairName, unknownValue);
            });

            it("while still checking the known inputs", async () => {
                await expectFailure({ keyPairName: unknownValue, keyType: "dsa" }, "keyType", "keyType must be one of");
                await expectFailure({ keyPairName: "1x", keyType: unknownValue }, "keyPairName", "must start with a letter");
            });
        });
    });

    describe("create", () => {
        const uuid = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

        it("makes a pair with ENS-shaped id, request id and creation time, and consistent fingerprints", async () => {
            const before = Date.now();
            const { id, outs } = await checkAndCreate(provider, { keyPairName: "ci-deploy", keyType: "ed25519" });
            assert.match(id, /^ssh-[a-z0-9]{23}$/);
            assert.strictEqual(outs.keyPairId, id);
            assert.strictEqual(outs.keyPairName, "ci-deploy");
            assert.strictEqual(outs.keyType, "ed25519");
            assert.match(outs.requestId, uuid);
            assert.match(outs.creationTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
            assertStampedBetween(outs.creationTime, before, Date.now(), "creationTime is now");
            assert.deepStrictEqual(
                {
                    keyPairFingerPrint: outs.keyPairFingerPrint,
                    fingerprintMd5: outs.fingerprintMd5,
                    fingerprintSha256: outs.fingerprintSha256,
                },
                fingerprints(outs.publicKeyOpenssh),
            );
            assertArmour(outs.privateKeyBody, "PRIVATE KEY");
            assertArmour(outs.privateKeyOpenssh, "OPENSSH PRIVATE KEY");
            assert.strictEqual(outs.backend, "local");
        });

        it("makes the requested kind of key", async function () {
            const { outs } = await checkAndCreate(provider, { keyPairName: "ab", keyType: "ecdsa", ecdsaCurve: "P521" });
            assert.ok(outs.publicKeyOpenssh.startsWith("ecdsa-sha2-nistp521 "));
            assert.strictEqual(outs.ecdsaCurve, "P521");
            assert.strictEqual(outs.rsaBits, undefined);
            const rsa = await checkAndCreate(provider, { keyPairName: "ab" });
            assert.ok(rsa.outs.publicKeyOpenssh.startsWith("ssh-rsa "));
            assert.strictEqual(rsa.outs.rsaBits, 2048);
        });

        it("gives every pair its own id and request id", async () => {
            const a = await checkAndCreate(provider, { keyPairName: "ab", keyType: "ed25519" });
            const b = await checkAndCreate(provider, { keyPairName: "ab", keyType: "ed25519" });
            assert.notStrictEqual(a.id, b.id);
            assert.notStrictEqual(a.outs.requestId, b.outs.requestId);
        });

        it("imports a public key without private outputs", async () => {
            const { outs } = await checkAndCreate(provider, { keyPairName: "imported", publicKey: importedEd });
            const line = importedEd.split(" ").slice(0, 2).join(" ");
            assert.strictEqual(outs.publicKeyOpenssh, line);
            assert.strictEqual(outs.publicKey, line);
            assert.strictEqual(outs.keyType, "ed25519");
            assert.ok(!("privateKeyBody" in outs), "no privateKeyBody");
            assert.ok(!("privateKeyOpenssh" in outs), "no privateKeyOpenssh");
            assert.strictEqual(outs.keyPairFingerPrint, fingerprints(importedEd).keyPairFingerPrint);
            assert.match(outs.keyPairId, /^ssh-[a-z0-9]{23}$/);
        });

        it("drops the engine's own properties from the outputs", async () => {
            const { inputs } = await provider.check({}, { keyPairName: "ab", keyType: "ed25519" });
            const { outs } = await provider.create({ ...inputs, __provider: "exports.handler = …" } as never);
            assert.ok(!("__provider" in outs), "no __provider in outputs");
        });
    });

    describe("diff", () => {
        let rsa: CreatedPair;
        let ecdsa: CreatedPair;
        let imported: CreatedPair;
        let prefixed: CreatedPair;

        /** Checks `news` against the old inputs, as the engine does before diff. */
        async function recheck(old: CreatedPair, news: Raw): Promise<Raw> {
            const { inputs, failures } = await provider.check(old.inputs, news);
            assert.deepStrictEqual(failures, []);
            return { ...inputs, __provider: "exports.handler = …" };
        }

        before(async function () {
            rsa = await checkAndCreate(provider, { keyPairName: "ci-deploy" });
            ecdsa = await checkAndCreate(provider, { keyPairName: "ec", keyType: "ecdsa" });
            imported = await checkAndCreate(provider, { keyPairName: "imported", publicKey: importedRsa });
            prefixed = await checkAndCreate(provider, { keyPairNamePrefix: "web-", keyType: "ed25519" });
        });

        it("finds no change when the inputs are the same", async () => {
            for (const [pair, news] of [
                [rsa, { keyPairName: "ci-deploy" }],
                [rsa, { keyPairName: "ci-deploy", keyType: "rsa", rsaBits: 2048 }],
                [ecdsa, { keyPairName: "ec", keyType: "ecdsa", ecdsaCurve: "P256" }],
                [imported, { keyPairName: "imported", publicKey: `${importedRsa}\n` }],
                [prefixed, { keyPairNamePrefix: "web-", keyType: "ed25519" }],
            ] as const) {
                const result = await provider.diff(pair.id, pair.outs, (await recheck(pair, news)) as never);
                assert.deepStrictEqual(result, { changes: false, replaces: [], deleteBeforeReplace: false }, JSON.stringify(news));
            }
        });

        it("replaces the pair on a new name, creating the new one first", async () => {
            const result = await provider.diff(rsa.id, rsa.outs, (await recheck(rsa, { keyPairName: "ci-deploy-2" })) as never);
            assert.deepStrictEqual(result, { changes: true, replaces: ["keyPairName"], deleteBeforeReplace: false });
        });

        it("replaces the pair on a new prefix, which makes a new name", async () => {
            const result = await provider.diff(
                prefixed.id,
                prefixed.outs,
                (await recheck(prefixed, { keyPairNamePrefix: "api-", keyType: "ed25519" })) as never,
            );
            assert.strictEqual(result.changes, true);
            assert.ok(result.replaces?.includes("keyPairName"), JSON.stringify(result));
            assert.strictEqual(result.deleteBeforeReplace, false);
        });

        const sameName: [string, () => [CreatedPair, Raw], string[]][] = [
            ["keyType", () => [rsa, { keyPairName: "ci-deploy", keyType: "ed25519" }], ["keyType", "rsaBits"]],
            ["rsaBits", () => [rsa, { keyPairName: "ci-deploy", rsaBits: 4096 }], ["rsaBits"]],
            ["ecdsaCurve", () => [ecdsa, { keyPairName: "ec", keyType: "ecdsa", ecdsaCurve: "P384" }], ["ecdsaCurve"]],
            ["publicKey", () => [imported, { keyPairName: "imported", publicKey: importedEd }], ["keyType", "rsaBits", "publicKey"]],
            [
                "a generated key to an imported one",
                () => [ecdsa, { keyPairName: "ec", publicKey: importedEd }],
                ["keyType", "ecdsaCurve", "publicKey"],
            ],
            ["an imported key to a generated one", () => [imported, { keyPairName: "imported" }], ["rsaBits", "publicKey"]],
        ];
        for (const [title, setup, replaces] of sameName) {
            it(`replaces the pair on a new ${title} under the same name, deleting first`, async () => {
                const [pair, news] = setup();
                const result = await provider.diff(pair.id, pair.outs, (await recheck(pair, news)) as never);
                assert.deepStrictEqual(result, { changes: true, replaces, deleteBeforeReplace: true });
            });
        }

        it("replaces the pair when the backend changes", async () => {
            const news = await recheck(rsa, { keyPairName: "ci-deploy" });
            try {
                await provider.configure(configRequest("ens"));
                const result = await provider.diff(rsa.id, rsa.outs, news as never);
                assert.deepStrictEqual(result, { changes: true, replaces: ["backend"], deleteBeforeReplace: true });
            } finally {
                await provider.configure(configRequest("local"));
            }
        });
    });

    describe("read", () => {
        let generated: KeyPairOutputs;
        let other: KeyPairOutputs;
        let imported: KeyPairOutputs;
        let secrets: string[];

        before(async function () {
            generated = (await checkAndCreate(provider, { keyPairName: "ab", keyType: "ecdsa" })).outs;
            other = (await checkAndCreate(provider, { keyPairName: "ab", keyType: "ecdsa" })).outs;
            imported = (await checkAndCreate(provider, { keyPairName: "imp", publicKey: importedEd })).outs;
            secrets = [
                generated.privateKeyBody,
                generated.privateKeyOpenssh,
                other.privateKeyBody,
                other.privateKeyOpenssh,
                generated.publicKeyOpenssh,
                other.publicKeyOpenssh,
            ].map(String);
        });

        it("returns consistent state as it is", async () => {
            for (const state of [generated, imported]) {
                const result = await provider.read(state.keyPairId, { ...state });
                assert.deepStrictEqual(result, { id: state.keyPairId, props: state });
            }
        });

        it("passes every generated key type", async function () {
            for (const spec of [{ keyType: "rsa", rsaBits: 4096 }, { keyType: "ed25519" }, { keyType: "ecdsa", ecdsaCurve: "P521" }]) {
                const { id, outs } = await checkAndCreate(provider, { keyPairName: "ab", ...spec });
                assert.strictEqual((await provider.read(id, outs)).id, id);
            }
        });

        it("rejects a publicKeyOpenssh of another key", async () => {
            await expectCorrupt(
                { ...generated, publicKeyOpenssh: other.publicKeyOpenssh },
                secrets,
                "publicKeyOpenssh does not match the private key",
            );
        });

        it("rejects each tampered fingerprint, naming it", async () => {
            for (const field of ["keyPairFingerPrint", "fingerprintMd5", "fingerprintSha256"] as const) {
                await expectCorrupt({ ...generated, [field]: other[field] }, secrets, `${field} does not match the private key`);
            }
        });

        it("rejects a privateKeyBody of another key", async () => {
            await expectCorrupt(
                { ...generated, privateKeyBody: other.privateKeyBody },
                secrets,
                "publicKeyOpenssh does not match the private key",
                "keyPairFingerPrint does not match",
                "privateKeyOpenssh and privateKeyBody are different keys",
            );
        });

        it("rejects a privateKeyOpenssh of another key", async () => {
            await expectCorrupt(
                { ...generated, privateKeyOpenssh: other.privateKeyOpenssh },
                secrets,
                "privateKeyOpenssh and privateKeyBody are different keys",
            );
        });

        it("rejects a damaged privateKeyBody, naming it", async () => {
            const body = String(generated.privateKeyBody);
            await expectCorrupt(
                { ...generated, privateKeyBody: body.slice(0, 100) + body.slice(140) },
                secrets,
                "privateKeyBody does not parse",
            );
        });

        it("rejects a damaged privateKeyOpenssh, naming it", async () => {
            const key = String(generated.privateKeyOpenssh);
            await expectCorrupt(
                { ...generated, privateKeyOpenssh: key.slice(0, 100) + key.slice(140) },
                secrets,
                "privateKeyOpenssh does not parse",
            );
        });

        it("rejects state with one private key missing", async () => {
            const state: KeyPairOutputs = { ...generated };
            delete state.privateKeyOpenssh;
            await expectCorrupt(state, secrets, "only one of privateKeyBody and privateKeyOpenssh is present");
        });

        it("rejects an imported pair whose fingerprint or public key was changed", async () => {
            await expectCorrupt(
                { ...imported, keyPairFingerPrint: other.keyPairFingerPrint },
                secrets,
                "keyPairFingerPrint does not match the public key",
            );
            await expectCorrupt({ ...imported, publicKeyOpenssh: "ssh-ed25519 AAAA" }, secrets, "publicKeyOpenssh does not parse");
        });

        it("refuses to look up an id with no state, saying why", async () => {
            await assert.rejects(
                provider.read("ssh-abcdefghijklmnopqrstuvw", {}),
                /Cannot look up key pair ssh-abcdefghijklmnopqrstuvw: the local backend keeps key pairs only in Pulumi state/,
            );
        });
    });

    describe("delete", () => {
        async function createLocally(news: Raw): Promise<CreatedPair> {
            await provider.configure(configRequest("local"));
            const pair = await checkAndCreate(provider, news);
            await provider.configure(refusedEns);
            return pair;
        }

        after(async () => {
            await provider.configure(configRequest("local"));
        });

        it("forgets a local pair, generated or imported, without calling ENS although the stack now uses it", async () => {
            const generated = await createLocally({ keyPairName: "ab", keyType: "ed25519" });
            const imported = await createLocally({ keyPairName: "imp", publicKey: importedEd });
            await provider.delete(generated.id, generated.outs);
            await provider.delete(imported.id, imported.outs);
            // The same state claiming ENS goes to ENS, and fails there.
            await assert.rejects(provider.delete(generated.id, { ...generated.outs, backend: "ens" }), /InvalidParameter\.Endpoint/);
        });
    });

    describe("a state without a backend", () => {
        let pair: CreatedPair;
        let legacy: KeyPairOutputs;

        before(async () => {
            await provider.configure(configRequest("local"));
            pair = await checkAndCreate(provider, { keyPairName: "ab", keyType: "ed25519" });
            legacy = { ...pair.outs };
            delete (legacy as Partial<KeyPairOutputs>).backend;
        });

        after(async () => {
            await provider.configure(configRequest("local"));
        });

        it("is local to read, diff and delete, even once the stack uses ENS", async () => {
            await provider.configure(refusedEns);
            assert.deepStrictEqual(await provider.read(pair.id, legacy), { id: pair.id, props: legacy });
            const moved = await provider.diff(pair.id, legacy, pair.inputs as never);
            assert.deepStrictEqual(moved, { changes: true, replaces: ["backend"], deleteBeforeReplace: true });
            await provider.delete(pair.id, legacy);
            // The same state saying it is in ENS goes there, and fails.
            await assert.rejects(provider.read(pair.id, { ...legacy, backend: "ens" }), /InvalidParameter\.Endpoint/);

            await provider.configure(configRequest("local"));
            const unchanged = await provider.diff(pair.id, legacy, pair.inputs as never);
            assert.deepStrictEqual(unchanged, { changes: false, replaces: [], deleteBeforeReplace: false });
        });
    });

    describe("errors", () => {
        after(async () => {
            await provider.configure(configRequest("local"));
        });

        /** What a method rejects with. */
        async function rejection(call: Promise<unknown>): Promise<Error> {
            let caught: unknown;
            await call.catch((err: unknown) => (caught = err));
            assert.ok(caught instanceof Error, `rejects with an Error, got ${String(caught)}`);
            return caught;
        }

        it("a user's error reaches the engine as its message alone, from every method that can raise one", async () => {
            const generated = await checkAndCreate(provider, { keyPairName: "ab", keyType: "ed25519", privateKeyPassphrase: "one" });
            const corrupt = { ...generated.outs, privateKeyPassphrase: "not the one it is encrypted with" };
            const failing: [string, () => Promise<unknown>, RegExp][] = [
                ["configure", () => provider.configure(configWith({ backend: "cloud" })), /backend must be "local" or "ens"/],
                ["read", () => provider.read(corrupt.keyPairId, corrupt), /is corrupt/],
                [
                    "update",
                    () => provider.update(corrupt.keyPairId, corrupt, { ...generated.inputs, privateKeyPassphrase: "two" } as never),
                    /does not decrypt/,
                ],
                [
                    "check",
                    async () => {
                        await provider.configure(refusedEns);
                        return provider.check({}, { keyPairName: "ab" });
                    },
                    /InvalidParameter\.Endpoint/,
                ],
                ["create", () => provider.create({ keyPairName: "ab", keyType: "rsa", rsaBits: 2048 }), /InvalidParameter\.Endpoint/],
                ["delete", () => provider.delete(generated.id, { ...generated.outs, backend: "ens" }), /InvalidParameter\.Endpoint/],
            ];
            for (const [method, call, message] of failing) {
                const err = await rejection(call());
                assert.match(err.message, message, method);
                assert.strictEqual(err.stack, "", `${method} leaves the stack of a user's error for the host to print`);
            }
        });

        it("a bug keeps its stack", async () => {
            // diff raises no error of its own for users; a state that is not an object is a bug.
            const err = await rejection(provider.diff("ssh-x", undefined as never, {} as never));
            assert.ok(err instanceof TypeError);
            assert.match(String(err.stack), /provider\.ts/);
        });
    });
});

describe("keyPairProvider (the serialized object, loading the provider by package name)", () => {
    after(async () => {
        await keyPairProvider.configure(configRequest("local"));
    });

    it("forwards every method to the implementation", async () => {
        await keyPairProvider.configure(configRequest("local"));
        const bad = await keyPairProvider.check({}, { keyPairName: "x" });
        assert.strictEqual(bad.failures?.[0]?.property, "keyPairName");

        const { inputs, id, outs } = await checkAndCreate(keyPairProvider, { keyPairName: "via-package", keyType: "ed25519" });
        assert.match(id, /^ssh-[a-z0-9]{23}$/);
        assertArmour(outs.privateKeyOpenssh, "OPENSSH PRIVATE KEY");

        assert.deepStrictEqual(await keyPairProvider.diff(id, outs, inputs), { changes: false, replaces: [], deleteBeforeReplace: false });
        const renamed = await keyPairProvider.diff(id, outs, { ...inputs, keyPairName: "renamed" });
        assert.deepStrictEqual(renamed.replaces, ["keyPairName"]);

        const rotating = (await keyPairProvider.check(inputs, { ...inputs, rotateAfter: "90d" })).inputs;
        const updated = await keyPairProvider.update(id, outs, rotating);
        assert.deepStrictEqual(updated.outs, { ...outs, rotateAfter: "90d", rotatesAt: rotating.rotatesAt });

        assert.deepStrictEqual(await keyPairProvider.read(id, outs), { id, props: outs });
        await assert.rejects(keyPairProvider.read(id, { ...outs, fingerprintSha256: "SHA256:x" }), /fingerprintSha256 does not match/);
        await assert.rejects(keyPairProvider.read(id), /Cannot look up key pair/);

        // Configured for ENS, delete goes there for a pair there.
        await keyPairProvider.configure(refusedEns);
        await assert.rejects(keyPairProvider.delete(id, { ...outs, backend: "ens" }), /InvalidParameter\.Endpoint/);
    });
});
