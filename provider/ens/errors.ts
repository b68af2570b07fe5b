/**
 * The `EnsError` class shared by the provider, the ENS client and the ENS-compatible server
 * (the codes and their statuses are in `api.ts`). Messages are ENS's own
 * (see `docs/ens-api.md`); `detail` adds what the page leaves out: which field broke
 * which rule.
 */
import { EnsErrorCode, ensErrorStatus } from "./api";
import { quote } from "../quote";

export type { EnsErrorCode };

/** The value that broke a rule, which the message quotes after the rule unless it is withheld. */
export interface Given {
    value: unknown;
    /** What the rule found wrong in the value, shown only with it (such as the character a name may not hold). */
    note?: string;
}

interface EnsErrorOptions {
    httpStatus?: number;
    /** What exactly was wrong: the rule, which names the field. Without `given`, it is the whole sentence. */
    detail?: string;
    requestId?: string;
    /** The value that broke the rule `detail` states (which then has no final full stop). */
    given?: Given;
}

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
    /** The rule alone, without the value that broke it; absent where nothing was quoted. */
    private readonly rule?: string;

    constructor(code: EnsErrorCode, ensMessage: string, options: EnsErrorOptions = {}) {
        const { given } = options;
        const detail =
            given === undefined || !options.detail
                ? options.detail
                : `${options.detail}${given.note ? `, ${given.note}` : ""}; got ${quote(given.value)}.`;
        const parts = [`${code}: ${ensMessage}`];
        if (detail) {
            parts.push(detail);
        }
        if (options.requestId) {
            parts.push(`(RequestId: ${options.requestId})`);
        }
        super(parts.join(" "));
        this.name = "EnsError";
        this.code = code;
        this.ensMessage = ensMessage;
        this.httpStatus = options.httpStatus ?? ensErrorStatus(code);
        this.detail = detail;
        this.requestId = options.requestId;
        this.rule = given === undefined ? undefined : options.detail;
    }

    /**
     * This error without the value it quotes, for a value that may be secret: it states the rule,
     * which names the field, and nothing of the value.
     */
    withoutValue(): EnsError {
        if (this.rule === undefined) {
            return this;
        }
        return new EnsError(this.code, this.ensMessage, {
            httpStatus: this.httpStatus,
            detail: `${this.rule}.`,
            requestId: this.requestId,
        });
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

/**
 * A parameter breaks a rule; `ensField` is the ENS parameter name used in the code.
 * @param given the value that broke it, quoted after the rule (which then has no full stop).
 */
export function invalidParameter(ensField: string, detail: string, given?: Given): EnsError {
    return new EnsError(`InvalidParameter.${ensField}`, `The specified field ${ensField} invalid. Please check it again.`, {
        detail,
        given,
    });
}

/** The key pair name is already taken in the account. */
export function pubKeyNameExisted(name: string): EnsError {
    return new EnsError("PubKeyNameExisted", "Public Key Pair Name Existed.", {
        detail: `A key pair named ${quote(name)} already exists.`,
    });
}
