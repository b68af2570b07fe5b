// N resources of a do-nothing dynamic provider: the engine's own floor for dynamic resources.
// `create` only returns a fresh id; everything else is the dynamic provider's default (check
// passes the inputs through, diff reports no change, read returns the state, delete does nothing).
import * as pulumi from "@pulumi/pulumi";

const provider: pulumi.dynamic.ResourceProvider = {
    // `require` runs inside the provider process, as in KeyPair's provider.
    create: async () => ({ id: (require("crypto") as typeof import("crypto")).randomUUID(), outs: {} }),
};

class Nop extends pulumi.dynamic.Resource {
    constructor(name: string) {
        super(provider, name, {}, {}, "bench", "Nop");
    }
}

const n = new pulumi.Config().requireNumber("n");
for (let i = 0; i < n; i++) {
    new Nop(`nop-${i}`);
}
