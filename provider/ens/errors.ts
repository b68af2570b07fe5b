/**
 * The `EnsError` class shared by the provider, the ENS client and the ENS-compatible server
 * (the codes and their statuses are in `api.ts`). Messages are ENS's own
 * (see `docs/ens-api.md`); `detail` adds what the page leaves out: which field broke
 * which rule.
 */
import { EnsErrorCode, ensErrorStatus } from "./api";

export type { EnsErrorCode };

/** An error in ENS's terms: a code, ENS's message, the HTTP status, and the request it answers. */
export class EnsError extends Error {
    /** ENS error code, e.g. `InvalidParameter.KeyPairName`. */
    readonly code: EnsErrorCode;
    /** HTTP status the service answers with (400 for parameter errors). */
    readonly httpStatus: number;
    /** The message ENS gives for this code. */
    readonly ensMessage: string;
    /** What exactly was wrong, naming the field and the rule; never holds key material. */
    readonly detail?: string;
    /** `RequestId` of the failed call, where there was one. */
    readonly requestId?: string;

    constructor(code: EnsErrorCode, ensMessage: string, options: { httpStatus?: number; detail?: string; requestId?: string } = {}) {
        const parts = [`${code}: ${ensMessage}`];
        if (options.detail) {
            parts.push(options.detail);
        }
        if (options.requestId) {
            parts.push(`(RequestId: ${options.requestId})`);
        }
        super(parts.join(" "));
        this.name = "EnsError";
        this.code = code;
        this.ensMessage = ensMessage;
        this.httpStatus = options.httpStatus ?? ensErrorStatus(code);
        this.detail = options.detail;
        this.requestId = options.requestId;
    }
}

/** Whether ENS refused a call for flow control (`Throttling`, `Throttling.User`, ...): the call did not run. */
export function isThrottling(err: unknown): boolean {
    return err instanceof EnsError && /^Throttling(\.|$)/.test(err.code);
}

/** Whether an error is worth retrying: throttling and server-side failures, never client errors. */
export function isRetryableEnsError(err: unknown): boolean {
    return isThrottling(err) || (err instanceof EnsError && err.httpStatus >= 500);
}

/** A mandatory parameter is missing or empty. */
export function missingParameter(field: string): EnsError {
    return new EnsError("MissingParameter", "The input parameter that is mandatory for processing this request is not supplied.", {
        detail: `${field} is required.`,
    });
}

/** A parameter breaks a rule; `ensField` is the ENS parameter name used in the code. */
export function invalidParameter(ensField: string, detail: string): EnsError {
    return new EnsError(`InvalidParameter.${ensField}`, `The specified field ${ensField} invalid. Please check it again.`, { detail });
}

/** The key pair name is already taken in the account. */
export function pubKeyNameExisted(name: string): EnsError {
    return new EnsError("PubKeyNameExisted", "Public Key Pair Name Existed.", {
        detail: `A key pair named "${name}" already exists.`,
    });
}
