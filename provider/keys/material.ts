/**
 * Key generation and the encodings of a key pair: PKCS#8 PEM, OpenSSH private key, the
 * `authorized_keys` line and fingerprints. Generation is asynchronous (OpenSSL on libuv's thread
 * pool), so many keys are made in parallel without blocking the event loop.
 */
import { createPrivateKey, generateKeyPair, KeyObject } from "crypto";
import { promisify } from "util";
import { ArgumentOf, EcdsaCurve, keyPairFields, KeyType } from "../fields";
import { invalidParameter } from "../ens/errors";
import { Fingerprints, fingerprintsOfBlob } from "./fingerprints";
import { authorizedKeysLine, opensshPrivateKey } from "./sshWire";

const generate = promisify(generateKeyPair);

/** What key to make; an absent field takes the default the KeyPair input of that name has. */
export interface KeySpec {
    keyType?: KeyType;
    /** RSA modulus size; the provider's inputs allow 2048, 3072 and 4096. */
    rsaBits?: number;
    ecdsaCurve?: EcdsaCurve;
}

/** A key pair in every encoding the provider outputs. */
export interface KeyMaterial extends Fingerprints {
    /** The private key, PKCS#8 PEM (armour `BEGIN PRIVATE KEY`). Secret. */
    privateKeyBody: string;
    /** The private key in OpenSSH's format (armour `BEGIN OPENSSH PRIVATE KEY`). Secret. */
    privateKeyOpenssh: string;
    /** The public key as one `authorized_keys` line, without comment. */
    publicKeyOpenssh: string;
}

/**
 * The spec's value of `field`, or its default, checked again against the field table's choices
 * where the key is made: whatever reached this far unchecked (a create sent straight to the
 * plugin once made a 512-bit key, and `rsaBits: 1e6` kept a CPU busy for minutes), no key but
 * of the sizes and curves the provider offers is ever made.
 * @throws EnsError naming the field and its choices, quoting nothing of the value.
 */
function chosen<K extends "keyType" | "rsaBits" | "ecdsaCurve">(spec: KeySpec, field: K): ArgumentOf<K> {
    const { choices, default: fallback, ensParameter } = keyPairFields[field];
    const value = spec[field] ?? fallback;
    if (!(choices as readonly unknown[]).includes(value)) {
        throw invalidParameter(
            ensParameter,
            `${field} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")} for a key the provider makes.`,
        );
    }
    return value as ArgumentOf<K>;
}

function generateFor(spec: KeySpec): Promise<{ privateKey: KeyObject }> {
    switch (chosen(spec, "keyType")) {
        case "rsa":
            return generate("rsa", { modulusLength: chosen(spec, "rsaBits"), publicExponent: 0x10001 });
        case "ed25519":
            return generate("ed25519");
        case "ecdsa":
            return generate("ec", { namedCurve: `P-${chosen(spec, "ecdsaCurve").slice(1)}` });
    }
}

/** Generates a key pair and returns it in every encoding, with its fingerprints. */
export async function generateKeyMaterial(spec: KeySpec = {}): Promise<KeyMaterial> {
    const { privateKey } = await generateFor(spec);
    return keyMaterialOf(privateKey);
}

/**
 * Every encoding of an existing private key (a KeyObject, or PEM in PKCS#8, PKCS#1 or SEC1).
 * Used for keys ENS made and to re-derive stored outputs when checking their integrity.
 */
export function keyMaterialOf(privateKey: KeyObject | string): KeyMaterial {
    const key = typeof privateKey === "string" ? createPrivateKey(privateKey) : privateKey;
    const openssh = opensshPrivateKey(key);
    return {
        privateKeyBody: key.export({ type: "pkcs8", format: "pem" }) as string,
        privateKeyOpenssh: openssh.pem,
        publicKeyOpenssh: authorizedKeysLine(openssh.publicBlob),
        ...fingerprintsOfBlob(openssh.publicBlob),
    };
}
