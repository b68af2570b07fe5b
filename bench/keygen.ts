/**
 * Key generation: the provider's `generateKeyMaterial` (the key, every encoding and fingerprint)
 * against bare `crypto.generateKeyPair`, and against the tools a user would otherwise script,
 * `openssl genpkey` and `ssh-keygen`, each a whole process. The methods take turns in rounds, in
 * rotating order, so that the machine's load falls on all of them alike.
 */
import { execFile } from "child_process";
import { generateKeyPair, KeyObject } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { generateKeyMaterial, KeySpec, keyMaterialOf } from "../provider/keys/material";

const exec = promisify(execFile);
const generate = promisify(generateKeyPair);

export const methodLabels = {
    material: "generateKeyMaterial",
    bare: "crypto.generateKeyPair (floor)",
    openssl: "openssl genpkey (process)",
    sshKeygen: "ssh-keygen (process)",
};
export type Method = keyof typeof methodLabels;
const methods = Object.keys(methodLabels) as Method[];

interface Size {
    label: string;
    spec: KeySpec;
    bare: () => Promise<{ privateKey: KeyObject }>;
    openssl: string[];
    sshKeygen: string[];
    /** Keys per method, in process and as a process: few for RSA, whose prime search takes 0.1 to 3 s a key. */
    count: { inProcess: number; process: number };
    /** The methods timed with 50 generations in flight (RSA's take tens of seconds a batch). */
    concurrent: Method[];
}

const sizes: Size[] = [
    {
        label: "RSA 2048",
        spec: { keyType: "rsa", rsaBits: 2048 },
        bare: () => generate("rsa", { modulusLength: 2048, publicExponent: 0x10001 }),
        openssl: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        sshKeygen: ["-t", "rsa", "-b", "2048"],
        count: { inProcess: 4, process: 4 },
        concurrent: ["material", "bare"],
    },
    {
        label: "Ed25519",
        spec: { keyType: "ed25519" },
        bare: () => generate("ed25519"),
        openssl: ["-algorithm", "ed25519"],
        sshKeygen: ["-t", "ed25519"],
        count: { inProcess: 400, process: 16 },
        concurrent: methods,
    },
    {
        label: "ECDSA P-256",
        spec: { keyType: "ecdsa", ecdsaCurve: "P256" },
        bare: () => generate("ec", { namedCurve: "P-256" }),
        openssl: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        sshKeygen: ["-t", "ecdsa", "-b", "256"],
        count: { inProcess: 400, process: 16 },
        concurrent: methods,
    },
];

export interface KeygenResult {
    label: string;
    /** Time of each key made one after another, by method, ms. */
    perKeyMs: Record<Method, number[]>;
    /** The encodings and fingerprints alone, on keys made beforehand, ms each. */
    encodeMs: number[];
    /** Keys per second with 50 generations in flight, by method. */
    keysPerSecond: Partial<Record<Method, number>>;
}

let fileSeq = 0;

/** One key by one method; a tool writes it to a tmpfs file (-N "" for no passphrase, a new file so that ssh-keygen asks nothing). */
function oneKey(size: Size, method: Method, dir: string): Promise<unknown> {
    const file = path.join(dir, `k${fileSeq++}`);
    return method === "material"
        ? generateKeyMaterial(size.spec)
        : method === "bare"
          ? size.bare()
          : method === "openssl"
            ? exec("openssl", ["genpkey", ...size.openssl, "-out", file])
            : exec("ssh-keygen", ["-q", ...size.sshKeygen, "-N", "", "-C", "", "-f", file]);
}

async function timedMs(fn: () => Promise<unknown>): Promise<number> {
    const start = performance.now();
    await fn();
    return performance.now() - start;
}

export async function keygenBench(labels: string[], log: (line: string) => void): Promise<KeygenResult[]> {
    const dir = fs.mkdtempSync(path.join(fs.existsSync("/dev/shm") ? "/dev/shm" : "/tmp", "ens-keypair-bench-"));
    const rounds = 4;
    try {
        const results: KeygenResult[] = [];
        for (const size of sizes.filter((s) => labels.includes(s.label))) {
            // Warm-up: the first calls load OpenSSL's providers and page the tools in.
            for (const method of methods) {
                await oneKey(size, method, dir);
            }
            const perKeyMs = Object.fromEntries(methods.map((m) => [m, [] as number[]])) as Record<Method, number[]>;
            for (let round = 0; round < rounds; round++) {
                for (const method of methods.map((_, i) => methods[(i + round) % methods.length])) {
                    const count = (method === "material" || method === "bare" ? size.count.inProcess : size.count.process) / rounds;
                    for (let i = 0; i < count; i++) {
                        perKeyMs[method].push(await timedMs(() => oneKey(size, method, dir)));
                    }
                }
            }
            // The encodings are deterministic work, timed apart: an RSA key's prime search varies
            // by a factor of several from one key to the next and would swamp them.
            const keys = await Promise.all([1, 2, 3, 4].map(() => size.bare()));
            const encodeMs: number[] = [];
            for (const until = performance.now() + 150; performance.now() < until || encodeMs.length < 20;) {
                encodeMs.push(await timedMs(async () => keyMaterialOf(keys[encodeMs.length % keys.length].privateKey)));
            }
            const keysPerSecond: KeygenResult["keysPerSecond"] = {};
            for (const method of size.concurrent) {
                const ms = await timedMs(() => Promise.all(Array.from({ length: 50 }, () => oneKey(size, method, dir))));
                keysPerSecond[method] = 50_000 / ms;
            }
            results.push({ label: size.label, perKeyMs, encodeMs, keysPerSecond });
            log(`keygen ${size.label} done`);
        }
        return results;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Time to make `keys` bare RSA 2048 keys at once: the floor of the key work inside an up of as many KeyPairs. */
export function bareRsaBatchMs(keys: number): Promise<number> {
    return timedMs(() => Promise.all(Array.from({ length: keys }, () => sizes[0].bare())));
}
