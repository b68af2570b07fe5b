/**
 * The `ens` backend at scale: N RSA KeyPairs made and destroyed through the ENS-compatible server
 * over loopback HTTP, once clean and once with a share of the calls throttled, interleaved with
 * the same program on the `local` backend. Counted on the server: requests per pair, the calls
 * by action, the faults injected, and the pairs left behind (orphans) or made twice.
 */
import * as fs from "fs";
import * as path from "path";
import { startEnsServer } from "../ens-server/server";
import { CliStack, OpSample, workRoot } from "./engine";

export type EnsMode = "local" | "ens" | "ensThrottled";
export const ensModeLabels: Record<EnsMode, string> = {
    local: "local backend",
    ens: "ens backend, clean",
    ensThrottled: "ens backend, throttled",
};

export interface EnsRun {
    mode: EnsMode;
    n: number;
    up?: OpSample;
    destroy?: OpSample;
    /** Server counters per operation (none for the local backend). */
    server?: {
        up: { requests: number; calls: Record<string, number>; faults: Record<string, number> };
        destroy: { requests: number; calls: Record<string, number>; faults: Record<string, number> };
        /** Pairs on the server after the up, and distinct names among them. */
        pairsAfterUp: number;
        distinctNamesAfterUp: number;
        /** Pairs left on the server after the destroy: orphans. */
        pairsAfterDestroy: number;
    };
    error?: string;
}

export interface EnsScaleOptions {
    n: number;
    /** Probability that a call is throttled in the throttled run. */
    throttleRate: number;
    log: (line: string) => void;
}

const accessKeyId = "bench-access-key-id";
const accessKeySecret = "bench-access-key-secret";

export async function ensScale(options: EnsScaleOptions): Promise<{ throttleRate: number; runs: EnsRun[] }> {
    const { n, log } = options;
    const dbPath = path.join(workRoot, "ens.db");
    fs.rmSync(dbPath, { force: true });
    const server = await startEnsServer({ dbPath, accessKeys: { [accessKeyId]: accessKeySecret } });
    try {
        // Credentials reach the provider through the environment, as in a pipeline.
        const ensEnv = { ALIBABA_CLOUD_ACCESS_KEY_ID: accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKeySecret };
        const ensConfig = { "ens-keypair:backend": "ens", "ens-keypair:endpoint": server.url };
        const stacks: Record<EnsMode, CliStack> = {
            local: await CliStack.create({ variant: "ensLocal", n, program: "keypair", config: { keyType: "rsa" } }),
            ens: await CliStack.create({
                variant: "ensClean",
                n,
                program: "keypair",
                config: { keyType: "rsa", ...ensConfig },
                env: ensEnv,
            }),
            ensThrottled: await CliStack.create({
                variant: "ensThrottled",
                n,
                program: "keypair",
                config: { keyType: "rsa", ...ensConfig },
                env: ensEnv,
            }),
        };
        const runs: Record<EnsMode, EnsRun> = {
            local: { mode: "local", n },
            ens: { mode: "ens", n },
            ensThrottled: { mode: "ensThrottled", n },
        };
        const modes: EnsMode[] = ["local", "ens", "ensThrottled"];
        const counters = () => {
            const s = server.stats();
            return { requests: s.requests, calls: s.calls, faults: s.faultsInjected };
        };
        const delta = (before: ReturnType<typeof counters>, after: ReturnType<typeof counters>) => ({
            requests: after.requests - before.requests,
            calls: Object.fromEntries(Object.entries(after.calls).map(([k, v]) => [k, v - (before.calls[k] ?? 0)])),
            faults: Object.fromEntries(Object.entries(after.faults).map(([k, v]) => [k, v - (before.faults[k] ?? 0)])),
        });
        // Each mode's up and destroy run back to back, so the server holds only that run's pairs.
        for (const mode of modes) {
            const run = runs[mode];
            for (const op of ["up", "destroy"] as const) {
                server.setFaults(mode === "ensThrottled" ? { rate: options.throttleRate, errors: ["Throttling"] } : {});
                const before = counters();
                try {
                    const sample = await stacks[mode].op(op, 1);
                    run[op] = sample;
                    log(`  ens scale, ${ensModeLabels[mode]}, ${op} of ${n}: ${(sample.ms / 1000).toFixed(1)} s`);
                } catch (e) {
                    run.error = `${op}: ${(e as Error).message.slice(0, 2000)}`;
                    log(`  ens scale, ${ensModeLabels[mode]}, ${op} failed: ${(e as Error).message.slice(0, 500)}`);
                }
                server.setFaults({});
                if (mode === "local") {
                    continue;
                }
                const used = delta(before, counters());
                const pairs = server.listKeyPairs();
                if (op === "up") {
                    run.server = {
                        up: used,
                        destroy: { requests: 0, calls: {}, faults: {} },
                        pairsAfterUp: pairs.length,
                        distinctNamesAfterUp: new Set(pairs.map((p) => p.keyPairName)).size,
                        pairsAfterDestroy: NaN,
                    };
                } else if (run.server) {
                    run.server.destroy = used;
                    run.server.pairsAfterDestroy = pairs.length;
                }
            }
        }
        return { throttleRate: options.throttleRate, runs: modes.map((m) => runs[m]) };
    } finally {
        await server.close();
    }
}
