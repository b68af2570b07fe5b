/**
 * Key fingerprints: ENS's `KeyPairFingerPrint` (RFC 4716 MD5, bare hex) and the two forms
 * `ssh-keygen -l` prints.
 */
import { createHash } from "crypto";
import { invalidParameter } from "../ens/errors";
import { blobKeyType } from "./sshWire";

/** The fingerprints of one public key. */
export interface Fingerprints {
    /** ENS's form: MD5 of the public key blob, 32 lower-case hex digits, no separators. */
    keyPairFingerPrint: string;
    /** The same MD5 digest as colon-separated hex pairs, as `ssh-keygen -l -E md5` prints it after `MD5:`. */
    fingerprintMd5: string;
    /** `SHA256:` and the unpadded base64 SHA-256 digest of the blob, as `ssh-keygen -l` prints it. */
    fingerprintSha256: string;
}

/** An MD5 fingerprint in `ssh-keygen -E md5`'s form: hex digits in colon-separated pairs. */
export function colonHex(hex: string): string {
    return hex.replace(/(..)(?!$)/g, "$1:");
}

/** Fingerprints of an SSH public key blob (the bytes base64-encoded in an `authorized_keys` line). */
export function fingerprintsOfBlob(blob: Buffer): Fingerprints {
    const md5 = createHash("md5").update(blob).digest("hex");
    return {
        keyPairFingerPrint: md5,
        fingerprintMd5: colonHex(md5),
        fingerprintSha256: "SHA256:" + createHash("sha256").update(blob).digest("base64").replace(/=+$/, ""),
    };
}

/**
 * Fingerprints of an OpenSSH public key line (`<type> <base64> [comment]`).
 * @throws EnsError `InvalidParameter.PublicKeyBody` when the line is not of that shape or its
 *   blob does not name the line's key type.
 */
export function fingerprints(publicKeyOpenssh: string): Fingerprints {
    const [type, data] = publicKeyOpenssh.trim().split(/\s+/);
    const blob = Buffer.from(data ?? "", "base64");
    if (!type || blobKeyType(blob) !== type) {
        throw invalidParameter("PublicKeyBody", 'the public key is not an OpenSSH public key line ("<type> <base64 key> [comment]").');
    }
    return fingerprintsOfBlob(blob);
}
