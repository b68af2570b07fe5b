/** The real `age` and `age-keygen` commands (Debian's `age` package), for opening sealed private keys. */
import * as path from "path";
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

/** What `age -d -i identity` makes of `sealed`: the exit status, the plaintext and the complaint. */
export function ageDecrypt(dir: string, sealed: string, identity: AgeIdentity): { status: number; plaintext: string; stderr: string } {
    const input = writePrivateFile(dir, `sealed-${Math.random().toString(36).slice(2)}.age`, sealed);
    const result = run("age", ["-d", "-i", identity.file, input], { allowFailure: true });
    return { status: result.status, plaintext: result.stdout, stderr: result.stderr };
}
