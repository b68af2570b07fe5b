/**
 * Passphrase-protected private keys: the private key outputs encrypted as OpenSSH and OpenSSL
 * write them, and re-encrypted when the passphrase changes. The provider applies this to what any
 * backend returns, so the plain key never becomes an output.
 */
import { createPrivateKey, KeyObject } from "crypto";
import { keyMaterialOf } from "./material";
import type { KeyPairOutputs } from "../state";
import { sshpk } from "./sshpk";
import { opensshPrivateKey } from "./sshWire";
import { encryptedPkcs8 } from "./pkcs8";

/** How `privateKeyOpenssh` is encrypted: what `ssh-keygen -p` writes (with bcrypt_pbkdf, 16 rounds). */
export const opensshCipher = "aes256-ctr";
export const opensshKdf = "bcrypt";

type PrivateKeys = Pick<KeyPairOutputs, "privateKeyBody" | "privateKeyOpenssh">;

/**
 * The private key in both encodings, encrypted with `passphrase`, each as dear to guess at as the
 * other: deriving the OpenSSH key's cipher key takes about a second (bcrypt_pbkdf in JavaScript),
 * the PKCS#8 key's about a quarter of one (scrypt, on libuv's thread pool meanwhile).
 */
async function encryptedPrivateKeys(key: KeyObject, passphrase: string): Promise<Required<PrivateKeys>> {
    const privateKeyBody = encryptedPkcs8(key, passphrase);
    // sshpk writes OpenSSH's encrypted format.
    const parsed = sshpk().parsePrivateKey(opensshPrivateKey(key).pem, "ssh");
    // sshpk names a key without a comment "(unnamed)"; the plain key has none, so neither does this.
    parsed.comment = "";
    return {
        privateKeyOpenssh: parsed.toString("ssh-private", { passphrase, cipher: opensshCipher }),
        privateKeyBody: await privateKeyBody,
    };
}

/** A private key output that does not parse, decrypt or match its passphrase; the message names the output, never its value. */
export class PrivateKeyError extends Error {}

/**
 * The private key that `privateKeyBody` holds: plain, or encrypted as this provider writes it
 * now (scrypt) or as it wrote it before (PBKDF2 at 2048 iterations), which older states hold.
 * @param passphrase what it is encrypted with; `undefined` for a plain key.
 * @throws PrivateKeyError when it does not parse or decrypt; the message holds neither key nor passphrase.
 */
export function privateKeyOf(privateKeyBody: string, passphrase: string | undefined): KeyObject {
    try {
        return createPrivateKey(passphrase === undefined ? privateKeyBody : { key: privateKeyBody, format: "pem", passphrase });
    } catch {
        throw new PrivateKeyError(
            passphrase === undefined ? "privateKeyBody does not parse" : "privateKeyBody does not decrypt with privateKeyPassphrase",
        );
    }
}

/**
 * The outputs with their private keys encrypted with their `privateKeyPassphrase`, or plain
 * without one: the same key, whatever it was encrypted with before.
 * @param current the passphrase the private keys are encrypted with now; `undefined` when plain.
 */
export async function withPassphrase(outputs: KeyPairOutputs, current?: string): Promise<KeyPairOutputs> {
    const wanted = outputs.privateKeyPassphrase;
    if (outputs.privateKeyBody === undefined || wanted === current) {
        return outputs;
    }
    const key = privateKeyOf(outputs.privateKeyBody, current);
    if (wanted === undefined) {
        const { privateKeyBody, privateKeyOpenssh } = keyMaterialOf(key);
        return { ...outputs, privateKeyBody, privateKeyOpenssh };
    }
    return { ...outputs, ...(await encryptedPrivateKeys(key, wanted)) };
}
