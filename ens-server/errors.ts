/**
 * The server's errors: a code, ENS's message for it, and what exactly was wrong. The codes and
 * their HTTP statuses are the shared contract (`provider/ens/api.ts`); the messages and the rules
 * that raise them are written here, from the repository's `docs/ens-api.md`, independently of
 * the provider's own, so that the server can catch a rule the provider gets wrong.
 */
import { EnsErrorCode, ensErrorStatus } from "../provider/ens/api";

/** An error the server answers with. */
export class ApiError extends Error {
    readonly code: EnsErrorCode;
    readonly httpStatus: number;
    /** ENS's message for the code. */
    readonly ensMessage: string;
    /** What exactly was wrong; appended to `ensMessage` in the answer. */
    readonly detail?: string;

    constructor(code: EnsErrorCode, ensMessage: string, options: { detail?: string; httpStatus?: number } = {}) {
        super(options.detail ? `${code}: ${ensMessage} ${options.detail}` : `${code}: ${ensMessage}`);
        this.name = "ApiError";
        this.code = code;
        this.ensMessage = ensMessage;
        this.detail = options.detail;
        this.httpStatus = options.httpStatus ?? ensErrorStatus(code);
    }
}

/** `MissingParameter`: a required parameter is absent or empty. */
export function missingParameter(name: string): ApiError {
    return new ApiError("MissingParameter", "The input parameter that is mandatory for processing this request is not supplied.", {
        detail: `${name} is required.`,
    });
}

/** `InvalidParameter.<name>`: the parameter breaks a rule, which `detail` states. */
export function invalidParameter(name: string, detail: string): ApiError {
    return new ApiError(`InvalidParameter.${name}`, `The specified field ${name} invalid. Please check it again.`, { detail });
}

/** `PubKeyNameExisted`: a pair already has the name. */
export function pubKeyNameExisted(name: string): ApiError {
    return new ApiError("PubKeyNameExisted", "Public Key Pair Name Existed.", { detail: `KeyPairName ${JSON.stringify(name)} is taken.` });
}
