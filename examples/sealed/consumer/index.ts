// The stack that configures CI: it reads the deploy key sealed to the runner through a
// StackReference and hands it on (a real one would store it in a CI variable of the runner). The
// sealed key is ciphertext, plain here as in the keys stack, and nothing here can open it.
import * as pulumi from "@pulumi/pulumi";

export = async () => {
    const keys = new pulumi.StackReference(new pulumi.Config().require("keysStack"));
    return {
        deployPublicKey: keys.requireOutput("publicKeyOpenssh"),
        deployKeySealed: keys.requireOutput("privateKeySealed"),
    };
};
