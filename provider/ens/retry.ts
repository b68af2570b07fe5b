/**
 * The retry policy for calls to ENS: a bounded number of attempts with exponential backoff and
 * full jitter (each delay drawn uniformly from zero to the exponential bound), so that many
 * clients throttled at once spread their retries out instead of retrying in lockstep. Pure apart
 * from the injected `sleep` and `random`, so tests can drive it without waiting.
 */

/** How often and how patiently to retry. */
export interface RetryPolicy {
    /** Attempts in all, the first one included; at least 1. */
    maxAttempts: number;
    /** Upper bound of the delay before the first retry, in milliseconds; doubles with every retry. */
    baseDelayMs: number;
    /** The doubling stops here, in milliseconds. */
    maxDelayMs: number;
}

/**
 * Seven attempts, delays bounded by 200 ms, 400 ms, 0.8 s, 1.6 s, then 3.2 s: at most 9.4 s of
 * waiting (4.7 s on average), which outlasts ENS's per-second throttling windows. Seven rather
 * than the SDKs' usual three to five because a deployment makes many calls: with one call in five
 * failing, a call still fails after seven attempts once in 78,000 tries (after five, once in 3,100).
 */
export const defaultRetryPolicy: Readonly<RetryPolicy> = { maxAttempts: 7, baseDelayMs: 200, maxDelayMs: 3200 };

/**
 * The delay before retry number `retry` (1 for the first retry): uniform in
 * `[0, min(maxDelayMs, baseDelayMs * 2^(retry-1)))`.
 * @param random a uniform draw from `[0, 1)`.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
    const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
    return Math.floor(random() * bound);
}

/** Waits `ms` milliseconds, or less if `signal` aborts meanwhile. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** What {@link retrying} needs besides the operation. */
export interface RetryOptions {
    policy: RetryPolicy;
    /** Whether a failure is worth another attempt; any other failure is thrown at once. */
    isRetryable: (err: unknown) => boolean;
    sleep?: Sleep;
    random?: () => number;
    /**
     * Once aborted, no further attempt starts and a wait between attempts ends at once; the
     * signal's reason is thrown. An attempt already running is not interrupted.
     */
    signal?: AbortSignal;
    /** Awaited before every attempt, then `signal` is checked: a last look, e.g. whether the engine is still there. */
    beforeAttempt?: () => Promise<void>;
    /** Told before every retry, e.g. to count retries. */
    onRetry?: (err: unknown, retry: number, delayMs: number) => void;
}

/** `setTimeout` as a promise that an aborted `signal` settles early (resolving: the caller checks the signal). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        if (signal?.aborted) {
            return resolve();
        }
        const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener("abort", done, { once: true });
    });
}

/**
 * Runs `operation` until it succeeds, fails with an error that is not retryable, or has been
 * attempted `policy.maxAttempts` times; then throws the last error as it is. Once
 * `options.signal` is aborted, throws its reason instead of starting another attempt.
 * @param operation receives the attempt number, starting at 1.
 */
export async function retrying<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
    const { policy, isRetryable, onRetry, signal } = options;
    const wait = options.sleep ?? sleep;
    for (let attempt = 1; ; attempt++) {
        await options.beforeAttempt?.();
        signal?.throwIfAborted();
        try {
            return await operation(attempt);
        } catch (err) {
            if (attempt >= policy.maxAttempts || !isRetryable(err)) {
                throw err;
            }
            const delayMs = backoffDelay(policy, attempt, options.random);
            onRetry?.(err, attempt, delayMs);
            await wait(delayMs, signal);
        }
    }
}
