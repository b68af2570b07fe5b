/** What a backend does for the provider: where key pairs are made, kept and removed. */
import { InputProblem, KeyPairInputs } from "../inputs";
import { KeyPairOutputs } from "../state";

export interface Backend {
    /** Rules this backend adds to the common input rules, checked at preview time. */
    checkInputs(inputs: KeyPairInputs): InputProblem[];
    /** Creates (or imports) a pair. */
    create(inputs: KeyPairInputs): Promise<KeyPairOutputs>;
    /**
     * The pair's current outputs, or `undefined` when it no longer exists.
     * @param stored the outputs in state; absent when reading a pair made elsewhere (`KeyPair.get`).
     */
    read(id: string, stored: KeyPairOutputs | undefined): Promise<KeyPairOutputs | undefined>;
    /** Deletes a pair; one that is already gone counts as deleted. */
    delete(id: string, stored: KeyPairOutputs): Promise<void>;
}
