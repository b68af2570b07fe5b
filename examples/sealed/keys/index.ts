// A deploy key sealed to the CI runner's age recipient: with sealedOnly, the private key is in no
// state and no output, only in privateKeySealed, which the runner's identity alone opens.
import * as pulumi from "@pulumi/pulumi";
import { KeyPair } from "pulumi-ens-keypair";

export = async () => {
    const deploy = new KeyPair("deploy", {
        keyPairNamePrefix: `${pulumi.getStack()}-deploy-`,
        keyType: "ed25519",
        privateKeyRecipients: [new pulumi.Config().require("runnerRecipient")],
        sealedOnly: true,
    });
    return {
        keyPairName: deploy.keyPairName,
        publicKeyOpenssh: deploy.publicKeyOpenssh,
        privateKeySealed: deploy.privateKeySealed,
    };
};
