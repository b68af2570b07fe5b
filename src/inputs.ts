/**
 * The inputs of a KeyPair as the provider sees them, and the checks that turn raw user input into
 * them. Every rule failure names the field; nothing here creates anything.
 */
import { EnsError, invalidParameter } from "./errors";
import { EcdsaCurve, ecdsaCurves, KeyType, keyTypes, rsaBitsChoices } from "./keyMaterial";
import { nameFromPrefix, validateKeyPairName, validateKeyPairNamePrefix } from "./names";
import { parsePublicKey } from "./publicKey";

/** Inputs after `check`: defaults applied, the name resolved, an imported key normalised. */
export interface KeyPairInputs {
    keyPairName: string;
    keyPairNamePrefix?: string;
    keyType: KeyType;
    /** RSA modulus size: one of 2048, 3072, 4096 when generated; any size from 2048 up when imported. */
    rsaBits?: number;
    ecdsaCurve?: EcdsaCurve;
    /** An imported public key (`<type> <base64>`); absent when the pair is generated. */
    publicKey?: string;
}

/** A rule an input breaks, in the shape Pulumi's `check` reports. */
export interface InputFailure {
    property: string;
    reason: string;
}

/** The value the engine passes for an input that is not known until deployment. */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

type Raw = Record<string, unknown>;

/**
 * Checks raw inputs and resolves them.
 * @param olds the inputs `check` returned last time, so that a name made from a prefix is kept.
 * @returns the resolved inputs, or every rule the inputs break.
 */
export function checkInputs(olds: Raw, news: Raw): { inputs: KeyPairInputs; failures: InputFailure[] } {
    const failures: InputFailure[] = [];
    const attempt = <T>(property: string, run: () => T): T | undefined => {
        if (news[property] === unknownValue) {
            return undefined;
        }
        try {
            return run();
        } catch (err) {
            if (!(err instanceof EnsError)) {
                throw err;
            }
            failures.push({ property, reason: err.message });
            return undefined;
        }
    };

    const keyPairName = attempt("keyPairName", () => resolveName(olds, news)) ?? "";
    const imported = news.publicKey === undefined ? undefined : attempt("publicKey", () => parsePublicKey(news.publicKey));
    const keyType = attempt("keyType", () => checkKeyType(news.keyType, imported?.keyType));
    const inputs: KeyPairInputs = { keyPairName, keyType: keyType ?? "rsa" };
    if (news.keyPairNamePrefix !== undefined) {
        inputs.keyPairNamePrefix = news.keyPairNamePrefix as string;
    }
    if (imported) {
        inputs.publicKey = imported.publicKeyOpenssh;
    }
    if (keyType === undefined) {
        return { inputs: keepUnknowns(news, inputs), failures };
    }

    const rsaBits = attempt("rsaBits", () =>
        checkChoice("rsaBits", news.rsaBits, rsaBitsChoices, keyType === "rsa", imported ? undefined : 2048),
    );
    const ecdsaCurve = attempt("ecdsaCurve", () =>
        checkChoice("ecdsaCurve", news.ecdsaCurve, ecdsaCurves, keyType === "ecdsa", imported ? undefined : "P256"),
    );
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
    return { inputs: keepUnknowns(news, inputs), failures };
}

/** Inputs not known until deployment stay unknown, rather than turning into defaults or being dropped. */
function keepUnknowns(news: Raw, inputs: KeyPairInputs): KeyPairInputs {
    const out: Raw = { ...inputs };
    for (const key of ["keyPairName", "keyPairNamePrefix", "keyType", "rsaBits", "ecdsaCurve", "publicKey"]) {
        if (news[key] === unknownValue) {
            out[key] = unknownValue;
        }
    }
    // A name made from an unknown prefix is unknown too.
    if (news.keyPairNamePrefix === unknownValue && news.keyPairName === undefined) {
        out.keyPairName = unknownValue;
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

function checkKeyType(value: unknown, importedType: KeyType | undefined): KeyType {
    if (value !== undefined && !keyTypes.includes(value as KeyType)) {
        throw invalidParameter(
            "KeyType",
            `keyType must be one of ${keyTypes.map((t) => `"${t}"`).join(", ")}; got ${JSON.stringify(value)}.`,
        );
    }
    if (importedType !== undefined && value !== undefined && value !== importedType) {
        throw invalidParameter(
            "KeyType",
            `keyType is "${String(value)}" but publicKey is an ${importedType} key; omit keyType when importing a key.`,
        );
    }
    return importedType ?? (value as KeyType | undefined) ?? "rsa";
}

function checkChoice<T>(field: string, value: unknown, choices: readonly T[], applies: boolean, fallback: T | undefined): T | undefined {
    const ensField = field[0].toUpperCase() + field.slice(1);
    if (value === undefined) {
        return applies ? fallback : undefined;
    }
    if (!applies) {
        throw invalidParameter(ensField, `${field} applies only to ${field === "rsaBits" ? "rsa" : "ecdsa"} keys.`);
    }
    if (!choices.includes(value as T)) {
        throw invalidParameter(
            ensField,
            `${field} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}; got ${JSON.stringify(value)}.`,
        );
    }
    return value as T;
}

function mustMatchImported(field: string, given: unknown, actual: unknown): void {
    if (given !== undefined && given !== actual) {
        throw invalidParameter(
            field[0].toUpperCase() + field.slice(1),
            `${field} is ${JSON.stringify(given)} but publicKey has ${JSON.stringify(actual)}; omit ${field} when importing a key.`,
        );
    }
}
