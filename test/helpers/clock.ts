/** Timestamps checked against the local clock by bracketing, never by a tolerance in seconds. */
import * as assert from "assert";

/**
 * Asserts that `timestamp` (ISO 8601, to the second as ENS writes it) was taken between the local
 * clock readings `before` and `after`, however long the machine took in between.
 */
export function assertStampedBetween(timestamp: string, before: number, after: number, message: string): void {
    const at = Date.parse(timestamp);
    const earliest = Math.floor(before / 1000) * 1000;
    assert.ok(
        at >= earliest && at <= after,
        `${message}: ${timestamp} is not between ${new Date(earliest).toISOString()} and ${new Date(after).toISOString()}`,
    );
}
