/**
 * Imported public keys (ENS's ImportKeyPair): parsing and checking an OpenSSH public key line
 * with sshpk. Errors never quote the input: a user may paste a private key here by mistake.
 */
import type * as Sshpk from "sshpk";
import { invalidParameter } from "../ens/errors";
import { EcdsaCurve, KeyType } from "../fields";
import { sshpk } from "./sshpk";
import { authorizedKeysLine } from "./sshWire";

/** The smallest RSA modulus accepted for an imported key. */
const minImportedRsaBits = 2048;
/** The largest: OpenSSH's own limit, beyond which `ssh` refuses the key. */
const maxImportedRsaBits = 16384;
/**
 * The longest `publicKey` accepted, checked before anything parses it (50 MB once took 5 s): a
 * line of a 16384-bit RSA key is about 2,800 characters, which leaves room for a long comment.
 */
export const maxPublicKeyLength = 8192;

/** What an imported public key is. */
interface ParsedPublicKey {
    keyType: KeyType;
    rsaBits?: number;
    ecdsaCurve?: EcdsaCurve;
    /** The key as `<type> <base64 blob>`. The comment is dropped: it labels the key but is no part of it (see the README). */
    publicKeyOpenssh: string;
}

const curves: Record<string, EcdsaCurve> = { nistp256: "P256", nistp384: "P384", nistp521: "P521" };

/** The key types that can be imported, as OpenSSH names them. */
const importableTypes = ["ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];
/** Other key types OpenSSH writes: an error may name one, since it quotes nothing else of the input. */
const otherTypes =
    /^(ssh-dss|ssh-ed448|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com|[a-z0-9.@-]+-cert-v01@openssh\.com)$/;
const supported = "only RSA (ssh-rsa), Ed25519 (ssh-ed25519) and ECDSA (ecdsa-sha2-nistp256, -nistp384, -nistp521) keys are supported";
const lineForm = '"<type> <base64 key> [comment]"';

/**
 * Parses an OpenSSH public key line.
 * @throws EnsError `InvalidParameter.PublicKeyBody` for anything that is not a whole RSA (2048 bits
 *   or more), Ed25519 or ECDSA public key line.
 */
export function parsePublicKey(line: unknown, field = "publicKey"): ParsedPublicKey {
    const fail = (rule: string) => invalidParameter("PublicKeyBody", `${field} ${rule}.`);
    if (typeof line !== "string" || line.trim() === "") {
        throw fail('must be an OpenSSH public key line ("ssh-rsa AAAA… [comment]")');
    }
    if (line.length > maxPublicKeyLength) {
        throw fail(`must be at most ${maxPublicKeyLength} characters long, as a public key line is; it has ${line.length}`);
    }
    if (/PRIVATE KEY/.test(line)) {
        throw fail("holds a private key; give the public key line instead (ssh-keygen -y -f KEY)");
    }
    const text = line.trim();
    if (text.includes("\n")) {
        throw fail("must be a single line");
    }
    const words = text.split(/\s+/);
    const typeAt = words.findIndex((word) => importableTypes.includes(word) || otherTypes.test(word));
    if (typeAt > 0) {
        throw fail(`starts with authorized_keys options; give the key alone, ${lineForm}, without options such as from="…" or no-pty`);
    }
    if (typeAt === 0 && !importableTypes.includes(words[0])) {
        throw fail(`is an ${words[0]} key; ${supported}`);
    }
    let key: Sshpk.Key;
    try {
        key = sshpk().parseKey(text, "ssh");
    } catch {
        throw fail(`is not a parsable OpenSSH public key line (${lineForm}); it may be truncated`);
    }
    // "rfc4253" is the wire blob; sshpk's "ssh" format is the text line.
    const blob = key.toBuffer("rfc4253", {});
    // sshpk accepts a line whose base64 carries trailing garbage; a whole key re-encodes to the same bytes.
    const given = Buffer.from(text.split(/\s+/)[1] ?? "", "base64");
    if (!given.equals(blob)) {
        throw fail("is not a well-formed OpenSSH public key (the base64 body is damaged or has extra bytes)");
    }
    const publicKeyOpenssh = authorizedKeysLine(blob);
    switch (key.type) {
        case "rsa":
            if (key.size < minImportedRsaBits || key.size > maxImportedRsaBits) {
                throw fail(`is a ${key.size}-bit RSA key; RSA keys must have ${minImportedRsaBits} to ${maxImportedRsaBits} bits`);
            }
            return { keyType: "rsa", rsaBits: key.size, publicKeyOpenssh };
        case "ed25519":
            return { keyType: "ed25519", publicKeyOpenssh };
        case "ecdsa": {
            const curve = curves[key.curve ?? ""];
            if (!curve) {
                throw fail(`uses the unsupported curve ${key.curve}`);
            }
            return { keyType: "ecdsa", ecdsaCurve: curve, publicKeyOpenssh };
        }
        default:
            throw fail(`is a ${key.type} key; ${supported}`);
    }
}
