/**
 * Encrypted PKCS#8, as `privateKeyBody` holds a key with a passphrase: an EncryptedPrivateKeyInfo
 * (RFC 5958) with PBES2 (RFC 8018), whose key derivation is scrypt (RFC 7914) and whose cipher is
 * AES-256-CBC. OpenSSL reads it (`openssl pkey`, Node's `createPrivateKey`, and `ssh-keygen` for
 * RSA and ECDSA keys), and `openssl pkcs8 -topk8 -scrypt` writes the same structure.
 *
 * Node's own `export({ cipher, passphrase })` writes PBKDF2-HMAC-SHA256 at OpenSSL's fixed 2048
 * iterations and takes no count. A guess at the passphrase then cost a few milliseconds of CPU,
 * against a tenth of a second or more for the OpenSSH copy of the same key (`privateKeyOpenssh`,
 * bcrypt_pbkdf at 16 rounds), so the weaker copy gave the key away. At {@link scryptCost} a guess
 * costs more CPU than the OpenSSH copy's, and 16 MiB of memory besides, which makes guessing in
 * parallel dear (docs/security.md has the figures).
 */
import { createCipheriv, KeyObject, randomBytes, scrypt, ScryptOptions } from "crypto";

/**
 * scrypt's cost: N = 2^14 with r = 8 uses 16 MiB, the most that OpenSSL's readers allow by default
 * (they stop at 32 MiB, which N = 2^15 just exceeds; its own writer refuses more too), and p = 4
 * runs that four times over, for about twice the CPU of the OpenSSH copy's bcrypt_pbkdf.
 */
export const scryptCost = { N: 1 << 14, r: 8, p: 4 } as const;

/** The DER encodings of the object identifiers the structure names. */
const oid = {
    /** 1.2.840.113549.1.5.13 */
    pbes2: "06092a864886f70d01050d",
    /** 1.3.6.1.4.1.11591.4.11 */
    scrypt: "06092b06010401da47040b",
    /** 2.16.840.1.101.3.4.1.42 */
    aes256Cbc: "060960864801650304012a",
};

/** A DER element: its tag, its length (short or long form), its contents. */
function der(tag: number, ...contents: Buffer[]): Buffer {
    const body = Buffer.concat(contents);
    const size: number[] = [];
    for (let rest = body.length; rest > 0; rest = Math.floor(rest / 256)) {
        size.unshift(rest % 256);
    }
    const length = body.length < 0x80 ? [body.length] : [0x80 | size.length, ...size];
    return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

/** The PEM label of an encrypted PKCS#8 key. */
export const encryptedPkcs8Label = "ENCRYPTED PRIVATE KEY";

const sequence = (...contents: Buffer[]) => der(0x30, ...contents);
const octetString = (bytes: Buffer) => der(0x04, bytes);

/** A DER INTEGER of a small non-negative number, in as few bytes as it takes. */
function integer(value: number): Buffer {
    const bytes: number[] = [];
    for (let rest = value; bytes.length === 0 || rest > 0; rest = Math.floor(rest / 256)) {
        bytes.unshift(rest % 256);
    }
    // A set top bit would make the number negative.
    return der(0x02, Buffer.from(bytes[0] & 0x80 ? [0, ...bytes] : bytes));
}

const derive = (passphrase: string, salt: Buffer, options: ScryptOptions) =>
    new Promise<Buffer>((resolve, reject) => scrypt(passphrase, salt, 32, options, (err, key) => (err ? reject(err) : resolve(key))));

/**
 * `key` as encrypted PKCS#8 PEM (armour `BEGIN ENCRYPTED PRIVATE KEY`), encrypted with
 * `passphrase`. scrypt runs on libuv's thread pool, so it keeps no other work waiting.
 */
export async function encryptedPkcs8(key: KeyObject, passphrase: string): Promise<string> {
    const salt = randomBytes(16);
    const iv = randomBytes(16);
    const secret = await derive(passphrase, salt, scryptCost);
    const cipher = createCipheriv("aes-256-cbc", secret, iv);
    const plain = key.export({ type: "pkcs8", format: "der" });
    const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
    const { N, r, p } = scryptCost;
    const kdf = sequence(Buffer.from(oid.scrypt, "hex"), sequence(octetString(salt), integer(N), integer(r), integer(p)));
    const scheme = sequence(Buffer.from(oid.aes256Cbc, "hex"), octetString(iv));
    const info = sequence(sequence(Buffer.from(oid.pbes2, "hex"), sequence(kdf, scheme)), octetString(encrypted));
    const lines = info.toString("base64").match(/.{1,64}/g) ?? [];
    return `-----BEGIN ${encryptedPkcs8Label}-----\n${lines.join("\n")}\n-----END ${encryptedPkcs8Label}-----\n`;
}
