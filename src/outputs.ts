/**
 * The outputs of a KeyPair as stored in state, and the integrity check `read` applies to them; only
 * the provider loads this module.
 */
import { fingerprints } from "./fingerprints";
import { FieldName, FieldValues } from "./fields";
import { KeyMaterial, keyMaterialOf } from "./keyMaterial";
import { opensshPublicLine } from "./publicKey";

/** Which backend holds a pair. */
export type BackendName = "local" | "ens";

/**
 * Everything a KeyPair stores: each field of the table (its inputs resolved, and what was made)
 * and the backend that holds the pair. Private keys are absent for imported pairs.
 */
export type KeyPairOutputs = FieldValues<FieldName> & { backend: BackendName };

/**
 * Checks that stored outputs agree with each other: the public key and every fingerprint derive
 * from the private key (or, for an imported pair, from the public key).
 * @throws Error naming what disagrees; the message never includes key material.
 */
export function verifyOutputs(outputs: KeyPairOutputs): void {
    const where = `key pair ${outputs.keyPairId} (${outputs.keyPairName})`;
    const problems: string[] = [];
    const derived =
        outputs.privateKeyBody !== undefined
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
    if (problems.length > 0) {
        throw new Error(
            `The state of ${where} is corrupt: ${problems.join("; ")}. Replace the resource (pulumi up --replace) or restore the state.`,
        );
    }
}

function derivedFromPrivate(outputs: KeyPairOutputs, problems: string[]) {
    let material: KeyMaterial;
    try {
        material = keyMaterialOf(outputs.privateKeyBody as string);
    } catch {
        problems.push("privateKeyBody does not parse");
        return undefined;
    }
    if (outputs.privateKeyOpenssh !== undefined) {
        let line: string | undefined;
        try {
            line = opensshPublicLine(outputs.privateKeyOpenssh);
        } catch {
            problems.push("privateKeyOpenssh does not parse");
        }
        if (line !== undefined && line !== material.publicKeyOpenssh) {
            problems.push("privateKeyOpenssh and privateKeyBody are different keys");
        }
    }
    return material;
}

function fingerprintsOrProblem(line: string, problems: string[]) {
    try {
        return fingerprints(line);
    } catch {
        problems.push("publicKeyOpenssh does not parse");
        return undefined;
    }
}
