/**
 * The errors Alibaba Cloud's API gateway answers with before a call reaches ENS: signing,
 * credentials, timestamps, nonces, actions, versions, and the server-side failures that fault
 * injection imitates, with Alibaba Cloud's messages for them; their statuses are the contract's
 * (`provider/ens/api.ts`). ENS's own codes (parameters, names) are in `./errors`.
 */
import { EnsErrorCode } from "../provider/ens/api";
import { ApiError } from "./errors";

/** An error with the HTTP status `provider/ens/api.ts` lists for its code. */
function gatewayError(code: EnsErrorCode, message: string, detail?: string): ApiError {
    return new ApiError(code, message, { detail });
}

/** A common parameter (`Action`, `Version`, `Timestamp`, `SignatureNonce`, …) is absent. */
export function missingCommonParameter(name: string): ApiError {
    return gatewayError("MissingParameter", `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
}

/** The signing material is absent, or not in a scheme the server knows. */
export function incompleteSignature(detail: string): ApiError {
    return gatewayError("IncompleteSignature", "The request signature does not conform to Aliyun standards.", detail);
}

/**
 * The signature differs from the server's. Like Alibaba Cloud, the message shows the server's
 * string to sign, so a client author can diff it against theirs; it holds no secret.
 */
export function signatureDoesNotMatch(stringToSign: string): ApiError {
    return gatewayError(
        "SignatureDoesNotMatch",
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
    );
}

/** The AccessKeyId is not one the server accepts. */
export function invalidAccessKeyId(): ApiError {
    return gatewayError("InvalidAccessKeyId.NotFound", "Specified access key is not found.");
}

/** The STS SecurityToken is not one the server accepts (an expired token looks the same). */
export function invalidSecurityToken(): ApiError {
    return gatewayError("InvalidSecurityToken.Expired", "Specified SecurityToken is expired.");
}

/** `Timestamp` / `x-acs-date` is not `yyyy-MM-ddTHH:mm:ssZ`. */
export function invalidTimestampFormat(): ApiError {
    return gatewayError("InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted.");
}

/** `Timestamp` / `x-acs-date` is more than the allowed skew away from the server's clock. */
export function timestampExpired(detail: string): ApiError {
    return gatewayError("InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.", detail);
}

/** The `SignatureNonce` was seen before within the replay window. */
export function signatureNonceUsed(): ApiError {
    return gatewayError("SignatureNonceUsed", "Specified signature nonce was used already.");
}

/** The action does not exist (or the path is not `/`). */
export function actionNotFound(): ApiError {
    return gatewayError("InvalidAction.NotFound", "Specified api is not found, please check your url and method.");
}

/** The API version is not ENS's. */
export function invalidVersion(expected: string): ApiError {
    return gatewayError("InvalidVersion", "Specified parameter Version is not valid.", `This server speaks ${expected}.`);
}

/** The response format is not one the server produces. */
export function invalidFormat(): ApiError {
    return gatewayError("InvalidParameter.Format", "Specified parameter format is not valid.", "This server answers in JSON only.");
}

/** Neither GET nor POST. */
export function unsupportedHttpMethod(): ApiError {
    return gatewayError("UnsupportedHTTPMethod", "This http method not supported.");
}

/** The request body is larger than the server reads. */
export function requestTooLarge(limit: number): ApiError {
    // The one code whose status depends on the rule broken: 413, where other invalid parameters are 400.
    return new ApiError("InvalidParameter", "The errorMessage is the request body is too large. Please check it again.", {
        httpStatus: 413,
        detail: `The limit is ${limit} bytes.`,
    });
}

/** Throttling, as the flow-control system answers: HTTP 400, like every Alibaba Cloud client error. */
export function throttling(): ApiError {
    return gatewayError("Throttling", "Request was denied due to request throttling.");
}

/** An unexpected server-side failure. */
export function internalError(): ApiError {
    return gatewayError("InternalError", "The request processing has failed due to some unknown error, exception or failure.");
}

/** A temporary server-side failure. */
export function serviceUnavailable(): ApiError {
    return gatewayError("ServiceUnavailable", "The request has failed due to a temporary failure of the server.");
}
