/**
 * Sealed private keys: the pure sealing functions, then the provider's check, create, diff, update
 * and read with `privateKeyRecipients` and `sealedOnly`, in both backends. Every seal is opened
 * with Debian's `age`, and the key inside checked with `ssh-keygen`.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as Age from "age-encryption";
import { unknownValue } from "../provider/inputs";
import { notARecipient, sealPrivateKey, sealProblems, withSealedKey } from "../provider/keys/sealing";
import { KeyPairOutputs } from "../provider/state";
import * as provider from "../provider/dynamic/implementation";
import { AgeIdentity, ageIdentity, assertNotOpenedBy, openSealed } from "./helpers/age";
import { sshPublicKey } from "./helpers/encryptedKeys";
import { sharedKey } from "./helpers/keys";
import { assertNoKeyMaterial, leakedPiece } from "./helpers/leaks";
import { assertArmour, assertNoKey, assertSameKey } from "./helpers/pem";
import { checkAndCreate, configRequest, CreatedPair, useEnsServer } from "./helpers/provider";

type Raw = Record<string, unknown>;

const passphrase = "sealed and encrypted, twice over 1234";

describe("sealed private keys", function () {
    let dir: string;
    let runner: AgeIdentity;
    let laptop: AgeIdentity;
    let stranger: AgeIdentity;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-sealed-"));
        [runner, laptop, stranger] = ["runner", "laptop", "stranger"].map((name) => ageIdentity(dir, name));
        await provider.configure(configRequest("local"));
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** The public key line `ssh-keygen -y` derives from an opened key file (with `-P passphrase` where given). */
    function publicKeyOf(keyFile: string, given = ""): string {
        const derived = sshPublicKey(dir, keyFile, given);
        assert.strictEqual(derived.status, 0, "ssh-keygen -y did not read the opened key");
        return derived.line;
    }

    describe("the sealing functions", () => {
        it("notARecipient accepts what age-keygen -y prints, and says what else it got without quoting it", async () => {
            assert.strictEqual(notARecipient(runner.recipient), undefined);
            const identity = fs
                .readFileSync(runner.file, "utf8")
                .split("\n")
                .find((line) => line.startsWith("AGE-SECRET-KEY-1")) as string;
            const age = require("age-encryption") as typeof Age;
            const postQuantum = await age.identityToRecipient(await age.generateHybridIdentity());
            const flipped = runner.recipient.slice(0, 20) + (runner.recipient[20] === "q" ? "p" : "q") + runner.recipient.slice(21);
            const sshKey = (await sharedKey({ keyType: "ed25519" })).publicKeyOpenssh;
            const cases: [unknown, RegExp][] = [
                [identity, /^is an age identity, which is secret: give its recipient instead \(age-keygen -y prints it/],
                [
                    postQuantum,
                    /^is not an age X25519 recipient, `age1` and 58 more .*post-quantum age1pq1…, plugin and SSH recipients are not supported/,
                ],
                [sshKey, /^is not an age X25519 recipient/],
                [`${runner.recipient}x`, /^is not an age X25519 recipient/],
                [flipped, /^is not an age X25519 recipient: its checksum does not hold/],
                [42, /^is a number, not a string$/],
                [null, /^is a null, not a string$/],
            ];
            for (const [value, reason] of cases) {
                const said = String(notARecipient(value));
                assert.match(said, reason);
                if (typeof value === "string") {
                    assert.ok(!said.includes(value.slice(4, 20)), "the reason quotes the value");
                }
            }
        });

        it("sealPrivateKey makes one armoured age file that age -d opens with each recipient's identity, and no other", async () => {
            const key = (await sharedKey({ keyType: "ed25519" })).privateKeyOpenssh;
            const sealed = await sealPrivateKey(key, [runner.recipient, laptop.recipient]);
            assertArmour(sealed, "AGE ENCRYPTED FILE");
            for (const identity of [runner, laptop]) {
                assertSameKey(
                    openSealed(dir, sealed, identity),
                    key,
                    `the key age opened with the ${path.basename(identity.file)} identity`,
                );
            }
            assertNotOpenedBy(dir, sealed, stranger);
            assert.strictEqual(leakedPiece(sealed, key), undefined, "the seal quotes the key");
            // Each seal has a file key of its own.
            assert.notStrictEqual(await sealPrivateKey(key, [runner.recipient]), await sealPrivateKey(key, [runner.recipient]));
        });

        describe("withSealedKey", () => {
            let outputs: KeyPairOutputs;

            before(async () => {
                outputs = (await checkAndCreate(provider, { keyPairName: "unsealed", keyType: "ed25519" })).outs;
            });

            it("seals the key to the recipients, and leaves the plain key out with sealedOnly", async () => {
                const sealed = await withSealedKey({ ...outputs, privateKeyRecipients: [runner.recipient] });
                assertSameKey(openSealed(dir, sealed.privateKeySealed, runner), outputs.privateKeyOpenssh, "the sealed key");
                assertSameKey(sealed.privateKeyOpenssh, outputs.privateKeyOpenssh, "the plain key beside the seal");
                const only = await withSealedKey({ ...outputs, privateKeyRecipients: [runner.recipient], sealedOnly: true });
                assertNoKey(only.privateKeyOpenssh, "privateKeyOpenssh with sealedOnly");
                assertNoKey(only.privateKeyBody, "privateKeyBody with sealedOnly");
                assertSameKey(openSealed(dir, only.privateKeySealed, runner), outputs.privateKeyOpenssh, "the key sealed alone");
            });

            it("keeps a seal that still holds, seals again for new recipients or a new key, and drops it without recipients", async () => {
                const first = await withSealedKey({ ...outputs, privateKeyRecipients: [runner.recipient] });
                assert.strictEqual((await withSealedKey({ ...first }, first)).privateKeySealed, first.privateKeySealed);
                const moved = await withSealedKey({ ...first, privateKeyRecipients: [laptop.recipient] }, first);
                assertSameKey(openSealed(dir, moved.privateKeySealed, laptop), outputs.privateKeyOpenssh, "the key sealed again");
                assertNotOpenedBy(dir, moved.privateKeySealed, runner);
                const other = (await sharedKey({ keyType: "ecdsa", ecdsaCurve: "P256" })).privateKeyOpenssh;
                const rekeyed = await withSealedKey({ ...first, privateKeyOpenssh: other }, first);
                assertSameKey(openSealed(dir, rekeyed.privateKeySealed, runner), other, "the new key sealed");
                const dropped = await withSealedKey({ ...first, privateKeyRecipients: undefined }, first);
                assert.ok(!("privateKeySealed" in dropped), "the seal outlives its recipients");
            });

            it("refuses to seal again a key it no longer holds, saying why", async () => {
                const only = await withSealedKey({ ...outputs, privateKeyRecipients: [runner.recipient], sealedOnly: true });
                await assert.rejects(
                    withSealedKey({ ...only, privateKeyRecipients: [laptop.recipient] }, only),
                    /cannot be sealed again: with sealedOnly the provider no longer holds its private key/,
                );
            });

            it("sealProblems finds a seal that is not an age file, and a plain key beside sealedOnly", async () => {
                const only = await withSealedKey({ ...outputs, privateKeyRecipients: [runner.recipient], sealedOnly: true });
                assert.deepStrictEqual(sealProblems(only), []);
                assert.deepStrictEqual(sealProblems({ ...only, privateKeySealed: "-----BEGIN AGE ENCRYPTED FILE-----\nnot age\n" }), [
                    "privateKeySealed is not an ASCII-armoured age file though privateKeyRecipients is set",
                ]);
                assert.deepStrictEqual(
                    sealProblems({ ...only, privateKeySealed: undefined, privateKeyOpenssh: outputs.privateKeyOpenssh }),
                    [
                        "privateKeySealed is not an ASCII-armoured age file though privateKeyRecipients is set",
                        "a plain private key is present though sealedOnly is set",
                    ],
                );
            });
        });
    });

    describe("check", () => {
        /** The single failure check reports for `news`. */
        async function failure(news: Raw) {
            const { failures } = await provider.check({}, { keyPairName: "sealed", ...news });
            assert.strictEqual(failures?.length, 1, JSON.stringify(failures));
            return failures[0];
        }

        it("refuses an empty list, a list that is not one, and each entry that is not a recipient, naming no property", async () => {
            const identity = fs.readFileSync(stranger.file, "utf8").trim().split("\n").pop() as string;
            for (const [given, rule] of [
                [[], /privateKeyRecipients must list at least one age recipient; omit it to leave the private key unsealed\.$/],
                [runner.recipient, /privateKeyRecipients must be a list of age recipients \(age1…, as age-keygen -y prints them\)\.$/],
                [
                    [runner.recipient, identity, "age1nope"],
                    /^InvalidParameter\.PrivateKeyRecipients: .* privateKeyRecipients entry 2 is an age identity, which is secret: .*\. privateKeyRecipients entry 3 is not an age X25519 recipient/,
                ],
            ] as const) {
                const { property, reason } = await failure({ privateKeyRecipients: given });
                assert.strictEqual(property, "", "the engine would print the value of the property named");
                assert.match(reason, rule);
                assert.ok(!reason.includes(identity.slice(15, 31)), "the reason quotes the identity");
            }
        });

        it("refuses recipients for an imported key, and sealedOnly without recipients or not a boolean", async () => {
            const publicKey = (await sharedKey({ keyType: "ed25519" })).publicKeyOpenssh;
            const imported = await failure({ publicKey, privateKeyRecipients: [runner.recipient] });
            assert.strictEqual(imported.property, "");
            assert.match(
                imported.reason,
                /privateKeyRecipients applies only to generated pairs: an imported publicKey has no private key to seal/,
            );
            assert.deepStrictEqual(await failure({ sealedOnly: true }), {
                property: "sealedOnly",
                reason:
                    "InvalidParameter.SealedOnly: The specified field SealedOnly invalid. Please check it again. " +
                    "sealedOnly needs privateKeyRecipients: without them, no output would hold the private key.",
            });
            assert.match(
                (await failure({ sealedOnly: "yes", privateKeyRecipients: [runner.recipient] })).reason,
                /sealedOnly must be true or false; got "yes"/,
            );
        });

        it("keeps the recipients sorted and without duplicates or surrounding blanks, and sealedOnly only when true", async () => {
            const { inputs, failures } = await provider.check(
                {},
                {
                    keyPairName: "sealed",
                    privateKeyRecipients: [runner.recipient, `${laptop.recipient}\n`, runner.recipient],
                    sealedOnly: false,
                },
            );
            assert.deepStrictEqual(failures, []);
            assert.deepStrictEqual((inputs as Raw).privateKeyRecipients, [runner.recipient, laptop.recipient].sort());
            assert.ok(!("sealedOnly" in inputs), "sealedOnly: false is kept, and would differ from the state of older pairs");
        });

        it("accepts recipients not known until deployment, as a list or as items, and keeps them unknown", async () => {
            for (const given of [unknownValue, [runner.recipient, unknownValue]]) {
                const { inputs, failures } = await provider.check(
                    {},
                    { keyPairName: "sealed", privateKeyRecipients: given, sealedOnly: true },
                );
                assert.deepStrictEqual(failures, []);
                assert.deepStrictEqual((inputs as Raw).privateKeyRecipients, given);
            }
        });
    });

    describe("create", () => {
        it("seals the private key beside the plain one, to every recipient", async () => {
            const { outs } = await checkAndCreate(provider, {
                keyPairName: "sealed-beside",
                keyType: "ed25519",
                privateKeyRecipients: [runner.recipient, laptop.recipient],
            });
            for (const identity of [runner, laptop]) {
                const key = openSealed(dir, outs.privateKeySealed, identity);
                assertSameKey(key, outs.privateKeyOpenssh, "the opened key");
                assert.strictEqual(publicKeyOf(key), outs.publicKeyOpenssh);
            }
            assertNotOpenedBy(dir, outs.privateKeySealed, stranger);
            assert.strictEqual((await provider.read(outs.keyPairId, outs)).id, outs.keyPairId);
        });

        it("with sealedOnly, outputs only the seal, of the key encrypted with the passphrase", async () => {
            const { outs } = await checkAndCreate(provider, {
                keyPairName: "sealed-only",
                privateKeyRecipients: [runner.recipient],
                sealedOnly: true,
                privateKeyPassphrase: passphrase,
            });
            assertNoKey(outs.privateKeyOpenssh, "privateKeyOpenssh");
            assertNoKey(outs.privateKeyBody, "privateKeyBody");
            const key = openSealed(dir, outs.privateKeySealed, runner);
            assertArmour(key, "OPENSSH PRIVATE KEY");
            assert.strictEqual(publicKeyOf(key, passphrase), outs.publicKeyOpenssh);
            assert.notStrictEqual(sshPublicKey(dir, key, "").status, 0, "the sealed key opens without its passphrase");
            // Refresh verifies what is left: the public key and fingerprints.
            assert.deepStrictEqual(await provider.read(outs.keyPairId, { ...outs }), { id: outs.keyPairId, props: outs });
        });
    });

    describe("changing the recipients, the passphrase or sealedOnly", () => {
        const base = { keyPairName: "reseal", keyType: "ed25519" };

        /** What the engine would do with new inputs: check, then diff; `said` is what the provider printed for the diagnostics. */
        async function plan(from: CreatedPair, news: Raw) {
            const { inputs, failures } = await provider.check(from.inputs, news);
            assert.deepStrictEqual(failures, []);
            const said: string[] = [];
            const print = console.error;
            console.error = (message: unknown) => said.push(String(message));
            try {
                return { inputs: inputs as Raw, diff: await provider.diff(from.id, from.outs, inputs as never), said };
            } finally {
                console.error = print;
            }
        }

        /** Check, diff and update; asserts that the pair is updated in place, not replaced. */
        async function update(from: CreatedPair, news: Raw): Promise<CreatedPair> {
            const { inputs, diff, said } = await plan(from, news);
            assert.deepStrictEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
            assert.deepStrictEqual(said, []);
            const { outs } = await provider.update(from.id, from.outs, inputs as never);
            return { id: from.id, inputs, outs: outs as KeyPairOutputs };
        }

        const identity = (outs: KeyPairOutputs) => [outs.keyPairId, outs.publicKeyOpenssh, outs.fingerprintSha256, outs.creationTime];

        it("without sealedOnly, seals the same key again for new recipients, in place, and drops the seal with them", async () => {
            const original = await checkAndCreate(provider, { ...base, privateKeyRecipients: [runner.recipient] });
            const moved = await update(original, { ...base, privateKeyRecipients: [laptop.recipient] });
            assert.deepStrictEqual(identity(moved.outs), identity(original.outs));
            assertSameKey(openSealed(dir, moved.outs.privateKeySealed, laptop), original.outs.privateKeyOpenssh, "the key sealed again");
            assertNotOpenedBy(dir, moved.outs.privateKeySealed, runner);
            // A new passphrase changes the key file, so it is sealed again too.
            const encrypted = await update(moved, { ...base, privateKeyRecipients: [laptop.recipient], privateKeyPassphrase: passphrase });
            const encryptedKey = openSealed(dir, encrypted.outs.privateKeySealed, laptop);
            assertSameKey(encryptedKey, encrypted.outs.privateKeyOpenssh, "the encrypted key sealed");
            assert.strictEqual(publicKeyOf(encryptedKey, passphrase), original.outs.publicKeyOpenssh);
            const unsealed = await update(encrypted, base);
            assert.ok(!("privateKeySealed" in unsealed.outs));
            assert.deepStrictEqual(identity(unsealed.outs), identity(original.outs));
        });

        it("recipients in another order, or given twice, are no change", async () => {
            const original = await checkAndCreate(provider, {
                ...base,
                privateKeyRecipients: [runner.recipient, laptop.recipient],
                sealedOnly: true,
            });
            const { diff } = await plan(original, {
                ...base,
                privateKeyRecipients: [laptop.recipient, runner.recipient, laptop.recipient],
                sealedOnly: true,
            });
            assert.deepStrictEqual(diff, { changes: false, replaces: [], deleteBeforeReplace: false });
        });

        it("with sealedOnly, replaces the pair on new recipients or a new passphrase, and says why", async () => {
            const news = { ...base, privateKeyRecipients: [runner.recipient], sealedOnly: true };
            const original = await checkAndCreate(provider, news);
            for (const [change, names] of [
                [{ privateKeyRecipients: [laptop.recipient] }, "privateKeyRecipients"],
                [{ privateKeyPassphrase: passphrase }, "privateKeyPassphrase"],
                [
                    { privateKeyRecipients: [laptop.recipient], privateKeyPassphrase: passphrase },
                    "privateKeyPassphrase and privateKeyRecipients",
                ],
            ] as const) {
                const { diff, said } = await plan(original, { ...news, ...change });
                assert.deepStrictEqual(diff, { changes: true, replaces: names.split(" and "), deleteBeforeReplace: true });
                assert.deepStrictEqual(said, [
                    `KeyPair "reseal" (${original.id}) is replaced because ${names} changed: with sealedOnly the provider no longer holds its private key, ` +
                        "so it cannot seal that key again. A new pair is made, sealed to the current privateKeyRecipients. " +
                        "It is deleted first, so that the new pair can take its name.",
                ]);
            }
            // The replacement is a new pair, sealed to the recipients of the day.
            const { inputs } = await plan(original, { ...news, privateKeyRecipients: [laptop.recipient] });
            const { outs } = await provider.create(inputs as never);
            assert.notStrictEqual(outs.publicKeyOpenssh, original.outs.publicKeyOpenssh);
            assert.strictEqual(publicKeyOf(openSealed(dir, outs.privateKeySealed, laptop)), outs.publicKeyOpenssh);
            assertNotOpenedBy(dir, outs.privateKeySealed, runner);
        });

        it("turning sealedOnly on or off replaces the pair; changing rotateAfter keeps the seal as it is", async () => {
            const sealedOnly = await checkAndCreate(provider, { ...base, privateKeyRecipients: [runner.recipient], sealedOnly: true });
            assert.deepStrictEqual((await plan(sealedOnly, { ...base, privateKeyRecipients: [runner.recipient] })).diff.replaces, [
                "sealedOnly",
            ]);
            const beside = await checkAndCreate(provider, { ...base, privateKeyRecipients: [runner.recipient] });
            assert.deepStrictEqual(
                (await plan(beside, { ...base, privateKeyRecipients: [runner.recipient], sealedOnly: true })).diff.replaces,
                ["sealedOnly"],
            );
            const later = await update(sealedOnly, {
                ...base,
                privateKeyRecipients: [runner.recipient],
                sealedOnly: true,
                rotateAfter: "90d",
            });
            assert.strictEqual(later.outs.privateKeySealed, sealedOnly.outs.privateKeySealed);
            assertNoKey(later.outs.privateKeyOpenssh, "privateKeyOpenssh after an update");
        });
    });

    describe("read", () => {
        it("reports a damaged seal, and a plain key beside sealedOnly, without printing either", async () => {
            const { outs } = await checkAndCreate(provider, {
                keyPairName: "sealed-read",
                keyType: "ed25519",
                privateKeyRecipients: [runner.recipient],
                sealedOnly: true,
            });
            const plainKey = openSealed(dir, outs.privateKeySealed, runner);
            for (const [state, problem] of [
                [
                    { ...outs, privateKeySealed: "damaged" },
                    "privateKeySealed is not an ASCII-armoured age file though privateKeyRecipients is set",
                ],
                [{ ...outs, privateKeyOpenssh: plainKey }, "a plain private key is present though sealedOnly is set"],
            ] as const) {
                await assert.rejects(provider.read(outs.keyPairId, state), (err: Error) => {
                    assert.ok(err.message.includes("is corrupt") && err.message.includes(problem), err.message);
                    assertNoKeyMaterial(err.message, plainKey);
                    return true;
                });
            }
        });
    });

    for (const generation of ["provider", "ens"]) {
        describe(`in the ens backend, generated by ${generation === "ens" ? "ENS (CreateKeyPair)" : "the provider"}`, () => {
            const ensServer = useEnsServer(provider, { generation });

            it("seals the key before it becomes an output, and with sealedOnly outputs no plain key", async () => {
                const { outs } = await checkAndCreate(provider, {
                    keyPairName: `ens-sealed-${generation}`,
                    privateKeyRecipients: [runner.recipient],
                    sealedOnly: true,
                });
                assertNoKey(outs.privateKeyOpenssh, "privateKeyOpenssh");
                assertNoKey(outs.privateKeyBody, "privateKeyBody");
                const key = openSealed(dir, outs.privateKeySealed, runner);
                assert.strictEqual(publicKeyOf(key), outs.publicKeyOpenssh);
                const [held] = ensServer()
                    .listKeyPairs()
                    .filter((pair) => pair.keyPairId === outs.keyPairId);
                assert.strictEqual(held?.keyPairFingerPrint, outs.keyPairFingerPrint, "ENS holds the sealed key's pair");
                // Refresh checks the sealed-only state against ENS.
                assert.strictEqual((await provider.read(outs.keyPairId, outs)).id, outs.keyPairId);
                await provider.delete(outs.keyPairId, outs);
            });
        });
    }
});
