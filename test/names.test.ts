/** ENS's KeyPairName rules: a table of valid and invalid names covering every rule and its edges. */
import * as assert from "assert";
import { EnsError } from "../provider/ens/errors";
import {
    maxNameLength,
    minNameLength,
    nameFromPrefix,
    nameSuffixLength,
    validateKeyPairName,
    validateKeyPairNamePrefix,
} from "../provider/ens/names";
import { randomLowerAlphanumeric } from "../provider/ens/ids";
import { quotedLength } from "../provider/quote";
import { expectEnsError } from "./helpers/ensErrors";

const lower = "abcdefghijklmnopqrstuvwxyz";
const upper = lower.toUpperCase();
const digits = "0123456789";

/** Fragments of the message for each rule. */
const rule = {
    length: "must be 2 to 128 characters long",
    start: "must start with a letter",
    http: "must not start with http:// or https://",
    chars: "may contain only letters, digits, colons (:), underscores (_) and hyphens (-)",
    string: "must be a string",
};

describe("validateKeyPairName", () => {
    it("uses ENS's limits of 2 to 128 characters", () => {
        assert.strictEqual(minNameLength, 2);
        assert.strictEqual(maxNameLength, 128);
    });

    const valid: [string, string][] = [
        ["the shortest name (2 characters)", "ab"],
        ["the longest name (128 characters)", "a".repeat(128)],
        ["a 128-character name of mixed characters", "Z" + "a1:_-".repeat(25) + "xy"],
        ["an upper-case first letter", "Ab"],
        ["a lower-case first letter", "zz"],
        ["a letter then a digit", "a1"],
        ["a letter then a colon", "a:"],
        ["a letter then an underscore", "a_"],
        ["a letter then a hyphen", "a-"],
        ["every allowed character", "a" + lower + upper + digits + ":_-"],
        ["an ENS-style name", "ci-deploy_2024:prod"],
        ["http without the slashes", "http:foo"],
        ["https without the slashes", "https:foo"],
        ["https followed by an underscore", "https_x"],
        ["a name that merely starts with http", "httpserver"],
        ["Http as a word", "Http-proxy"],
    ];
    for (const [title, name] of valid) {
        it(`accepts ${title}`, () => {
            assert.strictEqual(name.length >= 2 && name.length <= 128, true, "table entry is out of range");
            assert.doesNotThrow(() => validateKeyPairName(name));
        });
    }

    const missing: [string, unknown][] = [
        ["undefined", undefined],
        ["null", null],
        ["the empty string", ""],
    ];
    for (const [title, name] of missing) {
        it(`reports ${title} as MissingParameter naming the field`, () => {
            expectEnsError(() => validateKeyPairName(name), "MissingParameter", "keyPairName is required");
        });
    }

    const invalid: [string, unknown, string, ...string[]][] = [
        // length
        ["a single letter (1 character)", "a", rule.length, '"a"'],
        ["a single digit", "1", rule.length],
        ["129 characters", "a".repeat(129), rule.length, "(129 characters)"],
        ["a very long name", "b".repeat(1000), rule.length, "(1000 characters)"],
        // first character
        ["a leading digit", "1ab", rule.start, '"1ab"'],
        ["a leading underscore", "_ab", rule.start],
        ["a leading colon", ":ab", rule.start],
        ["a leading hyphen", "-ab", rule.start],
        ["a leading space", " ab", rule.start],
        ["a leading dot", ".ab", rule.start],
        ["a leading Chinese character", "密钥对", rule.start],
        ["a leading accented letter", "éa", rule.start],
        // http:// and https://
        ["http://", "http://example", rule.http],
        ["https://", "https://example", rule.http],
        ["bare http://", "http://", rule.http],
        ["upper-case HTTP://", "HTTP://example", rule.http],
        ["mixed-case Https://", "Https://example", rule.http],
        // characters
        ["a dot", "a.b", rule.chars, 'not "."'],
        ["a space", "a b", rule.chars, 'not " "'],
        ["a trailing space", "ab ", rule.chars],
        ["a tab", "a\tb", rule.chars, 'not "\\t"'],
        ["a newline", "a\nb", rule.chars, 'not "\\n"'],
        ["a slash", "a/b", rule.chars, 'not "/"'],
        ["an at sign", "a@b", rule.chars, 'not "@"'],
        ["a plus", "a+b", rule.chars],
        ["an equals sign", "a=b", rule.chars],
        ["a Chinese character after a letter", "a密钥", rule.chars, 'not "密"'],
        ["an accented letter", "caf\u00e9", rule.chars, 'not "é"'],
        ["a full-width letter", "a\uff41", rule.chars],
        ["an emoji", "a\u{1F511}", rule.chars, 'not "\u{1F511}"'],
        ["a NUL character", "a\u0000b", rule.chars],
        // type
        ["a number", 42, rule.string, "got number"],
        ["a boolean", true, rule.string, "got boolean"],
        ["an object", { name: "ab" }, rule.string, "got object"],
        ["an array", ["ab"], rule.string, "got object"],
    ];
    for (const [title, name, ruleText, ...more] of invalid) {
        it(`rejects ${title}`, () => {
            expectEnsError(() => validateKeyPairName(name), "InvalidParameter.KeyPairName", "keyPairName", ruleText, ...more);
        });
    }

    it("gives ENS's message for InvalidParameter.KeyPairName and keeps the rule in detail", () => {
        const err = expectEnsError(() => validateKeyPairName("a.b"), "InvalidParameter.KeyPairName");
        assert.strictEqual(err.ensMessage, "The specified field KeyPairName invalid. Please check it again.");
        assert.ok(err.detail?.includes(rule.chars), err.detail);
        assert.strictEqual(err.name, "EnsError");
        assert.ok(err instanceof Error);
    });

    it("gives ENS's message for MissingParameter", () => {
        const err = expectEnsError(() => validateKeyPairName(""), "MissingParameter");
        assert.strictEqual(err.ensMessage, "The input parameter that is mandatory for processing this request is not supplied.");
    });

    it("names the field it is told to", () => {
        expectEnsError(
            () => validateKeyPairName("1a", "KeyPairName"),
            "InvalidParameter.KeyPairName",
            "KeyPairName must start with a letter",
        );
        expectEnsError(() => validateKeyPairName(undefined, "KeyPairName"), "MissingParameter", "KeyPairName is required");
    });

    it("shortens a long name in the message", () => {
        const err = expectEnsError(() => validateKeyPairName("a".repeat(100) + "."), "InvalidParameter.KeyPairName");
        assert.ok(err.message.includes(`"${"a".repeat(quotedLength)}"… (101 characters)`), err.message);
        assert.ok(!err.message.includes("a".repeat(quotedLength + 1)), err.message);
    });

    it("quotes the name so that control characters show as escapes", () => {
        const err = expectEnsError(() => validateKeyPairName("abc\n"), "InvalidParameter.KeyPairName", 'got "abc\\n"');
        assert.ok(!err.message.includes("\n"), "no raw line break in the message");
        const long = expectEnsError(() => validateKeyPairName(`a\t${"b".repeat(80)}`), "InvalidParameter.KeyPairName", 'got "a\\tbbb');
        assert.ok(long.message.includes("… (82 characters)") && !long.message.includes("\t"), long.message);
    });

    it("checks every allowed character at every position after the first", () => {
        for (const c of lower + upper + digits + ":_-") {
            assert.doesNotThrow(() => validateKeyPairName(`a${c}`), `a${c}`);
            assert.doesNotThrow(() => validateKeyPairName(`a${c}b`), `a${c}b`);
        }
    });

    it("rejects every printable ASCII character outside the allowed set", () => {
        for (let code = 0x20; code < 0x7f; code++) {
            const c = String.fromCharCode(code);
            if (/[A-Za-z0-9:_-]/.test(c)) {
                continue;
            }
            const err = expectEnsError(() => validateKeyPairName(`ab${c}`), "InvalidParameter.KeyPairName", rule.chars);
            assert.ok(err.message.includes(`not ${JSON.stringify(c)}`), err.message);
        }
    });
});

describe("validateKeyPairNamePrefix", () => {
    const maxPrefix = maxNameLength - nameSuffixLength;

    it("leaves room for the 8-character suffix", () => {
        assert.strictEqual(nameSuffixLength, 8);
        assert.strictEqual(maxPrefix, 120);
    });

    const valid: [string, string][] = [
        ["a one-letter prefix (the suffix makes the name long enough)", "a"],
        ["a two-character prefix", "ab"],
        ["the longest prefix (120 characters)", "p".repeat(120)],
        ["a prefix ending in a separator", "ci-deploy-"],
        ["a prefix ending in a colon", "team:"],
        ["every allowed character", "a" + lower + upper + digits + ":_-"],
    ];
    for (const [title, prefix] of valid) {
        it(`accepts ${title}`, () => {
            assert.doesNotThrow(() => validateKeyPairNamePrefix(prefix));
        });
    }

    it("reports a missing prefix as MissingParameter naming keyPairNamePrefix", () => {
        expectEnsError(() => validateKeyPairNamePrefix(""), "MissingParameter", "keyPairNamePrefix is required");
        expectEnsError(() => validateKeyPairNamePrefix(undefined), "MissingParameter", "keyPairNamePrefix is required");
    });

    const invalid: [string, unknown, string][] = [
        ["121 characters", "p".repeat(121), "must be 1 to 120 characters long"],
        ["a leading digit", "1a", rule.start],
        ["a leading underscore", "_a", rule.start],
        ["a leading colon", ":a", rule.start],
        ["http://", "http://a", rule.http],
        ["HTTPS://", "HTTPS://a", rule.http],
        ["a dot", "a.", rule.chars],
        ["a space", "a ", rule.chars],
        ["a Chinese character", "a密", rule.chars],
        ["a number", 7, rule.string],
    ];
    for (const [title, prefix, ruleText] of invalid) {
        it(`rejects ${title}, naming keyPairNamePrefix`, () => {
            expectEnsError(() => validateKeyPairNamePrefix(prefix), "InvalidParameter.KeyPairName", "keyPairNamePrefix", ruleText);
        });
    }
});

describe("nameFromPrefix", () => {
    it("appends 8 random lower-case letters and digits", () => {
        const name = nameFromPrefix("ci-");
        assert.match(name, /^ci-[a-z0-9]{8}$/);
    });

    it("makes valid names from the shortest and the longest prefix", () => {
        const short = nameFromPrefix("a");
        assert.strictEqual(short.length, 9);
        validateKeyPairName(short);
        const long = nameFromPrefix("p".repeat(120));
        assert.strictEqual(long.length, 128);
        validateKeyPairName(long);
    });

    it("makes a different name every time", () => {
        const names = new Set(Array.from({ length: 200 }, () => nameFromPrefix("k")));
        assert.strictEqual(names.size, 200);
    });
});

describe("randomLowerAlphanumeric", () => {
    it("draws exactly the requested number of characters from [a-z0-9]", () => {
        for (const length of [0, 1, 8, 23, 100]) {
            assert.match(randomLowerAlphanumeric(length), new RegExp(`^[a-z0-9]{${length}}$`));
        }
    });

    it("uses all 36 characters", () => {
        const seen = new Set(randomLowerAlphanumeric(5000));
        assert.strictEqual(seen.size, 36);
    });
});

describe("EnsError", () => {
    it("carries code, status, ENS message, detail and request id in its message", () => {
        const err = new EnsError("Throttling", "Request was denied due to request throttling.", {
            httpStatus: 400,
            detail: "slow down",
            requestId: "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E",
        });
        assert.strictEqual(
            err.message,
            "Throttling: Request was denied due to request throttling. slow down (RequestId: 473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E)",
        );
        assert.strictEqual(err.requestId, "473469C7-AA6F-4DC5-B3DB-A3DC0DE3C83E");
        assert.strictEqual(new EnsError("InternalError", "x", { httpStatus: 500 }).httpStatus, 500);
        assert.strictEqual(new EnsError("InvalidParameter", "x").httpStatus, 400);
    });
});
