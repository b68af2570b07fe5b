/**
 * An ENS-compatible HTTP server for the key-pair actions, for tests and local development: it
 * checks Alibaba Cloud signatures (RPC V1 and V3) as the real gateway does, keeps key pairs in
 * SQLite, and can inject faults. It binds to loopback only.
 *
 * Point `@alicloud/openapi-client` at it with
 * `new Config({ accessKeyId, accessKeySecret, endpoint: server.endpoint, protocol: "http" })`.
 */
import { createServer, IncomingMessage, ServerResponse } from "http";
import { AddressInfo } from "net";
import { setMaxListeners } from "events";
import { setTimeout as sleep } from "timers/promises";
import { EnsAction, ensApiVersion } from "../provider/ens/api";
import { ApiError } from "./errors";
import { newRequestId } from "./ids";
import { isAction, actions, Committed } from "./actions";
import { authenticate, Credentials } from "./auth";
import { FaultInjector, FaultOptions } from "./faults";
import {
    actionNotFound,
    internalError,
    invalidFormat,
    invalidVersion,
    missingCommonParameter,
    unsupportedHttpMethod,
} from "./gatewayErrors";
import { readRequest } from "./request";
import { errorBody, sendJson } from "./responses";
import { readSignature, SignatureClaim } from "./signature";
import { EnsServerStats, StatsRecorder } from "./stats";
import { KeyPairStore, StoredKeyPair } from "./store";

export type { Committed } from "./actions";
export type { FaultError, FaultOptions, ThrottleBursts } from "./faults";
export type { EnsServerStats } from "./stats";
export type { StoredKeyPair } from "./store";

/** The access key used when {@link EnsServerOptions.accessKeys} is omitted. Not a secret: loopback tests only. */
export const defaultAccessKey = { id: "test-access-key-id", secret: "test-access-key-secret" } as const;

/** How long {@link EnsServer.close} waits for calls in flight before closing the database under them. */
export const closeGraceMs = 2000;

/** How to start an ENS-compatible server. */
export interface EnsServerOptions {
    /** TCP port; 0 (the default) picks a free one. */
    port?: number;
    /** Loopback address to bind: `127.0.0.1` (default), another `127.x.x.x`, `::1` or `localhost`. Anything else is refused. */
    host?: string;
    /** SQLite file, created if absent; omitted means an in-memory database that dies with the server. */
    dbPath?: string;
    /** Accepted access keys, AccessKeyId → AccessKeySecret. Defaults to {@link defaultAccessKey}; `{}` accepts none. */
    accessKeys?: Record<string, string>;
    /** Accepted STS `SecurityToken`s, valid with any accepted access key. A request with another token is refused. */
    securityTokens?: string[];
    /** Fault injection from the first request on; change it later with {@link EnsServer.setFaults}. */
    faults?: FaultOptions;
    /**
     * Receives one line per request (method, action, status, code, duration, RequestId; never
     * parameters) and the stack of any unexpected failure. Without it, only unexpected failures
     * are written, to stderr.
     */
    log?: (line: string) => void;
    /**
     * Waits out injected latency, and must reject once `signal` aborts (the server is closing): a
     * timer by default. Tests pass one that tells them a call is waiting and ends when they say.
     */
    delay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A call's change, as {@link EnsServer.onCommit} reports it. */
export interface CommitEvent extends Committed {
    action: EnsAction;
}

/** A running server. */
export interface EnsServer {
    /** `http://host:port`. */
    readonly url: string;
    /** `host:port`: `@alicloud/openapi-client`'s `Config.endpoint` (with `protocol: "http"`). */
    readonly endpoint: string;
    /** The address bound, e.g. `127.0.0.1`. */
    readonly host: string;
    readonly port: number;
    /**
     * Stops listening, destroys open connections (calls waiting on injected latency are abandoned,
     * whatever they committed stays), lets in-flight calls finish, closes the database. Idempotent.
     */
    close(): Promise<void>;
    /** A snapshot of the counters (not part of ENS). */
    stats(): EnsServerStats;
    /**
     * Replaces the fault settings (`{}` turns faults off) and restarts the `maxFaults` count.
     * @throws RangeError / TypeError for invalid options.
     */
    setFaults(faults: FaultOptions): void;
    /** Every stored key pair, oldest first, read straight from the database (not part of ENS). */
    listKeyPairs(): StoredKeyPair[];
    /**
     * Calls `listener` with every change a call commits, at once: before any latency after commit
     * or drop, so while the change is in the database and its answer still due. A harness can act
     * in that window (kill the client, say) without polling, and hold the answer: when the listener
     * returns a promise, the answer waits until it settles (or the server closes). Returns what
     * removes the listener. (Not part of ENS.)
     */
    onCommit(listener: (commit: CommitEvent) => void | Promise<unknown>): () => void;
}

function loopbackHost(host: string): string {
    if (host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host)) {
        return host;
    }
    throw new Error(`The ENS server binds only to loopback (127.0.0.1, ::1, localhost); refusing ${JSON.stringify(host)}.`);
}

function checkCall(claim: SignatureClaim, format: string | undefined): EnsAction {
    const v3 = claim.scheme !== "HMAC-SHA1";
    if (!claim.action) {
        throw missingCommonParameter(v3 ? "x-acs-action" : "Action");
    }
    if (!isAction(claim.action)) {
        throw actionNotFound();
    }
    if (!claim.version) {
        throw missingCommonParameter(v3 ? "x-acs-version" : "Version");
    }
    if (claim.version !== ensApiVersion) {
        throw invalidVersion(ensApiVersion);
    }
    if (format !== undefined && format.toUpperCase() !== "JSON") {
        throw invalidFormat();
    }
    return claim.action;
}

/** Starts an ENS-compatible server and resolves once it listens. */
export async function startEnsServer(options: EnsServerOptions = {}): Promise<EnsServer> {
    const bindHost = loopbackHost(options.host ?? "127.0.0.1");
    const faults = new FaultInjector(options.faults);
    const credentials: Credentials = {
        accessKeys: new Map(Object.entries(options.accessKeys ?? { [defaultAccessKey.id]: defaultAccessKey.secret })),
        securityTokens: new Set(options.securityTokens ?? []),
    };
    const store = KeyPairStore.open(options.dbPath);
    const stats = new StatsRecorder();
    const stopping = new AbortController();
    // Every call waiting (on injected latency, or on a commit listener) listens for the server
    // closing: dozens at once under load are no leak.
    setMaxListeners(Infinity, stopping.signal);
    const inflight = new Set<Promise<void>>();
    const commitListeners = new Set<(commit: CommitEvent) => void | Promise<unknown>>();
    const logUnexpected = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
    const delay = options.delay ?? ((ms: number, signal: AbortSignal) => sleep(ms, undefined, { signal }));

    async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const requestId = newRequestId();
        const started = Date.now();
        let action: EnsAction | undefined;
        let outcome = "200 OK";
        stats.request();
        try {
            // Read first, as a real gateway does: a client that goes away during the latency
            // below has still sent a call that will run.
            const request = await readRequest(req);
            if (faults.latencyMs > 0) {
                await delay(faults.latencyMs, stopping.signal);
            }
            if (request.method !== "GET" && request.method !== "POST") {
                throw unsupportedHttpMethod();
            }
            if (request.pathname !== "/") {
                throw actionNotFound();
            }
            const claim = readSignature(request);
            action = checkCall(claim, request.params.get("Format"));
            authenticate(claim, credentials, store, Date.now());
            stats.call(action);
            const fault = faults.errorFor(action);
            if (fault) {
                stats.fault(fault.code);
                throw fault;
            }
            const result = await actions[action](request.params, store);
            if (result.committed) {
                await notifyCommit({ action, ...result.committed });
            }
            const answerDelay = result.committed ? faults.latencyAfterCommit(action) : 0;
            if (answerDelay > 0) {
                await delay(answerDelay, stopping.signal);
            }
            if (result.committed && faults.dropAfterCommit(action)) {
                stats.drop();
                outcome = "dropped after commit";
                req.socket.destroy();
                return;
            }
            sendJson(res, 200, { ...result.body, RequestId: requestId }, requestId);
        } catch (caught) {
            if (stopping.signal.aborted) {
                outcome = "abandoned: server closing";
                return;
            }
            let err: ApiError;
            if (caught instanceof ApiError) {
                err = caught;
            } else {
                logUnexpected(
                    `ens-server: unexpected failure in ${action ?? "request"} ${requestId}: ${(caught as Error)?.stack ?? String(caught)}`,
                );
                err = internalError();
            }
            stats.error(err.code);
            outcome = `${err.httpStatus} ${err.code}`;
            sendJson(res, err.httpStatus, errorBody(err, requestId, req.headers.host ?? ""), requestId);
        } finally {
            options.log?.(`${req.method} ${action ?? "-"} ${outcome} ${Date.now() - started}ms ${requestId}`);
        }
    }

    /** Tells the listeners, and waits for what they hold. A listener's bug must not turn a committed call into an error answer. */
    async function notifyCommit(commit: CommitEvent): Promise<void> {
        const failed = (err: unknown) => logUnexpected(`ens-server: a commit listener failed: ${(err as Error)?.stack ?? String(err)}`);
        const holds: Promise<unknown>[] = [];
        for (const listener of commitListeners) {
            try {
                const held = listener(commit);
                if (held) {
                    holds.push(held.catch(failed));
                }
            } catch (err) {
                failed(err);
            }
        }
        if (holds.length > 0) {
            let closed: () => void = () => undefined;
            const closing = new Promise<void>((resolve) => (closed = resolve));
            stopping.signal.addEventListener("abort", closed, { once: true });
            try {
                await Promise.race([Promise.all(holds), closing]);
            } finally {
                stopping.signal.removeEventListener("abort", closed);
            }
            stopping.signal.throwIfAborted();
        }
    }

    const server = createServer((req, res) => {
        const done = handle(req, res).finally(() => inflight.delete(done));
        inflight.add(done);
    });
    try {
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(options.port ?? 0, bindHost, () => {
                server.off("error", reject);
                resolve();
            });
        });
    } catch (err) {
        store.close();
        throw err;
    }
    const address = server.address() as AddressInfo;
    const host = address.address;
    const port = address.port;
    const endpoint = `${host.includes(":") ? `[${host}]` : host}:${port}`;

    let closing: Promise<void> | undefined;
    return {
        url: `http://${endpoint}`,
        endpoint,
        host,
        port,
        close() {
            closing ??= (async () => {
                stopping.abort();
                const closed = new Promise<void>((resolve) => server.close(() => resolve()));
                server.closeAllConnections();
                await closed;
                // Every call in flight has had its sleep cut short and its connection destroyed,
                // so it settles at once; the bound only guards against a bug hanging shutdown.
                await Promise.race([Promise.allSettled([...inflight]), sleep(closeGraceMs, undefined, { ref: false })]);
                store.close();
            })();
            return closing;
        },
        stats: () => stats.snapshot(),
        setFaults: (f) => faults.set(f),
        listKeyPairs: () => store.all(),
        onCommit(listener) {
            commitListeners.add(listener);
            return () => commitListeners.delete(listener);
        },
    };
}
