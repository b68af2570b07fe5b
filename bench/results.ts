/** The shape of bench/results.json, shared by the runner, the report and the chart. */
import { ConfigResult, Op, OpSample } from "./engine";
import { EnsRun } from "./ens";
import { KeygenResult } from "./keygen";
import { Machine } from "./machine";
import { ProfileSummary } from "./profile";
import { VariantId } from "./programs";

/** A CPU profile of the program process during one no-change preview at the largest N. */
export interface ProgramProfile {
    variant: VariantId;
    n: number;
    /** The profiled preview's wall time (the profiler slows it; not used for any target). */
    ms: number;
    summary: ProfileSummary;
}

export interface BenchResults {
    machine: Machine;
    /** The @pulumi/tls package the peer programs use (its plugin is of the same version). */
    tls: { version: string };
    plan: {
        quick: boolean;
        budgetMinutes: number;
        /** The command line of each operation, and the environment every one got. */
        commands: Record<Op, string>;
        env: Record<string, string>;
        /** Per N: the variants, and the repetitions planned and run (later ones are dropped to keep within the budget). */
        engine: Record<string, { variants: VariantId[]; planned: number; run: number }>;
        keygenReps: number;
        /** What was left out for lack of time. */
        skipped: string[];
    };
    keygen: KeygenResult[];
    engine: {
        configs: ConfigResult[];
        /** N bare RSA-2048 generations in flight at once (N the largest RSA engine size), timed next to that N's lifecycles. */
        bareRsaBatch: { keys: number; ms: number[] };
    };
    profiles: ProgramProfile[];
    ens?: { throttleRate: number; runs: EnsRun[] };
    /** Ups with the engine's default checkpoints, at one N, to set beside the measured ones. */
    checkpoints?: { n: number; ups: Partial<Record<VariantId, OpSample>> };
    /** Wall time of each phase and of the whole run, seconds. */
    durations: Record<string, number>;
}
