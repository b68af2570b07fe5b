/**
 * KeyPair's fields, described once. Each entry's TSDoc is the field's description (it is what
 * editors show for the resource's argument or output); the entry holds the rest: the value's type,
 * whether a program gives it (`input`) and the resource exposes it (`output`), its allowed values
 * and default, the ENS parameter it maps to, whether it is secret and whether changing it replaces
 * the pair. The resource's arguments and outputs, its secret outputs, the provider's replace
 * decisions and the input checks all derive from this table, and a test holds the README's
 * tables to it. It is loaded by every program that uses KeyPair, so it imports nothing.
 */

/** How one field behaves. */
interface FieldSpec {
    /**
     * `true`: a program may give it. `"resolved"`: a program does not give it, but `check` works it
     * out and keeps it with the inputs, where the next `check` finds it (as it finds the name made
     * from a prefix). Inputs are kept in state after `check` resolves them.
     */
    readonly input: boolean | "resolved";
    /** The resource exposes it as an output property. */
    readonly output: boolean;
    /** The type of its value in state and outputs; only its type matters (see {@link is}). */
    readonly type: unknown;
    /** The values a program may give, where the input is a choice. */
    readonly choices?: readonly unknown[];
    /** What an absent input becomes, where the field applies (e.g. `rsaBits` only for RSA keys). */
    readonly default?: unknown;
    /** May be absent from state: not every pair has it. */
    readonly optional: boolean;
    /** Its name in ENS's API: the parameter an input is checked as (`InvalidParameter.<name>`), or the response field. */
    readonly ensParameter?: string;
    /** Holds private key material or a passphrase: secret in state, and never echoed in an error. */
    readonly secret: boolean;
    /** Not secret, but may hold secret material by mistake (a private key pasted as `publicKey`): never echoed in an error either. */
    readonly mayHoldSecret?: true;
    /** Changing it makes a different key pair, so the engine replaces the resource. */
    readonly replaces: boolean;
    /**
     * Changing it replaces the pair (though `replaces` is `false`) while the pair's stored value of
     * this boolean input is `true`: then the provider no longer holds what it would need to apply
     * the change in place.
     */
    readonly replacesWhen?: "sealedOnly";
}

/** A phantom value that carries a field's type in the table. */
function is<T>(): T {
    return undefined as T;
}

export const keyPairFields = {
    /**
     * The key pair's name: 2 to 128 characters, starting with a letter (not `http://` or
     * `https://`), made of letters, digits, `:`, `_` and `-`. Unique per account in ENS. Required
     * unless `keyPairNamePrefix` is given; as an output, the name made from the prefix.
     */
    keyPairName: {
        input: true,
        output: true,
        type: is<string>(),
        optional: false,
        ensParameter: "KeyPairName",
        secret: false,
        replaces: true,
    },
    /**
     * Makes a unique name from this prefix and 8 random lower-case letters and digits, kept
     * across updates. Conflicts with `keyPairName`.
     */
    keyPairNamePrefix: {
        input: true,
        output: false,
        type: is<string>(),
        optional: true,
        ensParameter: "KeyPairName",
        secret: false,
        replaces: true,
    },
    /** The key algorithm: `"rsa"` (the default, what ENS makes), `"ed25519"` or `"ecdsa"`. */
    keyType: {
        input: true,
        output: true,
        type: is<"rsa" | "ed25519" | "ecdsa">(),
        choices: ["rsa", "ed25519", "ecdsa"],
        default: "rsa",
        optional: false,
        ensParameter: "KeyType",
        secret: false,
        replaces: true,
    },
    /**
     * RSA modulus size: 2048 (default), 3072 or 4096, only for `keyType: "rsa"`. As an output, the
     * size of an RSA key, imported ones included (any size from 2048 up).
     */
    rsaBits: {
        input: true,
        output: true,
        type: is<number>(),
        choices: [2048, 3072, 4096],
        default: 2048,
        optional: true,
        ensParameter: "RsaBits",
        secret: false,
        replaces: true,
    },
    /** ECDSA curve: `"P256"` (default), `"P384"` or `"P521"`, only for `keyType: "ecdsa"`. */
    ecdsaCurve: {
        input: true,
        output: true,
        type: is<"P256" | "P384" | "P521">(),
        choices: ["P256", "P384", "P521"],
        default: "P256",
        optional: true,
        ensParameter: "EcdsaCurve",
        secret: false,
        replaces: true,
    },
    /**
     * An existing OpenSSH public key line to import instead of generating a pair (ENS's
     * ImportKeyPair). The pair then has no private key outputs. RSA keys need 2048 to 16384 bits;
     * the line may have at most 8192 characters.
     */
    publicKey: {
        input: true,
        output: false,
        type: is<string>(),
        optional: true,
        ensParameter: "PublicKeyBody",
        secret: false,
        mayHoldSecret: true,
        replaces: true,
    },
    /**
     * Replace the pair with a new one once it is this old: whole numbers of days, hours, minutes
     * and seconds, in that order, such as `"90d"`, `"12h"`, `"1d12h"`, `"30m"` or `"45s"`; at least
     * one second, at most 36500 days. The clock starts when the pair is made (or when
     * `rotateAfter` is first set on it); changing it moves `rotatesAt` without replacing the pair.
     */
    rotateAfter: {
        input: true,
        output: false,
        type: is<string>(),
        optional: true,
        ensParameter: "RotateAfter",
        secret: false,
        replaces: false,
    },
    /**
     * Encrypts the private key outputs with this passphrase: `privateKeyOpenssh` as `ssh-keygen -p`
     * writes it (bcrypt KDF, AES-256-CTR) and `privateKeyBody` as encrypted PKCS#8 (scrypt,
     * AES-256-CBC). Always kept
     * secret, even when given as a plain string. Changing or removing it re-encrypts the same key
     * (with `sealedOnly`, it replaces the pair). Not for imported keys, which have no private key.
     */
    privateKeyPassphrase: {
        input: true,
        output: false,
        type: is<string>(),
        optional: true,
        ensParameter: "PrivateKeyPassphrase",
        secret: true,
        replaces: false,
        replacesWhen: "sealedOnly",
    },
    /**
     * Seals the private key to these [age](https://age-encryption.org) recipients: X25519 public
     * keys, `age1…` as `age-keygen -y` prints them. `privateKeySealed` then holds
     * `privateKeyOpenssh` (after any passphrase) as one ASCII-armoured age file that the holder of
     * any of their identities opens with `age -d -i`, and nobody else. Kept sorted and without
     * duplicates; changing it seals the same key again, unless `sealedOnly` is set. At most 64
     * recipients. Not for imported keys, which have no private key.
     */
    privateKeyRecipients: {
        input: true,
        output: false,
        type: is<string[]>(),
        optional: true,
        ensParameter: "PrivateKeyRecipients",
        secret: false,
        // An age identity (AGE-SECRET-KEY-1…) pasted in place of its recipient is a secret.
        mayHoldSecret: true,
        replaces: false,
        replacesWhen: "sealedOnly",
    },
    /**
     * Leaves out the plain private key outputs (`privateKeyOpenssh`, `privateKeyBody`): only
     * `privateKeySealed` holds the key, so the state, the stack's outputs and any
     * `StackReference` never hold it in the clear, and the provider no longer has it once the pair
     * is made. Changing the recipients or the passphrase then replaces the pair; so does changing
     * this. Needs `privateKeyRecipients`.
     */
    sealedOnly: {
        input: true,
        output: false,
        type: is<boolean>(),
        default: false,
        optional: true,
        ensParameter: "SealedOnly",
        secret: false,
        replaces: true,
    },
    /** The key pair's id, `ssh-` and 23 lower-case letters and digits; also the resource id. */
    keyPairId: {
        input: false,
        output: true,
        type: is<string>(),
        optional: false,
        ensParameter: "KeyPairId",
        secret: false,
        replaces: false,
    },
    /** ENS's fingerprint: MD5 of the public key blob (RFC 4716) as 32 lower-case hex digits. */
    keyPairFingerPrint: {
        input: false,
        output: true,
        type: is<string>(),
        optional: false,
        ensParameter: "KeyPairFingerPrint",
        secret: false,
        replaces: false,
    },
    /** The MD5 fingerprint as `ssh-keygen -l -E md5` prints it after `MD5:` (`aa:bb:…`). */
    fingerprintMd5: { input: false, output: true, type: is<string>(), optional: false, secret: false, replaces: false },
    /** The SHA-256 fingerprint as `ssh-keygen -l` prints it (`SHA256:…`). */
    fingerprintSha256: { input: false, output: true, type: is<string>(), optional: false, secret: false, replaces: false },
    /** The public key as one `authorized_keys` line. */
    publicKeyOpenssh: { input: false, output: true, type: is<string>(), optional: false, secret: false, replaces: false },
    /**
     * The private key, PKCS#8 PEM (armour `BEGIN PRIVATE KEY`), as ENS returns it; with
     * `privateKeyPassphrase`, encrypted PKCS#8 (`BEGIN ENCRYPTED PRIVATE KEY`). Secret; absent for
     * imported keys and with `sealedOnly`.
     */
    privateKeyBody: {
        input: false,
        output: true,
        type: is<string>(),
        optional: true,
        ensParameter: "PrivateKeyBody",
        secret: true,
        replaces: false,
    },
    /** The private key in OpenSSH's format, for `ssh -i`; encrypted with `privateKeyPassphrase` if given. Secret; absent for imported keys and with `sealedOnly`. */
    privateKeyOpenssh: { input: false, output: true, type: is<string>(), optional: true, secret: true, replaces: false },
    /**
     * With `privateKeyRecipients`, `privateKeyOpenssh` (encrypted with `privateKeyPassphrase` if
     * given) sealed to them: an ASCII-armoured age file (`-----BEGIN AGE ENCRYPTED FILE-----`) that
     * `age -d -i <identity>` opens. Not secret: it is ciphertext that only the recipients open, and
     * it is meant to be handed on (through a `StackReference`, a CI variable) to where one of them
     * is.
     */
    privateKeySealed: { input: false, output: true, type: is<string>(), optional: true, secret: false, replaces: false },
    /** When the pair was created, `yyyy-MM-ddTHH:mm:ssZ` in UTC. */
    creationTime: {
        input: false,
        output: true,
        type: is<string>(),
        optional: false,
        ensParameter: "CreationTime",
        secret: false,
        replaces: false,
    },
    /**
     * With `rotateAfter`, the moment from which the next preview or update replaces the pair,
     * `yyyy-MM-ddTHH:mm:ssZ` in UTC.
     */
    rotatesAt: { input: "resolved", output: true, type: is<string>(), optional: true, secret: false, replaces: false },
    /** The `RequestId` of the call that created the pair (an upper-case UUID). */
    requestId: {
        input: false,
        output: true,
        type: is<string>(),
        optional: false,
        ensParameter: "RequestId",
        secret: false,
        replaces: false,
    },
} as const satisfies Record<string, FieldSpec>;

/** The field table's type; mapped types over its keys carry each entry's TSDoc to what they declare. */
export type Fields = typeof keyPairFields;
/** The name of any KeyPair field. */
export type FieldName = keyof Fields;
type Flag = "input" | "output" | "optional" | "secret" | "replaces";
type NamesWhere<P extends Flag, V> = { [K in FieldName]: Fields[K][P] extends V ? K : never }[FieldName];

/** Names of the fields a program may give. */
export type InputName = NamesWhere<"input", true>;
/** Names of the fields `check` works out and keeps with the inputs. */
export type ResolvedName = NamesWhere<"input", "resolved">;
/** Names of the resource's output properties. */
export type OutputName = NamesWhere<"output", true>;
/** Names of the fields that not every pair has. */
export type OptionalName = NamesWhere<"optional", true>;

/** A field's value in state and outputs. */
export type ValueOf<K extends FieldName> = Fields[K]["type"];
/** What a program may give for an input: one of its choices, where it has them. */
export type ArgumentOf<K extends FieldName> = Fields[K] extends { readonly choices: readonly (infer C)[] } ? C : ValueOf<K>;

/** Key algorithms: `rsa` is what ENS's CreateKeyPair makes. */
export type KeyType = ArgumentOf<"keyType">;
/** RSA modulus sizes a pair can be generated with. */
export type RsaBits = ArgumentOf<"rsaBits">;
/** NIST curves for ECDSA keys. */
export type EcdsaCurve = ArgumentOf<"ecdsaCurve">;

/** The fields named `N` as they are kept in state: present unless optional, docs carried over from the table. */
export type FieldValues<N extends FieldName> = {
    -readonly [K in keyof Fields as K extends Exclude<N, OptionalName> ? K : never]: ValueOf<K>;
} & {
    -readonly [K in keyof Fields as K extends N & OptionalName ? K : never]?: ValueOf<K>;
};

const names = Object.keys(keyPairFields) as FieldName[];
const namesWhere = <N extends FieldName>(test: (spec: FieldSpec) => boolean) => names.filter((name) => test(keyPairFields[name])) as N[];

/** Names of the fields a program may give, in table order. */
export const inputNames: readonly InputName[] = namesWhere((f) => f.input === true);
/** Names of the fields `check` returns: those a program gives and those it works out. */
export const checkedInputNames: readonly (InputName | ResolvedName)[] = namesWhere((f) => f.input !== false);
/** Names of the resource's output properties, in table order. */
export const outputNames: readonly OutputName[] = namesWhere((f) => f.output);
/** Names of the outputs that hold private key material. */
export const secretOutputNames: readonly OutputName[] = namesWhere((f) => f.output && f.secret);
/**
 * Names of every secret field. The provider keeps the inputs among the outputs in state, so the
 * resource registers all of them as secret outputs, not only the output properties.
 */
export const secretFieldNames: readonly FieldName[] = namesWhere((f) => f.secret);
/** Names of the inputs that hold secret material: the resource marks them secret, even when given as plain strings. */
export const secretInputNames: readonly InputName[] = namesWhere((f) => f.input === true && f.secret);
/**
 * Names of the inputs whose value is never printed: the secret ones and those that may hold secret
 * material by mistake. The engine prints the value of the property a failed check names, so a
 * failure on one of these names no property, and its reason names the field instead.
 */
export const unechoedInputNames: readonly InputName[] = namesWhere((f) => f.input === true && (f.secret || f.mayHoldSecret === true));
/** Names of the inputs whose change replaces the pair. */
export const replacingInputNames: readonly InputName[] = namesWhere((f) => f.input === true && f.replaces);
/** The inputs whose change replaces the pair while the pair's stored value of another input, `when`, is `true`. */
export const conditionallyReplacingInputs: readonly { name: InputName; when: InputName }[] = inputNames.flatMap((name) => {
    const when = (keyPairFields[name] as FieldSpec).replacesWhen;
    return when === undefined ? [] : [{ name, when }];
});
