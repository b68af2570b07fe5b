/**
 * The `ens` backend at scale: N RSA KeyPairs made and destroyed through the ENS-compatible server
 * over loopback HTTP, clean and with a share of the calls throttled, beside the same program on
 * the `local` backend. Counted on the server: requests and calls by action, the faults injected,
 * and the pairs left behind (orphans) or made twice.
 */
import { startEnsServer } from "../ens-server/server";
import { Sample, Stack } from "./cli";

export const ensModes = { local: "local backend", ens: "ens backend, clean", ensThrottled: "ens backend, throttled" };
export type EnsMode = keyof typeof ensModes;

/** What the server counted during one operation. */
export interface ServerCounts {
    requests: number;
    calls: Record<string, number>;
    throttled: number;
    /** Pairs on the server after the operation, and distinct names among them. */
    pairs: number;
    names: number;
}

export interface EnsRun {
    mode: EnsMode;
    n: number;
    up?: Sample & { server?: ServerCounts };
    destroy?: Sample & { server?: ServerCounts };
    error?: string;
}

export async function ensScale(n: number, throttleRate: number, log: (line: string) => void): Promise<EnsRun[]> {
    const key = { id: "bench-access-key-id", secret: "bench-access-key-secret" };
    const server = await startEnsServer({ accessKeys: { [key.id]: key.secret } });
    try {
        const runs: EnsRun[] = [];
        for (const mode of Object.keys(ensModes) as EnsMode[]) {
            // Credentials reach the provider through the environment, as in a pipeline.
            const stack =
                mode === "local"
                    ? await Stack.create("ensLocal", n, "keypair", { keyType: "rsa" })
                    : await Stack.create(
                          mode,
                          n,
                          "keypair",
                          { keyType: "rsa", "ens-keypair:backend": "ens", "ens-keypair:endpoint": server.url },
                          { ALIBABA_CLOUD_ACCESS_KEY_ID: key.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.secret },
                      );
            const run: EnsRun = { mode, n };
            runs.push(run);
            // Up and destroy back to back, so that the server holds only this run's pairs.
            for (const op of ["up", "destroy"] as const) {
                const before = server.stats();
                server.setFaults(mode === "ensThrottled" ? { rate: throttleRate, errors: ["Throttling"] } : {});
                let sample: NonNullable<EnsRun["up"]>;
                try {
                    sample = await stack.op(op, 1);
                    log(`ens, ${ensModes[mode]}, ${op} of ${n}: ${(sample.ms / 1000).toFixed(1)} s`);
                } catch (e) {
                    run.error = `${op}: ${(e as Error).message}`;
                    log(`ens, ${ensModes[mode]}, ${op} failed: ${run.error.slice(0, 500)}`);
                    break;
                } finally {
                    server.setFaults({});
                }
                const after = server.stats();
                const pairs = server.listKeyPairs();
                run[op] = sample;
                sample.server = {
                    requests: after.requests - before.requests,
                    calls: Object.fromEntries(Object.entries(after.calls).map(([action, k]) => [action, k - (before.calls[action] ?? 0)])),
                    throttled: (after.faultsInjected.Throttling ?? 0) - (before.faultsInjected.Throttling ?? 0),
                    pairs: pairs.length,
                    names: new Set(pairs.map((p) => p.keyPairName)).size,
                };
            }
        }
        return runs;
    } finally {
        await server.close();
    }
}
