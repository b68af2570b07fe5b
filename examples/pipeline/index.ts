// A deploy key per stack: the name is made unique from a prefix, so dev, staging and prod
// (or one stack per branch) never collide in the ENS account.
import * as pulumi from "@pulumi/pulumi";
import { KeyPair } from "pulumi-ens-keypair";

export = async () => {
    const config = new pulumi.Config();
    const deploy = new KeyPair("deploy", {
        keyPairNamePrefix: `${pulumi.getStack()}-deploy-`,
        keyType: config.get("keyType") === "rsa" ? "rsa" : "ed25519",
    });
    return {
        keyPairId: deploy.keyPairId,
        keyPairName: deploy.keyPairName,
        fingerprintSha256: deploy.fingerprintSha256,
        publicKeyOpenssh: deploy.publicKeyOpenssh,
        privateKeyOpenssh: deploy.privateKeyOpenssh,
    };
};
