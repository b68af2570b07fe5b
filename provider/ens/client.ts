/**
 * A client for ENS's key-pair actions (OpenAPI version 2017-11-10, RPC style) on Alibaba Cloud's
 * official `@alicloud/openapi-client`, which signs every request (ACS3-HMAC-SHA256, the SDK's
 * default, so credentials travel in headers and never in URLs). This module adds what the SDK
 * leaves to its users: typed actions, all pages of a listing, `EnsError`s, and retries that know
 * which failures are safe to repeat.
 */
import type * as OpenApiSdk from "@alicloud/openapi-client";
import type * as TeaUtil from "@alicloud/tea-util";
import { DescribedKeyPair, EnsAction, EnsActionResponses, ensApiVersion, KeyPairFilter, keyPairFilterParameters } from "./api";
import { EnsError, Given, invalidParameter, isRetryableEnsError, isThrottling } from "./errors";
import { configNamespace } from "../config";
import { ensTimestamp } from "./timestamps";
import { defaultRetryPolicy, retrying, RetryOptions, RetryPolicy } from "./retry";

/**
 * Default time allowed per attempt, to connect and get the whole answer (the SDK also applies it
 * to any silence on the connection). Generous, since a create that times out costs a lookup and
 * perhaps a new create.
 */
const defaultTimeoutMs = 20_000;
/** Page size used to list key pairs. */
const describePageSize = 50;
/**
 * How many times a call's attempts the lookup that settles a create gets (see
 * {@link EnsClient.describeKeyPairs}): 21 with the default policy, at most 54.2 s of waiting.
 */
const settlingFactor = 3;

/**
 * How a call may be retried: `create` only while it certainly has not run, `read` (and a delete)
 * whenever it failed transiently, `settling` likewise with {@link settlingFactor} times the attempts.
 */
type CallKind = "create" | "read" | "settling";

/** How to reach ENS. */
export interface EnsClientOptions {
    /** A host name (`ens.aliyuncs.com`, reached over HTTPS) or a URL (`http://127.0.0.1:8080`). */
    endpoint: string;
    /** Whether plain `http://` may reach another host than this machine; see {@link parseEndpoint}. */
    insecureHttp?: boolean;
    accessKeyId: string;
    accessKeySecret: string;
    /** For STS credentials. */
    securityToken?: string;
    /** Sent as `RegionId` where given. */
    regionId?: string;
    /** Overrides of {@link defaultRetryPolicy}, and injected `sleep`/`random` for tests. */
    retry?: Partial<RetryPolicy> & Pick<RetryOptions, "sleep" | "random">;
    /** Per-attempt timeout in milliseconds; 20 s by default. */
    timeoutMs?: number;
    /**
     * Once aborted, the client sends no new request: a call not yet sent, or waiting to retry,
     * fails at once with the signal's reason. A request already sent runs to its answer or
     * timeout. The provider passes the signal that fires when the engine that started it is gone.
     */
    signal?: AbortSignal;
    /** Awaited before each request is sent, then `signal` is checked: the provider's lifetime check. */
    beforeEachRequest?: () => Promise<void>;
    /** The local clock, read where an answer has no `Date` header; `Date.now` by default. */
    now?: () => number;
}

/** A key pair as DescribeKeyPairs lists it. */
export interface EnsKeyPair {
    keyPairId: string;
    keyPairName: string;
    keyPairFingerPrint: string;
    /** `yyyy-MM-ddTHH:mm:ssZ`, UTC. */
    creationTime: string;
}

/** What every answer carries. */
export interface EnsAnswer {
    requestId: string;
    /**
     * The service's clock when it answered (the HTTP `Date` header, to the second, in ENS's
     * timestamp format); the local clock where the header is missing.
     */
    serverTime: string;
}

/** CreateKeyPair's answer. `privateKeyBody` is the only copy of the private key there will ever be. */
export interface CreatedKeyPair extends EnsAnswer {
    keyPairId: string;
    keyPairName: string;
    keyPairFingerPrint: string;
    privateKeyBody: string;
}

/** ImportKeyPair's answer (ENS does not return the new pair's id). */
export interface ImportedKeyPair extends EnsAnswer {
    keyPairName: string;
    keyPairFingerPrint: string;
}

/** DescribeKeyPairs' answer, all pages together. */
export interface KeyPairListing extends EnsAnswer {
    keyPairs: EnsKeyPair[];
    totalCount: number;
}

/** Which pair DeleteKeyPairs deletes. */
export type KeyPairSelector = { keyPairName: string; keyPairId?: never } | { keyPairId: string; keyPairName?: never };

/** Counters of one client, for tests and fault runs. */
export interface EnsClientStats {
    /** Actions called through the client (each page of a listing counts). */
    calls: number;
    /** HTTP requests sent (calls plus retries). */
    attempts: number;
    /** Attempts that were retries. */
    retries: number;
}

/**
 * A call that got no answer: the connection failed, was dropped, or timed out. The message never
 * repeats the SDK's or Node's, which quote the request URL (and its query), only their error code.
 */
export class EnsTransportError extends Error {
    /** The action that failed, e.g. `CreateKeyPair`. */
    readonly action: string;
    /** A short cause, such as `ECONNRESET`, `timeout` or `TLS: CERT_HAS_EXPIRED`. */
    readonly reason: string;
    /**
     * Whether the request may have reached ENS, and so may have taken effect: false only when the
     * connection could not be made at all.
     */
    readonly maybeDelivered: boolean;
    /** Whether another attempt may fare better: not after a TLS failure, which repeats until the endpoint or its certificate changes. */
    readonly transient: boolean;

    constructor(action: string, reason: string, maybeDelivered: boolean, transient = true) {
        super(`${action} got no answer from ENS (${reason})${maybeDelivered ? "; the request may have taken effect" : ""}.`);
        this.name = "EnsTransportError";
        this.action = action;
        this.reason = reason;
        this.maybeDelivered = maybeDelivered;
        this.transient = transient;
    }
}

/**
 * Whether a failed call may nevertheless have taken effect: it got no answer after the request
 * may have been delivered, or a server-side failure (5xx) whose work may have been done.
 */
export function outcomeUnknown(err: unknown): boolean {
    return (err instanceof EnsTransportError && err.maybeDelivered) || (err instanceof EnsError && err.httpStatus >= 500);
}

/** Connection errors raised before anything is sent. */
const undeliveredCodes = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
/**
 * Node's codes for a TLS handshake that failed (a certificate it does not trust, a protocol it
 * cannot speak): nothing was sent, and trying again changes nothing.
 */
const tlsCode = /^(ERR_TLS_|ERR_SSL_|EPROTO$)|CERT|ISSUER|SIGNATURE/;

/** Whether a failed call that may safely run twice (a read or a delete) is worth another attempt: throttling, server-side failures and lost answers. */
function retryableCall(err: unknown): boolean {
    return isRetryableEnsError(err) || (err instanceof EnsTransportError && err.transient);
}

/** Retryable for any action as {@link retryableCall}; an action that must not run twice (a create) retries only what certainly did not run. */
function retryableFor(kind: CallKind): (err: unknown) => boolean {
    return kind !== "create"
        ? retryableCall
        : (err) => isThrottling(err) || (err instanceof EnsTransportError && err.transient && !err.maybeDelivered);
}

/** Hosts that plain `http://` may reach: this machine's loopback addresses, as the URL parser writes them. */
function isLoopback(hostname: string): boolean {
    return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * The endpoint as an error may quote it: a user and password, a path, a query or a fragment may
 * hold credentials, so it is quoted only up to its host (`…` marking what follows), and not at
 * all when it holds an `@`.
 */
function quotable(endpoint: string): Given | undefined {
    if (endpoint.includes("@")) {
        return undefined;
    }
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(endpoint)?.[0] ?? "";
    const rest = endpoint.slice(scheme.length);
    const end = rest.search(/[/?#]/);
    return { value: end === -1 || rest.slice(end) === "/" ? endpoint : `${scheme}${rest.slice(0, end)}/…` };
}

/**
 * Splits an endpoint into the SDK's protocol and host.
 * @param insecureHttp whether plain `http://` may reach any host, not only a loopback address.
 * @throws EnsError `InvalidParameter.Endpoint` for anything but a host or an http(s) URL of a host,
 *   and for plain `http://` to another host than this machine's, unless `insecureHttp`.
 */
export function parseEndpoint(endpoint: string, insecureHttp = false): { protocol: "http" | "https"; host: string } {
    const fail = (rule: string) => {
        const given = quotable(endpoint);
        return given === undefined
            ? invalidParameter("Endpoint", `the ENS endpoint ${rule} (it is not quoted, as it holds an @ and may hold a password).`)
            : invalidParameter("Endpoint", `the ENS endpoint ${rule}`, given);
    };
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) {
        if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(endpoint)) {
            throw fail("must be a host name such as ens.aliyuncs.com or a URL such as http://127.0.0.1:8080");
        }
        return { protocol: "https", host: endpoint };
    }
    let url: URL;
    try {
        url = new URL(endpoint);
    } catch {
        throw fail("is not a valid URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw fail("must use http or https");
    }
    if (url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
        throw fail("must be a bare scheme and host (and port), without path, query or user");
    }
    if (url.protocol === "http:" && !insecureHttp && !isLoopback(url.hostname)) {
        throw fail(
            "may use plain http:// only for this machine (127.0.0.0/8, [::1], localhost): requests to ENS are signed with the " +
                'access key, and with generation "ens" carry private keys, so they must not cross a network in the clear. ' +
                `Use https://, or set ${configNamespace}:insecureHttp to "true" (ENS_KEYPAIR_INSECURE_HTTP=true) to allow it`,
        );
    }
    return { protocol: url.protocol === "http:" ? "http" : "https", host: url.host };
}

/**
 * The SDK, loaded on first use: it takes about half a second to load, and every program imports
 * this package, whether it uses ENS or not.
 */
function loadSdk(): { openapi: typeof OpenApiSdk; teaUtil: typeof TeaUtil } {
    return { openapi: require("@alicloud/openapi-client"), teaUtil: require("@alicloud/tea-util") };
}

/** A client for ENS's key-pair actions; see the module comment. */
export class EnsClient {
    private readonly sdk: OpenApiSdk.default;
    private readonly protocol: "http" | "https";
    private readonly regionId?: string;
    private readonly policy: RetryPolicy;
    private readonly retryHooks: Pick<RetryOptions, "sleep" | "random">;
    private readonly timeoutMs: number;
    private readonly signal?: AbortSignal;
    private readonly beforeEachRequest?: () => Promise<void>;
    private readonly now: () => number;
    private readonly counters: EnsClientStats = { calls: 0, attempts: 0, retries: 0 };

    /** @throws EnsError `InvalidParameter.Endpoint` for a malformed endpoint. */
    constructor(options: EnsClientOptions) {
        const { protocol, host } = parseEndpoint(options.endpoint, options.insecureHttp);
        this.protocol = protocol;
        const { openapi } = loadSdk();
        this.sdk = new openapi.default(
            new openapi.Config({
                endpoint: host,
                protocol,
                accessKeyId: options.accessKeyId,
                accessKeySecret: options.accessKeySecret,
                securityToken: options.securityToken,
            }),
        );
        this.regionId = options.regionId;
        const { sleep, random, ...policy } = options.retry ?? {};
        this.policy = { ...defaultRetryPolicy, ...policy };
        this.retryHooks = { sleep, random };
        this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
        this.signal = options.signal;
        this.beforeEachRequest = options.beforeEachRequest;
        this.now = options.now ?? Date.now;
    }

    /** CreateKeyPair: ENS makes an RSA pair and returns its private key, once. Not retried once it may have run. */
    async createKeyPair(keyPairName: string): Promise<CreatedKeyPair> {
        const { body, answer } = await this.call("CreateKeyPair", { KeyPairName: keyPairName }, "create");
        return {
            ...answer,
            keyPairId: String(body.KeyPairId),
            keyPairName: String(body.KeyPairName ?? keyPairName),
            keyPairFingerPrint: String(body.KeyPairFingerPrint),
            privateKeyBody: String(body.PrivateKeyBody),
        };
    }

    /** ImportKeyPair: registers an `ssh-rsa` public key under a name. Not retried once it may have run. */
    async importKeyPair(keyPairName: string, publicKeyBody: string): Promise<ImportedKeyPair> {
        const { body, answer } = await this.call("ImportKeyPair", { KeyPairName: keyPairName, PublicKeyBody: publicKeyBody }, "create");
        return { ...answer, keyPairName: String(body.KeyPairName ?? keyPairName), keyPairFingerPrint: String(body.KeyPairFingerPrint) };
    }

    /**
     * DescribeKeyPairs, every page; `requestId` and `serverTime` are the first page's.
     * @param options.settling for the lookup that settles a create (whether a request whose
     *   answer was lost took effect, or the id of an imported pair): the one call whose failure
     *   can leave a pair in ENS that no stack holds, so it gets {@link settlingFactor} times the
     *   attempts. A create makes at most two.
     */
    async describeKeyPairs(filter: KeyPairFilter = {}, options: { settling?: boolean } = {}): Promise<KeyPairListing> {
        return this.list(filter, options.settling ? "settling" : "read");
    }

    private async list(filter: KeyPairFilter, kind: CallKind): Promise<KeyPairListing> {
        const query: Record<string, string> = { PageSize: String(describePageSize) };
        for (const [field, parameter] of Object.entries(keyPairFilterParameters)) {
            const value = filter[field as keyof KeyPairFilter];
            if (value !== undefined) {
                query[parameter] = value;
            }
        }
        const keyPairs: EnsKeyPair[] = [];
        let first: EnsAnswer | undefined;
        let totalCount = 0;
        for (let page = 1; ; page++) {
            const { body, answer } = await this.call("DescribeKeyPairs", { ...query, PageNumber: String(page) }, kind);
            first ??= answer;
            totalCount = Number(body.TotalCount ?? 0);
            const items = body.KeyPairs?.KeyPair ?? [];
            keyPairs.push(...items.map(toKeyPair));
            // An empty page ends the walk even if TotalCount is stale, so a shrinking list cannot loop.
            if (items.length === 0 || keyPairs.length >= totalCount) {
                return { ...first, keyPairs, totalCount };
            }
        }
    }

    /** DeleteKeyPairs, by name or by id. */
    async deleteKeyPairs(target: KeyPairSelector): Promise<EnsAnswer> {
        const query: Record<string, string> =
            target.keyPairId !== undefined ? { KeyPairId: target.keyPairId } : { KeyPairName: target.keyPairName };
        return (await this.call("DeleteKeyPairs", query, "read")).answer;
    }

    /** A snapshot of this client's counters. */
    stats(): EnsClientStats {
        return { ...this.counters };
    }

    private async call<A extends EnsAction>(
        action: A,
        query: Record<string, string>,
        kind: CallKind,
    ): Promise<{ body: Partial<EnsActionResponses[A]>; answer: EnsAnswer }> {
        this.counters.calls++;
        const { openapi, teaUtil } = loadSdk();
        const params = new openapi.Params({
            action,
            version: ensApiVersion,
            protocol: this.protocol,
            pathname: "/",
            method: "POST",
            authType: "AK",
            style: "RPC",
            reqBodyType: "formData",
            bodyType: "json",
        });
        const request = new openapi.OpenApiRequest({
            query: this.regionId === undefined ? query : { ...query, RegionId: this.regionId },
            // A connection of its own for every request. The SDK keeps idle connections with no
            // timeout of its own, so Node ignores the server's `Keep-Alive: timeout` hint and
            // sends a request on a connection the server is closing just then: it is reset
            // unread, which cannot be told from a request that ran and lost its answer (a create
            // would count as maybe made, and a read would spend a retry). Calls are few, so a
            // new connection's handshake costs little beside that.
            headers: { connection: "close" },
        });
        // The SDK's own retries are off: it would retry creates blindly and without jitter.
        const runtime = new teaUtil.RuntimeOptions({ autoretry: false, readTimeout: this.timeoutMs, connectTimeout: this.timeoutMs });
        const response = await retrying(
            async () => {
                this.counters.attempts++;
                try {
                    return await this.sdk.callApi(params, request, runtime);
                } catch (err) {
                    throw toClientError(action, err);
                }
            },
            {
                policy: kind === "settling" ? { ...this.policy, maxAttempts: settlingFactor * this.policy.maxAttempts } : this.policy,
                isRetryable: retryableFor(kind),
                onRetry: () => this.counters.retries++,
                signal: this.signal,
                beforeAttempt: this.beforeEachRequest,
                ...this.retryHooks,
            },
        );
        const body = (response.body ?? {}) as Partial<EnsActionResponses[A]>;
        const date = Date.parse(String((response.headers as Record<string, string> | undefined)?.date));
        return {
            body,
            answer: { requestId: String(body.RequestId ?? ""), serverTime: ensTimestamp(new Date(Number.isNaN(date) ? this.now() : date)) },
        };
    }
}

function toKeyPair(item: Partial<DescribedKeyPair>): EnsKeyPair {
    return {
        keyPairId: String(item.KeyPairId),
        keyPairName: String(item.KeyPairName),
        keyPairFingerPrint: String(item.KeyPairFingerPrint),
        creationTime: String(item.CreationTime),
    };
}

/**
 * The SDK's failure as an `EnsError` (the service answered with an error), an `EnsTransportError`
 * (no usable answer), or as it is (anything else is a bug, not worth retrying).
 */
function toClientError(action: string, err: unknown): unknown {
    const e = err as { code?: unknown; name?: unknown; message?: unknown; data?: Record<string, string | number | undefined> };
    const status = Number(e.data?.statusCode);
    if (Number.isInteger(status) && status >= 400) {
        const code = String(e.data?.Code ?? (typeof e.code === "string" ? e.code : "Unknown"));
        const requestId = e.data?.RequestId === undefined ? undefined : String(e.data.RequestId);
        return new EnsError(code, String(e.data?.Message ?? ""), { httpStatus: status, requestId, detail: `(${action})` });
    }
    const code = typeof e.code === "string" ? e.code : "";
    if (undeliveredCodes.has(code)) {
        return new EnsTransportError(action, code, false);
    }
    if (tlsCode.test(code)) {
        return new EnsTransportError(action, `TLS: ${code}`, false, false);
    }
    if (/Timeout/.test(String(e.name)) || /^(Read|Connect)?Timeout/.test(String(e.message))) {
        return new EnsTransportError(action, "timeout", true);
    }
    // A truncated or garbled body: the service may have acted on the request.
    if (err instanceof SyntaxError) {
        return new EnsTransportError(action, "unreadable answer", true);
    }
    // Any other failure, by its code (or its class) alone: the SDK's message quotes the URL.
    return new EnsTransportError(action, /^[A-Z][A-Z0-9_]*$/.test(code) ? code : typeof e.name === "string" ? e.name : "failure", true);
}
