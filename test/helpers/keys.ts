/** Key pairs shared by the tests: each spec is generated once per test run, since RSA 4096 takes seconds. */
import { readFileSync } from "fs";
import { join } from "path";
import { EcdsaCurve, KeyType } from "../../provider/fields";
import { generateKeyMaterial, KeyMaterial, KeySpec } from "../../provider/keys/material";
import { runAsync } from "./run";
import { withTempDir } from "./tempDir";

/** A key spec with a label for test titles, and what OpenSSH and OpenSSL say about such a key. */
export interface LabelledSpec {
    label: string;
    spec: { keyType: KeyType; rsaBits?: number; ecdsaCurve?: EcdsaCurve };
    /** The OpenSSH key type name. */
    sshType: string;
    /** Key size as `ssh-keygen -l` prints it. */
    sshBits: number;
    /** A line `openssl pkey -noout -text` prints for this size or curve. */
    opensslHeader: RegExp;
}

/** Every key type and size the provider generates. */
export const allSpecs: readonly LabelledSpec[] = [
    {
        label: "rsa 2048",
        spec: { keyType: "rsa", rsaBits: 2048 },
        sshType: "ssh-rsa",
        sshBits: 2048,
        opensslHeader: /Private-Key: \(2048 bit, 2 primes\)/,
    },
    {
        label: "rsa 3072",
        spec: { keyType: "rsa", rsaBits: 3072 },
        sshType: "ssh-rsa",
        sshBits: 3072,
        opensslHeader: /Private-Key: \(3072 bit, 2 primes\)/,
    },
    {
        label: "rsa 4096",
        spec: { keyType: "rsa", rsaBits: 4096 },
        sshType: "ssh-rsa",
        sshBits: 4096,
        opensslHeader: /Private-Key: \(4096 bit, 2 primes\)/,
    },
    { label: "ed25519", spec: { keyType: "ed25519" }, sshType: "ssh-ed25519", sshBits: 256, opensslHeader: /ED25519 Private-Key:/ },
    {
        label: "ecdsa P256",
        spec: { keyType: "ecdsa", ecdsaCurve: "P256" },
        sshType: "ecdsa-sha2-nistp256",
        sshBits: 256,
        opensslHeader: /NIST CURVE: P-256/,
    },
    {
        label: "ecdsa P384",
        spec: { keyType: "ecdsa", ecdsaCurve: "P384" },
        sshType: "ecdsa-sha2-nistp384",
        sshBits: 384,
        opensslHeader: /NIST CURVE: P-384/,
    },
    {
        label: "ecdsa P521",
        spec: { keyType: "ecdsa", ecdsaCurve: "P521" },
        sshType: "ecdsa-sha2-nistp521",
        sshBits: 521,
        opensslHeader: /NIST CURVE: P-521/,
    },
];

const generated = new Map<string, Promise<KeyMaterial>>();

/** The key pair of a spec, generated on first use and shared by every test file. */
export function sharedKey(spec: KeySpec): Promise<KeyMaterial> {
    const key = JSON.stringify([spec.keyType ?? "rsa", spec.rsaBits ?? null, spec.ecdsaCurve ?? null]);
    let material = generated.get(key);
    if (material === undefined) {
        material = generateKeyMaterial(spec);
        generated.set(key, material);
    }
    return material;
}

/**
 * A public key line made by `ssh-keygen` itself.
 * @param args the key's `-t`/`-b` arguments, e.g. `["-t", "rsa", "-b", "1024"]`.
 */
export function sshKeygenPublicKey(args: string[], comment = "user@host"): Promise<string> {
    return withTempDir(async (dir) => {
        const path = join(dir, "key");
        await runAsync("ssh-keygen", [...args, "-N", "", "-q", "-C", comment, "-f", path]);
        return readFileSync(`${path}.pub`, "utf8").trim();
    });
}
