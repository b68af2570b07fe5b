/**
 * pulumi-ens-keypair: SSH key pairs with Alibaba Cloud ENS semantics as a Pulumi dynamic provider.
 */
export { KeyPair, KeyPairArgs } from "./keyPair";
export { keyPairProvider } from "./serializedProvider";
export { generateKeyMaterial, KeyMaterial, KeySpec } from "./keys/material";
export { KeyType, RsaBits, EcdsaCurve } from "./fields";
export { fingerprints, Fingerprints } from "./keys/fingerprints";
export { validateKeyPairName } from "./ens/names";
export { EnsError, EnsErrorCode } from "./ens/errors";
export { KeyPairOutputs } from "./state";
export { EnsClient, EnsClientOptions, EnsClientStats, EnsKeyPair, EnsTransportError } from "./ens/client";
