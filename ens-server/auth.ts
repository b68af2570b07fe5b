/**
 * Who may call: the gateway checks a request passes before it reaches an action. Timestamps may
 * be off by at most {@link maxClockSkewMs} either way; nonces are recorded only once the signature
 * holds, so a forged request cannot burn a genuine caller's nonce.
 */
import {
    invalidAccessKeyId,
    invalidSecurityToken,
    invalidTimestampFormat,
    missingCommonParameter,
    signatureNonceUsed,
    timestampExpired,
} from "./gatewayErrors";
import { SignatureClaim } from "./signature";

/** Alibaba Cloud's tolerance for client clocks. */
export const maxClockSkewMs = 15 * 60 * 1000;

/** The credentials a server accepts. */
export interface Credentials {
    /** AccessKeyId → AccessKeySecret. */
    accessKeys: ReadonlyMap<string, string>;
    /** STS tokens accepted with any of the access keys. */
    securityTokens: ReadonlySet<string>;
}

/** Remembers nonces; see `KeyPairStore.useNonce`. */
export interface NonceLedger {
    useNonce(accessKeyId: string, nonce: string, nowMs: number): boolean;
}

const timestampShape = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function checkTimestamp(timestamp: string | undefined, field: string, nowMs: number): void {
    if (!timestamp) {
        throw missingCommonParameter(field);
    }
    const at = Date.parse(timestamp);
    if (!timestampShape.test(timestamp) || Number.isNaN(at)) {
        throw invalidTimestampFormat();
    }
    if (Math.abs(nowMs - at) > maxClockSkewMs) {
        throw timestampExpired(
            `${field} ${timestamp} is more than 15 minutes away from the server's time ${new Date(nowMs).toISOString()}.`,
        );
    }
}

/**
 * Checks timestamp, access key, STS token, signature and nonce, in that order, and records the nonce.
 * @throws ApiError for the first check that fails.
 */
export function authenticate(claim: SignatureClaim, credentials: Credentials, nonces: NonceLedger, nowMs: number): void {
    const v3 = claim.scheme !== "HMAC-SHA1";
    checkTimestamp(claim.timestamp, v3 ? "x-acs-date" : "Timestamp", nowMs);
    if (!claim.nonce) {
        throw missingCommonParameter(v3 ? "x-acs-signature-nonce" : "SignatureNonce");
    }
    const secret = credentials.accessKeys.get(claim.accessKeyId);
    if (secret === undefined) {
        throw invalidAccessKeyId();
    }
    if (claim.securityToken !== undefined && !credentials.securityTokens.has(claim.securityToken)) {
        throw invalidSecurityToken();
    }
    claim.verify(secret);
    if (!nonces.useNonce(claim.accessKeyId, claim.nonce, nowMs)) {
        throw signatureNonceUsed();
    }
}
