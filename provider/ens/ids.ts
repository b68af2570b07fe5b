/** Identifiers and timestamps in ENS's formats. */
import { randomUUID } from "crypto";
import { randomLowerAlphanumeric } from "./names";

/** A new `KeyPairId`: `ssh-` and 23 random lower-case letters and digits. */
export function newKeyPairId(): string {
    return "ssh-" + randomLowerAlphanumeric(23);
}

/** A new `RequestId`: an upper-case UUID. */
export function newRequestId(): string {
    return randomUUID().toUpperCase();
}

/** ENS's timestamp format, `yyyy-MM-ddTHH:mm:ssZ` in UTC. */
export function ensTimestamp(date: Date = new Date()): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
