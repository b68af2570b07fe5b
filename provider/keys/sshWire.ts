/**
 * The SSH wire encodings (RFC 4251 strings and mpints) of public keys and of OpenSSH's own private
 * key format (`openssh-key-v1`), built straight from a key's JWK. Written by hand rather than via
 * sshpk because this is the hot path of key generation: sshpk's parse-and-reencode costs about
 * 30 times more than the encodings themselves for Ed25519.
 */
import { KeyObject, randomBytes } from "crypto";

/** OpenSSH's name of an ECDSA curve, keyed by the JWK curve name. */
const sshCurveNames: Record<string, string> = { "P-256": "nistp256", "P-384": "nistp384", "P-521": "nistp521" };
/** Field size in bytes of each curve, for fixed-width point coordinates. */
const curveBytes: Record<string, number> = { "P-256": 32, "P-384": 48, "P-521": 66 };

interface Jwk {
    kty: string;
    crv?: string;
    n?: string;
    e?: string;
    d?: string;
    p?: string;
    q?: string;
    qi?: string;
    x?: string;
    y?: string;
}

function uint32(n: number): Buffer {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n);
    return b;
}

/** An SSH `string`: a length-prefixed byte sequence. */
export function sshString(value: Buffer | string): Buffer {
    const bytes = typeof value === "string" ? Buffer.from(value) : value;
    return Buffer.concat([uint32(bytes.length), bytes]);
}

/** An SSH `mpint` of a non-negative big-endian magnitude: no leading zeros, a zero byte if the top bit is set. */
export function sshMpint(magnitude: Buffer): Buffer {
    let start = 0;
    while (start < magnitude.length && magnitude[start] === 0) {
        start++;
    }
    const trimmed = magnitude.subarray(start);
    const body = trimmed.length > 0 && trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
    return sshString(body);
}

function b64u(value: string | undefined): Buffer {
    if (value === undefined) {
        throw new Error("key export lacks a component");
    }
    return Buffer.from(value, "base64url");
}

function leftPad(bytes: Buffer, width: number): Buffer {
    return bytes.length >= width ? bytes : Buffer.concat([Buffer.alloc(width - bytes.length), bytes]);
}

function ecPoint(jwk: Jwk): Buffer {
    const width = curveBytes[jwk.crv ?? ""];
    return Buffer.concat([Buffer.from([4]), leftPad(b64u(jwk.x), width), leftPad(b64u(jwk.y), width)]);
}

/** The parts of a key's SSH encoding: its type name and the fields of the public and private blobs. */
interface SshKeyParts {
    type: string;
    publicFields: Buffer[];
    privateFields: Buffer[];
}

function sshParts(jwk: Jwk): SshKeyParts {
    switch (jwk.kty) {
        case "RSA": {
            const n = sshMpint(b64u(jwk.n));
            const e = sshMpint(b64u(jwk.e));
            return {
                type: "ssh-rsa",
                publicFields: [e, n],
                privateFields:
                    jwk.d === undefined
                        ? []
                        : [n, e, sshMpint(b64u(jwk.d)), sshMpint(b64u(jwk.qi)), sshMpint(b64u(jwk.p)), sshMpint(b64u(jwk.q))],
            };
        }
        case "OKP": {
            if (jwk.crv !== "Ed25519") {
                throw new Error(`unsupported OKP curve ${jwk.crv}`);
            }
            const pub = b64u(jwk.x);
            return {
                type: "ssh-ed25519",
                publicFields: [sshString(pub)],
                privateFields: jwk.d === undefined ? [] : [sshString(pub), sshString(Buffer.concat([b64u(jwk.d), pub]))],
            };
        }
        case "EC": {
            const curve = sshCurveNames[jwk.crv ?? ""];
            if (!curve) {
                throw new Error(`unsupported EC curve ${jwk.crv}`);
            }
            const point = sshString(ecPoint(jwk));
            return {
                type: `ecdsa-sha2-${curve}`,
                publicFields: [sshString(curve), point],
                privateFields: jwk.d === undefined ? [] : [sshString(curve), point, sshMpint(b64u(jwk.d))],
            };
        }
        default:
            throw new Error(`unsupported key type ${jwk.kty}`);
    }
}

/** The SSH public key blob of a key, and its type name (`ssh-rsa`, `ssh-ed25519`, `ecdsa-sha2-nistp256`, …). */
export function publicKeyBlob(key: KeyObject): { type: string; blob: Buffer } {
    const parts = sshParts(key.export({ format: "jwk" }) as Jwk);
    return { type: parts.type, blob: Buffer.concat([sshString(parts.type), ...parts.publicFields]) };
}

/**
 * The key type a public key blob names in its first string (`ssh-rsa`, `ssh-ed25519`, …).
 * @returns `undefined` when the blob does not start with a whole SSH string.
 */
export function blobKeyType(blob: Buffer): string | undefined {
    const end = blob.length >= 4 ? 4 + blob.readUInt32BE(0) : Number.POSITIVE_INFINITY;
    return end <= blob.length ? blob.subarray(4, end).toString() : undefined;
}

/**
 * One `authorized_keys` line, `<type> <base64 blob>`, with the type the blob names.
 * @throws Error when the blob does not start with its type.
 */
export function authorizedKeysLine(blob: Buffer): string {
    const type = blobKeyType(blob);
    if (type === undefined) {
        throw new Error("not an SSH public key blob");
    }
    return `${type} ${blob.toString("base64")}`;
}

/** `body` in PEM armour under `label`, `width` base64 characters a line. */
export function pem(label: string, body: Buffer, width: number): string {
    const b64 = body.toString("base64");
    const lines: string[] = [];
    for (let i = 0; i < b64.length; i += width) {
        lines.push(b64.slice(i, i + width));
    }
    return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/**
 * A private key in OpenSSH's own unencrypted format, as `ssh-keygen` writes it.
 * @returns the PEM-armoured key and the public blob, which the format also carries.
 */
export function opensshPrivateKey(privateKey: KeyObject, comment = ""): { pem: string; publicBlob: Buffer } {
    const parts = sshParts(privateKey.export({ format: "jwk" }) as Jwk);
    const publicBlob = Buffer.concat([sshString(parts.type), ...parts.publicFields]);
    // The check integer lets a reader tell a wrong passphrase; it is random, as ssh-keygen makes it.
    const check = randomBytes(4);
    const section = [check, check, sshString(parts.type), ...parts.privateFields, sshString(comment)];
    let length = section.reduce((sum, b) => sum + b.length, 0);
    const padding: number[] = [];
    for (let i = 1; length % 8 !== 0; i++, length++) {
        padding.push(i);
    }
    const body = Buffer.concat([
        Buffer.from("openssh-key-v1\0"),
        sshString("none"),
        sshString("none"),
        sshString(""),
        uint32(1),
        sshString(publicBlob),
        sshString(Buffer.concat([...section, Buffer.from(padding)])),
    ]);
    return { pem: pem("OPENSSH PRIVATE KEY", body, 70), publicBlob };
}

/** What an OpenSSH private key says in the clear, before its private section: how that is encrypted, and the public key. */
interface OpensshKeyHeader {
    /** `none`, or the cipher of the private section (`aes256-ctr` as ssh-keygen writes it). */
    cipher: string;
    /** `none`, or the key derivation function (`bcrypt`). */
    kdf: string;
    /** The public key blob, which the format carries unencrypted. */
    publicBlob: Buffer;
}

/** Reads SSH strings and uint32s one after another; `what` names the data in errors. */
function wireReader(data: Buffer, offset: number, what: string) {
    const need = (bytes: number) => {
        if (offset + bytes > data.length) {
            throw new Error(`truncated ${what}`);
        }
    };
    return {
        uint32(): number {
            need(4);
            offset += 4;
            return data.readUInt32BE(offset - 4);
        },
        string(): Buffer {
            const length = this.uint32();
            need(length);
            offset += length;
            return data.subarray(offset - length, offset);
        },
    };
}

/** The clear part of an OpenSSH private key, and its private section (encrypted unless the cipher is `none`). */
function readOpensshKey(pem: string): OpensshKeyHeader & { privateSection: Buffer } {
    const body = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, ""), "base64");
    const magic = "openssh-key-v1\0";
    if (body.subarray(0, magic.length).toString("latin1") !== magic) {
        throw new Error("not an OpenSSH private key");
    }
    const reader = wireReader(body, magic.length, "OpenSSH private key");
    const cipher = reader.string().toString();
    const kdf = reader.string().toString();
    reader.string(); // the KDF's options
    if (reader.uint32() !== 1) {
        throw new Error("an OpenSSH private key file must hold one key");
    }
    return { cipher, kdf, publicBlob: reader.string(), privateSection: reader.string() };
}

/**
 * Reads the clear part of an OpenSSH private key without touching the private section, so an
 * encrypted key is read without its passphrase.
 * @throws Error when the text is not an `openssh-key-v1` key holding one key.
 */
export function opensshKeyHeader(pem: string): OpensshKeyHeader {
    const { cipher, kdf, publicBlob } = readOpensshKey(pem);
    return { cipher, kdf, publicBlob };
}

/**
 * The public key line (`<type> <base64>`) of an unencrypted OpenSSH private key, from the public
 * half its private section holds with the private one (not from the clear part, which a damaged
 * or spliced key may not share).
 * @throws Error when the key is encrypted, or its private section is not one whole key of a
 *   supported type (the two check integers equal, as a reader checks a decryption).
 */
export function opensshPublicLine(pem: string): string {
    const { cipher, privateSection } = readOpensshKey(pem);
    if (cipher !== "none") {
        throw new Error("the OpenSSH private key is encrypted");
    }
    const reader = wireReader(privateSection, 0, "OpenSSH private section");
    if (reader.uint32() !== reader.uint32()) {
        throw new Error("the OpenSSH private section's check integers differ");
    }
    const type = reader.string();
    // The fields of each type's private section that make its public blob (see sshParts), after the type.
    let publicFields: Buffer[];
    switch (type.toString()) {
        case "ssh-ed25519": {
            const pub = reader.string();
            const secret = reader.string(); // the seed, then the public key again
            if (pub.length !== 32 || secret.length !== 64 || !secret.subarray(32).equals(pub)) {
                throw new Error("the OpenSSH private section is not an Ed25519 key");
            }
            publicFields = [pub];
            break;
        }
        case "ssh-rsa": {
            const [n, e] = [reader.string(), reader.string()];
            publicFields = [e, n];
            break;
        }
        case "ecdsa-sha2-nistp256":
        case "ecdsa-sha2-nistp384":
        case "ecdsa-sha2-nistp521":
            publicFields = [reader.string(), reader.string()]; // the curve and the point
            break;
        default:
            throw new Error("the OpenSSH private section holds an unsupported key type");
    }
    return authorizedKeysLine(Buffer.concat([sshString(type), ...publicFields.map((field) => sshString(field))]));
}
