/** Identifiers in ENS's formats, and the random characters they and generated names are made of. */
import { randomBytes, randomUUID } from "crypto";

const lowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `length` characters drawn uniformly from `[a-z0-9]` with a CSPRNG. */
export function randomLowerAlphanumeric(length: number): string {
    let out = "";
    while (out.length < length) {
        for (const byte of randomBytes(length * 2)) {
            // 252 = 7 * 36: dropping bytes above it keeps the draw uniform.
            if (byte < 252 && out.length < length) {
                out += lowerAlphanumeric[byte % 36];
            }
        }
    }
    return out;
}

/** A new `KeyPairId`: `ssh-` and 23 random lower-case letters and digits. */
export function newKeyPairId(): string {
    return "ssh-" + randomLowerAlphanumeric(23);
}

/** A new `RequestId`: an upper-case UUID. */
export function newRequestId(): string {
    return randomUUID().toUpperCase();
}
