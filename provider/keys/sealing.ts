/**
 * Sealed private keys: the OpenSSH private key encrypted to age recipients as one ASCII-armoured
 * age file, which only the holder of one of their identities opens (`age -d -i`). The provider
 * applies this after the passphrase, to what any backend returns, so that with `sealedOnly` the
 * plain key never becomes an output. The cryptography is `age-encryption`, the reference
 * TypeScript implementation of age (an ES module, which `require()` loads from Node.js 20.19 on).
 */
import type * as Age from "age-encryption";
import type { KeyPairOutputs } from "../state";
import { shownId, shownName } from "../pairNames";

/** An X25519 recipient: `age1` and 58 bech32 characters (32 bytes and a checksum); bech32 has no `1`, `b`, `i` or `o`. */
const x25519Recipient = /^age1[02-9ac-hj-np-z]{58}$/;

function age(): typeof Age {
    // Loaded on first use, like sshpk: a program that seals nothing never loads it.
    return require("age-encryption") as typeof Age;
}

/**
 * Why `value` is not a recipient the provider seals to, as the end of a sentence about it; never
 * quotes the value, which may be an identity pasted by mistake.
 * @returns `undefined` for an X25519 recipient whose checksum holds.
 */
export function notARecipient(value: unknown): string | undefined {
    if (typeof value !== "string") {
        return `is a ${value === null ? "null" : typeof value}, not a string`;
    }
    if (/^AGE-SECRET-KEY-/i.test(value)) {
        return "is an age identity, which is secret: give its recipient instead (age-keygen -y prints it from the identity file)";
    }
    if (!x25519Recipient.test(value)) {
        return (
            "is not an age X25519 recipient, `age1` and 58 more letters and digits as age-keygen -y prints it " +
            "(post-quantum age1pq1…, plugin and SSH recipients are not supported)"
        );
    }
    try {
        new (age().Encrypter)().addRecipient(value);
    } catch {
        return "is not an age X25519 recipient: its checksum does not hold (a character was changed or left out)";
    }
    return undefined;
}

/**
 * `privateKeyOpenssh` sealed to `recipients`: an ASCII-armoured age file, `age -d` of which is the
 * key file itself (with its final newline, as `ssh-keygen` writes it).
 * @param recipients X25519 recipients, each accepted by {@link notARecipient}.
 */
export async function sealPrivateKey(privateKeyOpenssh: string, recipients: readonly string[]): Promise<string> {
    const { Encrypter, armor } = age();
    const encrypter = new Encrypter();
    for (const recipient of recipients) {
        encrypter.addRecipient(recipient);
    }
    return armor.encode(await encrypter.encrypt(privateKeyOpenssh));
}

/** The private key fields `sealedOnly` leaves out of the outputs. */
const plainKeyFields = ["privateKeyOpenssh", "privateKeyBody"] as const;

/**
 * The outputs with `privateKeySealed` as their `privateKeyRecipients` ask: the private key
 * sealed to them (and the plain key left out with `sealedOnly`), or no seal without recipients.
 * A seal that still holds (the same key, the same recipients as `previous`) is kept as it is, so
 * an update that changes neither changes no output.
 * @param previous the stored outputs, when updating a pair.
 * @throws Error when the outputs must be sealed anew but hold no private key (a `sealedOnly` pair,
 *   whose recipient or passphrase changes replace it instead).
 */
export async function withSealedKey(outputs: KeyPairOutputs, previous?: KeyPairOutputs): Promise<KeyPairOutputs> {
    const unsealed = { ...outputs };
    delete unsealed.privateKeySealed;
    const recipients = outputs.privateKeyRecipients;
    if (recipients === undefined) {
        return unsealed;
    }
    const key = outputs.privateKeyOpenssh;
    if (
        previous?.privateKeySealed !== undefined &&
        key === previous.privateKeyOpenssh &&
        sameList(recipients, previous.privateKeyRecipients)
    ) {
        return { ...outputs, privateKeySealed: previous.privateKeySealed };
    }
    if (key === undefined) {
        throw new Error(
            `Key pair ${shownId(outputs.keyPairId)} (${shownName(outputs.keyPairName)}) cannot be sealed again: with sealedOnly the provider no longer holds its private key. Replace the pair instead.`,
        );
    }
    const sealed = { ...unsealed, privateKeySealed: await sealPrivateKey(key, recipients) };
    if (outputs.sealedOnly === true) {
        for (const field of plainKeyFields) {
            delete sealed[field];
        }
    }
    return sealed;
}

/**
 * What disagrees in stored outputs about the seal: with recipients, `privateKeySealed` must be an
 * armoured age file; with `sealedOnly`, no plain private key may be there. Names fields, never
 * their values.
 */
export function sealProblems(outputs: KeyPairOutputs): string[] {
    const problems: string[] = [];
    if (outputs.privateKeyRecipients !== undefined && !isArmouredAgeFile(outputs.privateKeySealed)) {
        problems.push("privateKeySealed is not an ASCII-armoured age file though privateKeyRecipients is set");
    }
    if (outputs.sealedOnly === true && plainKeyFields.some((field) => outputs[field] !== undefined)) {
        problems.push("a plain private key is present though sealedOnly is set");
    }
    return problems;
}

function isArmouredAgeFile(text: string | undefined): boolean {
    try {
        return text !== undefined && age().armor.decode(text).length > 0;
    } catch {
        return false;
    }
}

function sameList(a: readonly string[], b: readonly string[] | undefined): boolean {
    return b !== undefined && a.length === b.length && a.every((item, i) => item === b[i]);
}
