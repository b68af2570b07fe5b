/**
 * Quoted values: the one function through which every message quotes a user's value, and that no
 * value, however long, makes a long message (a 5 MB `keyType` once made a 5 MB one).
 */
import * as assert from "assert";
import { quote, quotedLength, redacted } from "../provider/quote";
import * as provider from "../provider/dynamic/implementation";
import { resolveConfig } from "../provider/config";

const huge = "x".repeat(5 * 1024 * 1024);

describe("quoted values", () => {
    it("are JSON, cut to the first 64 characters with the value's length after", () => {
        assert.strictEqual(quotedLength, 64);
        assert.strictEqual(quote("abc\n"), '"abc\\n"');
        assert.strictEqual(quote("a".repeat(64)), `"${"a".repeat(64)}"`);
        assert.strictEqual(quote("a".repeat(65)), `"${"a".repeat(64)}"… (65 characters)`);
        assert.strictEqual(quote(42), "42");
        assert.strictEqual(quote(null), "null");
        assert.strictEqual(quote([1, 2]), "[1,2]");
        assert.strictEqual(quote(Array(100).fill(1)), `${JSON.stringify(Array(100).fill(1)).slice(0, 64)}… (201 characters of JSON)`);
        assert.strictEqual(quote(undefined), "undefined");
        assert.strictEqual(quote(10n), "a bigint");
    });

    it("never cut a character in two", () => {
        // The 64th UTF-16 unit is the first half of a key emoji.
        const keys = `a${"\u{1F511}".repeat(40)}`;
        assert.strictEqual(quote(keys), `"a${"\u{1F511}".repeat(31)}"… (81 characters)`);
    });

    for (const field of ["keyPairName", "keyPairNamePrefix", "keyType", "rsaBits", "ecdsaCurve", "rotateAfter", "sealedOnly"]) {
        it(`of a 5 MB ${field} make a short check failure`, async () => {
            const named = field === "keyPairNamePrefix" ? {} : { keyPairName: "ab" };
            const news = { ...named, keyType: field === "ecdsaCurve" ? "ecdsa" : "rsa", [field]: huge };
            const { failures = [] } = await provider.check({}, news);
            assert.strictEqual(failures.length, 1, JSON.stringify(failures.map((f) => f.reason.slice(0, 300))));
            assert.ok(failures[0].reason.length < 600, `${failures[0].reason.length} characters: ${failures[0].reason.slice(0, 300)}`);
            assert.ok(failures[0].reason.includes(`(${huge.length} characters)`), failures[0].reason);
        });
    }

    it("are replaced by [secret] where they are secret: quoted, cut short, or as they are; a short one only as a word of its own", () => {
        const long = `secret-${"s".repeat(100)}`;
        assert.strictEqual(redacted(`got ${quote(long)}; again ${long}.`, [long]), "got [secret]; again [secret].");
        assert.strictEqual(
            redacted('InvalidParameter.SealedOnly: sealedOnly must be true or false; got "va". Key pair ssh-1 (va).', ["va"]),
            "InvalidParameter.SealedOnly: sealedOnly must be true or false; got [secret]. Key pair ssh-1 ([secret]).",
        );
        assert.strictEqual(redacted("a-b ab ab_c", ["ab"]), "a-b [secret] ab_c");
        assert.strictEqual(redacted("x (a.b) y", ["a.b", 42, "c"]), "x ([secret]) y", "a secret with regex characters");
        assert.strictEqual(redacted("one two", [["one", "two"]]), "[secret] [secret]", "the items of a list");
    });

    it("of a 5 MB configuration value make a short configuration error", () => {
        assert.throws(
            () => resolveConfig((key) => (key === "backend" ? huge : undefined)),
            (err: Error) => err.message.length < 300 && err.message.includes(`(${huge.length} characters)`),
        );
    });

    it("of a configuration value that arrived secret are not made at all", () => {
        assert.throws(
            () => resolveConfig((key) => (key === "generation" ? "Zq7Xw-x" : undefined), {}, new Set(["generation"])),
            (err: Error) =>
                !err.message.includes("Zq7Xw") && /generation must be "provider" or "ens"; its value is secret/.test(err.message),
        );
    });
});
