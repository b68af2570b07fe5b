/** Temporary directories for key files, removed after use. */
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

/** Runs `fn` with a fresh private directory and removes the directory afterwards, whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
    const dir = mkdtempSync(join(tmpdir(), "ens-keypair-test-"));
    try {
        return await fn(dir);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** Writes a file only its owner may read (ssh-keygen refuses private keys readable by others). */
export function writePrivateFile(dir: string, name: string, content: string): string {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
}
