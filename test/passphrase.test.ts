/**
 * Passphrase-protected private keys, through the provider's methods as the engine calls them and
 * checked with the real OpenSSH and OpenSSL: the encrypted encodings (a login with them to a real
 * sshd is in integration.sshd.test.ts), the refusals at check,
 * re-encryption without replacing, the state-integrity check on encrypted keys, and the ens
 * backend against the ENS-compatible server.
 */
import * as assert from "assert";
import { createPrivateKey } from "crypto";
import { readFileSync } from "fs";
import { unknownValue } from "../provider/inputs";
import { keyMaterialOf } from "../provider/keys/material";
import { KeyPairOutputs } from "../provider/state";
import * as provider from "../provider/dynamic/implementation";
import { opensshKeyHeader } from "../provider/keys/sshWire";
import { scryptCost } from "../provider/keys/pkcs8";
import { opensslDecrypted, protectedPairs, sshPublicKey, testPassphrase as passphrase } from "./helpers/encryptedKeys";
import { sshKeygenPublicKey } from "./helpers/keys";
import { assertNoKeyMaterial } from "./helpers/leaks";
import { assertArmour } from "./helpers/pem";
import { checkAndCreate, configRequest, CreatedPair, useEnsServer } from "./helpers/provider";
import { run } from "./helpers/run";
import { withTempDir, writePrivateFile } from "./helpers/tempDir";

type Raw = Record<string, unknown>;

const newPassphrase = "a second passphrase, for re-encryption 42";

/** The KDF options of an OpenSSH private key: the salt's length and the rounds. */
function kdfOptions(pem: string): { saltBytes: number; rounds: number } {
    const body = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, ""), "base64");
    let offset = "openssh-key-v1\0".length;
    const next = () => {
        const length = body.readUInt32BE(offset);
        offset += 4 + length;
        return body.subarray(offset - length, offset);
    };
    next(); // cipher
    next(); // kdf
    const options = next();
    const saltBytes = options.readUInt32BE(0);
    return { saltBytes, rounds: options.readUInt32BE(4 + saltBytes) };
}

/** What `openssl asn1parse` prints, each element as its type and value, without offsets, lengths or the salt's bytes. */
function asn1Shape(parsed: string): string[] {
    return parsed
        .trim()
        .split("\n")
        .map((line) => {
            const [, rest] = line.split(/prim:|cons:/);
            const [type, value = ""] = rest.trim().split(/\s{2,}/);
            if (type === "OCTET STRING") {
                // The salt, the IV and the ciphertext differ each time; their sizes do not (but the ciphertext's).
                const bytes = value.replace("[HEX DUMP]:", "").length / 2;
                return bytes <= 16 ? `OCTET STRING ${bytes}` : "OCTET STRING";
            }
            return value ? `${type} ${value}` : type;
        });
}

describe("passphrase-protected private keys", function () {
    const pairs: { label: string; news: Raw; pair?: CreatedPair }[] = protectedPairs.map((entry) => ({ ...entry }));

    before(async () => {
        await provider.configure(configRequest("local"));
        for (const entry of pairs) {
            entry.pair = await checkAndCreate(provider, entry.news);
        }
    });

    for (const entry of pairs) {
        describe(entry.label, () => {
            const outs = () => (entry.pair as CreatedPair).outs;

            it("privateKeyOpenssh is encrypted as ssh-keygen -p writes it: aes256-ctr, bcrypt, 16 rounds, a 16-byte salt", async () => {
                const ours = opensshKeyHeader(String(outs().privateKeyOpenssh));
                assert.deepStrictEqual([ours.cipher, ours.kdf], ["aes256-ctr", "bcrypt"]);
                // Re-encrypted by ssh-keygen itself, the key has the same header.
                const theirs = await withTempDir((dir) => {
                    const file = writePrivateFile(dir, "key", String(outs().privateKeyOpenssh));
                    run("ssh-keygen", ["-p", "-P", passphrase, "-N", newPassphrase, "-f", file]);
                    return readFileSync(file, "utf8");
                });
                const header = opensshKeyHeader(theirs);
                assert.deepStrictEqual([header.cipher, header.kdf], [ours.cipher, ours.kdf]);
                assert.deepStrictEqual(kdfOptions(String(outs().privateKeyOpenssh)), kdfOptions(theirs));
                assert.deepStrictEqual(kdfOptions(theirs), { saltBytes: 16, rounds: 16 });
            });

            it("ssh-keygen -y -P opens privateKeyOpenssh with the passphrase only", async () => {
                await withTempDir((dir) => {
                    const key = String(outs().privateKeyOpenssh);
                    assert.deepStrictEqual(sshPublicKey(dir, key, passphrase), { status: 0, line: outs().publicKeyOpenssh });
                    assert.notStrictEqual(sshPublicKey(dir, key, "").status, 0, "opened without a passphrase");
                    assert.notStrictEqual(sshPublicKey(dir, key, newPassphrase).status, 0, "opened with a wrong passphrase");
                });
            });

            it("openssl pkey -passin opens privateKeyBody, encrypted PKCS#8 with scrypt and AES-256-CBC as openssl writes it, with the passphrase only", async () => {
                const body = String(outs().privateKeyBody);
                assertArmour(body, "ENCRYPTED PRIVATE KEY");
                await withTempDir((dir) => {
                    const file = writePrivateFile(dir, "p8", body);
                    const structure = asn1Shape(run("openssl", ["asn1parse", "-in", file]).stdout);
                    // What `openssl pkcs8 -topk8 -scrypt` writes with the same cost, but for its 8-byte salt.
                    const plainFile = writePrivateFile(dir, "plain", String(opensslDecrypted(dir, body, passphrase).pem));
                    const scrypt = [
                        "-scrypt",
                        "-scrypt_N",
                        String(scryptCost.N),
                        "-scrypt_r",
                        String(scryptCost.r),
                        "-scrypt_p",
                        String(scryptCost.p),
                    ];
                    const theirs = run("openssl", [
                        "pkcs8",
                        "-topk8",
                        "-in",
                        plainFile,
                        ...scrypt,
                        "-passout",
                        `pass:${passphrase}`,
                    ]).stdout;
                    const theirStructure = asn1Shape(run("openssl", ["asn1parse", "-in", writePrivateFile(dir, "theirs", theirs)]).stdout);
                    assert.deepStrictEqual(
                        structure,
                        theirStructure.map((line) => line.replace("OCTET STRING 8", "OCTET STRING 16")),
                    );
                    assert.deepStrictEqual(structure.slice(0, 11), [
                        "SEQUENCE",
                        "SEQUENCE",
                        "OBJECT :PBES2",
                        "SEQUENCE",
                        "SEQUENCE",
                        "OBJECT :scrypt",
                        "SEQUENCE",
                        "OCTET STRING 16",
                        "INTEGER :4000",
                        "INTEGER :08",
                        "INTEGER :04",
                    ]);
                    const opened = opensslDecrypted(dir, body, passphrase);
                    assert.strictEqual(opened.status, 0);
                    // What OpenSSL decrypted is the pair's key.
                    assert.strictEqual(keyMaterialOf(opened.pem).publicKeyOpenssh, outs().publicKeyOpenssh);
                    assert.notStrictEqual(opensslDecrypted(dir, body, "").status, 0, "opened without a passphrase");
                    assert.notStrictEqual(opensslDecrypted(dir, body, newPassphrase).status, 0, "opened with a wrong passphrase");
                });
            });

            if (entry.label !== "ed25519") {
                // OpenSSH reads no Ed25519 key from PKCS#8 at all, encrypted or not.
                it("ssh-keygen -y -P opens privateKeyBody too", async () => {
                    await withTempDir((dir) => {
                        const body = String(outs().privateKeyBody);
                        assert.deepStrictEqual(sshPublicKey(dir, body, passphrase), { status: 0, line: outs().publicKeyOpenssh });
                        assert.notStrictEqual(sshPublicKey(dir, body, newPassphrase).status, 0, "opened with a wrong passphrase");
                    });
                });
            }
        });
    }

    describe("check", () => {
        /** The single failure check reports; it names no property, so the engine prints no value. */
        async function failure(news: Raw) {
            const { failures } = await provider.check({}, news);
            assert.strictEqual(failures?.length, 1, JSON.stringify(failures?.map((f) => f.property)));
            assert.strictEqual(failures[0].property, "");
            return failures[0].reason;
        }

        it("refuses an empty passphrase, or one that is not a string, naming the field and the rule", async () => {
            for (const given of ["", 12345678, true]) {
                const reason = await failure({ keyPairName: "ab", privateKeyPassphrase: given });
                assert.match(reason, /^InvalidParameter\.PrivateKeyPassphrase: .*privateKeyPassphrase must be a non-empty string; omit it/);
            }
        });

        it("refuses a passphrase for an imported key, without quoting it", async () => {
            const publicKey = await sshKeygenPublicKey(["-t", "ed25519"]);
            const reason = await failure({ keyPairName: "ab", publicKey, privateKeyPassphrase: passphrase });
            assert.match(reason, /privateKeyPassphrase applies only to generated pairs: an imported publicKey has no private key/);
            for (let i = 0; i + 16 <= passphrase.length; i++) {
                assert.ok(!reason.includes(passphrase.slice(i, i + 16)), "the reason quotes the passphrase");
            }
        });

        it("keeps a passphrase that is not known until deployment unknown", async () => {
            const { inputs, failures } = await provider.check({}, { keyPairName: "ab", privateKeyPassphrase: unknownValue });
            assert.deepStrictEqual(failures, []);
            assert.strictEqual((inputs as Raw).privateKeyPassphrase, unknownValue);
        });
    });

    describe("changing the passphrase", () => {
        let original: CreatedPair;

        before(async () => {
            original = await checkAndCreate(provider, { keyPairName: "rekey", keyType: "ed25519", privateKeyPassphrase: passphrase });
        });

        /** Check, diff and update as the engine does for new inputs; asserts the pair is updated, not replaced. */
        async function update(from: CreatedPair, news: Raw): Promise<CreatedPair> {
            const { inputs } = await provider.check(from.inputs, news);
            const diff = await provider.diff(from.id, from.outs, inputs as never);
            assert.deepStrictEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
            const { outs } = await provider.update(from.id, from.outs, inputs as never);
            return { id: from.id, inputs: inputs as Raw, outs: outs as KeyPairOutputs };
        }

        /** The fields that identify the key: they must survive any change of passphrase. */
        const identity = (outs: KeyPairOutputs) => [
            outs.keyPairId,
            outs.publicKeyOpenssh,
            outs.keyPairFingerPrint,
            outs.fingerprintSha256,
            outs.creationTime,
        ];

        it("re-encrypts the same key with a new passphrase, without replacing the pair", async () => {
            const changed = await update(original, { keyPairName: "rekey", keyType: "ed25519", privateKeyPassphrase: newPassphrase });
            assert.deepStrictEqual(identity(changed.outs), identity(original.outs));
            await withTempDir((dir) => {
                const key = String(changed.outs.privateKeyOpenssh);
                assert.deepStrictEqual(sshPublicKey(dir, key, newPassphrase), { status: 0, line: original.outs.publicKeyOpenssh });
                assert.notStrictEqual(sshPublicKey(dir, key, passphrase).status, 0, "the old passphrase still opens it");
                assert.strictEqual(opensslDecrypted(dir, String(changed.outs.privateKeyBody), newPassphrase).status, 0);
                assert.notStrictEqual(opensslDecrypted(dir, String(changed.outs.privateKeyBody), passphrase).status, 0);
            });
            assert.strictEqual((await provider.read(changed.id, changed.outs)).id, changed.id);
        });

        it("removing the passphrase leaves the same key unencrypted, and setting one again encrypts it", async () => {
            const plain = await update(original, { keyPairName: "rekey", keyType: "ed25519" });
            assert.deepStrictEqual(identity(plain.outs), identity(original.outs));
            assert.strictEqual(plain.outs.privateKeyPassphrase, undefined);
            assertArmour(plain.outs.privateKeyBody, "PRIVATE KEY");
            assert.strictEqual(opensshKeyHeader(String(plain.outs.privateKeyOpenssh)).cipher, "none");
            await withTempDir((dir) => {
                assert.deepStrictEqual(sshPublicKey(dir, String(plain.outs.privateKeyOpenssh), ""), {
                    status: 0,
                    line: original.outs.publicKeyOpenssh,
                });
            });
            const again = await update(plain, { keyPairName: "rekey", keyType: "ed25519", privateKeyPassphrase: passphrase });
            assert.deepStrictEqual(identity(again.outs), identity(original.outs));
            assertArmour(again.outs.privateKeyBody, "ENCRYPTED PRIVATE KEY");
            assert.strictEqual(opensshKeyHeader(String(again.outs.privateKeyOpenssh)).cipher, "aes256-ctr");
        });

        it("an unchanged passphrase is no change", async () => {
            const { inputs } = await provider.check(original.inputs, {
                keyPairName: "rekey",
                keyType: "ed25519",
                privateKeyPassphrase: passphrase,
            });
            assert.deepStrictEqual(await provider.diff(original.id, original.outs, inputs as never), {
                changes: false,
                replaces: [],
                deleteBeforeReplace: false,
            });
        });
    });

    describe("read checks encrypted state without printing it", () => {
        let state: KeyPairOutputs;
        let plain: KeyPairOutputs;
        let secrets: string[];

        before(async () => {
            state = (await checkAndCreate(provider, { keyPairName: "state", keyType: "ecdsa", privateKeyPassphrase: passphrase })).outs;
            plain = (await checkAndCreate(provider, { keyPairName: "state", keyType: "ecdsa" })).outs;
            secrets = [state.privateKeyBody, state.privateKeyOpenssh, plain.privateKeyBody, plain.privateKeyOpenssh].map(String);
        });

        async function expectCorrupt(corrupt: KeyPairOutputs, fragment: string) {
            await assert.rejects(provider.read(corrupt.keyPairId, corrupt), (err: Error) => {
                assert.ok(err.message.includes("is corrupt") && err.message.includes(fragment), err.message);
                assertNoKeyMaterial(err.message, ...secrets);
                assert.ok(!err.message.includes(passphrase.slice(0, 16)), "the message quotes the passphrase");
                return true;
            });
        }

        it("passes encrypted state as it is", async () => {
            assert.deepStrictEqual(await provider.read(state.keyPairId, { ...state }), { id: state.keyPairId, props: state });
        });

        it("reads, and re-encrypts with scrypt on a new passphrase, a privateKeyBody encrypted as earlier releases did (PBKDF2, 2048 iterations)", async () => {
            const key = createPrivateKey({ key: String(state.privateKeyBody), format: "pem", passphrase });
            // What Node's export wrote, and this provider with it until scrypt.
            const old = {
                ...state,
                privateKeyBody: key.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase }) as string,
            };
            const structure = await withTempDir(
                (dir) => run("openssl", ["asn1parse", "-in", writePrivateFile(dir, "old", old.privateKeyBody)]).stdout,
            );
            assert.match(structure, /:PBKDF2[\s\S]*INTEGER\s+:0800/);
            assert.deepStrictEqual(await provider.read(old.keyPairId, { ...old }), { id: old.keyPairId, props: old });
            const news = { keyPairName: "state", keyType: "ecdsa", privateKeyPassphrase: newPassphrase };
            const { inputs } = await provider.check(old, news);
            const updated = (await provider.update(old.keyPairId, old, inputs as never)).outs as KeyPairOutputs;
            await withTempDir((dir) => {
                const file = writePrivateFile(dir, "new", String(updated.privateKeyBody));
                assert.match(run("openssl", ["asn1parse", "-in", file]).stdout, /:scrypt/);
                assert.strictEqual(
                    keyMaterialOf(opensslDecrypted(dir, String(updated.privateKeyBody), newPassphrase).pem).publicKeyOpenssh,
                    state.publicKeyOpenssh,
                );
            });
        });

        it("reports a wrong passphrase in state", async () => {
            await expectCorrupt(
                { ...state, privateKeyPassphrase: newPassphrase },
                "privateKeyBody does not decrypt with privateKeyPassphrase",
            );
        });

        it("reports private keys left unencrypted though a passphrase is set", async () => {
            await expectCorrupt(
                { ...plain, privateKeyPassphrase: passphrase },
                "privateKeyBody is not encrypted though privateKeyPassphrase is set",
            );
            await expectCorrupt(
                { ...state, privateKeyOpenssh: plain.privateKeyOpenssh },
                "privateKeyOpenssh is not encrypted with aes256-ctr and bcrypt though privateKeyPassphrase is set",
            );
        });

        it("reports an encrypted privateKeyOpenssh of another key, and encrypted keys without their passphrase", async () => {
            const other = (await checkAndCreate(provider, { keyPairName: "other", keyType: "ecdsa", privateKeyPassphrase: passphrase }))
                .outs;
            await expectCorrupt(
                { ...state, privateKeyOpenssh: other.privateKeyOpenssh },
                "privateKeyOpenssh and privateKeyBody are different keys",
            );
            const withoutPassphrase: KeyPairOutputs = { ...state };
            delete withoutPassphrase.privateKeyPassphrase;
            await expectCorrupt(withoutPassphrase, "privateKeyBody does not parse");
        });
    });

    describe("in the ens backend", () => {
        const ensServer = useEnsServer(provider);

        it("encrypts the key ENS returns before it becomes an output, and re-encrypts it on a new passphrase", async () => {
            const news = { keyPairName: "ens-encrypted", privateKeyPassphrase: passphrase };
            const created = await checkAndCreate(provider, news);
            const [held] = ensServer()
                .listKeyPairs()
                .filter((p) => p.keyPairName === "ens-encrypted");
            assert.strictEqual(held?.keyPairFingerPrint, created.outs.keyPairFingerPrint);
            assertArmour(created.outs.privateKeyBody, "ENCRYPTED PRIVATE KEY");
            await withTempDir((dir) => {
                assert.deepStrictEqual(sshPublicKey(dir, String(created.outs.privateKeyOpenssh), passphrase), {
                    status: 0,
                    line: created.outs.publicKeyOpenssh,
                });
                assert.strictEqual(opensslDecrypted(dir, String(created.outs.privateKeyBody), passphrase).status, 0);
            });
            // Refresh verifies the encrypted state against ENS's fingerprint.
            assert.strictEqual((await provider.read(created.id, created.outs)).id, created.id);

            const { inputs } = await provider.check(created.inputs, { ...news, privateKeyPassphrase: newPassphrase });
            assert.deepStrictEqual((await provider.diff(created.id, created.outs, inputs as never)).replaces, []);
            const updated = (await provider.update(created.id, created.outs, inputs as never)).outs as KeyPairOutputs;
            assert.strictEqual(updated.keyPairId, created.id);
            assert.strictEqual(updated.keyPairFingerPrint, held.keyPairFingerPrint);
            await withTempDir((dir) => {
                assert.strictEqual(sshPublicKey(dir, String(updated.privateKeyOpenssh), newPassphrase).status, 0);
            });
            assert.deepStrictEqual(
                ensServer()
                    .listKeyPairs()
                    .map((p) => p.keyPairId),
                [created.id],
                "ENS still holds exactly the one pair",
            );
            await provider.delete(created.id, updated);
        });
    });
});
