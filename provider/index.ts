/**
 * pulumi-ens-keypair: SSH key pairs with Alibaba Cloud ENS semantics as a Pulumi dynamic provider.
 * What this exports is what the README's "Library functions" section documents, and no more.
 */
export { KeyPair, KeyPairArgs } from "./dynamic/keyPair";
export { generateKeyMaterial, KeyMaterial, KeySpec } from "./keys/material";
export { fingerprints, Fingerprints } from "./keys/fingerprints";
export { validateKeyPairName } from "./ens/names";
export { EnsError, EnsErrorCode } from "./ens/errors";
export { keyPairProvider } from "./dynamic/serializedProvider";
export { KeyType, RsaBits, EcdsaCurve } from "./fields";
