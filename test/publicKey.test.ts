/** Imported public keys (ENS's ImportKeyPair): what parsePublicKey accepts and how it refuses the rest. */
import * as assert from "assert";
import { createPrivateKey, generateKeyPairSync } from "crypto";
import * as sshpk from "sshpk";
import { fingerprints } from "../provider/keys/fingerprints";
import { parsePublicKey } from "../provider/keys/importedKey";
import { generateKeyMaterial } from "../provider/keys/material";
import { opensshKeyHeader, opensshPublicLine, pem } from "../provider/keys/sshWire";
import { expectEnsError } from "./helpers/ensErrors";
import { allSpecs, sharedKey, sshKeygenKey, sshKeygenPublicKey } from "./helpers/keys";
import { assertNoKeyMaterial } from "./helpers/leaks";

const code = "InvalidParameter.PublicKeyBody";

/** A public key line (with sshpk's default comment) for a Node public key. */
function lineOf(publicKey: { export(options: { type: "spki"; format: "pem" }): string | Buffer }): string {
    return sshpk.parseKey(publicKey.export({ type: "spki", format: "pem" }), "pem").toString("ssh");
}

/** The line with its base64 blob replaced by `edit(blob)`. */
function withBlob(line: string, edit: (blob: Buffer) => Buffer): string {
    const [type, data] = line.split(" ");
    return `${type} ${edit(Buffer.from(data, "base64")).toString("base64")}`;
}

describe("parsePublicKey", () => {
    describe("accepts keys ssh-keygen made, with their comment", () => {
        const cases: [string, string[], { keyType: string; rsaBits?: number; ecdsaCurve?: string }][] = [
            ["RSA 2048", ["-t", "rsa", "-b", "2048"], { keyType: "rsa", rsaBits: 2048 }],
            ["RSA 3072", ["-t", "rsa", "-b", "3072"], { keyType: "rsa", rsaBits: 3072 }],
            ["Ed25519", ["-t", "ed25519"], { keyType: "ed25519" }],
            ["ECDSA P256", ["-t", "ecdsa", "-b", "256"], { keyType: "ecdsa", ecdsaCurve: "P256" }],
            ["ECDSA P384", ["-t", "ecdsa", "-b", "384"], { keyType: "ecdsa", ecdsaCurve: "P384" }],
            ["ECDSA P521", ["-t", "ecdsa", "-b", "521"], { keyType: "ecdsa", ecdsaCurve: "P521" }],
        ];
        for (const [title, args, expected] of cases) {
            it(title, async function () {
                const line = await sshKeygenPublicKey(args, "deploy key@build host");
                assert.ok(line.endsWith(" deploy key@build host"), "ssh-keygen wrote the comment");
                const parsed = parsePublicKey(line);
                const [type, base64] = line.split(" ");
                assert.deepStrictEqual(parsed, { ...expected, publicKeyOpenssh: `${type} ${base64}` });
                assert.deepStrictEqual(fingerprints(parsed.publicKeyOpenssh), fingerprints(line));
            });
        }
    });

    describe("accepts every generated key, without a comment", () => {
        for (const { label, spec, sshType } of allSpecs) {
            it(label, async function () {
                const key = await sharedKey(spec);
                const parsed = parsePublicKey(key.publicKeyOpenssh);
                assert.strictEqual(parsed.publicKeyOpenssh, key.publicKeyOpenssh);
                assert.strictEqual(parsed.keyType, spec.keyType);
                assert.strictEqual(parsed.rsaBits, spec.rsaBits);
                assert.strictEqual(parsed.ecdsaCurve, spec.ecdsaCurve);
                assert.ok(parsed.publicKeyOpenssh.startsWith(`${sshType} `));
            });
        }
    });

    describe("normalises white space and comments", () => {
        let line: string;
        before(async () => {
            line = (await sharedKey({ keyType: "ed25519" })).publicKeyOpenssh;
        });
        const variants: [string, (l: string) => string][] = [
            ["a trailing newline", (l) => `${l}\n`],
            ["CRLF", (l) => `${l}\r\n`],
            ["surrounding spaces", (l) => `   ${l}   `],
            ["a tab between type and key", (l) => l.replace(" ", "\t")],
            ["a comment with spaces", (l) => `${l} my laptop (work)`],
            ["a comment that looks like a key", (l) => `${l} ssh-rsa AAAAB3NzaC1yc2E`],
        ];
        for (const [title, edit] of variants) {
            it(title, () => {
                assert.strictEqual(parsePublicKey(edit(line)).publicKeyOpenssh, line);
            });
        }
    });

    describe("refuses", () => {
        let rsa: string;
        let ed: string;
        before(async function () {
            rsa = (await sharedKey({ keyType: "rsa", rsaBits: 2048 })).publicKeyOpenssh;
            ed = (await sharedKey({ keyType: "ed25519" })).publicKeyOpenssh;
        });

        const notALine = "must be an OpenSSH public key line";
        for (const [title, value] of [
            ["undefined", undefined],
            ["null", null],
            ["the empty string", ""],
            ["blanks", " \n\t "],
            ["a number", 42],
            ["an object", {}],
        ] as [string, unknown][]) {
            it(title, () => {
                expectEnsError(() => parsePublicKey(value), code, "publicKey", notALine);
            });
        }

        it("garbage", () => {
            expectEnsError(() => parsePublicKey("hello world"), code, "publicKey", "is not a parsable OpenSSH public key line");
            expectEnsError(() => parsePublicKey("ssh-rsa !!!!!!!!"), code, "publicKey", "is not a parsable OpenSSH public key line");
            expectEnsError(() => parsePublicKey("ssh-rsa"), code, "publicKey", "is not a parsable OpenSSH public key line");
            expectEnsError(() => parsePublicKey(Buffer.from("random bytes, not a key").toString("base64")), code, "publicKey");
        });

        it("an unknown key type name", () => {
            expectEnsError(() => parsePublicKey(rsa.replace("ssh-rsa", "ssh-foo")), code, "publicKey");
        });

        it("a type name that does not match the blob", () => {
            expectEnsError(() => parsePublicKey(`ssh-ed25519 ${rsa.split(" ")[1]}`), code, "publicKey");
            expectEnsError(() => parsePublicKey(`ssh-rsa ${ed.split(" ")[1]}`), code, "publicKey");
        });

        for (const cut of [1, 4, 10, 100, 300]) {
            it(`RSA base64 truncated by ${cut} characters`, () => {
                expectEnsError(() => parsePublicKey(rsa.slice(0, rsa.length - cut)), code, "publicKey", /truncated|damaged/);
            });
        }

        it("Ed25519 base64 truncated to its first half", () => {
            expectEnsError(() => parsePublicKey(ed.slice(0, Math.floor(ed.length / 2))), code, "publicKey", /truncated|damaged/);
        });

        it("a blob missing its last bytes, re-encoded as valid base64", () => {
            expectEnsError(() => parsePublicKey(withBlob(rsa, (b) => b.subarray(0, b.length - 1))), code, "publicKey", /truncated|damaged/);
            expectEnsError(() => parsePublicKey(withBlob(ed, (b) => b.subarray(0, b.length - 5))), code, "publicKey", /truncated|damaged/);
        });

        it("a blob with extra bytes", () => {
            expectEnsError(
                () => parsePublicKey(withBlob(ed, (b) => Buffer.concat([b, Buffer.from("extra")]))),
                code,
                "publicKey",
                "damaged or has extra bytes",
            );
            expectEnsError(
                () => parsePublicKey(withBlob(rsa, (b) => Buffer.concat([b, Buffer.alloc(3)]))),
                code,
                "publicKey",
                "damaged or has extra bytes",
            );
        });

        it("two keys on two lines", () => {
            expectEnsError(() => parsePublicKey(`${rsa}\n${ed}`), code, "publicKey", "must be a single line");
        });

        it("a key behind authorized_keys options, saying to give the key alone", () => {
            for (const options of ['no-pty,from="10.0.0.1"', 'command="echo a b"', "restrict"]) {
                const err = expectEnsError(
                    () => parsePublicKey(`${options} ${ed}`),
                    code,
                    "publicKey starts with authorized_keys options",
                    '"<type> <base64 key> [comment]"',
                );
                assert.ok(!err.message.includes("10.0.0.1") && !err.message.includes("echo"), "the input is not quoted");
            }
        });

        describe("a key of a type ENS does not import, naming the type and those it does", () => {
            const blob = Buffer.alloc(40, 1).toString("base64");
            for (const type of [
                "sk-ssh-ed25519@openssh.com",
                "sk-ecdsa-sha2-nistp256@openssh.com",
                "ssh-ed25519-cert-v01@openssh.com",
                "ssh-rsa-cert-v01@openssh.com",
                "ssh-dss",
            ]) {
                it(type, () => {
                    expectEnsError(
                        () => parsePublicKey(`${type} ${blob} user@host`),
                        code,
                        `publicKey is an ${type} key`,
                        "only RSA (ssh-rsa), Ed25519 (ssh-ed25519) and ECDSA (ecdsa-sha2-nistp256, -nistp384, -nistp521) keys are supported",
                    );
                });
            }
        });

        describe("a private key pasted in, without quoting it", () => {
            const formats: [string, (k: string) => string][] = [
                ["OpenSSH format", (k) => k],
                ["PKCS#8", (k) => k],
                ["PKCS#1", (k) => createPrivateKey(k).export({ type: "pkcs1", format: "pem" }) as string],
                [
                    "encrypted PKCS#8",
                    (k) => createPrivateKey(k).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }) as string,
                ],
            ];
            for (const [title, convert] of formats) {
                it(title, async () => {
                    const key = await sharedKey({ keyType: "rsa", rsaBits: 2048 });
                    const pasted = convert(title === "OpenSSH format" ? key.privateKeyOpenssh : key.privateKeyBody);
                    assert.match(pasted, /PRIVATE KEY/);
                    for (const value of [pasted, `  ${pasted.trim()}  `, pasted.replace(/\n/g, " ")]) {
                        const err = expectEnsError(() => parsePublicKey(value), code, "publicKey", "holds a private key");
                        assertNoKeyMaterial(err.message, pasted);
                        assertNoKeyMaterial(err.detail ?? "", pasted);
                    }
                });
            }

            it("the body of a private key without its armour", async () => {
                const key = await sharedKey({ keyType: "ed25519" });
                const body = key.privateKeyOpenssh.split("\n").filter((l) => l && !l.startsWith("-----"));
                for (const value of [body.join(""), body[0], `ssh-ed25519 ${body.join("")}`]) {
                    const err = expectEnsError(() => parsePublicKey(value), code, "publicKey");
                    assertNoKeyMaterial(err.message, key.privateKeyOpenssh);
                }
            });
        });

        it("an RSA 1024 key made by ssh-keygen, naming its size and the minimum", async () => {
            const line = await sshKeygenPublicKey(["-t", "rsa", "-b", "1024"]);
            expectEnsError(() => parsePublicKey(line), code, "publicKey", "is a 1024-bit RSA key", "must have 2048 to 16384 bits");
        });

        it("an RSA key one bit short of 2048", () => {
            const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2047 });
            expectEnsError(() => parsePublicKey(lineOf(publicKey)), code, "is a 2047-bit RSA key", "must have 2048 to 16384 bits");
        });

        it("a DSA key (made with Node's crypto, encoded by sshpk)", () => {
            // 1024 bits, the only size of OpenSSH's ssh-dss keys; a larger one's parameters can take
            // Node tens of seconds to generate on a busy machine.
            const { publicKey } = generateKeyPairSync("dsa", { modulusLength: 1024, divisorLength: 160 });
            const line = lineOf(publicKey);
            assert.ok(line.startsWith("ssh-dss "), line.slice(0, 20));
            expectEnsError(
                () => parsePublicKey(line),
                code,
                "publicKey is an ssh-dss key",
                "only RSA (ssh-rsa), Ed25519 (ssh-ed25519) and ECDSA",
            );
        });

        it("names the field it is told to", () => {
            expectEnsError(() => parsePublicKey("nope", "PublicKeyBody"), code, "PublicKeyBody is not a parsable");
        });
    });
});

describe("opensshPublicLine", () => {
    for (const { label, spec } of allSpecs) {
        it(`gives the public key line of a generated ${label} key`, async function () {
            const key = await sharedKey(spec);
            assert.strictEqual(opensshPublicLine(key.privateKeyOpenssh), key.publicKeyOpenssh);
        });
    }

    for (const args of [
        ["-t", "ed25519"],
        ["-t", "rsa", "-b", "3072"],
        ["-t", "ecdsa", "-b", "256"],
        ["-t", "ecdsa", "-b", "521"],
    ]) {
        it(`gives the public key line of a key ssh-keygen made (${args.join(" ")})`, async function () {
            this.timeout(60_000);
            const { privateKey, publicKey } = await sshKeygenKey(args, "someone@somewhere");
            assert.strictEqual(opensshPublicLine(privateKey), publicKey.split(" ").slice(0, 2).join(" "));
        });
    }

    /** The body of an OpenSSH private key, and where its private section starts in it. */
    const opened = (pem: string) => {
        const body = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, ""), "base64");
        const blob = opensshKeyHeader(pem).publicBlob;
        return { body, section: body.indexOf(blob) + blob.length + 4 };
    };
    const armoured = (body: Buffer) => pem("OPENSSH PRIVATE KEY", body, 70);

    it("reads the private section, not the clear part: a key spliced from two gives the private section's", async () => {
        const [a, b] = [await generateKeyMaterial({ keyType: "ed25519" }), await generateKeyMaterial({ keyType: "ed25519" })];
        const [ka, kb] = [opened(a.privateKeyOpenssh), opened(b.privateKeyOpenssh)];
        const spliced = Buffer.concat([ka.body.subarray(0, ka.section), kb.body.subarray(kb.section)]);
        assert.strictEqual(opensshKeyHeader(armoured(spliced)).publicBlob.toString("base64"), a.publicKeyOpenssh.split(" ")[1]);
        assert.strictEqual(opensshPublicLine(armoured(spliced)), b.publicKeyOpenssh);
    });

    it("refuses an encrypted key, a private section whose check integers differ, and a truncated one", async function () {
        this.timeout(60_000);
        const encrypted = await sshKeygenKey(["-t", "ed25519"], "", "a passphrase");
        assert.throws(() => opensshPublicLine(encrypted.privateKey), /the OpenSSH private key is encrypted/);
        const key = await generateKeyMaterial({ keyType: "ed25519" });
        const { body, section } = opened(key.privateKeyOpenssh);
        const damaged = Buffer.from(body);
        damaged[section] ^= 0xff;
        assert.throws(() => opensshPublicLine(armoured(damaged)), /check integers differ/);
        assert.throws(() => opensshPublicLine(armoured(body.subarray(0, section + 20))), /truncated OpenSSH private key/);
    });
});
