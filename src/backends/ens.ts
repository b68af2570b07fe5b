/**
 * The ens backend: key pairs live in Alibaba Cloud ENS and are made, read and deleted through
 * its OpenAPI. Credentials are resolved for each operation (see `../credentials`).
 *
 * Which key pairs ENS can hold, and how each is made:
 *
 * - `keyType: "rsa"`, `rsaBits: 2048` (the defaults): CreateKeyPair. ENS generates the pair and
 *   returns its private key once; every private-key output is derived from that answer. The
 *   answer has no CreationTime, so `creationTime` is the answer's `Date` (ENS's listing may
 *   differ by a second).
 * - `keyType: "rsa"`, `rsaBits` 3072 or 4096: ENS only makes 2048-bit keys, so the provider
 *   generates the pair and registers its public key with ImportKeyPair; the private-key outputs
 *   come from the local generation and never leave the provider.
 * - `publicKey` (an `ssh-rsa` key): ImportKeyPair; no private-key outputs.
 * - Ed25519 and ECDSA, generated or imported: refused at check time, since ImportKeyPair accepts
 *   only `ssh-rsa` keys.
 *
 * A pair read with `KeyPair.get` (no stored outputs) has no private key, and ENS does not
 * reveal its public key: `publicKeyOpenssh` and `fingerprintSha256` are empty strings, and it is
 * recorded as `keyType: "rsa"`, `rsaBits: 2048` (ENS does not report key sizes; 2048 is what
 * CreateKeyPair makes and what a program declares by default).
 */
import { ProviderConfig } from "../config";
import { credentialSource, resolveCredentials } from "../credentials";
import { EnsClient, EnsKeyPair, outcomeUnknown, parseEndpoint } from "../ensClient";
import { EnsError, invalidParameter, pubKeyNameExisted } from "../errors";
import { colonHex, Fingerprints, fingerprints } from "../fingerprints";
import { InputFailure, KeyPairInputs, unknownValue } from "../inputs";
import { generateKeyMaterial, KeyMaterial, keyMaterialOf } from "../keyMaterial";
import { KeyPairOutputs, verifyOutputs } from "../outputs";
import { defaultRetryPolicy, retrying } from "../retry";
import { Backend } from "./backend";

/** The only RSA size CreateKeyPair makes; other sizes are generated locally and imported. */
export const ensRsaBits = 2048;

/**
 * How far ENS's `CreationTime` may lag the `Date` of an answer given before the create, and the
 * pair still count as made by that create: both clocks are the service's, so this only absorbs
 * their truncation to the second and skew between its hosts, never the provider's clock.
 */
export const serverClockSlackMs = 2000;

/** A client for one operation, with credentials resolved now, so that none outlive it. */
export async function connect(config: ProviderConfig): Promise<EnsClient> {
    return new EnsClient({ endpoint: config.endpoint, regionId: config.regionId, ...(await resolveCredentials(config)) });
}

/**
 * The ens backend, configured by `config`.
 * @param connectTo makes the client for each operation; tests substitute one that misbehaves.
 */
export function ensBackend(config: ProviderConfig, connectTo: (config: ProviderConfig) => Promise<EnsClient> = connect): Backend {
    return {
        checkInputs(inputs: KeyPairInputs): InputFailure[] {
            // Configuration errors fail the preview as a whole, not one input.
            parseEndpoint(config.endpoint);
            credentialSource(config);
            return rsaOnly(inputs);
        },
        create: async (inputs) => createPair(await connectTo(config), inputs),
        read: async (id, stored) => readPair(await connectTo(config), id, stored),
        delete: async (id) => deletePair(await connectTo(config), id),
    };
}

function rsaOnly(inputs: KeyPairInputs): InputFailure[] {
    // An unknown key type is checked again once the engine knows it.
    if (inputs.keyType === "rsa" || (inputs.keyType as string) === unknownValue) {
        return [];
    }
    const imported = inputs.publicKey !== undefined;
    const err = imported
        ? invalidParameter(
              "PublicKeyBody",
              `publicKey is an ${inputs.keyType} key; ENS's ImportKeyPair accepts only ssh-rsa keys. Import an RSA key, or use the local backend.`,
          )
        : invalidParameter(
              "KeyType",
              `keyType "${inputs.keyType}" is not available with the ens backend: ENS holds only RSA key pairs. Use keyType "rsa", or the local backend.`,
          );
    return [{ property: imported ? "publicKey" : "keyType", reason: err.message }];
}

/** An attempt whose request may have taken effect, with nothing of it left in ENS: trying again is safe. */
class AttemptUndone extends Error {}

/** How an attempt sends the pair to ENS, and what it makes of a pair that a lost answer left there. */
interface CreateMethod {
    /** Sends the request; resolves to the outputs. */
    send(): Promise<KeyPairOutputs>;
    /** The outputs for `pair`, made by an attempt whose answer was lost; or throws `AttemptUndone` once it is deleted. */
    recover(pair: EnsKeyPair, requestId: string): Promise<KeyPairOutputs>;
}

/**
 * Creates a pair, recovering from lost answers. Each attempt looks the name up, then sends. Once
 * an attempt's outcome is unknown (no answer, or a 5xx), that request may still take effect, even
 * after a later attempt has begun; from then on a pair found under the name, by a lookup or as
 * the cause of `PubKeyNameExisted`, counts as this create's if its CreationTime is not before the
 * first lookup that found the name free (both on the service's clock, see
 * {@link serverClockSlackMs}). Any other pair is left alone and reported as `PubKeyNameExisted`.
 * Bounded by {@link defaultRetryPolicy}.
 */
async function createPair(client: EnsClient, inputs: KeyPairInputs): Promise<KeyPairOutputs> {
    const name = inputs.keyPairName;
    const method =
        inputs.publicKey === undefined && inputs.rsaBits === ensRsaBits
            ? generatedByEns(client, inputs)
            : importedPair(client, inputs, inputs.publicKey === undefined ? await generateKeyMaterial(inputs) : undefined);
    let freeSince: number | undefined;
    let inDoubt = false;

    /** Recovers the pair under `name` if this create made it; `undefined` when the name is free. */
    const settle = async (): Promise<KeyPairOutputs | undefined> => {
        const listing = await client.describeKeyPairs({ keyPairName: name });
        const pair = listing.keyPairs.find((p) => p.keyPairName === name);
        if (pair === undefined) {
            freeSince ??= Date.parse(listing.serverTime);
            return undefined;
        }
        if (!inDoubt || freeSince === undefined || Date.parse(pair.creationTime) < freeSince - serverClockSlackMs) {
            throw pubKeyNameExisted(name);
        }
        return method.recover(pair, listing.requestId);
    };

    const attempt = async (): Promise<KeyPairOutputs> => {
        const earlier = await settle();
        if (earlier) {
            return earlier;
        }
        try {
            return await method.send();
        } catch (err) {
            const lateCommit = inDoubt && err instanceof EnsError && err.code === "PubKeyNameExisted";
            if (!outcomeUnknown(err) && !lateCommit) {
                throw err;
            }
            inDoubt = true;
            const recovered = await settle();
            if (recovered) {
                return recovered;
            }
            throw new AttemptUndone((err as Error).message);
        }
    };

    try {
        return await retrying(attempt, { policy: defaultRetryPolicy, isRetryable: (err) => err instanceof AttemptUndone });
    } catch (err) {
        if (!(err instanceof AttemptUndone)) {
            throw err;
        }
        throw new Error(
            `Creating key pair "${name}" in ENS failed ${defaultRetryPolicy.maxAttempts} times without a usable answer (last: ${err.message}). ` +
                `A request ENS completes late would leave a pair named "${name}" that Pulumi does not manage; delete it before trying again.`,
        );
    }
}

/** CreateKeyPair: ENS makes the pair. A pair whose answer was lost is useless (its private key is gone), so it is deleted. */
function generatedByEns(client: EnsClient, inputs: KeyPairInputs): CreateMethod {
    return {
        async send() {
            const created = await client.createKeyPair(inputs.keyPairName);
            const material = keyMaterialOf(created.privateKeyBody);
            await expectFingerprint(client, created.keyPairId, created.keyPairFingerPrint, material);
            return outputsOf(inputs, material, { ...created, creationTime: created.serverTime });
        },
        async recover(pair) {
            await client.deleteKeyPairs({ keyPairId: pair.keyPairId });
            throw new AttemptUndone(
                `the answer to CreateKeyPair was lost; pair ${pair.keyPairId}, whose private key went with it, was deleted`,
            );
        },
    };
}

/**
 * ImportKeyPair of `inputs.publicKey`, or of the public half of `generated`. A pair whose answer
 * was lost holds the key sent, so it is kept, once its fingerprint shows it is that key.
 */
function importedPair(client: EnsClient, inputs: KeyPairInputs, generated: KeyMaterial | undefined): CreateMethod {
    const material = generated ?? { publicKeyOpenssh: inputs.publicKey as string, ...fingerprints(inputs.publicKey as string) };
    return {
        async send() {
            const imported = await client.importKeyPair(inputs.keyPairName, material.publicKeyOpenssh);
            const listing = await client.describeKeyPairs({ keyPairName: inputs.keyPairName });
            const pair = listing.keyPairs.find((p) => p.keyPairName === inputs.keyPairName);
            if (pair === undefined) {
                throw new Error(`ENS accepted key pair "${inputs.keyPairName}" (RequestId ${imported.requestId}) but does not list it.`);
            }
            await expectFingerprint(client, pair.keyPairId, pair.keyPairFingerPrint, material);
            return outputsOf(inputs, material, { ...pair, requestId: imported.requestId });
        },
        async recover(pair, requestId) {
            if (pair.keyPairFingerPrint !== material.keyPairFingerPrint) {
                throw pubKeyNameExisted(inputs.keyPairName);
            }
            return outputsOf(inputs, material, { ...pair, requestId });
        },
    };
}

/**
 * Stored outputs must verify, so ENS's fingerprint has to be the one the provider derives. If
 * they differ, the new pair is deleted rather than left behind unmanaged.
 */
async function expectFingerprint(client: EnsClient, keyPairId: string, ensFingerprint: string, local: Fingerprints): Promise<void> {
    if (ensFingerprint === local.keyPairFingerPrint) {
        return;
    }
    await client.deleteKeyPairs({ keyPairId });
    throw new Error(
        `ENS reported fingerprint ${ensFingerprint} for new key pair ${keyPairId}, but its key's is ${local.keyPairFingerPrint}; the pair was deleted.`,
    );
}

function outputsOf(
    inputs: KeyPairInputs,
    material: Omit<KeyMaterial, "privateKeyBody" | "privateKeyOpenssh"> & Partial<KeyMaterial>,
    ens: { keyPairId: string; creationTime: string; requestId: string },
): KeyPairOutputs {
    return {
        ...inputs,
        ...material,
        keyPairId: ens.keyPairId,
        creationTime: ens.creationTime,
        requestId: ens.requestId,
        backend: "ens",
    };
}

/**
 * The pair as ENS has it now, or `undefined` when it is gone. The name and fingerprint come from
 * ENS; stored outputs are then verified, so a fingerprint that no longer matches the stored key
 * is reported as corrupt state. A stored `creationTime` is kept, so that refreshing an unchanged
 * pair changes nothing.
 */
async function readPair(client: EnsClient, id: string, stored: KeyPairOutputs | undefined): Promise<KeyPairOutputs | undefined> {
    const listing = await client.describeKeyPairs({ keyPairId: id });
    const pair = listing.keyPairs.find((p) => p.keyPairId === id);
    if (pair === undefined) {
        return undefined;
    }
    const fromEns = {
        keyPairId: pair.keyPairId,
        keyPairName: pair.keyPairName,
        keyPairFingerPrint: pair.keyPairFingerPrint,
        fingerprintMd5: colonHex(pair.keyPairFingerPrint),
    };
    if (stored === undefined) {
        return {
            ...fromEns,
            keyType: "rsa",
            rsaBits: ensRsaBits,
            publicKeyOpenssh: "",
            fingerprintSha256: "",
            creationTime: pair.creationTime,
            requestId: listing.requestId,
            backend: "ens",
        };
    }
    const outputs = { ...stored, ...fromEns };
    // An adopted pair has no key to check its fingerprints against.
    if (outputs.publicKeyOpenssh !== "") {
        verifyOutputs(outputs);
    }
    return outputs;
}

/** DeleteKeyPairs by id; a pair that is already gone counts as deleted, whatever ENS answers. */
async function deletePair(client: EnsClient, id: string): Promise<void> {
    try {
        await client.deleteKeyPairs({ keyPairId: id });
    } catch (err) {
        if (!(err instanceof EnsError) || err.httpStatus >= 500) {
            throw err;
        }
        const listing = await client.describeKeyPairs({ keyPairId: id });
        if (listing.keyPairs.some((pair) => pair.keyPairId === id)) {
            throw err;
        }
    }
}
