/**
 * The one scan for key material in text the tests collect (error messages, CLI output, state
 * files): any 16-character piece of a key's base64 body. What it reports says where in the key the
 * piece starts, never the piece, so a failing test prints no key material into a CI log.
 */
import * as assert from "assert";

/** How long a piece of a key is that counts as quoting it. */
export const pieceLength = 16;

/** The base64 body of a PEM key or of a public key line: its base64 words, without armour, headers or comment. */
export function pemBody(key: string): string {
    return key
        .split("\n")
        .filter((line) => !line.startsWith("-----"))
        .flatMap((line) => line.split(/\s+/))
        .filter((word) => /^[A-Za-z0-9+/=]{16,}$/.test(word))
        .join("");
}

/**
 * Where the first 16-character piece of `key`'s base64 body that `text` holds starts, if any.
 * OpenSSH's private key format embeds the public key, so pieces that `publicText` (the public key
 * lines) also holds are not secrets.
 */
export function leakedPiece(text: string, key: string, publicText = ""): string | undefined {
    const body = pemBody(key);
    for (let i = 0; i + pieceLength <= body.length; i++) {
        const piece = body.slice(i, i + pieceLength);
        if (text.includes(piece) && !publicText.includes(piece)) {
            return `the ${pieceLength} characters at offset ${i} of the key's base64 body`;
        }
    }
    return undefined;
}

/** Asserts that `text` quotes no part of any of `keys` (PEM keys or public key lines): no armour line and no 16-character piece. */
export function assertNoKeyMaterial(text: string, ...keys: string[]): void {
    assert.ok(!/-----BEGIN|-----END/.test(text), "the text holds PEM armour");
    keys.forEach((key, n) => {
        const leak = leakedPiece(text, key);
        assert.strictEqual(leak, undefined, `the text quotes key ${n + 1}: ${leak}`);
    });
}
