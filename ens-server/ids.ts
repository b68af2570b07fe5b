/**
 * The identifiers and timestamps the server hands out, in ENS's shapes (the repository's
 * `docs/ens-api.md`, "Identifiers and timestamps").
 */
import { randomInt, randomUUID } from "crypto";

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A new `KeyPairId`: `ssh-` and 23 random lower-case letters and digits. */
export function newKeyPairId(): string {
    return "ssh-" + Array.from({ length: 23 }, () => idAlphabet[randomInt(idAlphabet.length)]).join("");
}

/** A new `RequestId`: a random UUID in upper case. */
export function newRequestId(): string {
    return randomUUID().toUpperCase();
}

/** `at` as ENS writes times: ISO 8601 in UTC, to the second. */
export function timestamp(at: Date = new Date()): string {
    return at.toISOString().slice(0, 19) + "Z";
}
