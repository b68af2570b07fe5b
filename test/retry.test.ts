// The retry policy on its own: delays, bounds and which failures end the retries. No clock, no network.
import * as assert from "assert";
import { backoffDelay, defaultRetryPolicy, retrying, RetryPolicy } from "../provider/ens/retry";

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300 };

class Transient extends Error {}

/** An operation failing `failures` times with `Transient`, then returning the attempt number. */
function flaky(failures: number) {
    const attempts: number[] = [];
    const run = async (attempt: number) => {
        attempts.push(attempt);
        if (attempts.length <= failures) {
            throw new Transient(`failure ${attempts.length}`);
        }
        return attempt;
    };
    return { run, attempts };
}

function recorder() {
    const delays: number[] = [];
    return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

describe("retry policy", () => {
    describe("backoffDelay", () => {
        it("doubles the bound from the base with every retry and caps it", () => {
            const justBelowOne = () => 0.999999;
            assert.deepStrictEqual(
                [1, 2, 3, 4, 5].map((n) => backoffDelay(policy, n, justBelowOne)),
                [99, 199, 299, 299, 299],
            );
        });

        it("draws the whole range from zero (full jitter)", () => {
            assert.strictEqual(
                backoffDelay(policy, 3, () => 0),
                0,
            );
            assert.strictEqual(
                backoffDelay(policy, 2, () => 0.5),
                100,
            );
            assert.strictEqual(
                backoffDelay(policy, 1, () => 0.25),
                25,
            );
        });

        it("stays within [0, bound) for Math.random", () => {
            for (let retry = 1; retry <= 8; retry++) {
                const bound = Math.min(defaultRetryPolicy.maxDelayMs, defaultRetryPolicy.baseDelayMs * 2 ** (retry - 1));
                for (let i = 0; i < 200; i++) {
                    const delay = backoffDelay(defaultRetryPolicy, retry);
                    assert.ok(Number.isInteger(delay) && delay >= 0 && delay < bound, `retry ${retry}: ${delay} not in [0, ${bound})`);
                }
            }
        });

        it("has a default of seven attempts, 200 ms base and 3.2 s cap", () => {
            assert.deepStrictEqual({ ...defaultRetryPolicy }, { maxAttempts: 7, baseDelayMs: 200, maxDelayMs: 3200 });
        });
    });

    describe("retrying", () => {
        it("retries retryable failures, waiting the jittered delays, until the operation succeeds", async () => {
            const op = flaky(2);
            const { delays, sleep } = recorder();
            const told: [string, number, number][] = [];
            const result = await retrying(op.run, {
                policy,
                isRetryable: (err) => err instanceof Transient,
                sleep,
                random: () => 0.5,
                onRetry: (err, retry, delayMs) => told.push([(err as Error).message, retry, delayMs]),
            });
            assert.strictEqual(result, 3);
            assert.deepStrictEqual(op.attempts, [1, 2, 3]);
            assert.deepStrictEqual(delays, [50, 100]);
            assert.deepStrictEqual(told, [
                ["failure 1", 1, 50],
                ["failure 2", 2, 100],
            ]);
        });

        it("gives up after maxAttempts and throws the last failure", async () => {
            const op = flaky(10);
            const { delays, sleep } = recorder();
            await assert.rejects(
                retrying(op.run, { policy, isRetryable: (err) => err instanceof Transient, sleep, random: () => 0 }),
                (err: Error) => err instanceof Transient && err.message === "failure 4",
            );
            assert.deepStrictEqual(op.attempts, [1, 2, 3, 4]);
            assert.deepStrictEqual(delays, [0, 0, 0], "no wait after the last attempt");
        });

        it("throws a failure that is not retryable at once, without waiting", async () => {
            const { delays, sleep } = recorder();
            let calls = 0;
            const fatal = new Error("client error");
            await assert.rejects(
                retrying(
                    async () => {
                        calls++;
                        throw fatal;
                    },
                    { policy, isRetryable: (err) => err instanceof Transient, sleep },
                ),
                (err) => err === fatal,
            );
            assert.strictEqual(calls, 1);
            assert.deepStrictEqual(delays, []);
        });

        it("stops retrying as soon as a later failure is not retryable", async () => {
            let calls = 0;
            await assert.rejects(
                retrying(
                    async () => {
                        calls++;
                        throw calls === 1 ? new Transient("first") : new Error("second, fatal");
                    },
                    { policy, isRetryable: (err) => err instanceof Transient, sleep: recorder().sleep },
                ),
                /second, fatal/,
            );
            assert.strictEqual(calls, 2);
        });

        it("makes exactly one attempt when maxAttempts is 1", async () => {
            const op = flaky(1);
            await assert.rejects(
                retrying(op.run, { policy: { ...policy, maxAttempts: 1 }, isRetryable: () => true, sleep: recorder().sleep }),
                Transient,
            );
            assert.deepStrictEqual(op.attempts, [1]);
        });

        it("starts no attempt once the signal is aborted, throwing its reason", async () => {
            const reason = new Error("stopped");
            const op = flaky(0);
            await assert.rejects(
                retrying(op.run, { policy, isRetryable: () => true, sleep: recorder().sleep, signal: AbortSignal.abort(reason) }),
                (err) => err === reason,
            );
            assert.deepStrictEqual(op.attempts, []);
        });

        it("cuts the real wait short when the signal aborts during it", async () => {
            // A minute's wait in a test that mocha fails after 20 s: it passes only if the abort ends the wait.
            const stop = new AbortController();
            const reason = new Error("stopped");
            let attempts = 0;
            await assert.rejects(
                retrying(
                    async () => {
                        attempts++;
                        setImmediate(() => stop.abort(reason));
                        throw new Transient("busy");
                    },
                    {
                        policy: { maxAttempts: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 },
                        isRetryable: () => true,
                        random: () => 0.99,
                        signal: stop.signal,
                    },
                ),
                (err) => err === reason,
            );
            assert.strictEqual(attempts, 1);
        });

        it("sleeps for real by default", async () => {
            const op = flaky(1);
            const started = Date.now();
            await retrying(op.run, {
                policy: { maxAttempts: 2, baseDelayMs: 60, maxDelayMs: 60 },
                isRetryable: () => true,
                random: () => 0.99,
            });
            assert.ok(Date.now() - started >= 55, "the default sleep waited");
        });
    });
});
