// A second stack that needs the pipeline's deploy key, e.g. to configure a deployment agent.
// A secret read through a StackReference stays secret here: encrypted in this stack's state
// and masked in its outputs.
import * as pulumi from "@pulumi/pulumi";

export = async () => {
    const config = new pulumi.Config();
    const producer = new pulumi.StackReference(config.require("producerStack"));
    return {
        deployKeyPairName: producer.requireOutput("keyPairName"),
        deployPublicKey: producer.requireOutput("publicKeyOpenssh"),
        deployPrivateKey: producer.requireOutput("privateKeyOpenssh"),
    };
};
