// One key pair through the ens-keypair package: the SDK that `pulumi package add` generates from
// the plugin's schema (into sdks/), run by the plugin rather than by a dynamic provider.
import * as pulumi from "@pulumi/pulumi";
import * as ensKeypair from "@ens-keypair/pulumi";

const config = new pulumi.Config();
const deploy = new ensKeypair.KeyPair("deploy", {
    keyPairName: config.get("keyPairName") ?? "package-deploy",
    keyType: config.get("keyType") === "ed25519" ? ensKeypair.KeyType.Ed25519 : ensKeypair.KeyType.Rsa,
});

export const keyPairId = deploy.keyPairId;
export const keyPairName = deploy.keyPairName;
export const keyPairFingerPrint = deploy.keyPairFingerPrint;
export const publicKeyOpenssh = deploy.publicKeyOpenssh;
export const privateKeyOpenssh = deploy.privateKeyOpenssh; // secret
