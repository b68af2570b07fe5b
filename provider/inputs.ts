/**
 * The inputs of a KeyPair as the provider sees them, and the checks that turn raw user input into
 * them. Every rule failure names the field; nothing here creates anything.
 */
import { EnsError, invalidParameter } from "./ens/errors";
import { ArgumentOf, FieldValues, InputName, inputNames, KeyType, keyPairFields, ResolvedName } from "./fields";
import { nameFromPrefix, validateKeyPairName, validateKeyPairNamePrefix } from "./ens/names";
import { parsePublicKey } from "./keys/importedKey";
import { notARecipient } from "./keys/sealing";
import { parseDuration, planRotation } from "./rotation";
import { ensTimestampPattern } from "./ens/timestamps";

/**
 * Inputs after `check`: defaults applied, the name resolved, an imported key normalised, the
 * rotation deadline worked out. `rsaBits` is any size from 2048 up for an imported key;
 * `publicKey` is `<type> <base64>`.
 */
export type KeyPairInputs = FieldValues<InputName | ResolvedName>;

/** A rule an input breaks, in the shape Pulumi's `check` reports. */
export interface InputFailure {
    property: string;
    reason: string;
}

/** A rule an input breaks, before it is reported: the input, and the error that states the rule. */
export interface InputProblem {
    property: InputName;
    error: EnsError;
}

/** The value the engine passes for an input that is not known until deployment. */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

type Raw = Record<string, unknown>;

/** How {@link checkInputs} checks. */
export interface CheckOptions {
    /** The time by which a rotation deadline counts as passed; now by default. */
    now?: Date;
    /**
     * The inputs are those a `check` resolved, as `create` and `update` take them: a name made
     * from its prefix, an imported key's size and curve, the rotation deadline. They are checked
     * as they are, not resolved again, and none may be unknown. The engine sends only what a
     * check returned, but the plugin serves any client, so a create sent straight to it makes
     * nothing that a check would refuse.
     */
    resolved?: boolean;
}

/**
 * Checks raw inputs and resolves them.
 * @param olds the inputs `check` returned last time, so that a name made from a prefix and the
 *   rotation deadline are kept.
 * @returns the resolved inputs, or every rule the inputs break.
 */
export function checkInputs(olds: Raw, news: Raw, options: CheckOptions = {}): { inputs: KeyPairInputs; problems: InputProblem[] } {
    const { now = new Date(), resolved = false } = options;
    const problems: InputProblem[] = [];
    const attempt = <T>(property: InputName, run: () => T): T | undefined => {
        try {
            if (news[property] === unknownValue) {
                if (resolved) {
                    throw invalidParameter(keyPairFields[property].ensParameter, `${property} must be known by the time the pair is made.`);
                }
                return undefined;
            }
            return run();
        } catch (err) {
            if (!(err instanceof EnsError)) {
                throw err;
            }
            problems.push({ property, error: err });
            return undefined;
        }
    };

    // A name made from a prefix fails on the prefix, the input the user gave.
    const nameInput = news.keyPairName === undefined && news.keyPairNamePrefix !== undefined ? "keyPairNamePrefix" : "keyPairName";
    const keyPairName = attempt(nameInput, () => (resolved ? checkResolvedName(news) : resolveName(olds, news))) ?? "";
    const imported = news.publicKey === undefined ? undefined : attempt("publicKey", () => parsePublicKey(news.publicKey));
    const keyType = attempt("keyType", () => checkKeyType(news.keyType, imported?.keyType));
    const inputs: KeyPairInputs = { keyPairName, keyType: keyType ?? "rsa" };
    if (news.keyPairNamePrefix !== undefined) {
        inputs.keyPairNamePrefix = news.keyPairNamePrefix as string;
    }
    if (imported) {
        inputs.publicKey = imported.publicKeyOpenssh;
    }
    if (news.privateKeyPassphrase !== undefined && attempt("privateKeyPassphrase", () => checkPassphrase(news))) {
        inputs.privateKeyPassphrase = news.privateKeyPassphrase as string;
    }
    if (news.rotateAfter !== undefined) {
        inputs.rotateAfter = news.rotateAfter as string;
    }
    const recipients = news.privateKeyRecipients === undefined ? undefined : attempt("privateKeyRecipients", () => checkRecipients(news));
    if (recipients !== undefined) {
        inputs.privateKeyRecipients = recipients;
    }
    // Absent means false, as in the state of a pair made before sealedOnly existed.
    if (news.sealedOnly !== undefined && attempt("sealedOnly", () => checkSealedOnly(news))) {
        inputs.sealedOnly = true;
    }
    if (keyType === undefined) {
        return { inputs: keepUnknowns(news, inputs), problems };
    }

    // A resolved imported key's size and curve are the key's, which need not be among the choices.
    const choice = <K extends "rsaBits" | "ecdsaCurve">(field: K, applies: boolean) =>
        imported && resolved ? (news[field] as ArgumentOf<K> | undefined) : checkChoice(field, news[field], applies, !imported);
    const rsaBits = attempt("rsaBits", () => choice("rsaBits", keyType === "rsa"));
    const ecdsaCurve = attempt("ecdsaCurve", () => choice("ecdsaCurve", keyType === "ecdsa"));
    if (imported) {
        attempt("rsaBits", () => mustMatchImported("rsaBits", rsaBits, imported.rsaBits));
        attempt("ecdsaCurve", () => mustMatchImported("ecdsaCurve", ecdsaCurve, imported.ecdsaCurve));
    }
    const bits = imported ? imported.rsaBits : rsaBits;
    const curve = imported ? imported.ecdsaCurve : ecdsaCurve;
    if (bits !== undefined) {
        inputs.rsaBits = bits;
    }
    if (curve !== undefined) {
        inputs.ecdsaCurve = curve;
    }
    const rotation = attempt("rotateAfter", () => (resolved ? checkResolvedRotation(news) : planRotation(olds, inputs.rotateAfter, now)));
    if (rotation?.rotatesAt !== undefined) {
        inputs.rotatesAt = rotation.rotatesAt;
    }
    if (rotation?.due && inputs.keyPairNamePrefix !== undefined) {
        // The new pair takes a new name, so that it is made before the old one goes.
        inputs.keyPairName = nameFromPrefix(inputs.keyPairNamePrefix);
    }
    return { inputs: keepUnknowns(news, inputs), problems };
}

/**
 * The passphrase must be a non-empty string, and there must be a private key to encrypt. Errors
 * never quote it, and `check` reports them on no property, so the engine does not print it either.
 */
function checkPassphrase(news: Raw): true {
    if (typeof news.privateKeyPassphrase !== "string" || news.privateKeyPassphrase === "") {
        throw invalidParameter(
            keyPairFields.privateKeyPassphrase.ensParameter,
            "privateKeyPassphrase must be a non-empty string; omit it to leave the private keys unencrypted.",
        );
    }
    if (news.publicKey !== undefined) {
        throw invalidParameter(
            keyPairFields.privateKeyPassphrase.ensParameter,
            "privateKeyPassphrase applies only to generated pairs: an imported publicKey has no private key to encrypt.",
        );
    }
    return true;
}

/** The most recipients a key is sealed to, checked before any is parsed. */
export const maxRecipients = 64;
/** The longest entry of `privateKeyRecipients`, checked before it is parsed: twice an age X25519 recipient, with room for blanks. */
export const maxRecipientLength = 128;

/**
 * The recipients to seal the private key to, sorted and without duplicates (their order means
 * nothing to age), or as given while some are not known yet. Errors never quote a recipient: an
 * identity given in its place is a secret.
 */
function checkRecipients(news: Raw): string[] {
    const given = news.privateKeyRecipients;
    const refuse = (rule: string) => invalidParameter(keyPairFields.privateKeyRecipients.ensParameter, rule);
    if (news.publicKey !== undefined) {
        throw refuse("privateKeyRecipients applies only to generated pairs: an imported publicKey has no private key to seal.");
    }
    if (!Array.isArray(given)) {
        throw refuse("privateKeyRecipients must be a list of age recipients (age1…, as age-keygen -y prints them).");
    }
    if (given.length === 0) {
        throw refuse("privateKeyRecipients must list at least one age recipient; omit it to leave the private key unsealed.");
    }
    if (given.length > maxRecipients) {
        throw refuse(`privateKeyRecipients must list at most ${maxRecipients} age recipients; it lists ${given.length}.`);
    }
    if (given.includes(unknownValue)) {
        return given as string[];
    }
    const long = given.findIndex((entry: unknown) => typeof entry === "string" && entry.length > maxRecipientLength);
    if (long !== -1) {
        throw refuse(
            `privateKeyRecipients entry ${long + 1} must be at most ${maxRecipientLength} characters long (an age X25519 recipient has 62); it has ${(given[long] as string).length}.`,
        );
    }
    const entries = given.map((entry: unknown) => (typeof entry === "string" ? entry.trim() : entry));
    const problems = entries.flatMap((entry, i) => {
        const problem = notARecipient(entry);
        return problem === undefined ? [] : [`privateKeyRecipients entry ${i + 1} ${problem}.`];
    });
    if (problems.length > 0) {
        throw refuse(problems.join(" "));
    }
    return [...new Set(entries as string[])].sort();
}

/** `sealedOnly` is a boolean, and when true, there are recipients to seal the key to. */
function checkSealedOnly(news: Raw): boolean {
    const refuse = (rule: string) => invalidParameter(keyPairFields.sealedOnly.ensParameter, rule);
    if (typeof news.sealedOnly !== "boolean") {
        throw invalidParameter(keyPairFields.sealedOnly.ensParameter, "sealedOnly must be true or false", { value: news.sealedOnly });
    }
    if (news.sealedOnly && news.privateKeyRecipients === undefined) {
        throw refuse("sealedOnly needs privateKeyRecipients: without them, no output would hold the private key.");
    }
    return news.sealedOnly;
}

/** Inputs not known until deployment stay unknown, rather than turning into defaults or being dropped. */
function keepUnknowns(news: Raw, inputs: KeyPairInputs): KeyPairInputs {
    const out: Raw = { ...inputs };
    for (const key of inputNames) {
        if (news[key] === unknownValue) {
            out[key] = unknownValue;
        }
    }
    // A name made from an unknown prefix is unknown too, as is the deadline of an unknown rotateAfter.
    if (news.keyPairNamePrefix === unknownValue && news.keyPairName === undefined) {
        out.keyPairName = unknownValue;
    }
    if (news.rotateAfter === unknownValue) {
        out.rotatesAt = unknownValue;
    }
    return out as unknown as KeyPairInputs;
}

function resolveName(olds: Raw, news: Raw): string {
    const { keyPairName: name, keyPairNamePrefix: prefix } = news;
    if (name !== undefined && prefix !== undefined) {
        throw invalidParameter("KeyPairName", "give keyPairName or keyPairNamePrefix, not both.");
    }
    if (prefix === undefined) {
        validateKeyPairName(name);
        return name as string;
    }
    if (prefix === unknownValue) {
        return unknownValue;
    }
    validateKeyPairNamePrefix(prefix);
    const given = prefix as string;
    // Keep the name made last time, or every preview would propose a new one.
    const previous = olds.keyPairName;
    if (olds.keyPairNamePrefix === given && typeof previous === "string" && previous.startsWith(given)) {
        return previous;
    }
    return nameFromPrefix(given);
}

/** A resolved name: valid, and made from its prefix where there is one. */
function checkResolvedName(news: Raw): string {
    validateKeyPairName(news.keyPairName);
    const name = news.keyPairName as string;
    if (news.keyPairNamePrefix !== undefined) {
        validateKeyPairNamePrefix(news.keyPairNamePrefix);
        if (!name.startsWith(news.keyPairNamePrefix as string)) {
            throw invalidParameter("KeyPairName", "keyPairName must start with keyPairNamePrefix, from which it was made.");
        }
    }
    return name;
}

/** A resolved rotation: a valid `rotateAfter`, and with it the deadline `check` worked out. */
function checkResolvedRotation(news: Raw): { rotatesAt?: string; due: false } {
    if (news.rotateAfter === undefined) {
        return { due: false };
    }
    parseDuration(news.rotateAfter);
    if (typeof news.rotatesAt !== "string" || !ensTimestampPattern.test(news.rotatesAt)) {
        throw invalidParameter(keyPairFields.rotateAfter.ensParameter, "rotatesAt must be the deadline check worked out for rotateAfter.");
    }
    return { rotatesAt: news.rotatesAt, due: false };
}

function checkKeyType(value: unknown, importedType: KeyType | undefined): KeyType {
    checkChoice("keyType", value, true, false);
    if (importedType !== undefined && value !== undefined && value !== importedType) {
        throw invalidParameter(
            "KeyType",
            `keyType must be omitted when importing a key, or be "${importedType}": publicKey is an ${importedType} key`,
            {
                value,
            },
        );
    }
    return importedType ?? (value as KeyType | undefined) ?? keyPairFields.keyType.default;
}

type ChoiceName = "keyType" | "rsaBits" | "ecdsaCurve";

/**
 * Checks an input against its choices in the field table.
 * @param applies whether the input applies to this kind of key (`rsaBits` only to RSA keys).
 * @param withDefault whether an absent value becomes the field's default (not for imported keys,
 *   whose size and curve come from the key).
 */
function checkChoice<K extends ChoiceName>(field: K, value: unknown, applies: boolean, withDefault: boolean): ArgumentOf<K> | undefined {
    const spec = keyPairFields[field];
    if (value === undefined) {
        return applies && withDefault ? (spec.default as ArgumentOf<K>) : undefined;
    }
    if (!applies) {
        throw invalidParameter(spec.ensParameter, `${field} applies only to ${field === "rsaBits" ? "rsa" : "ecdsa"} keys.`);
    }
    const choices: readonly unknown[] = spec.choices;
    if (!choices.includes(value)) {
        throw invalidParameter(spec.ensParameter, `${field} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`, { value });
    }
    return value as ArgumentOf<K>;
}

function mustMatchImported(field: "rsaBits" | "ecdsaCurve", given: unknown, actual: unknown): void {
    if (given !== undefined && given !== actual) {
        throw invalidParameter(
            keyPairFields[field].ensParameter,
            `${field} must be omitted when importing a key, or be ${JSON.stringify(actual)}, which publicKey has`,
            { value: given },
        );
    }
}
