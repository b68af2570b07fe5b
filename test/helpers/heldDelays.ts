/**
 * Injected latency that the test ends itself, for the ENS-compatible server's `delay` option: each
 * wait is announced as it starts and lasts until the test releases it or the server closes. No
 * timer runs, so what a test sees does not depend on how busy the machine is.
 */
import { Queue } from "./queue";

/** A call waiting on injected latency. */
export interface HeldWait {
    /** The latency the server asked for. */
    ms: number;
    /** Ends the wait: the call goes on. */
    release(): void;
}

export function heldDelays() {
    const waits = new Queue<HeldWait>();
    let started = 0;
    return {
        delay: (ms: number, signal: AbortSignal): Promise<void> => {
            started++;
            return new Promise((resolve, reject) => {
                const abandon = () => reject(signal.reason as Error);
                signal.addEventListener("abort", abandon, { once: true });
                waits.push({
                    ms,
                    release() {
                        signal.removeEventListener("abort", abandon);
                        resolve();
                    },
                });
            });
        },
        /** The next wait to start. */
        next: () => waits.next(),
        /** How many waits have started. */
        started: () => started,
    };
}
