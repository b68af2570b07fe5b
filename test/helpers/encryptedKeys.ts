/** Passphrase-protected private keys: the ones the tests make, and opening them with the real OpenSSH and OpenSSL tools. */
import { readFileSync } from "fs";
import { run } from "./run";
import { writePrivateFile } from "./tempDir";

/** The passphrase the tests protect keys with. */
export const testPassphrase = "correct horse battery staple 0123456789";

/** The inputs of one protected pair of each key type, by label. */
export const protectedPairs: readonly { label: string; news: Record<string, unknown> }[] = [
    { label: "rsa 2048", news: { keyPairName: "enc-rsa", privateKeyPassphrase: testPassphrase } },
    { label: "ed25519", news: { keyPairName: "enc-ed", keyType: "ed25519", privateKeyPassphrase: testPassphrase } },
    { label: "ecdsa P384", news: { keyPairName: "enc-ec", keyType: "ecdsa", ecdsaCurve: "P384", privateKeyPassphrase: testPassphrase } },
];

/** A file name that no other call in `dir` uses. */
function fresh(prefix: string): string {
    return `${prefix}-${Math.random().toString(36).slice(2)}`;
}

/** What `ssh-keygen -y` prints for a key file, with `-P passphrase`; the exit status when it refuses. */
export function sshPublicKey(dir: string, key: string, given: string): { status: number; line: string } {
    const result = run("ssh-keygen", ["-y", "-P", given, "-f", writePrivateFile(dir, fresh("key"), key)], { allowFailure: true });
    return { status: result.status, line: result.stdout.trim() };
}

/** The plain PKCS#8 PEM `openssl pkey` decrypts from `pem` with `-passin pass:given`, and its exit status. */
export function opensslDecrypted(dir: string, pem: string, given: string): { status: number; pem: string } {
    const file = writePrivateFile(dir, fresh("pkcs8"), pem);
    const result = run("openssl", ["pkey", "-in", file, "-passin", `pass:${given}`], { allowFailure: true });
    return { status: result.status, pem: result.stdout };
}

/** The private key as a plain OpenSSH file, decrypted by `ssh-keygen -p` as a user would before `ssh -i`. */
export function decryptedWithSshKeygen(dir: string, key: string, given: string): string {
    const file = writePrivateFile(dir, fresh("to-decrypt"), key);
    run("ssh-keygen", ["-p", "-P", given, "-N", "", "-f", file]);
    return readFileSync(file, "utf8");
}
