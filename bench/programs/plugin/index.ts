// N KeyPairs of the ens-keypair plugin, through the SDK generated from its schema (bench/run.ts
// builds both): `n` and `keyType` come from the stack's config.
import * as pulumi from "@pulumi/pulumi";
import * as ensKeypair from "@ens-keypair/pulumi";

const config = new pulumi.Config();
const n = config.requireNumber("n");
const keyType = config.require<ensKeypair.KeyType>("keyType");
for (let i = 0; i < n; i++) {
    new ensKeypair.KeyPair(`pair-${i}`, { keyPairName: `bench-plugin-${i}`, keyType });
}
