/**
 * Sizes and bit lengths, checked where keys are made and before anything parses an input: no key
 * of a size or curve the provider does not offer is ever made, whatever reaches key generation
 * (a create sent straight to the plugin once made a 512-bit key; test/plugin.test.ts sends one),
 * and `publicKey` and `privateKeyRecipients` have limits that fail with the field and the rule.
 */
import * as assert from "assert";
import { randomBytes } from "crypto";
import * as provider from "../provider/dynamic/implementation";
import { maxRecipientLength, maxRecipients } from "../provider/inputs";
import { maxPublicKeyLength } from "../provider/keys/importedKey";
import { generateKeyMaterial, KeySpec } from "../provider/keys/material";
import { expectEnsError } from "./helpers/ensErrors";

/** An SSH wire string: a length and the bytes. */
function wireString(bytes: Buffer): Buffer {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
}

/** A new age X25519 recipient. */
async function ageRecipient(): Promise<string> {
    const age = await import("age-encryption");
    return age.identityToRecipient(await age.generateIdentity());
}

/** The only failure of a check of `news`, which must name no property or `property`. */
async function onlyFailure(news: Record<string, unknown>, property: string) {
    const failures = (await provider.check({}, news)).failures ?? [];
    assert.strictEqual(failures.length, 1, JSON.stringify(failures.map((f) => f.reason.slice(0, 200))));
    assert.strictEqual(failures[0].property, property);
    return failures[0].reason;
}

describe("sizes and bit lengths", function () {
    this.timeout(60_000);

    describe("where keys are made", () => {
        const refused: [string, KeySpec, string][] = [
            ["a 512-bit RSA key", { keyType: "rsa", rsaBits: 512 }, "InvalidParameter.RsaBits"],
            ["a million-bit RSA key", { keyType: "rsa", rsaBits: 1e6 }, "InvalidParameter.RsaBits"],
            ["an RSA key of 2049 bits", { keyType: "rsa", rsaBits: 2049 }, "InvalidParameter.RsaBits"],
            ["a P-224 key", { keyType: "ecdsa", ecdsaCurve: "P224" as never }, "InvalidParameter.EcdsaCurve"],
            ["a DSA key", { keyType: "dsa" as never }, "InvalidParameter.KeyType"],
        ];
        for (const [title, spec, code] of refused) {
            it(`refuses to make ${title}, naming the field and its choices`, async () => {
                await assert.rejects(generateKeyMaterial(spec), (err: Error) => {
                    expectEnsError(
                        () => {
                            throw err;
                        },
                        code,
                        "must be one of",
                        "for a key the provider makes.",
                    );
                    return true;
                });
            });
        }

        it("a create given inputs no check resolved refuses them before any key is made", async () => {
            for (const rsaBits of [512, 1e6]) {
                await assert.rejects(
                    provider.create({ keyPairName: "unchecked", keyType: "rsa", rsaBits }),
                    /InvalidParameter\.RsaBits: .*rsaBits must be one of 2048, 3072, 4096; got /,
                );
            }
        });
    });

    describe("publicKey", () => {
        it(`is at most ${maxPublicKeyLength} characters, checked before it is parsed (a 50 MB value)`, async () => {
            const huge = `ssh-rsa ${"A".repeat(50 * 1024 * 1024)}`;
            const reason = await onlyFailure({ keyPairName: "ab", publicKey: huge }, "");
            assert.ok(
                reason.includes(
                    `publicKey must be at most ${maxPublicKeyLength} characters long, as a public key line is; it has ${huge.length}.`,
                ),
                reason,
            );
            assert.ok(reason.length < 400, reason.slice(0, 400));
        });

        it("holds an RSA key of at most 16384 bits, OpenSSH's limit", async () => {
            const modulus = Buffer.concat([Buffer.from([0x00, 0xc0]), randomBytes(2299)]);
            const blob = Buffer.concat([wireString(Buffer.from("ssh-rsa")), wireString(Buffer.from([1, 0, 1])), wireString(modulus)]);
            const line = `ssh-rsa ${blob.toString("base64")}`;
            assert.ok(line.length < maxPublicKeyLength);
            const reason = await onlyFailure({ keyPairName: "ab", publicKey: line }, "");
            assert.match(reason, /publicKey is a 18400-bit RSA key; RSA keys must have 2048 to 16384 bits\./);
        });
    });

    describe("privateKeyRecipients", () => {
        it(`lists at most ${maxRecipients} recipients, checked before any is parsed`, async () => {
            const recipient = await ageRecipient();
            const many = Array(maxRecipients + 1).fill(recipient);
            const reason = await onlyFailure({ keyPairName: "ab", privateKeyRecipients: many }, "");
            assert.match(
                reason,
                new RegExp(`privateKeyRecipients must list at most ${maxRecipients} age recipients; it lists ${maxRecipients + 1}\\.`),
            );
            assert.deepStrictEqual((await provider.check({}, { keyPairName: "ab", privateKeyRecipients: many.slice(1) })).failures, []);
        });

        it(`has entries of at most ${maxRecipientLength} characters, and quotes none`, async () => {
            const recipient = await ageRecipient();
            const long = `AGE-SECRET-KEY-1${"Q".repeat(5 * 1024 * 1024)}`;
            const reason = await onlyFailure({ keyPairName: "ab", privateKeyRecipients: [recipient, long] }, "");
            assert.ok(
                reason.includes(
                    `privateKeyRecipients entry 2 must be at most ${maxRecipientLength} characters long (an age X25519 recipient has 62); it has ${long.length}.`,
                ),
                reason,
            );
            assert.ok(!reason.includes("QQQQ") && !reason.includes("AGE-SECRET-KEY-1Q"), reason.slice(0, 400));
        });
    });
});
