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

/** How `privateKeyOpenssh` is encrypted: what `ssh-keygen -p` writes (with bcrypt_pbkdf, 16 rounds). */
export const opensshCipher = "aes256-ctr";
export const opensshKdf = "bcrypt";
/** How `privateKeyBody` is encrypted: PKCS#8 with PBES2 (PBKDF2-HMAC-SHA256), as OpenSSL writes it by default. */
const pkcs8Cipher = "aes-256-cbc";
/** The PEM label of an encrypted PKCS#8 key. */
export const encryptedPkcs8Label = "ENCRYPTED PRIVATE KEY";

type PrivateKeys = Pick<KeyPairOutputs, "privateKeyBody" | "privateKeyOpenssh">;

/**
 * The private key in both encodings, encrypted with `passphrase`. Deriving the OpenSSH key's
 * cipher key takes about a second (bcrypt_pbkdf in JavaScript), as it is meant to.
 */
function encryptedPrivateKeys(key: KeyObject, passphrase: string): Required<PrivateKeys> {
    // sshpk writes OpenSSH's encrypted format.
    const parsed = sshpk().parsePrivateKey(opensshPrivateKey(key).pem, "ssh");
    // sshpk names a key without a comment "(unnamed)"; the plain key has none, so neither does this.
    parsed.comment = "";
    return {
        privateKeyBody: key.export({ type: "pkcs8", format: "pem", cipher: pkcs8Cipher, passphrase }) as string,
        privateKeyOpenssh: parsed.toString("ssh-private", { passphrase, cipher: opensshCipher }),
    };
}

/** A private key output that does not parse, decrypt or match its passphrase; the message names the output, never its value. */
export class PrivateKeyError extends Error {}

/**
 * The private key that `privateKeyBody` holds.
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
export function withPassphrase(outputs: KeyPairOutputs, current?: string): KeyPairOutputs {
    const wanted = outputs.privateKeyPassphrase;
    if (outputs.privateKeyBody === undefined || wanted === current) {
        return outputs;
    }
    const key = privateKeyOf(outputs.privateKeyBody, current);
    if (wanted === undefined) {
        const { privateKeyBody, privateKeyOpenssh } = keyMaterialOf(key);
        return { ...outputs, privateKeyBody, privateKeyOpenssh };
    }
    return { ...outputs, ...encryptedPrivateKeys(key, wanted) };
}
