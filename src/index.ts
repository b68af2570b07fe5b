/**
 * pulumi-ens-keypair: SSH key pairs with Alibaba Cloud ENS semantics as a Pulumi dynamic provider.
 */
export { KeyPair, KeyPairArgs } from "./keyPair";
export { keyPairProvider } from "./providerStub";
export { generateKeyMaterial, KeyMaterial, KeySpec } from "./keyMaterial";
export { KeyType, RsaBits, EcdsaCurve } from "./fields";
export { fingerprints, Fingerprints } from "./fingerprints";
export { validateKeyPairName } from "./names";
export { EnsError, EnsErrorCode } from "./errors";
export { KeyPairOutputs } from "./outputs";
export { EnsClient, EnsClientOptions, EnsClientStats, EnsKeyPair, EnsTransportError } from "./ensClient";
