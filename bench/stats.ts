/** Summary statistics and the small formatting helpers the report shares. */

/** A measured quantity: the median of its repetitions and their spread. */
export interface Stat {
    median: number;
    min: number;
    max: number;
    /** How many repetitions the figure rests on. */
    n: number;
    /** The raw samples; left out of results.json where there are thousands (see run.ts). */
    samples?: number[];
    /** Repetitions the samples came in, when there were several per repetition. */
    reps?: number;
}

export function median(values: readonly number[]): number {
    if (values.length === 0) {
        return NaN;
    }
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function stat(samples: readonly number[]): Stat {
    return {
        median: median(samples),
        min: samples.length ? Math.min(...samples) : NaN,
        max: samples.length ? Math.max(...samples) : NaN,
        n: samples.length,
        samples: [...samples],
    };
}

/**
 * Samples gathered in several repetitions: the median of all samples, and as the spread the range
 * of the repetitions' own medians (how much one repetition differs from the next).
 */
export function statOfReps(reps: readonly (readonly number[])[]): Stat {
    const filled = reps.filter((r) => r.length > 0);
    const all = filled.flat();
    const repMedians = filled.map((r) => median(r));
    if (filled.length < 2) {
        return stat(all);
    }
    return {
        median: median(all),
        min: Math.min(...repMedians),
        max: Math.max(...repMedians),
        n: all.length,
        samples: all,
        reps: filled.length,
    };
}

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export function nowMs(): number {
    return Number(process.hrtime.bigint()) / 1e6;
}

/** Runs `fn` and returns its wall time in milliseconds with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
    const start = nowMs();
    const value = await fn();
    return { ms: nowMs() - start, value };
}

/** A duration for a table: ms below 10 s, seconds above, with sensible precision. */
export function fmtMs(ms: number): string {
    if (!Number.isFinite(ms)) {
        return "n/a";
    }
    if (ms >= 10_000) {
        return `${(ms / 1000).toFixed(1)} s`;
    }
    if (ms >= 100) {
        return `${ms.toFixed(0)} ms`;
    }
    if (ms >= 1) {
        return `${ms.toFixed(1)} ms`;
    }
    return `${ms.toFixed(3)} ms`;
}

/** `median (min–max, n=k)` */
export function fmtStat(s: Stat | undefined): string {
    if (!s || s.n === 0) {
        return "n/a";
    }
    if (s.n === 1) {
        return `${fmtMs(s.median)} (n=1)`;
    }
    const spread = `${fmtMs(s.min)}–${fmtMs(s.max)}`;
    return s.reps
        ? `${fmtMs(s.median)} (rep medians ${spread}; ${s.n} keys in ${s.reps} reps)`
        : `${fmtMs(s.median)} (${spread}, n=${s.n})`;
}

export function fmtRatio(r: number): string {
    return Number.isFinite(r) ? `${r.toFixed(2)}x` : "n/a";
}

export function fmtBytes(bytes: number): string {
    if (!Number.isFinite(bytes)) {
        return "n/a";
    }
    return bytes >= 1024 ? `${(bytes / 1024).toFixed(2)} KiB` : `${Math.round(bytes)} B`;
}
