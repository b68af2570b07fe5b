// N @pulumi/tls PrivateKeys, the resource a user would otherwise pick: `n` and `algorithm`
// ("RSA", which defaults to 2048 bits, or "ED25519") come from the stack's config.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

const config = new pulumi.Config();
const n = config.requireNumber("n");
const algorithm = config.require("algorithm");
for (let i = 0; i < n; i++) {
    new tls.PrivateKey(`key-${i}`, { algorithm });
}
