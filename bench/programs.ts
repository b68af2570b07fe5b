/**
 * The programs the engine benchmarks run, one per variant: N KeyPairs (RSA 2048 or Ed25519), N
 * resources of a do-nothing dynamic provider (the engine's own floor for dynamic resources), and
 * N `@pulumi/tls` PrivateKeys (the peer a user would otherwise pick).
 */
import * as pulumi from "@pulumi/pulumi";
import { PulumiFn } from "@pulumi/pulumi/automation";
import * as tls from "@pulumi/tls";
import { KeyPair } from "../src";
import { outputNames, secretOutputNames } from "../src/fields";

export type VariantId = "rsa" | "ed25519" | "floor" | "shape" | "tls";

export interface Variant {
    id: VariantId;
    label: string;
    /** The resource type in state, to pick the variant's resources out of an export. */
    type: string;
    program: (n: number) => PulumiFn;
}

/**
 * The do-nothing provider: `create` only returns a fresh id, everything else is the dynamic
 * provider's default (check passes the inputs through, diff reports no change, read returns the
 * state, delete does nothing). An inline object like this serializes into a closure of a few
 * hundred bytes, smaller than KeyPair's forwarding object, so the floor is not made slower by its
 * own state. `require` runs inside the provider process, as in KeyPair's provider.
 */
const floorProvider: pulumi.dynamic.ResourceProvider = {
    create: async () => ({ id: (require("crypto") as typeof import("crypto")).randomUUID(), outs: {} }),
};

class Nop extends pulumi.dynamic.Resource {
    constructor(name: string) {
        super(floorProvider, name, {}, {}, "bench", "Nop");
    }
}

/**
 * A control for profiling, not a target's peer: a do-nothing provider whose resources have
 * KeyPair's shape, i.e. the same 13 registered output properties (2 of them secret) and outputs
 * of the same sizes as an RSA-2048 KeyPair's, made of random characters instead of a key. Set
 * beside KeyPair and the bare floor, it splits KeyPair's cost above the floor into what the SDK
 * and the engine spend on a resource of that shape and what the provider's own code adds.
 */
const shapeProvider: pulumi.dynamic.ResourceProvider = {
    create: async (inputs) => {
        const text = (length: number) =>
            (require("crypto") as typeof import("crypto")).randomBytes(length).toString("base64").slice(0, length);
        // Lengths of an RSA-2048 KeyPair's outputs (PKCS#8 PEM 1704, OpenSSH PEM about 1800, ...).
        const outs = {
            keyPairName: inputs.keyPairName,
            keyType: inputs.keyType,
            rsaBits: 2048,
            keyPairId: `ssh-${text(23)}`,
            keyPairFingerPrint: text(32),
            fingerprintMd5: text(47),
            fingerprintSha256: text(50),
            publicKeyOpenssh: text(380),
            privateKeyBody: text(1704),
            privateKeyOpenssh: text(1799),
            creationTime: text(20),
            requestId: text(36),
            backend: "local",
        };
        return { id: outs.keyPairId, outs };
    },
};

class Shaped extends pulumi.dynamic.Resource {
    constructor(name: string, args: { keyPairName: string; keyType: string }) {
        const outputs = Object.fromEntries(outputNames.map((name) => [name, undefined]));
        super(shapeProvider, name, { ...outputs, ...args }, { additionalSecretOutputs: [...secretOutputNames] }, "bench", "Shaped");
    }
}

function keyPairs(keyType: "rsa" | "ed25519"): (n: number) => PulumiFn {
    return (n) => async () => {
        for (let i = 0; i < n; i++) {
            new KeyPair(`pair-${i}`, { keyPairName: `bench-${keyType}-${i}`, keyType });
        }
    };
}

export const variants: Record<VariantId, Variant> = {
    rsa: { id: "rsa", label: "KeyPair RSA 2048", type: "pulumi-nodejs:dynamic/ens-keypair:KeyPair", program: keyPairs("rsa") },
    ed25519: { id: "ed25519", label: "KeyPair Ed25519", type: "pulumi-nodejs:dynamic/ens-keypair:KeyPair", program: keyPairs("ed25519") },
    floor: {
        id: "floor",
        label: "do-nothing dynamic resource (floor)",
        type: "pulumi-nodejs:dynamic/bench:Nop",
        program: (n) => async () => {
            for (let i = 0; i < n; i++) {
                new Nop(`nop-${i}`);
            }
        },
    },
    shape: {
        id: "shape",
        label: "control: do-nothing with KeyPair's shape",
        type: "pulumi-nodejs:dynamic/bench:Shaped",
        program: (n) => async () => {
            for (let i = 0; i < n; i++) {
                new Shaped(`shaped-${i}`, { keyPairName: `bench-shape-${i}`, keyType: "rsa" });
            }
        },
    },
    tls: {
        id: "tls",
        label: "@pulumi/tls PrivateKey RSA 2048",
        type: "tls:index/privateKey:PrivateKey",
        program: (n) => async () => {
            for (let i = 0; i < n; i++) {
                new tls.PrivateKey(`key-${i}`, { algorithm: "RSA", rsaBits: 2048 });
            }
        },
    },
};
