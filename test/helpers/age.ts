/** The real `age` and `age-keygen` commands (Debian's `age` package), for opening sealed private keys. */
import * as assert from "assert";
import * as path from "path";
import { assertArmour } from "./pem";
import { run } from "./run";
import { writePrivateFile } from "./tempDir";

/** An age identity file made by `age-keygen`, and its recipient. */
export interface AgeIdentity {
    /** The identity file, readable by its owner alone. */
    file: string;
    /** Its recipient, `age1…`, as `age-keygen -y` prints it. */
    recipient: string;
}

/** Makes a new identity with `age-keygen -o` in `dir`. */
export function ageIdentity(dir: string, name: string): AgeIdentity {
    const file = path.join(dir, name);
    run("age-keygen", ["-o", file]);
    return { file, recipient: run("age-keygen", ["-y", file]).stdout.trim() };
}

/** What `age -d -i identity` makes of `sealed` (written to a file in `dir`). */
function ageDecrypt(dir: string, sealed: unknown, identity: AgeIdentity) {
    const input = writePrivateFile(dir, `sealed-${Math.random().toString(36).slice(2)}.age`, String(sealed));
    return run("age", ["-d", "-i", identity.file, input], { allowFailure: true });
}

/** The file `age -d -i identity` opens from an armoured age file; fails the test if it cannot. */
export function openSealed(dir: string, sealed: unknown, identity: AgeIdentity): string {
    assertArmour(sealed, "AGE ENCRYPTED FILE");
    const result = ageDecrypt(dir, sealed, identity);
    assert.strictEqual(result.status, 0, result.stderr);
    return result.stdout;
}

/** Asserts that `identity` does not open `sealed`: age finds no identity that matches, and prints nothing. */
export function assertNotOpenedBy(dir: string, sealed: unknown, identity: AgeIdentity): void {
    const result = ageDecrypt(dir, sealed, identity);
    assert.notStrictEqual(result.status, 0, `the identity ${path.basename(identity.file)} opened the seal`);
    assert.match(result.stderr, /no identity matched any of the recipients/);
    assert.strictEqual(result.stdout, "");
}
