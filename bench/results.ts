/** The shape of bench/results.json, shared by the runner and the report. */
import { ConfigResult } from "./engine";
import { KeygenResult } from "./keygen";
import { Machine } from "./machine";

export interface TlsPlugin {
    available: boolean;
    /** The plugin binary, when available. */
    path?: string;
    /** Why not, in the words of bench/ensure-tls-plugin. */
    reason?: string;
    /** Seconds bench/ensure-tls-plugin took in this run (a build, a cache hit, or a refusal). */
    ensureSeconds: number;
}

export interface BenchResults {
    machine: Machine;
    tls: TlsPlugin;
    /** The repetitions planned per N, and those run (later ones are dropped to keep within the time budget). */
    plan: { keygenReps: number; engineReps: Record<string, { planned: number; run: number }>; budgetMinutes: number };
    keygen: KeygenResult[];
    engine: {
        configs: ConfigResult[];
        /**
         * N bare RSA-2048 generations in flight at once (N the largest engine size), timed next to
         * each repetition at that N: the floor of the key work inside that up.
         */
        bareRsaBatch: { keys: number; ms: number[] };
    };
    /** Wall time of each phase and of the whole run, seconds. */
    durations: Record<string, number>;
}
