// Two ways to rotate a key pair. Both make the new pair under a new name before the old one is
// deleted, so whoever reads the key always finds one.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { KeyPair } from "pulumi-ens-keypair";

export = async () => {
    const config = new pulumi.Config();

    // On demand: the RandomId is replaced whenever a keeper changes, and its new value names a new
    // pair. `pulumi config set rotation 2027-01 && pulumi up` rotates the deploy key.
    const suffix = new random.RandomId("deploy-suffix", {
        byteLength: 4,
        keepers: { rotation: config.require("rotation") },
    });
    const deploy = new KeyPair("deploy", { keyPairName: pulumi.interpolate`deploy-${suffix.hex}`, keyType: "ed25519" });

    // On a schedule: the first preview or up after rotatesAt replaces the pair, with a new name
    // made from the prefix.
    const agent = new KeyPair("agent", {
        keyPairNamePrefix: "agent-",
        keyType: "ed25519",
        rotateAfter: config.get("rotateAfter") ?? "90d",
    });

    return {
        deployKeyPairName: deploy.keyPairName,
        deployPublicKey: deploy.publicKeyOpenssh,
        deployPrivateKey: deploy.privateKeyOpenssh,
        agentKeyPairName: agent.keyPairName,
        agentRotatesAt: agent.rotatesAt,
        agentPublicKey: agent.publicKeyOpenssh,
        agentPrivateKey: agent.privateKeyOpenssh,
    };
};
