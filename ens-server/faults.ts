/**
 * Fault injection, per server instance, to exercise a client's retries and its handling of lost
 * responses. Three kinds, all off by default:
 *
 * - error responses instead of running the call: `Throttling` (HTTP 400, as Alibaba Cloud's flow
 *   control answers), `InternalError` (500) and `ServiceUnavailable` (503), at random, or
 *   `Throttling` in bursts (every call for a stretch, as flow control answers once a quota is
 *   spent). They are injected after authentication, so the call was valid and consumed its nonce,
 *   as a real gateway would have.
 * - latency, at either of two points: once the request has been read, before it is processed
 *   (a slow gateway: the call still runs if the client goes away meanwhile), and after a change
 *   is committed, before it is answered (a client that times out or dies then has lost the answer
 *   to a call that took effect, as with a real service);
 * - "commit then drop": a CreateKeyPair or ImportKeyPair is committed, then its connection is
 *   destroyed with no response. The client sees a socket error, yet the pair exists; for a create,
 *   its private key is lost, as it would be with ENS.
 */
import { ApiError } from "./errors";
import { internalError, serviceUnavailable, throttling } from "./gatewayErrors";

/** The errors a fault can answer with. */
export type FaultError = "Throttling" | "InternalError" | "ServiceUnavailable";

/** Every {@link FaultError}, for option parsing. */
export const faultErrors: readonly FaultError[] = ["Throttling", "InternalError", "ServiceUnavailable"];

/** The actions whose committed result a drop can lose. */
export const committingActions: readonly string[] = ["CreateKeyPair", "ImportKeyPair"];

/**
 * Throttling in bursts, counted in calls rather than time so that a burst hits as many calls on a
 * busy machine as on a quiet one: after every `every` calls, the next `length` are answered
 * `Throttling`, and so on.
 */
export interface ThrottleBursts {
    every: number;
    length: number;
}

/** What faults a server injects. Everything is off by default. */
export interface FaultOptions {
    /** Probability, 0 to 1, that an authenticated call is answered with one of `errors` instead of being run. */
    rate?: number;
    /** Errors to pick from, uniformly; default all three. */
    errors?: FaultError[];
    /** Bursts of `Throttling`, besides those `rate` injects. */
    throttleBursts?: ThrottleBursts;
    /** Delay after reading each request, before processing it, in milliseconds. */
    latencyMs?: number;
    /**
     * Delay after a call has committed a change (a create, import or delete), before answering
     * it, in milliseconds: the window in which a client that gives up or dies loses the answer
     * to a call that took effect. Applies to `actions` only, when given.
     */
    latencyAfterCommitMs?: number;
    /** Probability, 0 to 1, that a successful CreateKeyPair/ImportKeyPair is committed and its connection destroyed unanswered. */
    dropAfterCommit?: number;
    /**
     * Only these actions get error faults (and count towards bursts), drops and latency after
     * commit; default all. `latencyMs` applies to every request.
     */
    actions?: string[];
    /** Stop injecting errors (bursts included) and drops after this many (together); default unlimited. Lets a retrying client succeed. */
    maxFaults?: number;
}

const makers: Record<FaultError, () => ApiError> = {
    Throttling: throttling,
    InternalError: internalError,
    ServiceUnavailable: serviceUnavailable,
};

function checkProbability(name: string, value: number | undefined): void {
    if (value !== undefined && !(value >= 0 && value <= 1)) {
        throw new RangeError(`faults.${name} must be between 0 and 1, got ${value}`);
    }
}

/**
 * Checks fault options, so a typo fails loudly instead of silently injecting nothing.
 * @throws RangeError / TypeError naming the bad option.
 */
export function validateFaults(options: FaultOptions): void {
    checkProbability("rate", options.rate);
    checkProbability("dropAfterCommit", options.dropAfterCommit);
    for (const error of options.errors ?? []) {
        if (!faultErrors.includes(error)) {
            throw new TypeError(`faults.errors: unknown error ${JSON.stringify(error)}; use ${faultErrors.join(", ")}`);
        }
    }
    if (options.errors !== undefined && options.errors.length === 0) {
        throw new TypeError("faults.errors must name at least one error when given");
    }
    for (const part of ["every", "length"] as const) {
        const value = options.throttleBursts?.[part];
        if (options.throttleBursts !== undefined && !(Number.isInteger(value) && (value as number) >= 1)) {
            throw new RangeError(`faults.throttleBursts.${part} must be a whole number of calls, at least 1, got ${value}`);
        }
    }
    for (const [name, value] of [
        ["latencyMs", options.latencyMs],
        ["latencyAfterCommitMs", options.latencyAfterCommitMs],
        ["maxFaults", options.maxFaults],
    ] as const) {
        if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
            throw new RangeError(`faults.${name} must be a non-negative number, got ${value}`);
        }
    }
}

/** Decides, call by call, which faults to inject. */
export class FaultInjector {
    private options: FaultOptions = {};
    private injected = 0;
    /** Calls in scope since the options were set, for the bursts' rhythm. */
    private calls = 0;

    constructor(options: FaultOptions = {}) {
        this.set(options);
    }

    /** Replaces the options and restarts the `maxFaults` count. */
    set(options: FaultOptions): void {
        validateFaults(options);
        this.options = { ...options };
        this.injected = 0;
        this.calls = 0;
    }

    /** Milliseconds to wait between reading a request and processing it. */
    get latencyMs(): number {
        return this.options.latencyMs ?? 0;
    }

    /** Milliseconds to wait between committing `action`'s change and answering it. */
    latencyAfterCommit(action: string): number {
        const { actions, latencyAfterCommitMs } = this.options;
        return actions && !actions.includes(action) ? 0 : (latencyAfterCommitMs ?? 0);
    }

    /** Whether faults may hit `action`: it is in scope and `maxFaults` is not reached. */
    private open(action: string): boolean {
        const { actions, maxFaults } = this.options;
        return (!actions || actions.includes(action)) && (maxFaults === undefined || this.injected < maxFaults);
    }

    private armed(action: string, probability: number | undefined): boolean {
        if (!probability || !this.open(action) || Math.random() >= probability) {
            return false;
        }
        this.injected++;
        return true;
    }

    /** Whether this call falls in a burst of throttling; counts it towards the bursts' rhythm. */
    private inBurst(action: string): boolean {
        const bursts = this.options.throttleBursts;
        if (!bursts || !this.open(action)) {
            return false;
        }
        if (this.calls++ % (bursts.every + bursts.length) < bursts.every) {
            return false;
        }
        this.injected++;
        return true;
    }

    /** The error to answer this call with, if one is injected. */
    errorFor(action: string): ApiError | undefined {
        if (this.inBurst(action)) {
            return throttling();
        }
        if (!this.armed(action, this.options.rate)) {
            return undefined;
        }
        const choices = this.options.errors ?? faultErrors;
        return makers[choices[Math.floor(Math.random() * choices.length)]]();
    }

    /** Whether to drop the connection of this committed call. */
    dropAfterCommit(action: string): boolean {
        return committingActions.includes(action) && this.armed(action, this.options.dropAfterCommit);
    }
}
