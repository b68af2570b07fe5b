/**
 * The local backend: keys are made in the provider and Pulumi state is the only store, so it
 * works offline and needs no account.
 */
import { fingerprints } from "../keys/fingerprints";
import { newKeyPairId, newRequestId } from "../ens/ids";
import { ensTimestamp } from "../ens/timestamps";
import { KeyPairInputs } from "../inputs";
import { generateKeyMaterial } from "../keys/material";
import { KeyPairOutputs } from "../state";
import { verifyOutputs } from "../stateIntegrity";
import { Backend } from "./backend";

export const localBackend: Backend = {
    checkInputs: () => [],

    async create(inputs: KeyPairInputs): Promise<KeyPairOutputs> {
        const material =
            inputs.publicKey === undefined
                ? await generateKeyMaterial(inputs)
                : { publicKeyOpenssh: inputs.publicKey, ...fingerprints(inputs.publicKey) };
        return {
            ...inputs,
            ...material,
            keyPairId: newKeyPairId(),
            creationTime: ensTimestamp(),
            requestId: newRequestId(),
            backend: "local",
        };
    },

    async read(id: string, stored: KeyPairOutputs | undefined): Promise<KeyPairOutputs> {
        if (stored === undefined || stored.keyPairId === undefined) {
            throw new Error(
                `Cannot look up key pair ${id}: the local backend keeps key pairs only in Pulumi state, so there is nothing outside it to read. Set ens-keypair:backend to "ens" to read a pair from ENS.`,
            );
        }
        verifyOutputs(stored);
        return stored;
    },

    async delete(): Promise<void> {
        // The state is the store: once the engine drops the resource, the pair is gone.
    },
};
