/**
 * ENS error codes and the `EnsError` class shared by the provider, the ENS client and the
 * ENS-compatible server. Codes and messages follow the ENS reference pages
 * (see `shared/ens-api.md`); `detail` adds what the page leaves out: which field broke
 * which rule.
 */

/** The ENS error codes this project raises or understands. */
export type EnsErrorCode =
    | "MissingParameter"
    | "InvalidParameter"
    | `InvalidParameter.${string}`
    | "NoPermission"
    | "PubKeyNameExisted"
    | "PubKeyAttachedWithInstance"
    | "ens.interface.error"
    | "CallInterface"
    | "Throttling"
    | "IncompleteSignature"
    | "SignatureDoesNotMatch"
    | "InvalidAccessKeyId.NotFound"
    | "InvalidTimeStamp.Expired"
    | "InvalidTimeStamp.Format"
    | "InvalidSecurityToken.Expired"
    | "InvalidVersion"
    | "UnsupportedHTTPMethod"
    | "SignatureNonceUsed"
    | "InvalidAction.NotFound"
    | "ServiceUnavailable"
    | "InternalError";

/** An error in ENS's terms: a code, ENS's message, the HTTP status, and the request it answers. */
export class EnsError extends Error {
    /** ENS error code, e.g. `InvalidParameter.KeyPairName`. */
    readonly code: string;
    /** HTTP status the service answers with (400 for parameter errors). */
    readonly httpStatus: number;
    /** The message ENS gives for this code. */
    readonly ensMessage: string;
    /** What exactly was wrong, naming the field and the rule; never holds key material. */
    readonly detail?: string;
    /** `RequestId` of the failed call, where there was one. */
    readonly requestId?: string;

    constructor(code: string, ensMessage: string, options: { httpStatus?: number; detail?: string; requestId?: string } = {}) {
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
        this.httpStatus = options.httpStatus ?? 400;
        this.detail = options.detail;
        this.requestId = options.requestId;
    }
}

/** Whether an error is worth retrying: throttling and server-side failures, never client errors. */
export function isRetryableEnsError(err: unknown): boolean {
    return err instanceof EnsError && (err.code === "Throttling" || err.code.startsWith("Throttling.") || err.httpStatus >= 500);
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

/** A request is invalid as a whole (conflicting or unsupported parameters). */
export function invalidRequest(detail: string): EnsError {
    return new EnsError("InvalidParameter", `The errorMessage is ${detail} Please check it again.`);
}

/** The key pair name is already taken in the account. */
export function pubKeyNameExisted(name: string): EnsError {
    return new EnsError("PubKeyNameExisted", "Public Key Pair Name Existed.", {
        detail: `A key pair named "${name}" already exists.`,
    });
}
