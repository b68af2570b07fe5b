/**
 * Property-based fuzzing of the provider's inputs and state, for both doors (test/fuzz.test.ts and
 * test/integration.fuzz.test.ts): generators of what a program, a state file or a client of the
 * plugin may send, and the checks every answer must pass whatever was sent.
 *
 * Inputs that arrived secret get values that begin and end with a marker, so that a check can
 * tell whether any text the provider produced quotes one, however it was cut or escaped.
 * `FUZZ_SEED` replays a run (fast-check prints the seed of a failing one), and `FUZZ_RUNS` scales
 * every property's number of runs (1 by default).
 */
import * as assert from "assert";
import fc from "fast-check";
import { inputNames, unechoedInputNames } from "../../provider/fields";
import { unknownValue } from "../../provider/inputs";
import { KeyMaterial } from "../../provider/keys/material";
import { sharedKey } from "./keys";
import { pemBody, pieceLength } from "./leaks";

type Raw = Record<string, unknown>;

/** What begins and ends every value of an input that arrived secret. */
export const secretMarks = ["Zq7Xw", "Wx7qZ"] as const;

/** Keys and age identities the generators paste where they do not belong, made once per run. */
export interface FuzzMaterial {
    /** Generated pairs whose public key lines are valid `publicKey` values, and whose private keys are pasted by mistake. */
    keys: KeyMaterial[];
    /** age X25519 recipients. */
    recipients: string[];
    /** An age identity, pasted in place of its recipient. */
    identity: string;
}

/** Material for a run: three generated pairs (ed25519, ECDSA P-256, RSA 2048) and three age identities' recipients. */
export async function fuzzMaterial(): Promise<FuzzMaterial> {
    const age = await import("age-encryption");
    const identities = await Promise.all([0, 1, 2].map(() => age.generateIdentity()));
    const keys = await Promise.all([
        sharedKey({ keyType: "ed25519" }),
        sharedKey({ keyType: "ecdsa", ecdsaCurve: "P256" }),
        sharedKey({ keyType: "rsa", rsaBits: 2048 }),
    ]);
    return { keys, recipients: await Promise.all(identities.map((i) => age.identityToRecipient(i))), identity: identities[0] };
}

/** Inputs of one pair of each kind (named, prefixed with rotation, imported, sealed), which a check accepts. */
export function pairKinds(material: FuzzMaterial): Raw[] {
    return [
        { keyPairName: "fuzz-ed", keyType: "ed25519" },
        { keyPairNamePrefix: "fuzz-", keyType: "ecdsa", rotateAfter: "90d" },
        { keyPairName: "fuzz-imported", publicKey: material.keys[2].publicKeyOpenssh },
        { keyPairName: "fuzz-sealed", keyType: "ed25519", privateKeyRecipients: material.recipients.slice(0, 2), sealedOnly: true },
    ];
}

/** The private texts of `material` that no answer may quote. */
export function privateTexts(material: FuzzMaterial): string[] {
    return [...material.keys.flatMap((key) => [key.privateKeyBody, key.privateKeyOpenssh]), material.identity];
}

/** A string of any code points, control characters and astral ones included. */
const anyString = fc.string({ unit: "binary", maxLength: 40 });

/** A long string, past every limit but the cap of a message. */
const longString = fc
    .integer({ min: 129, max: 20_000 })
    .chain((length) => fc.constantFrom("a", "\n", "\u{1F511}").map((c) => c.repeat(length)));

/** A value of any type a property struct holds, and the engine's unknown (objects as a struct makes them, never without a prototype). */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
    anyString,
    fc.string({ maxLength: 12 }),
    longString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(unknownValue),
    fc.array(anyString, { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), anyString, { maxKeys: 3, noNullPrototype: true }),
);

/** A value that begins and ends with {@link secretMarks}: sometimes a valid name, sometimes anything. */
export const markedValue: fc.Arbitrary<string> = fc
    .oneof(fc.stringMatching(/^[A-Za-z0-9:_-]{0,20}$/), anyString, longString)
    .map((middle) => `${secretMarks[0]}${middle}${secretMarks[1]}`);

const validName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9:_-]{1,40}$/);

/** `publicKey` values: whole lines, cut short, grown, with control characters, private keys, options, and junk. */
function publicKeys(material: FuzzMaterial): fc.Arbitrary<unknown> {
    const lines = material.keys.map((key) => key.publicKeyOpenssh);
    const line = fc.constantFrom(...lines);
    return fc.oneof(
        line,
        line.map((l) => `${l} user@host`),
        fc.tuple(line, fc.nat()).map(([l, n]) => l.slice(0, n % l.length)),
        fc.tuple(line, fc.integer({ min: 1, max: 3000 })).map(([l, n]) => `${l}${"A".repeat(n)}`),
        fc
            .tuple(line, fc.nat(), fc.constantFrom("\n", "\r", "\u0000", "\t", "\u2028"))
            .map(([l, n, c]) => l.slice(0, n % l.length) + c + l.slice(n % l.length)),
        fc.constantFrom(...privateTexts(material).slice(0, -1)),
        line.map((l) => `from="10.0.0.1",no-pty ${l}`),
        fc.integer({ min: 8193, max: 40_000 }).map((n) => `ssh-ed25519 ${"A".repeat(n)}`),
        junk,
    );
}

/** `privateKeyRecipients` values: lists of recipients, an identity among them, too many, junk items, and no list. */
function recipientLists(material: FuzzMaterial): fc.Arbitrary<unknown> {
    const recipient = fc.constantFrom(...material.recipients);
    return fc.oneof(
        fc.array(recipient, { minLength: 1, maxLength: 4 }),
        fc.array(fc.oneof(recipient, fc.constant(material.identity), junk), { minLength: 1, maxLength: 4 }),
        fc.array(recipient, { minLength: 65, maxLength: 70 }),
        fc.array(fc.constant(unknownValue), { minLength: 1, maxLength: 2 }),
        fc.constant([]),
        junk,
    );
}

/** How often a create may make a key with a passphrase, which takes about a second. */
export type PassphraseWeight = "often" | "rarely";

/** Raw inputs as a program (or any client) may give them: every field optional, each good, bad or of the wrong type, and stray properties. */
export function rawInputs(material: FuzzMaterial, passphrases: PassphraseWeight = "often"): fc.Arbitrary<Raw> {
    const fields = fc.record(
        {
            keyPairName: fc.oneof(
                validName,
                anyString,
                validName.map((n) => `http://${n}`),
                longString,
                junk,
            ),
            keyPairNamePrefix: fc.oneof(validName, anyString, longString, junk),
            keyType: fc.oneof(fc.constantFrom("rsa", "ed25519", "ecdsa"), junk),
            rsaBits: fc.oneof(fc.constantFrom(2048, 3072, 4096, 512, 1024, 1e6, 2048.5, -2048, 0), fc.integer(), junk),
            ecdsaCurve: fc.oneof(fc.constantFrom("P256", "P384", "P521", "P224", "p256"), junk),
            publicKey: publicKeys(material),
            rotateAfter: fc.oneof(
                fc.stringMatching(/^(\d{1,6}d)?(\d{1,3}h)?(\d{1,3}m)?(\d{1,5}s)?$/),
                fc.constantFrom("0s", "36501d", "1m2h", "90 d"),
                junk,
            ),
            privateKeyPassphrase:
                passphrases === "often"
                    ? fc.oneof(markedValue, fc.constant(""), junk)
                    : fc.oneof({ weight: 1, arbitrary: markedValue }, { weight: 12, arbitrary: fc.oneof(fc.constant(""), junk) }),
            privateKeyRecipients: recipientLists(material),
            sealedOnly: fc.oneof(fc.boolean(), junk),
        },
        { requiredKeys: [] },
    );
    const stray = fc.dictionary(fc.constantFrom("__provider", "rotatesAt", "keyPairId", "backend", "privateKeyBody", "x"), junk, {
        maxKeys: 2,
    });
    return fc.tuple(fields, stray).map(([given, extra]) => ({ ...extra, ...given }));
}

/** `values` with some of its properties (by default its inputs) made secret by the program, holding marked values. */
export function withSecrets(
    values: fc.Arbitrary<Raw>,
    names: readonly string[] = inputNames,
): fc.Arbitrary<{ values: Raw; secret: string[] }> {
    return fc
        .tuple(values, fc.subarray([...names]), fc.array(markedValue, { minLength: names.length, maxLength: names.length }))
        .map(([given, secret, marked]) => {
            const out = { ...given };
            secret.forEach((name, i) => (out[name] = marked[i]));
            // The passphrase is always secret: the KeyPair wraps it, and the schema marks it secret.
            const secretNames = out.privateKeyPassphrase === undefined ? secret : [...new Set([...secret, "privateKeyPassphrase"])];
            return { values: out, secret: secretNames };
        });
}

/** `base` with up to three of its properties replaced by junk, by marked values or by another base's. */
export function mutated(bases: Raw[], keys: readonly string[]): fc.Arbitrary<Raw> {
    const base = fc.constantFrom(...bases);
    const changes = fc.dictionary(
        fc.constantFrom(...keys),
        fc.oneof(
            junk,
            fc.constantFrom(...bases).chain((other) => fc.constantFrom(...Object.values(other))),
        ),
        {
            maxKeys: 3,
        },
    );
    const removed = fc.subarray([...keys], { maxLength: 2 });
    return fc.tuple(base, changes, removed).map(([b, change, gone]) => {
        const out: Raw = { ...b, ...change };
        gone.forEach((key) => delete out[key]);
        return out;
    });
}

/** Runs `property` on `runs` inputs from `arbitrary`, then prints how many it tried. */
export async function fuzz<T>(
    name: string,
    arbitrary: fc.Arbitrary<T>,
    runs: number,
    property: (value: T) => Promise<void>,
): Promise<void> {
    let tried = 0;
    const seed = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
    const numRuns = Math.max(1, Math.round(runs * Number(process.env.FUZZ_RUNS ?? 1)));
    await fc.assert(
        fc.asyncProperty(arbitrary, async (value) => {
            tried++;
            await property(value);
        }),
        { numRuns, ...seed },
    );
    console.log(`      fuzz: ${name}: ${tried} inputs`);
}

/**
 * The 16-character pieces of the private keys' and the identity's base64 bodies that the public
 * key lines do not hold, as test/helpers/leaks.ts scans for them, gathered once so that a check
 * scans a text in one pass.
 */
function secretPieces(material: FuzzMaterial): Set<string> {
    const publicText = material.keys.map((key) => key.publicKeyOpenssh).join("\n");
    const pieces = new Set<string>();
    for (const secret of privateTexts(material)) {
        const body = pemBody(secret) || secret;
        for (let i = 0; i + pieceLength <= body.length; i++) {
            const piece = body.slice(i, i + pieceLength);
            if (!publicText.includes(piece)) {
                pieces.add(piece);
            }
        }
    }
    return pieces;
}

const piecesOf = new WeakMap<FuzzMaterial, Set<string>>();

/** Asserts that `text`, something the provider said, quotes no marked secret value and no piece of a private key or identity. */
export function assertQuotesNoSecret(text: string, material: FuzzMaterial): void {
    for (const mark of secretMarks) {
        assert.ok(!text.includes(mark), `a secret value is quoted: ${text.slice(0, 300)}`);
    }
    let pieces = piecesOf.get(material);
    if (pieces === undefined) {
        pieces = secretPieces(material);
        piecesOf.set(material, pieces);
    }
    for (let i = 0; i + pieceLength <= text.length; i++) {
        assert.ok(!pieces.has(text.slice(i, i + pieceLength)), `a private key or identity is quoted, at offset ${i} of the text`);
    }
}

/** What a bug's message says (a TypeError and its kin), as opposed to a failure that states a rule. */
const bugMessage =
    /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not an object|Cannot convert|Maximum call stack|Invalid array length|is not defined|Unexpected struct type|Invalid (string )?length|\[object Object\]/;

/** Asserts that `message`, the text of an error an answer carried, is a failure a user can act on, not a bug showing through. */
export function assertNoBugMessage(message: string): void {
    assert.doesNotMatch(message, bugMessage, `a bug shows through: ${message.slice(0, 300)}`);
    assert.ok(message.trim().length > 0, "an empty error message");
}

/** Asserts that `err`, what a method threw, is an error for the user, not a bug: no TypeError, RangeError or kin. */
export function assertUserError(err: unknown): Error {
    assert.ok(err instanceof Error, `threw ${String(err)}`);
    for (const bug of [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError]) {
        assert.ok(!(err instanceof bug), `a bug: ${err.name}: ${err.message.slice(0, 300)}\n${err.stack ?? ""}`);
    }
    assertNoBugMessage(err.message);
    return err;
}

/**
 * Asserts that check failures are what the engine may print: each names an input or none, none
 * that may hold a secret or arrived secret, and its reason has ENS's code and names the field.
 */
export function assertFailures(failures: { property: string; reason: string }[], secret: readonly string[]): void {
    for (const { property, reason } of failures) {
        assert.ok(property === "" || (inputNames as readonly string[]).includes(property), `a failure on ${property}`);
        if (property !== "") {
            assert.ok(!secret.includes(property), `a failure names ${property}, which arrived secret: the engine would print its value`);
            assert.ok(
                !(unechoedInputNames as readonly string[]).includes(property),
                `a failure names ${property}, which may hold a secret`,
            );
        }
        assert.match(reason, /^(InvalidParameter\.\w+|MissingParameter): /, reason.slice(0, 300));
        assert.ok(
            inputNames.some((name) => reason.includes(name)),
            `the reason names no field: ${reason.slice(0, 300)}`,
        );
        assert.ok(reason.length < 1200, `a reason of ${reason.length} characters`);
        assertNoBugMessage(reason);
    }
}
