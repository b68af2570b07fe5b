// Two pairs sealed to the age recipients in the stack's config `recipients` (a JSON list): one
// beside its plain private key, one with sealedOnly, whose plain private key outputs are absent.
import * as pulumi from "@pulumi/pulumi";
import { KeyPair } from "pulumi-ens-keypair";

const recipients = new pulumi.Config().requireObject<string[]>("recipients");
const beside = new KeyPair("beside", { keyPairName: "e2e-sealed-beside", keyType: "ed25519", privateKeyRecipients: recipients });
const only = new KeyPair("only", { keyPairName: "e2e-sealed-only", privateKeyRecipients: recipients, sealedOnly: true });

export const besidePublicKey = beside.publicKeyOpenssh;
export const besidePrivateKeyOpenssh = beside.privateKeyOpenssh;
export const besideSealed = beside.privateKeySealed;
export const onlyPublicKey = only.publicKeyOpenssh;
export const onlyPrivateKeyOpenssh = only.privateKeyOpenssh;
export const onlyPrivateKeyBody = only.privateKeyBody;
export const onlySealed = only.privateKeySealed;
