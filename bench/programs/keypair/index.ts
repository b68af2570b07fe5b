// N KeyPairs, as a user writes them: the benchmark sets `n` and `keyType` in the stack's config.
import * as pulumi from "@pulumi/pulumi";
import { KeyPair } from "pulumi-ens-keypair";

const config = new pulumi.Config();
const n = config.requireNumber("n");
const keyType = config.require<"rsa" | "ed25519">("keyType");
for (let i = 0; i < n; i++) {
    new KeyPair(`pair-${i}`, { keyPairName: `bench-${keyType}-${i}`, keyType });
}
