/** The variants the benchmark compares, and the shape of a run's results (bench/work/results.json). */
import { doors } from "../provider/doors";
import { Sample } from "./cli";
import { EnsRun } from "./ens";
import { KeygenResult } from "./keygen";
import { ProfileSummary } from "./profile";

const dynamicKeyPair = doors.dynamic.resourceType;
const tlsPrivateKey = "tls:index/privateKey:PrivateKey";

/**
 * A program folder of bench/programs, the stack config that picks what it makes, the type of its
 * resources in state, and what the environment adds.
 */
export interface Variant {
    label: string;
    program: string;
    config: Record<string, string>;
    type: string;
    env?: Record<string, string>;
}

export const variants = {
    ed25519: { label: "KeyPair Ed25519", program: "keypair", config: { keyType: "ed25519" }, type: dynamicKeyPair },
    /** KeyPair as it was before it turned off the stack traces of the SDK's promises, which this variable keeps on. */
    ed25519Traced: {
        label: "KeyPair Ed25519 with the SDK's stack traces",
        program: "keypair",
        config: { keyType: "ed25519" },
        type: dynamicKeyPair,
        env: { PULUMI_DEBUG_PROMISE_LEAKS: "1" },
    },
    rsa: { label: "KeyPair RSA 2048", program: "keypair", config: { keyType: "rsa" }, type: dynamicKeyPair },
    plugin: { label: "ens-keypair plugin RSA 2048", program: "plugin", config: { keyType: "rsa" }, type: doors.package.resourceType },
    tlsEd25519: { label: "@pulumi/tls PrivateKey ED25519", program: "tls", config: { algorithm: "ED25519" }, type: tlsPrivateKey },
    tlsRsa: { label: "@pulumi/tls PrivateKey RSA 2048", program: "tls", config: { algorithm: "RSA" }, type: tlsPrivateKey },
    floor: { label: "do-nothing dynamic resource (floor)", program: "floor", config: {}, type: "pulumi-nodejs:dynamic/bench:Nop" },
} satisfies Record<string, Variant>;
export type VariantId = keyof typeof variants;

/** What the state of a variant's stack holds after its first up. */
export interface StateFigures {
    variant: VariantId;
    n: number;
    /** The state's size as the backend stores it (compact JSON) over the variant's resources, the stack's own entry shared out. */
    bytesPerResource: number;
    /** The same, of `pulumi stack export`'s indented output. */
    exportBytesPerResource: number;
    /** The serialized provider (`__provider`) of one resource, bytes; 0 for plugins. */
    providerBytes: number;
    outputProperties: number;
    /** Whether the ids and public keys were the same after the no-change preview and up. */
    unchanged?: boolean;
}

export interface Results {
    /** The machine, the tools' versions and the load average at the start and end. */
    machine: Record<string, string>;
    quick: boolean;
    /** Wall time of each phase, minutes. */
    minutes: Record<string, number>;
    samples: Sample[];
    states: StateFigures[];
    /** The program's CPU in one no-change preview per variant at the largest N, profiled. */
    profiles: { variant: VariantId; n: number; summary: ProfileSummary }[];
    /** Each provider's start, from launch to serving, ms. */
    starts: Partial<Record<VariantId, number[]>>;
    /** N bare RSA 2048 keys made at once, next to the up of N RSA KeyPairs. */
    bareRsaBatch?: { keys: number; ms: number };
    ens: EnsRun[];
    keygen: KeygenResult[];
    errors: string[];
}
