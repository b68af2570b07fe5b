/**
 * The ENS API contract this project speaks, shared by the client (`client.ts`) and the
 * ENS-compatible server (`ens-server/`): the API version, the key-pair actions, their filters,
 * the error codes with their HTTP statuses, and the response bodies. Facts and decisions are in
 * `docs/ens-api.md`.
 */

/** ENS's OpenAPI version. */
export const ensApiVersion = "2017-11-10";

/** The exact-match filters of DescribeKeyPairs and DeleteKeyPairs, by the ENS parameter each is sent as. */
export const keyPairFilterParameters = { keyPairName: "KeyPairName", keyPairId: "KeyPairId" } as const;

/** Which pairs a listing or a delete matches; an absent filter matches everything. */
export type KeyPairFilter = { [field in keyof typeof keyPairFilterParameters]?: string };

/**
 * The error codes this project raises or understands, with the HTTP status ENS answers them with
 * (400 for every client error that is not listed, `InvalidParameter.<Field>` included).
 */
export const ensErrorStatuses = {
    MissingParameter: 400,
    InvalidParameter: 400,
    NoPermission: 400,
    PubKeyNameExisted: 400,
    PubKeyAttachedWithInstance: 400,
    "ens.interface.error": 400,
    CallInterface: 400,
    Throttling: 400,
    IncompleteSignature: 400,
    SignatureDoesNotMatch: 400,
    "InvalidAccessKeyId.NotFound": 404,
    "InvalidTimeStamp.Expired": 400,
    "InvalidTimeStamp.Format": 400,
    "InvalidSecurityToken.Expired": 400,
    InvalidVersion: 400,
    UnsupportedHTTPMethod: 400,
    SignatureNonceUsed: 400,
    "InvalidAction.NotFound": 404,
    ServiceUnavailable: 503,
    InternalError: 500,
} as const;

/** An error code listed in {@link ensErrorStatuses}, or a parameter's own `InvalidParameter.<Field>`. */
export type KnownEnsErrorCode = keyof typeof ensErrorStatuses | `InvalidParameter.${string}`;

/**
 * An ENS error code. The service may answer with codes this project does not list (such as
 * `Throttling.User`), so any string is accepted; the known ones are offered by name.
 */
// `string & {}` keeps the known codes visible to editors instead of widening them all to `string`.
export type EnsErrorCode = KnownEnsErrorCode | (string & {});

/** The HTTP status of `code`: its listed status, else 400 like every Alibaba Cloud client error. */
export function ensErrorStatus(code: EnsErrorCode): number {
    return Object.prototype.hasOwnProperty.call(ensErrorStatuses, code) ? ensErrorStatuses[code as keyof typeof ensErrorStatuses] : 400;
}

/** What every answer carries. */
export interface EnsResponse {
    RequestId: string;
}

/** An error answer: the five fields every Alibaba Cloud JSON error carries. */
export interface EnsErrorResponse extends EnsResponse {
    HostId: string;
    Code: EnsErrorCode;
    /** ENS's message for the code, then what exactly was wrong, if known. */
    Message: string;
    Recommend: string;
}

/** CreateKeyPair's answer. */
export interface CreateKeyPairResponse extends EnsResponse {
    KeyPairId: string;
    KeyPairName: string;
    KeyPairFingerPrint: string;
    PrivateKeyBody: string;
}

/** ImportKeyPair's answer (ENS does not return the new pair's id). */
export interface ImportKeyPairResponse extends EnsResponse {
    KeyPairName: string;
    KeyPairFingerPrint: string;
}

/** A key pair as DescribeKeyPairs lists it. */
export interface DescribedKeyPair {
    KeyPairId: string;
    KeyPairName: string;
    KeyPairFingerPrint: string;
    /** `yyyy-MM-ddTHH:mm:ssZ`, UTC. */
    CreationTime: string;
}

/** One page of DescribeKeyPairs. */
export interface DescribeKeyPairsResponse extends EnsResponse {
    PageNumber: number;
    PageSize: number;
    TotalCount: number;
    KeyPairs: { KeyPair: DescribedKeyPair[] };
}

/** DeleteKeyPairs' answer. */
export type DeleteKeyPairsResponse = EnsResponse;

/** The key-pair actions, each with its answer. */
export interface EnsActionResponses {
    CreateKeyPair: CreateKeyPairResponse;
    ImportKeyPair: ImportKeyPairResponse;
    DescribeKeyPairs: DescribeKeyPairsResponse;
    DeleteKeyPairs: DeleteKeyPairsResponse;
}

/** A key-pair action's name. */
export type EnsAction = keyof EnsActionResponses;
