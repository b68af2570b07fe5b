/**
 * The integrity check `read` applies to a KeyPair's state: its outputs must agree with each other.
 * Only the provider loads this module.
 */
import { opensshCipher, opensshKdf, PrivateKeyError, privateKeyOf } from "./keys/passphrase";
import { encryptedPkcs8Label } from "./keys/pkcs8";
import { fingerprints, fingerprintsOfBlob } from "./keys/fingerprints";
import { sealProblems } from "./keys/sealing";
import { authorizedKeysLine, opensshKeyHeader, opensshPublicLine, publicKeyBlob } from "./keys/sshWire";
import { KeyPairOutputs } from "./state";
import { isShownId, shownId, shownName } from "./pairNames";

/**
 * Checks that stored outputs agree with each other: the public key and every fingerprint derive
 * from the private key (or, for an imported pair, from the public key), with a
 * `privateKeyPassphrase` both private keys are encrypted (the OpenSSH key's public half is read
 * without decrypting it, which would take a second), and a sealed key is as its inputs ask.
 * @throws Error naming what disagrees; the message never includes key material or the passphrase.
 */
export function verifyOutputs(outputs: KeyPairOutputs): void {
    const where = `key pair ${shownId(outputs.keyPairId)} (${shownName(outputs.keyPairName)})`;
    const problems = typeProblems(outputs);
    const derived =
        problems.length > 0
            ? undefined
            : outputs.privateKeyBody !== undefined
              ? derivedFromPrivate(outputs, problems)
              : fingerprintsOrProblem(outputs.publicKeyOpenssh, problems);
    if (derived) {
        for (const field of ["publicKeyOpenssh", "keyPairFingerPrint", "fingerprintMd5", "fingerprintSha256"] as const) {
            const value = (derived as Partial<KeyPairOutputs>)[field];
            if (value !== undefined && value !== outputs[field]) {
                problems.push(`${field} does not match the ${outputs.privateKeyBody !== undefined ? "private" : "public"} key`);
            }
        }
    }
    if ((outputs.privateKeyBody === undefined) !== (outputs.privateKeyOpenssh === undefined)) {
        problems.push("only one of privateKeyBody and privateKeyOpenssh is present");
    }
    problems.push(...sealProblems(outputs));
    if (problems.length > 0) {
        throw new Error(
            `The state of ${where} is corrupt: ${problems.join("; ")}. Restore the state, or replace the pair: ${replaceCommand(outputs.keyPairId)}`,
        );
    }
}

/** The outputs the check reads, and the type each must have. */
const readFields = {
    publicKeyOpenssh: "string",
    keyPairFingerPrint: "string",
    fingerprintMd5: "string",
    fingerprintSha256: "string",
    privateKeyBody: "string",
    privateKeyOpenssh: "string",
    privateKeyPassphrase: "string",
    privateKeySealed: "string",
    sealedOnly: "boolean",
} as const;

/** The outputs the check reads that are not of their type (a state edited by hand, or a request that was never a state). */
function typeProblems(outputs: KeyPairOutputs): string[] {
    const wrong = Object.entries(readFields).filter(([field, type]) => {
        const value = (outputs as Record<string, unknown>)[field];
        const optional = field !== "publicKeyOpenssh";
        return !(typeof value === type || (optional && value === undefined));
    });
    const recipients = outputs.privateKeyRecipients as unknown;
    const listed = recipients === undefined || (Array.isArray(recipients) && recipients.every((r) => typeof r === "string"));
    return [
        ...wrong.map(([field, type]) => `${field} is not a ${type}`),
        ...(listed ? [] : ["privateKeyRecipients is not a list of strings"]),
    ];
}

/**
 * The command that replaces the resource holding a pair. `--replace` takes the resource's URN, which
 * a dynamic provider is never told (nor the stack or the resource's name), so the command looks it up
 * by the pair's id; an id that is not of the usual form is not put into a shell command.
 */
function replaceCommand(keyPairId: unknown): string {
    if (!isShownId(keyPairId)) {
        return "pulumi up --replace <URN> (pulumi stack --show-urns lists the URNs)";
    }
    return `pulumi up --replace "$(pulumi stack export | jq -r '.deployment.resources[] | select(.id == "${keyPairId}") | .urn')"`;
}

function derivedFromPrivate(outputs: KeyPairOutputs, problems: string[]) {
    const passphrase = outputs.privateKeyPassphrase;
    const body = outputs.privateKeyBody as string;
    if (passphrase !== undefined && !body.startsWith(`-----BEGIN ${encryptedPkcs8Label}-----`)) {
        problems.push("privateKeyBody is not encrypted though privateKeyPassphrase is set");
    }
    let material: { publicKeyOpenssh: string };
    try {
        // The public half and its fingerprints, not every encoding: re-encoding the private key here would be wasted.
        const blob = publicKeyBlob(privateKeyOf(body, passphrase)).blob;
        material = { publicKeyOpenssh: authorizedKeysLine(blob), ...fingerprintsOfBlob(blob) };
    } catch (err) {
        // privateKeyOf says whether the key did not parse or did not decrypt.
        problems.push(err instanceof PrivateKeyError ? err.message : "privateKeyBody does not parse");
        return undefined;
    }
    if (outputs.privateKeyOpenssh !== undefined) {
        let line: string | undefined;
        try {
            line =
                passphrase === undefined
                    ? opensshPublicLine(outputs.privateKeyOpenssh)
                    : encryptedOpensshPublicLine(outputs.privateKeyOpenssh);
        } catch (err) {
            problems.push(err instanceof PrivateKeyError ? err.message : "privateKeyOpenssh does not parse");
        }
        if (line !== undefined && line !== material.publicKeyOpenssh) {
            problems.push("privateKeyOpenssh and privateKeyBody are different keys");
        }
    }
    return material;
}

/** The public key line of an encrypted OpenSSH private key, read from its clear part. */
function encryptedOpensshPublicLine(pem: string): string {
    const header = opensshKeyHeader(pem);
    if (header.cipher !== opensshCipher || header.kdf !== opensshKdf) {
        throw new PrivateKeyError(
            `privateKeyOpenssh is not encrypted with ${opensshCipher} and ${opensshKdf} though privateKeyPassphrase is set`,
        );
    }
    return authorizedKeysLine(header.publicBlob);
}

function fingerprintsOrProblem(line: string, problems: string[]) {
    try {
        return fingerprints(line);
    } catch {
        problems.push("publicKeyOpenssh does not parse");
        return undefined;
    }
}
