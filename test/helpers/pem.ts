// PEM checks that never print key material: a failure shows only the armour line.
import * as assert from "assert";

/** Asserts that `pem` starts with the armour line of `label`, e.g. "PRIVATE KEY". */
export function assertArmour(pem: unknown, label: string): void {
    const firstLine = (typeof pem === "string" ? pem : "").split("\n")[0];
    assert.strictEqual(firstLine, `-----BEGIN ${label}-----`);
}

/** Asserts that two private keys are the same; a failure names `what` and prints neither key. */
export function assertSameKey(actual: unknown, expected: unknown, what: string): void {
    assert.ok(actual === expected, `${what}: the private keys differ`);
}

/** Asserts that a private key output is absent; a failure prints no key material. */
export function assertNoKey(value: unknown, what: string): void {
    assert.ok(value === undefined, `${what} should be absent`);
}
