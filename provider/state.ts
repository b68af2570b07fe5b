/** What a KeyPair keeps in state: its outputs, and the backend that holds the pair. */
import { FieldName, FieldValues } from "./fields";

/** Which backend holds a pair. */
export type BackendName = "local" | "ens";

/**
 * Everything a KeyPair stores: each field of the table (its inputs resolved, and what was made)
 * and the backend that holds the pair. Private keys are absent for imported pairs.
 */
export type KeyPairOutputs = FieldValues<FieldName> & { backend: BackendName };
