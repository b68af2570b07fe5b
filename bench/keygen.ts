/**
 * Key generation: the provider's `generateKeyMaterial` (generation plus every encoding and
 * fingerprint) against its floor, bare `crypto.generateKeyPair`, and against the command-line
 * tools a user would otherwise script (`openssl genpkey`, `ssh-keygen`), run as whole processes.
 *
 * Methods are interleaved within each repetition, in rotating order, so that the load other work
 * puts on the machine falls on all of them alike.
 */
import { execFile } from "child_process";
import { generateKeyPair, KeyObject } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { generateKeyMaterial, KeySpec, keyMaterialOf } from "../provider/keys/material";
import { nowMs, Stat, statOfReps } from "./stats";

const run = promisify(execFile);
const generate = promisify(generateKeyPair);

export type Method = "material" | "bare" | "openssl" | "sshKeygen";
export const methods: readonly Method[] = ["material", "bare", "openssl", "sshKeygen"];
export const methodLabels: Record<Method, string> = {
    material: "generateKeyMaterial",
    bare: "crypto.generateKeyPair (floor)",
    openssl: "openssl genpkey (process)",
    sshKeygen: "ssh-keygen (process)",
};

export interface KeySize {
    id: string;
    label: string;
    spec: KeySpec;
    /** Keys per method per repetition, sequentially: few for RSA (each takes 0.1–3 s), many for the rest. */
    perRep: { inProcess: number; process: number };
    /**
     * Which methods to time with 50 generations in flight. RSA's prime search makes each batch
     * cost tens of seconds on two cores, so RSA gets the in-process methods at 2048 bits only.
     */
    concurrent: readonly Method[];
}

export const keySizes: readonly KeySize[] = [
    {
        id: "rsa2048",
        label: "RSA 2048",
        spec: { keyType: "rsa", rsaBits: 2048 },
        perRep: { inProcess: 4, process: 4 },
        concurrent: ["material", "bare"],
    },
    { id: "rsa3072", label: "RSA 3072", spec: { keyType: "rsa", rsaBits: 3072 }, perRep: { inProcess: 2, process: 2 }, concurrent: [] },
    { id: "rsa4096", label: "RSA 4096", spec: { keyType: "rsa", rsaBits: 4096 }, perRep: { inProcess: 2, process: 2 }, concurrent: [] },
    { id: "ed25519", label: "Ed25519", spec: { keyType: "ed25519" }, perRep: { inProcess: 400, process: 15 }, concurrent: methods },
    {
        id: "ecdsaP256",
        label: "ECDSA P-256",
        spec: { keyType: "ecdsa", ecdsaCurve: "P256" },
        perRep: { inProcess: 400, process: 15 },
        concurrent: methods,
    },
];

export interface KeygenResult {
    id: string;
    label: string;
    /** Time per key, by method. */
    perKey: Record<Method, Stat>;
    /** Encodings and fingerprints alone (`keyMaterialOf` on an existing key): what generateKeyMaterial adds to the floor. */
    encode: Stat;
    /** Keys per second with 50 generations in flight at once, by method; absent where not measured. */
    concurrent?: Partial<Record<Method, { keys: number; wallMs: number; keysPerSecond: number }>>;
}

/** A tmpfs folder when there is one, so the tools' file writes cost no disk I/O. */
function scratchDir(): string {
    const base = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
    return fs.mkdtempSync(path.join(base, "ens-keypair-bench-"));
}

function bareFor(spec: KeySpec): Promise<{ privateKey: KeyObject }> {
    // The same calls generateKeyMaterial makes, without the encodings.
    switch (spec.keyType) {
        case "ed25519":
            return generate("ed25519");
        case "ecdsa":
            return generate("ec", { namedCurve: `P-${(spec.ecdsaCurve ?? "P256").slice(1)}` });
        default:
            return generate("rsa", { modulusLength: spec.rsaBits ?? 2048, publicExponent: 0x10001 });
    }
}

function opensshArgs(spec: KeySpec, file: string): string[] {
    switch (spec.keyType) {
        case "ed25519":
            return ["genpkey", "-algorithm", "ed25519", "-out", file];
        case "ecdsa":
            return ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file];
        default:
            return ["genpkey", "-algorithm", "RSA", "-pkeyopt", `rsa_keygen_bits:${spec.rsaBits ?? 2048}`, "-out", file];
    }
}

function sshKeygenArgs(spec: KeySpec, file: string): string[] {
    const type =
        spec.keyType === "ed25519"
            ? ["-t", "ed25519"]
            : spec.keyType === "ecdsa"
              ? ["-t", "ecdsa", "-b", "256"]
              : ["-t", "rsa", "-b", String(spec.rsaBits ?? 2048)];
    // -N "" for no passphrase; the file must not exist, or ssh-keygen asks before overwriting.
    return ["-q", ...type, "-N", "", "-C", "", "-f", file];
}

let fileSeq = 0;

/** One key by the given method; resolves when the key exists (in memory or on disk). */
function oneKey(method: Method, spec: KeySpec, dir: string): Promise<unknown> {
    const file = path.join(dir, `k${fileSeq++}`);
    switch (method) {
        case "material":
            return generateKeyMaterial(spec);
        case "bare":
            return bareFor(spec);
        case "openssl":
            return run("openssl", opensshArgs(spec, file));
        case "sshKeygen":
            return run("ssh-keygen", sshKeygenArgs(spec, file));
    }
}

/** Per-key times of `count` keys made one after another. */
async function sequential(method: Method, spec: KeySpec, count: number, dir: string): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
        const start = nowMs();
        await oneKey(method, spec, dir);
        times.push(nowMs() - start);
    }
    return times;
}

/**
 * The cost of the encodings and fingerprints alone, on keys made beforehand: deterministic work,
 * so it can be timed precisely, whereas RSA generation varies by a factor of several from one key
 * to the next (the prime search) and swamps a sub-millisecond difference in a direct comparison.
 */
async function encodeCost(spec: KeySpec, reps: number): Promise<Stat> {
    const keys = await Promise.all(Array.from({ length: 4 }, () => bareFor(spec)));
    const perRep: number[][] = [];
    for (let r = 0; r < reps; r++) {
        const times: number[] = [];
        const until = nowMs() + 150;
        for (let i = 0; nowMs() < until || i < 20; i++) {
            const start = nowMs();
            keyMaterialOf(keys[i % keys.length].privateKey);
            times.push(nowMs() - start);
        }
        perRep.push(times);
    }
    return statOfReps(perRep);
}

async function concurrent(method: Method, spec: KeySpec, dir: string, keys = 50) {
    const start = nowMs();
    await Promise.all(Array.from({ length: keys }, () => oneKey(method, spec, dir)));
    const wallMs = nowMs() - start;
    return { keys, wallMs, keysPerSecond: (keys * 1000) / wallMs };
}

export interface KeygenOptions {
    reps: number;
    /** The key sizes to measure, by id; all when omitted. */
    sizes?: readonly string[];
    log: (line: string) => void;
}

export async function keygenBench(options: KeygenOptions): Promise<KeygenResult[]> {
    const dir = scratchDir();
    try {
        // Warm-up: first calls load OpenSSL providers and page in the tools.
        for (const size of keySizes.filter((s) => s.spec.keyType !== "rsa")) {
            for (const method of methods) {
                await sequential(method, size.spec, 3, dir);
            }
        }
        const results: KeygenResult[] = [];
        for (const size of keySizes.filter((s) => !options.sizes || options.sizes.includes(s.id))) {
            const samples = Object.fromEntries(methods.map((m) => [m, [] as number[][]])) as Record<Method, number[][]>;
            for (let r = 0; r < options.reps; r++) {
                // Rotate the order so no method always runs first (or last) in a repetition.
                const order = methods.map((_, i) => methods[(i + r) % methods.length]);
                for (const method of order) {
                    const count = method === "material" || method === "bare" ? size.perRep.inProcess : size.perRep.process;
                    samples[method].push(await sequential(method, size.spec, count, dir));
                }
                fs.rmSync(dir, { recursive: true, force: true });
                fs.mkdirSync(dir, { recursive: true });
            }
            const perKey = Object.fromEntries(methods.map((m) => [m, statOfReps(samples[m])])) as Record<Method, Stat>;
            const encode = await encodeCost(size.spec, options.reps);
            let concurrentResult: KeygenResult["concurrent"];
            if (size.concurrent.length > 0) {
                concurrentResult = {};
                for (const method of size.concurrent) {
                    concurrentResult[method] = await concurrent(method, size.spec, dir);
                }
                fs.rmSync(dir, { recursive: true, force: true });
                fs.mkdirSync(dir, { recursive: true });
            }
            results.push({ id: size.id, label: size.label, perKey, encode, concurrent: concurrentResult });
            options.log(
                `keygen ${size.label}: ` +
                    methods.map((m) => `${m} ${perKey[m].median.toFixed(2)} ms`).join(", ") +
                    `, encode ${encode.median.toFixed(3)} ms`,
            );
        }
        return results;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Time to make `keys` bare keys concurrently: the floor for the key work inside an `up`. */
export async function bareBatch(spec: KeySpec, keys: number): Promise<number> {
    const start = nowMs();
    await Promise.all(Array.from({ length: keys }, () => bareFor(spec)));
    return nowMs() - start;
}
