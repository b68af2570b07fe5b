/**
 * Alibaba Cloud request signatures, verified on the server side:
 *
 * - RPC V1 (`SignatureMethod=HMAC-SHA1`, `SignatureVersion=1.0`): what `@alicloud/openapi-client`
 *   sends for RPC calls when `Config.signatureAlgorithm` is `"v2"`, and what `@alicloud/pop-core`
 *   sends. The signature is a parameter and covers every other parameter, query and form body.
 * - V3 (`Authorization: ACS3-HMAC-SHA256 …`): what `@alicloud/openapi-client` sends by default.
 *   It covers the method, path, query string, the signed headers (`host`, `content-type`,
 *   every `x-acs-*`) and, through `x-acs-content-sha256`, the body.
 *
 * Reading a signature ({@link readSignature}) only extracts what it claims; {@link SignatureClaim.verify}
 * checks it once the caller has found the secret for the claimed AccessKeyId.
 */
import { createHash, createHmac, timingSafeEqual } from "crypto";
import { incompleteSignature, signatureDoesNotMatch } from "./gatewayErrors";
import { header, ParsedRequest } from "./request";

/** The one V3 algorithm this server verifies. */
export const acs3Algorithm = "ACS3-HMAC-SHA256";

/** What a request's signature claims, and how to check it. */
export interface SignatureClaim {
    readonly scheme: "HMAC-SHA1" | typeof acs3Algorithm;
    readonly accessKeyId: string;
    /** STS token, when the caller uses temporary credentials. */
    readonly securityToken?: string;
    /** `Timestamp` (V1) or `x-acs-date` (V3), unchecked. */
    readonly timestamp?: string;
    /** `SignatureNonce` (V1) or `x-acs-signature-nonce` (V3). */
    readonly nonce?: string;
    /** The action and version the signature covers: parameters in V1, `x-acs-*` headers in V3. */
    readonly action?: string;
    readonly version?: string;
    /**
     * Checks the signature with the AccessKeySecret.
     * @throws ApiError `SignatureDoesNotMatch`.
     */
    verify(secret: string): void;
}

/** RFC 3986 percent-encoding, as Alibaba Cloud signs: space as `%20`, `*` as `%2A`, `~` kept. */
export function percentEncode(value: string): string {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

function sameText(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
}

function canonicalPairs(entries: Iterable<[string, string]>): string {
    return [...entries]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
        .join("&");
}

function readRpcV1(request: ParsedRequest): SignatureClaim {
    const params = request.params;
    const signature = params.get("Signature");
    const accessKeyId = params.get("AccessKeyId");
    if (!signature) {
        throw incompleteSignature("The request has neither a Signature parameter nor an Authorization header.");
    }
    if (!accessKeyId) {
        throw incompleteSignature("AccessKeyId is missing.");
    }
    if (params.get("SignatureMethod") !== "HMAC-SHA1" || params.get("SignatureVersion") !== "1.0") {
        throw incompleteSignature("RPC signatures must use SignatureMethod=HMAC-SHA1 and SignatureVersion=1.0.");
    }
    return {
        scheme: "HMAC-SHA1",
        accessKeyId,
        securityToken: params.get("SecurityToken") || undefined,
        timestamp: params.get("Timestamp"),
        nonce: params.get("SignatureNonce"),
        action: params.get("Action"),
        version: params.get("Version"),
        verify(secret) {
            const signed = [...params].filter(([name]) => name !== "Signature");
            const stringToSign = `${request.method}&${percentEncode("/")}&${percentEncode(canonicalPairs(signed))}`;
            const expected = createHmac("sha1", secret + "&")
                .update(stringToSign)
                .digest("base64");
            if (!sameText(expected, signature)) {
                throw signatureDoesNotMatch(stringToSign);
            }
        },
    };
}

function parseAuthorization(value: string): { algorithm: string; fields: Map<string, string> } {
    const space = value.indexOf(" ");
    const algorithm = space < 0 ? value : value.slice(0, space);
    const fields = new Map<string, string>();
    for (const part of (space < 0 ? "" : value.slice(space + 1)).split(",")) {
        const eq = part.indexOf("=");
        if (eq > 0) {
            fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
        }
    }
    return { algorithm, fields };
}

function readAcs3(request: ParsedRequest, authorization: string): SignatureClaim {
    const { algorithm, fields } = parseAuthorization(authorization);
    if (algorithm !== acs3Algorithm) {
        throw incompleteSignature(`The Authorization algorithm must be ${acs3Algorithm}; got ${JSON.stringify(algorithm.slice(0, 40))}.`);
    }
    const accessKeyId = fields.get("Credential");
    const signedHeaderList = fields.get("SignedHeaders");
    const signature = fields.get("Signature");
    if (!accessKeyId || !signedHeaderList || !signature) {
        throw incompleteSignature("The Authorization header needs Credential, SignedHeaders and Signature.");
    }
    const signedHeaders = signedHeaderList.split(";");
    const payloadHash = header(request, "x-acs-content-sha256");
    if (!payloadHash) {
        throw incompleteSignature("The x-acs-content-sha256 header is missing.");
    }
    // Anything the server acts on must be under the signature, or it could be swapped in transit.
    const mustSign = [...request.headers.keys()].filter((name) => name === "host" || name === "content-type" || name.startsWith("x-acs-"));
    const unsigned = mustSign.filter((name) => !signedHeaders.includes(name));
    if (unsigned.length > 0) {
        throw incompleteSignature(`These headers must be signed: ${unsigned.join(", ")}.`);
    }
    return {
        scheme: acs3Algorithm,
        accessKeyId,
        securityToken: header(request, "x-acs-security-token") || undefined,
        timestamp: header(request, "x-acs-date"),
        nonce: header(request, "x-acs-signature-nonce"),
        action: header(request, "x-acs-action"),
        version: header(request, "x-acs-version"),
        verify(secret) {
            const bodyHash = createHash("sha256").update(request.rawBody).digest("hex");
            const canonicalHeaders = [...signedHeaders]
                .sort()
                .map(
                    (name) =>
                        `${name}:${(request.headers.get(name) ?? [])
                            .map((v) => v.trim())
                            .sort()
                            .join(",")}\n`,
                )
                .join("");
            const canonicalRequest = [
                request.method,
                request.pathname,
                canonicalPairs(request.query),
                canonicalHeaders,
                signedHeaders.join(";"),
                payloadHash,
            ].join("\n");
            const stringToSign = `${acs3Algorithm}\n${createHash("sha256").update(canonicalRequest).digest("hex")}`;
            const expected = createHmac("sha256", secret).update(stringToSign).digest("hex");
            // The payload hash is signed, so a matching signature plus a matching hash covers the body.
            if (!sameText(expected, signature) || !sameText(bodyHash, payloadHash)) {
                throw signatureDoesNotMatch(stringToSign);
            }
        },
    };
}

/**
 * What the request's signature claims: V3 when there is an `Authorization` header, RPC V1 otherwise.
 * @throws ApiError `IncompleteSignature` when the signing material is missing or of an unknown kind.
 */
export function readSignature(request: ParsedRequest): SignatureClaim {
    const authorization = header(request, "authorization");
    return authorization ? readAcs3(request, authorization) : readRpcV1(request);
}
