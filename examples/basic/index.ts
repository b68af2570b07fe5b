// One key pair: the public key for authorized_keys, the private key as a secret output.
import * as pulumi from "@pulumi/pulumi";
import { KeyPair } from "pulumi-ens-keypair";

export = async () => {
    const config = new pulumi.Config();
    const deploy = new KeyPair("deploy", {
        keyPairName: config.get("keyPairName") ?? "basic-deploy",
        keyType: config.get("keyType") === "ed25519" ? "ed25519" : "rsa",
    });
    return {
        keyPairId: deploy.keyPairId,
        keyPairName: deploy.keyPairName,
        keyPairFingerPrint: deploy.keyPairFingerPrint,
        fingerprintSha256: deploy.fingerprintSha256,
        publicKeyOpenssh: deploy.publicKeyOpenssh,
        privateKeyOpenssh: deploy.privateKeyOpenssh,
    };
};
