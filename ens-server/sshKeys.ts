/**
 * The SSH key material the server handles, with Node's crypto only: reading ImportKeyPair's
 * `PublicKeyBody`, ENS's fingerprint, and CreateKeyPair's new pair. The rules are those of the
 * repository's `docs/ens-api.md` ("PublicKeyBody", "KeyPairFingerPrint", "PrivateKeyBody").
 */
import { createHash, createPublicKey, generateKeyPair, KeyObject } from "crypto";
import { promisify } from "util";
import { invalidParameter, missingParameter } from "./errors";

/** The smallest RSA modulus ImportKeyPair takes, in bits (a decision of this server). */
const minRsaBits = 2048;
/** The size of the pairs CreateKeyPair makes, in bits. */
const createdRsaBits = 2048;

/** A public key as the server stores it. */
export interface PublicKey {
    /** `ssh-rsa <base64 blob>`, without a comment. */
    line: string;
    /** ENS's fingerprint: MD5 of the blob, 32 lower-case hex digits. */
    fingerPrint: string;
}

/** ENS's fingerprint of an SSH public key blob. */
function fingerPrintOf(blob: Buffer): string {
    return createHash("md5").update(blob).digest("hex");
}

/** Reads the length-prefixed fields of an SSH wire blob (RFC 4253, section 6.6); `undefined` if it is malformed. */
function wireFields(blob: Buffer): Buffer[] | undefined {
    const fields: Buffer[] = [];
    let at = 0;
    while (at < blob.length) {
        if (at + 4 > blob.length) {
            return undefined;
        }
        const length = blob.readUInt32BE(at);
        if (at + 4 + length > blob.length) {
            return undefined;
        }
        fields.push(blob.subarray(at + 4, at + 4 + length));
        at += 4 + length;
    }
    return fields;
}

/** The blob of an `ssh-rsa` public key with exponent `e` and modulus `n` (unsigned big-endian). */
function rsaBlob(e: Buffer, n: Buffer): Buffer {
    const field = (bytes: Buffer) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(bytes.length);
        return Buffer.concat([length, bytes]);
    };
    // An mpint is two's complement: a leading byte with its top bit set needs a zero before it.
    const mpint = (bytes: Buffer) => field(bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
    return Buffer.concat([field(Buffer.from("ssh-rsa")), mpint(e), mpint(n)]);
}

/**
 * ImportKeyPair's `PublicKeyBody`, checked: one `ssh-rsa` line of a key of at least 2048 bits,
 * an optional comment after it.
 * @throws ApiError `MissingParameter` when absent or empty, `InvalidParameter.PublicKeyBody` otherwise.
 */
export function checkedPublicKey(body: string | undefined): PublicKey {
    if (!body) {
        throw missingParameter("PublicKeyBody");
    }
    const refuse = (why: string) => invalidParameter("PublicKeyBody", `PublicKeyBody ${why}.`);
    if (body.includes("PRIVATE KEY")) {
        throw refuse("holds a private key, not a public key line");
    }
    const [type, base64] = body.trim().split(/[ \t]+/);
    if (type !== "ssh-rsa") {
        throw refuse("must be a public key line of type ssh-rsa: ENS imports only ssh-rsa keys");
    }
    const blob = Buffer.from(base64 ?? "", "base64");
    // Node's decoder skips what is not base64: a body that does not re-encode to itself was not base64.
    if (blob.length === 0 || blob.toString("base64").replace(/=+$/, "") !== (base64 ?? "").replace(/=+$/, "")) {
        throw refuse("is not base64 after ssh-rsa");
    }
    const fields = wireFields(blob);
    if (fields === undefined || fields.length !== 3 || fields[0].toString() !== "ssh-rsa") {
        throw refuse("is not a whole ssh-rsa key (its base64 is damaged or cut short)");
    }
    let key: KeyObject;
    try {
        const unsigned = (bytes: Buffer) => bytes.subarray(bytes.findIndex((b) => b !== 0)).toString("base64url");
        key = createPublicKey({ key: { kty: "RSA", e: unsigned(fields[1]), n: unsigned(fields[2]) }, format: "jwk" });
    } catch {
        throw refuse("is not a valid RSA public key");
    }
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < minRsaBits) {
        throw refuse(`is a ${bits}-bit RSA key; keys of at least ${minRsaBits} bits are imported`);
    }
    return { line: `ssh-rsa ${blob.toString("base64")}`, fingerPrint: fingerPrintOf(blob) };
}

/** A pair made by CreateKeyPair: its public key, and the private key, which only the answer carries. */
export interface CreatedPair extends PublicKey {
    /** PKCS#8 PEM (armour `BEGIN PRIVATE KEY`). */
    privateKeyPem: string;
}

/** A new 2048-bit RSA pair. */
export async function createdPair(): Promise<CreatedPair> {
    const { publicKey, privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: createdRsaBits, publicExponent: 0x10001 });
    const jwk = publicKey.export({ format: "jwk" });
    const blob = rsaBlob(Buffer.from(jwk.e as string, "base64url"), Buffer.from(jwk.n as string, "base64url"));
    return {
        line: `ssh-rsa ${blob.toString("base64")}`,
        fingerPrint: fingerPrintOf(blob),
        privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    };
}
