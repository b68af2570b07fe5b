/** Counters a server keeps for tests and the CLI's log; not part of ENS. */

/** A snapshot of a server's counters. */
export interface EnsServerStats {
    /** HTTP requests received. */
    requests: number;
    /** Authenticated calls by action, including those answered with an injected fault. */
    calls: Record<string, number>;
    /** Error responses by code, injected ones included. */
    errors: Record<string, number>;
    /** Injected error responses by code. */
    faultsInjected: Record<string, number>;
    /** Creates and imports committed whose connection was then destroyed unanswered. */
    droppedAfterCommit: number;
}

function bump(counts: Record<string, number>, key: string): void {
    counts[key] = (counts[key] ?? 0) + 1;
}

/** Mutable counters behind {@link EnsServerStats}. */
export class StatsRecorder {
    private readonly counts: EnsServerStats = { requests: 0, calls: {}, errors: {}, faultsInjected: {}, droppedAfterCommit: 0 };

    /** An HTTP request arrived. */
    request(): void {
        this.counts.requests++;
    }
    /** An authenticated call reached `action`. */
    call(action: string): void {
        bump(this.counts.calls, action);
    }
    /** An error response went out. */
    error(code: string): void {
        bump(this.counts.errors, code);
    }
    /** An error was injected (and is also counted by {@link error}). */
    fault(code: string): void {
        bump(this.counts.faultsInjected, code);
    }
    /** A committed call's connection was destroyed. */
    drop(): void {
        this.counts.droppedAfterCommit++;
    }

    /** A deep copy, so callers can compare snapshots. */
    snapshot(): EnsServerStats {
        return structuredClone(this.counts);
    }
}
