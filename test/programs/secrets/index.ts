// An RSA and an Ed25519 pair, with every private key form exported (as secrets).
import { KeyPair } from "pulumi-ens-keypair";

const rsa = new KeyPair("rsa", { keyPairName: "e2e-secrets-rsa" });
const ed25519 = new KeyPair("ed25519", { keyPairName: "e2e-secrets-ed25519", keyType: "ed25519" });

export const rsaPublicKey = rsa.publicKeyOpenssh;
export const rsaPrivateKeyOpenssh = rsa.privateKeyOpenssh;
export const rsaPrivateKeyBody = rsa.privateKeyBody;
export const ed25519PublicKey = ed25519.publicKeyOpenssh;
export const ed25519PrivateKeyOpenssh = ed25519.privateKeyOpenssh;
export const ed25519PrivateKeyBody = ed25519.privateKeyBody;
