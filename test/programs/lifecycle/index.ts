// One KeyPair whose name and key type come from the stack's config, so that changing them makes
// the engine replace it.
import * as pulumi from "@pulumi/pulumi";
import { KeyPair } from "pulumi-ens-keypair";

const config = new pulumi.Config();
const pair = new KeyPair("pair", {
    keyPairName: config.require("name"),
    keyType: config.require("keyType") === "ed25519" ? "ed25519" : "rsa",
});

export const keyPairId = pair.keyPairId;
export const keyPairName = pair.keyPairName;
export const keyType = pair.keyType;
export const rsaBits = pair.rsaBits;
export const keyPairFingerPrint = pair.keyPairFingerPrint;
export const fingerprintMd5 = pair.fingerprintMd5;
export const fingerprintSha256 = pair.fingerprintSha256;
export const publicKeyOpenssh = pair.publicKeyOpenssh;
export const privateKeyBody = pair.privateKeyBody;
export const privateKeyOpenssh = pair.privateKeyOpenssh;
export const creationTime = pair.creationTime;
export const requestId = pair.requestId;
