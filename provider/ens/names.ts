/**
 * ENS's KeyPairName rules (CreateKeyPair): 2 to 128 characters, starting with a letter but not
 * with `http://` or `https://`, made of ASCII letters, digits, `:`, `_` and `-`.
 */
import { invalidParameter, missingParameter } from "./errors";
import { quote } from "../quote";
import { randomLowerAlphanumeric } from "./ids";

/** Shortest valid name. */
export const minNameLength = 2;
/** Longest valid name. */
export const maxNameLength = 128;
/** Characters appended to a `keyPairNamePrefix`. */
export const nameSuffixLength = 8;

const allowed = /^[A-Za-z0-9:_-]*$/;

/**
 * Checks a key pair name against ENS's rules.
 * @param name the name to check; any value, since it comes from user input.
 * @param field the input field to name in the error.
 * @throws EnsError `MissingParameter` for a missing or empty name, `InvalidParameter.KeyPairName`
 *   for a broken rule, naming the field and the rule.
 */
export function validateKeyPairName(name: unknown, field = "keyPairName"): void {
    if (name === undefined || name === null || name === "") {
        throw missingParameter(field);
    }
    if (typeof name !== "string") {
        throw invalidParameter("KeyPairName", `${field} must be a string, got ${typeof name}.`);
    }
    checkNameShape(name, field, minNameLength, maxNameLength);
}

function checkNameShape(name: string, field: string, min: number, max: number): void {
    const rule = (what: string, note?: string) => invalidParameter("KeyPairName", `${field} ${what}`, { value: name, note });
    if (name.length < min || name.length > max) {
        throw rule(`must be ${min} to ${max} characters long`);
    }
    if (!/^[A-Za-z]/.test(name)) {
        throw rule("must start with a letter");
    }
    if (/^https?:\/\//i.test(name)) {
        throw rule("must not start with http:// or https://");
    }
    if (!allowed.test(name)) {
        const bad = [...name].find((c) => !allowed.test(c));
        throw rule("may contain only letters, digits, colons (:), underscores (_) and hyphens (-)", `not ${quote(bad)}`);
    }
}

/**
 * Checks a `keyPairNamePrefix`: with the random suffix appended, the result must be a valid name.
 * @throws EnsError as {@link validateKeyPairName}, naming `keyPairNamePrefix`.
 */
export function validateKeyPairNamePrefix(prefix: unknown): void {
    const field = "keyPairNamePrefix";
    if (prefix === undefined || prefix === null || prefix === "") {
        throw missingParameter(field);
    }
    if (typeof prefix !== "string") {
        throw invalidParameter("KeyPairName", `${field} must be a string, got ${typeof prefix}.`);
    }
    // The suffix supplies the second character, so a one-letter prefix is fine.
    checkNameShape(prefix, field, 1, maxNameLength - nameSuffixLength);
}

/** A unique name made of `prefix` and random lower-case letters and digits (validate the prefix first). */
export function nameFromPrefix(prefix: string): string {
    return prefix + randomLowerAlphanumeric(nameSuffixLength);
}
