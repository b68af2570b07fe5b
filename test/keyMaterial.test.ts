/**
 * Generated key material cross-checked against real OpenSSH (ssh-keygen) and OpenSSL for every
 * key type and size, and the hand-written SSH encodings cross-checked against sshpk.
 */
import * as assert from "assert";
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "crypto";
import { readFileSync } from "fs";
import { join } from "path";
import * as sshpk from "sshpk";
import { fingerprints, fingerprintsOfBlob } from "../provider/keys/fingerprints";
import { generateKeyMaterial, KeyMaterial, keyMaterialOf } from "../provider/keys/material";
import { authorizedKeysLine, blobKeyType, opensshPrivateKey, publicKeyBlob, sshMpint, sshString } from "../provider/keys/sshWire";
import { expectEnsError } from "./helpers/ensErrors";
import { allSpecs, sharedKey, sshKeygenPublicKey } from "./helpers/keys";
import { run } from "./helpers/run";
import { withTempDir, writePrivateFile } from "./helpers/tempDir";
import { assertArmour, assertSameKey } from "./helpers/pem";

/** `ssh-keygen -l` output: `<bits> <fingerprint> <comment> (<TYPE>)`. */
function parseKeygenList(stdout: string): { bits: number; fingerprint: string } {
    const match = /^(\d+) (\S+) .*\(([A-Z0-9-]+)\)$/.exec(stdout.trim());
    assert.ok(match, `unexpected ssh-keygen -l output: ${stdout}`);
    return { bits: Number(match[1]), fingerprint: match[2] };
}

/** The base64 body of a public key line, decoded. */
function blobOf(line: string): Buffer {
    return Buffer.from(line.split(" ")[1], "base64");
}

describe("generated key material against OpenSSH and OpenSSL", function () {
    before(function () {
        // A missing tool must fail the run, not skip the checks.
        run("ssh-keygen", ["-?"], { allowFailure: true });
        run("openssl", ["version"]);
    });

    for (const { label, spec, sshType, sshBits, opensslHeader } of allSpecs) {
        describe(label, function () {
            let key: KeyMaterial;
            before(async function () {
                key = await sharedKey(spec);
            });

            it("has the documented shapes", () => {
                assertArmour(key.privateKeyBody, "PRIVATE KEY");
                assert.ok(key.privateKeyBody.endsWith("-----END PRIVATE KEY-----\n"));
                assertArmour(key.privateKeyOpenssh, "OPENSSH PRIVATE KEY");
                assert.ok(key.privateKeyOpenssh.endsWith("-----END OPENSSH PRIVATE KEY-----\n"));
                assert.match(key.publicKeyOpenssh, new RegExp(`^${sshType} [A-Za-z0-9+/]+={0,2}$`));
                assert.match(key.keyPairFingerPrint, /^[0-9a-f]{32}$/);
                assert.match(key.fingerprintMd5, /^[0-9a-f]{2}(:[0-9a-f]{2}){15}$/);
                assert.match(key.fingerprintSha256, /^SHA256:[A-Za-z0-9+/]{43}$/);
                assert.strictEqual(key.keyPairFingerPrint, key.fingerprintMd5.replace(/:/g, ""));
            });

            it("has the fingerprints ssh-keygen -l prints, SHA256 and MD5", () =>
                withTempDir((dir) => {
                    const pub = writePrivateFile(dir, "key.pub", key.publicKeyOpenssh + "\n");
                    const sha = parseKeygenList(run("ssh-keygen", ["-l", "-f", pub]).stdout);
                    assert.strictEqual(sha.fingerprint, key.fingerprintSha256);
                    assert.strictEqual(sha.bits, sshBits);
                    const md5 = parseKeygenList(run("ssh-keygen", ["-l", "-E", "md5", "-f", pub]).stdout);
                    assert.strictEqual(md5.fingerprint, `MD5:${key.fingerprintMd5}`);
                    assert.strictEqual(md5.fingerprint.slice(4).replace(/:/g, ""), key.keyPairFingerPrint);
                }));

            it("ssh-keygen -y on privateKeyOpenssh gives back publicKeyOpenssh", () =>
                withTempDir((dir) => {
                    const path = writePrivateFile(dir, "id_key", key.privateKeyOpenssh);
                    assert.strictEqual(run("ssh-keygen", ["-y", "-f", path]).stdout.trim(), key.publicKeyOpenssh);
                }));

            if (spec.keyType !== "ed25519") {
                it("ssh-keygen -y on privateKeyBody (PKCS#8) gives back publicKeyOpenssh", () =>
                    withTempDir((dir) => {
                        const path = writePrivateFile(dir, "key.pem", key.privateKeyBody);
                        assert.strictEqual(run("ssh-keygen", ["-y", "-f", path]).stdout.trim(), key.publicKeyOpenssh);
                    }));
            }

            it("openssl pkey parses privateKeyBody, finds it valid and reports the requested size or curve", () =>
                withTempDir((dir) => {
                    const path = writePrivateFile(dir, "key.pem", key.privateKeyBody);
                    const text = run("openssl", ["pkey", "-in", path, "-noout", "-text"]).stdout;
                    assert.match(text, opensslHeader);
                    if (spec.keyType === "rsa") {
                        assert.match(text, /publicExponent: 65537 \(0x10001\)/);
                    }
                    assert.match(run("openssl", ["pkey", "-in", path, "-noout", "-check"]).stdout, /Key is valid/);
                }));

            it("privateKeyBody holds the same key as publicKeyOpenssh, by openssl's public key", () =>
                withTempDir((dir) => {
                    const path = writePrivateFile(dir, "key.pem", key.privateKeyBody);
                    const spki = join(dir, "pub.pem");
                    run("openssl", ["pkey", "-in", path, "-pubout", "-out", spki]);
                    if (spec.keyType === "ed25519") {
                        // ssh-keygen cannot convert Ed25519 SPKI; the raw key is the last 32 bytes of both encodings.
                        const der = createPublicKey(readFileSync(spki, "utf8")).export({ type: "spki", format: "der" });
                        assert.deepStrictEqual(der.subarray(-32), blobOf(key.publicKeyOpenssh).subarray(-32));
                    } else {
                        assert.strictEqual(run("ssh-keygen", ["-i", "-m", "PKCS8", "-f", spki]).stdout.trim(), key.publicKeyOpenssh);
                    }
                }));

            it("OpenSSH signs with privateKeyOpenssh and verifies with publicKeyOpenssh", () =>
                withTempDir((dir) => {
                    const path = writePrivateFile(dir, "id_key", key.privateKeyOpenssh);
                    const data = writePrivateFile(dir, "data", "payload\n");
                    run("ssh-keygen", ["-Y", "sign", "-q", "-f", path, "-n", "file", data]);
                    const signers = writePrivateFile(dir, "allowed_signers", `tester ${key.publicKeyOpenssh}\n`);
                    const verified = run("ssh-keygen", ["-Y", "verify", "-f", signers, "-I", "tester", "-n", "file", "-s", `${data}.sig`], {
                        input: "payload\n",
                    });
                    assert.match(verified.stdout, /Good "file" signature for tester/);
                }));

            it("fingerprints() of the public line agree with the generated ones and with sshpk", () => {
                const fromLine = fingerprints(key.publicKeyOpenssh);
                assert.deepStrictEqual(fromLine, {
                    keyPairFingerPrint: key.keyPairFingerPrint,
                    fingerprintMd5: key.fingerprintMd5,
                    fingerprintSha256: key.fingerprintSha256,
                });
                const parsed = sshpk.parseKey(key.publicKeyOpenssh, "ssh");
                assert.strictEqual(parsed.fingerprint("sha256").toString(), key.fingerprintSha256);
                assert.strictEqual(parsed.fingerprint("md5").toString(), key.fingerprintMd5);
            });

            it("encodes the public blob as sshpk does", () => {
                const privateKey = createPrivateKey(key.privateKeyBody);
                const { type, blob } = publicKeyBlob(privateKey);
                const bySshpk = sshpk.parseKey(createPublicKey(privateKey).export({ type: "spki", format: "pem" }), "pem");
                assert.strictEqual(type, sshType);
                assert.deepStrictEqual(blob, bySshpk.toBuffer("rfc4253", {}));
                assert.strictEqual(blobKeyType(blob), type);
                assert.strictEqual(authorizedKeysLine(blob), key.publicKeyOpenssh);
                // A public KeyObject encodes to the same blob.
                assert.deepStrictEqual(publicKeyBlob(createPublicKey(privateKey)).blob, blob);
            });

            it("privateKeyOpenssh and privateKeyBody hold the same private key, by sshpk", () => {
                const fromOpenssh = sshpk.parsePrivateKey(key.privateKeyOpenssh, "openssh");
                const fromPkcs8 = sshpk.parsePrivateKey(key.privateKeyBody, "pkcs8");
                assert.strictEqual(fromOpenssh.type, fromPkcs8.type);
                // Integers compare by value: an mpint has a leading zero byte where the top bit is set.
                const parts = (k: sshpk.PrivateKey) =>
                    Object.fromEntries(k.parts.map((p) => [p.name, p.data.toString("hex").replace(/^(00)+/, "")]));
                const a = parts(fromOpenssh);
                const b = parts(fromPkcs8);
                // The OpenSSH format carries no CRT exponents (dmodp, dmodq); every part it has must match.
                assert.ok(Object.keys(a).length >= 2);
                for (const name of Object.keys(a)) {
                    assert.strictEqual(a[name], b[name], `part ${name} differs`);
                }
            });

            it("keyMaterialOf re-derives the same public key and fingerprints from privateKeyBody", () => {
                const again = keyMaterialOf(key.privateKeyBody);
                assertSameKey(again.privateKeyBody, key.privateKeyBody, "re-derived privateKeyBody");
                assert.strictEqual(again.publicKeyOpenssh, key.publicKeyOpenssh);
                assert.strictEqual(again.fingerprintSha256, key.fingerprintSha256);
                assert.strictEqual(again.keyPairFingerPrint, key.keyPairFingerPrint);
            });
        });
    }
});

describe("generateKeyMaterial", () => {
    it("makes an RSA 2048 key by default", async function () {
        const key = await generateKeyMaterial();
        assert.ok(key.publicKeyOpenssh.startsWith("ssh-rsa "));
        assert.strictEqual(sshpk.parseKey(key.publicKeyOpenssh, "ssh").size, 2048);
    });

    it("makes a P256 key for ecdsa without a curve", async () => {
        const key = await generateKeyMaterial({ keyType: "ecdsa" });
        assert.ok(key.publicKeyOpenssh.startsWith("ecdsa-sha2-nistp256 "), key.publicKeyOpenssh);
    });

    it("makes a new key on every call", async () => {
        const [a, b] = await Promise.all([generateKeyMaterial({ keyType: "ed25519" }), generateKeyMaterial({ keyType: "ed25519" })]);
        assert.notStrictEqual(a.publicKeyOpenssh, b.publicKeyOpenssh);
        assert.ok(a.privateKeyBody !== b.privateKeyBody, "two generations gave the same key");
    });

    it("rejects an unknown key type", async () => {
        await assert.rejects(
            generateKeyMaterial({ keyType: "dsa" as never }),
            /InvalidParameter.KeyType: .*keyType must be one of "rsa", "ed25519", "ecdsa"/,
        );
    });

    it("keeps the event loop turning while an RSA key is generated", async function () {
        let ticks = 0;
        let spinning = true;
        const spin = () => {
            ticks++;
            if (spinning) {
                setImmediate(spin);
            }
        };
        setImmediate(spin);
        try {
            await generateKeyMaterial({ keyType: "rsa", rsaBits: 2048 });
        } finally {
            spinning = false;
        }
        // Synchronous generation would let the loop turn at most once or twice.
        assert.ok(ticks > 20, `the event loop turned only ${ticks} times during generation`);
    });
});

describe("keyMaterialOf", () => {
    it("accepts PKCS#1 and SEC1 PEM, as ENS returns them, with the same result as PKCS#8", async function () {
        for (const spec of [
            { keyType: "rsa", rsaBits: 2048 },
            { keyType: "ecdsa", ecdsaCurve: "P384" },
        ] as const) {
            const key = await sharedKey(spec);
            const legacy = createPrivateKey(key.privateKeyBody).export({
                type: spec.keyType === "rsa" ? "pkcs1" : "sec1",
                format: "pem",
            }) as string;
            assertArmour(legacy, spec.keyType === "rsa" ? "RSA PRIVATE KEY" : "EC PRIVATE KEY");
            const again = keyMaterialOf(legacy);
            assertSameKey(again.privateKeyBody, key.privateKeyBody, "re-derived privateKeyBody");
            assert.strictEqual(again.publicKeyOpenssh, key.publicKeyOpenssh);
            assert.strictEqual(again.keyPairFingerPrint, key.keyPairFingerPrint);
        }
    });
});

describe("fingerprints", () => {
    it("agree with ssh-keygen and sshpk for keys ssh-keygen made", async () => {
        for (const args of [
            ["-t", "ed25519"],
            ["-t", "ecdsa", "-b", "521"],
            ["-t", "rsa", "-b", "2048"],
        ]) {
            await withTempDir(async (dir) => {
                const line = await sshKeygenPublicKey(args, "someone@example");
                const pub = writePrivateFile(dir, "key.pub", line + "\n");
                const fp = fingerprints(line);
                assert.strictEqual(parseKeygenList(run("ssh-keygen", ["-l", "-f", pub]).stdout).fingerprint, fp.fingerprintSha256);
                assert.strictEqual(
                    parseKeygenList(run("ssh-keygen", ["-l", "-E", "md5", "-f", pub]).stdout).fingerprint,
                    `MD5:${fp.fingerprintMd5}`,
                );
                const parsed = sshpk.parseKey(line, "ssh");
                assert.strictEqual(parsed.fingerprint("sha256").toString(), fp.fingerprintSha256);
                assert.strictEqual(parsed.fingerprint("md5").toString(), fp.fingerprintMd5);
            });
        }
    });

    it("ignore the comment and surrounding white space", async () => {
        const key = await sharedKey({ keyType: "ed25519" });
        assert.deepStrictEqual(fingerprints(`  ${key.publicKeyOpenssh} a comment with spaces \n`), fingerprints(key.publicKeyOpenssh));
    });

    it("are the MD5 and SHA-256 digests of the blob (RFC 4716 example shape)", () => {
        const blob = Buffer.from("hello");
        assert.deepStrictEqual(fingerprintsOfBlob(blob), {
            keyPairFingerPrint: "5d41402abc4b2a76b9719d911017c592",
            fingerprintMd5: "5d:41:40:2a:bc:4b:2a:76:b9:71:9d:91:10:17:c5:92",
            fingerprintSha256: "SHA256:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ",
        });
    });

    const bad: [string, string][] = [
        ["an empty string", ""],
        ["a type without a key", "ssh-ed25519"],
        ["garbage", "not a key at all"],
        ["a blob of another type", "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQC"],
        ["a too-short blob", "ssh-rsa AAA="],
    ];
    for (const [title, line] of bad) {
        it(`reject ${title} with InvalidParameter.PublicKeyBody`, () => {
            expectEnsError(() => fingerprints(line), "InvalidParameter.PublicKeyBody", "not an OpenSSH public key line");
        });
    }
});

describe("SSH wire encodings", () => {
    it("encode strings with a 32-bit length (RFC 4251)", () => {
        assert.strictEqual(sshString("ssh-rsa").toString("hex"), "00000007" + Buffer.from("ssh-rsa").toString("hex"));
        assert.strictEqual(sshString(Buffer.alloc(0)).toString("hex"), "00000000");
    });

    it("encode mpints as RFC 4251's examples", () => {
        assert.strictEqual(sshMpint(Buffer.alloc(0)).toString("hex"), "00000000");
        assert.strictEqual(sshMpint(Buffer.from("00", "hex")).toString("hex"), "00000000");
        assert.strictEqual(sshMpint(Buffer.from("09a378f9b2e332a7", "hex")).toString("hex"), "0000000809a378f9b2e332a7");
        assert.strictEqual(sshMpint(Buffer.from("80", "hex")).toString("hex"), "000000020080");
        assert.strictEqual(sshMpint(Buffer.from("000080", "hex")).toString("hex"), "000000020080");
        assert.strictEqual(sshMpint(Buffer.from("00007f", "hex")).toString("hex"), "000000017f");
    });

    it("write OpenSSH private keys that sshpk reads back, with the comment and 8-byte padding", () => {
        const { privateKey } = generateKeyPairSync("ed25519");
        const { pem, publicBlob } = opensshPrivateKey(privateKey, "me@host");
        assert.strictEqual(blobKeyType(publicBlob), "ssh-ed25519");
        const parsed = sshpk.parsePrivateKey(pem, "openssh");
        assert.strictEqual(parsed.comment, "me@host");
        assert.deepStrictEqual(parsed.toPublic().toBuffer("rfc4253", {}), publicBlob);
        for (const line of pem.trim().split("\n").slice(1, -1)) {
            assert.ok(line.length <= 70, "PEM lines are at most 70 characters, as ssh-keygen writes them");
        }
    });

    it("read the key type a blob names, and nothing from a blob without a whole first string", () => {
        const blob = Buffer.concat([sshString("ssh-ed25519"), sshString(Buffer.alloc(32))]);
        assert.strictEqual(blobKeyType(blob), "ssh-ed25519");
        for (const broken of [Buffer.alloc(0), Buffer.from([0, 0, 0]), blob.subarray(0, 10)]) {
            assert.strictEqual(blobKeyType(broken), undefined, broken.toString("hex"));
            assert.throws(() => authorizedKeysLine(broken), /not an SSH public key blob/);
        }
    });

    it("refuse keys SSH has no encoding for", () => {
        const { privateKey } = generateKeyPairSync("x25519");
        assert.throws(() => publicKeyBlob(privateKey), /unsupported/);
        const secp256k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" });
        assert.throws(() => publicKeyBlob(secp256k1.privateKey), /unsupported EC curve/);
    });
});
