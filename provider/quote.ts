/**
 * How a message quotes a value that a user gave: the one place that turns such a value into
 * text. The value is written as JSON, so that a control character shows as an escape and no line
 * break reaches a log, and cut short, so that a huge value makes a short message (a 5 MB input
 * once made a 5 MB one).
 */

/** The most characters of a value that a message quotes. */
export const quotedLength = 64;

/** `value` as a message quotes it: JSON, its first {@link quotedLength} characters, and its length when cut. */
export function quote(value: unknown): string {
    if (typeof value === "string") {
        if (value.length <= quotedLength) {
            return JSON.stringify(value);
        }
        // Cut between code points, never inside a surrogate pair.
        const end = /[\uD800-\uDBFF]/.test(value[quotedLength - 1]) ? quotedLength - 1 : quotedLength;
        return `${JSON.stringify(value.slice(0, end))}… (${value.length} characters)`;
    }
    let json: string | undefined;
    try {
        json = JSON.stringify(value);
    } catch {
        json = undefined;
    }
    if (json === undefined) {
        // JSON has no undefined, function, symbol or bigint.
        return value === undefined ? "undefined" : `a ${typeof value}`;
    }
    return json.length <= quotedLength ? json : `${json.slice(0, quotedLength)}… (${json.length} characters of JSON)`;
}

/** Below this length a secret is replaced only where it stands as a word of its own, not inside another. */
const distinctiveLength = 8;

/**
 * `text` with each of `secrets` replaced by `[secret]`, whether quoted (as {@link quote} writes it,
 * cut short or not) or as it is. A short secret is replaced only where it stands alone, so that a
 * two-letter passphrase does not blot out every word that holds its letters. The strings among
 * `secrets` count, those of lists too; others, and single characters, are left alone.
 */
export function redacted(text: string, secrets: readonly unknown[]): string {
    const strings = secrets.flat().filter((value): value is string => typeof value === "string" && value.length > 1);
    return strings.reduce((out, secret) => {
        const unquoted = out.split(quote(secret)).join("[secret]");
        if (secret.length >= distinctiveLength) {
            return unquoted.split(secret).join("[secret]");
        }
        const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        return unquoted.replace(new RegExp(`(?<![\\p{L}\\p{N}_:-])${escaped}(?![\\p{L}\\p{N}_:-])`, "gu"), "[secret]");
    }, text);
}
