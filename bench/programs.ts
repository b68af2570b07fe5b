/**
 * The variants the engine benchmarks compare: a program folder of bench/programs and the stack
 * config that picks what it makes. KeyPair (RSA 2048 and Ed25519), `@pulumi/tls` PrivateKey (the
 * peer a user would otherwise pick, same algorithms) and N resources of a do-nothing dynamic
 * provider (the floor every dynamic provider pays). The one inline variant runs KeyPair's program
 * through the Automation API instead of the CLI.
 */
import { PulumiFn } from "@pulumi/pulumi/automation";
import { KeyPair } from "../provider";

export type VariantId = "rsa" | "ed25519" | "tlsRsa" | "tlsEd25519" | "floor" | "inlineEd25519";

export interface Variant {
    id: VariantId;
    label: string;
    /** The folder under bench/programs, or an inline program. */
    program: string | ((n: number) => PulumiFn);
    /** The stack's config besides `n`. */
    config: Record<string, string>;
    /** The resource type in state, to pick the variant's resources out of an export. */
    type: string;
    /** The variant it is judged against: the floor for KeyPair, KeyPair's peer in @pulumi/tls. */
    peerOf?: VariantId;
}

const keyPairType = "pulumi-nodejs:dynamic/ens-keypair:KeyPair";

export const variants: Record<VariantId, Variant> = {
    rsa: { id: "rsa", label: "KeyPair RSA 2048", program: "keypair", config: { keyType: "rsa" }, type: keyPairType },
    ed25519: { id: "ed25519", label: "KeyPair Ed25519", program: "keypair", config: { keyType: "ed25519" }, type: keyPairType },
    tlsRsa: {
        id: "tlsRsa",
        label: "@pulumi/tls PrivateKey RSA 2048",
        program: "tls",
        config: { algorithm: "RSA" },
        type: "tls:index/privateKey:PrivateKey",
        peerOf: "rsa",
    },
    tlsEd25519: {
        id: "tlsEd25519",
        label: "@pulumi/tls PrivateKey ED25519",
        program: "tls",
        config: { algorithm: "ED25519" },
        type: "tls:index/privateKey:PrivateKey",
        peerOf: "ed25519",
    },
    floor: {
        id: "floor",
        label: "do-nothing dynamic resource (floor)",
        program: "floor",
        config: {},
        type: "pulumi-nodejs:dynamic/bench:Nop",
    },
    inlineEd25519: {
        id: "inlineEd25519",
        label: "KeyPair Ed25519, inline (Automation API)",
        program: (n) => async () => {
            for (let i = 0; i < n; i++) {
                new KeyPair(`pair-${i}`, { keyPairName: `bench-ed25519-${i}`, keyType: "ed25519" });
            }
        },
        config: {},
        type: keyPairType,
    },
};
