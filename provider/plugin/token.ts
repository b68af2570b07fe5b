/** The type token of the `ens-keypair` package's one resource, as schemas, state and URNs name it. */
import { configNamespace } from "../config";

export const keyPairToken = `${configNamespace}:index:KeyPair`;
