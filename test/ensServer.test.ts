/**
 * The ENS-compatible server, over real HTTP: requests signed by the official client
 * (`@alicloud/openapi-client`, both its V3 default and RPC HMAC-SHA1), hand-made requests for what
 * the official client never sends, restarts on the same SQLite file, and every fault mode.
 */
import * as assert from "assert";
import { createHash, createPublicKey, generateKeyPairSync, randomUUID } from "crypto";
import { request as httpRequest } from "http";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import OpenApi, { Config, OpenApiRequest, Params } from "@alicloud/openapi-client";
import OpenApiUtil from "@alicloud/openapi-util";
import { RuntimeOptions } from "@alicloud/tea-util";
import { fingerprints } from "../provider/keys/fingerprints";
import { keyMaterialOf } from "../provider/keys/material";
import { parseCli } from "../ens-server/cliOptions";
import { defaultAccessKey, EnsServer, EnsServerOptions, FaultOptions, startEnsServer } from "../ens-server/server";
import { assertEnsError, requestIdShape } from "./helpers/ensErrors";
import { sharedKey } from "./helpers/keys";
import { heldDelays } from "./helpers/heldDelays";
import { assertNoKeyMaterial } from "./helpers/leaks";
import { assertArmour } from "./helpers/pem";
import { Queue } from "./helpers/queue";

const version = "2017-11-10";
const keyId = "LTAI-test-id";
const keySecret = "test-secret-with-symbols:&=+";
const stsToken = "CAIS-sts-token/with+symbols==";

type Query = Record<string, string>;
type Body = Record<string, unknown>;

/** The two ways the official client signs RPC calls. */
const schemes = [
    { label: "V3 ACS3-HMAC-SHA256 (the client's default)", signatureAlgorithm: undefined, v1: false },
    { label: 'RPC HMAC-SHA1 (signatureAlgorithm "v2")', signatureAlgorithm: "v2", v1: true },
] as const;
type Scheme = (typeof schemes)[number];

/**
 * How long the client waits to connect and for an answer, unless a test sets its own read timeout:
 * the HTTP layer's default of 3 s runs out on a machine busy with other suites, which is no finding.
 */
const patientMs = 60_000;

interface ClientOptions {
    scheme?: Scheme;
    /** The client's read timeout in milliseconds; {@link patientMs} otherwise. */
    readTimeout?: number;
    id?: string;
    secret?: string;
    securityToken?: string;
}

interface CallExtras {
    method?: "GET" | "POST";
    /** Parameters sent as a form body instead of the query string. */
    body?: Query;
    headers?: Record<string, string>;
    version?: string;
}

/** An official-client caller for `server`: resolves with the JSON body, rejects with the client's error. */
function officialClient(server: EnsServer, options: ClientOptions = {}) {
    const scheme = options.scheme ?? schemes[0];
    const sdk = new OpenApi(
        new Config({
            accessKeyId: options.id ?? keyId,
            accessKeySecret: options.secret ?? keySecret,
            securityToken: options.securityToken,
            endpoint: server.endpoint,
            protocol: "http",
            signatureAlgorithm: scheme.signatureAlgorithm,
        }),
    );
    return async (action: string, query: Query = {}, extras: CallExtras = {}): Promise<Body> => {
        const params = new Params({
            action,
            version: extras.version ?? version,
            protocol: "HTTP",
            pathname: "/",
            method: extras.method ?? "POST",
            authType: "AK",
            style: "RPC",
            reqBodyType: "formData",
            bodyType: "json",
        });
        const response = await sdk.callApi(
            params,
            new OpenApiRequest({ query, body: extras.body, headers: extras.headers }),
            new RuntimeOptions({ readTimeout: options.readTimeout ?? patientMs, connectTimeout: patientMs, autoretry: false }),
        );
        assert.strictEqual(response.statusCode, 200);
        return response.body as Body;
    };
}

/** An error as the official client reports it. */
interface ClientError {
    code: string;
    statusCode: number;
    message: string;
    data: Body;
}

async function clientError(call: Promise<unknown>, code: string, statusCode: number): Promise<ClientError> {
    let thrown: unknown;
    try {
        await call;
    } catch (err) {
        thrown = err;
    }
    assert.ok(thrown, `expected ${code}, but the call succeeded`);
    const err = thrown as ClientError;
    assertEnsError(
        { code: err.code, httpStatus: err.statusCode, message: err.message, requestId: err.data.RequestId },
        { code, httpStatus: statusCode, answered: true },
    );
    assert.deepStrictEqual(Object.keys(err.data).sort(), ["Code", "HostId", "Message", "Recommend", "RequestId", "statusCode"]);
    return err;
}

interface RawResponse {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    json: Body;
}

/** A hand-made HTTP request. */
function raw(
    server: EnsServer,
    options: {
        method?: string;
        path?: string;
        query?: Query;
        body?: string | Buffer;
        headers?: Record<string, string>;
        /** Gives up on the call: the connection is destroyed and the promise rejects with an AbortError. */
        signal?: AbortSignal;
    },
): Promise<RawResponse> {
    const search = new URLSearchParams(options.query ?? {}).toString();
    return new Promise((resolve, reject) => {
        const req = httpRequest(
            `${server.url}${options.path ?? "/"}${search ? `?${search}` : ""}`,
            { method: options.method ?? "GET", headers: options.headers, signal: options.signal },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString();
                    resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? (JSON.parse(text) as Body) : {} });
                });
            },
        );
        req.on("error", reject);
        req.end(options.body);
    });
}

/** RPC V1 common parameters for a hand-made request, signed with the official signing function unless `unsigned`. */
function v1Query(method: string, params: Query, options: { secret?: string; unsigned?: boolean; omit?: string[] } = {}): Query {
    const query: Query = {
        Format: "JSON",
        Version: version,
        AccessKeyId: keyId,
        SignatureMethod: "HMAC-SHA1",
        SignatureVersion: "1.0",
        SignatureNonce: randomUUID(),
        Timestamp: OpenApiUtil.getTimestamp(),
        ...params,
    };
    for (const name of options.omit ?? []) {
        delete query[name];
    }
    if (!options.unsigned) {
        query.Signature = OpenApiUtil.getRPCSignature(query, method, options.secret ?? keySecret);
    }
    return query;
}

function assertRawError(res: RawResponse, status: number, code: string, ...fragments: string[]): void {
    const seen = { code: String(res.json.Code), httpStatus: res.status, message: String(res.json.Message), requestId: res.json.RequestId };
    assertEnsError(seen, { code, httpStatus: status, mentions: fragments, answered: true });
    assert.strictEqual(res.headers["x-acs-request-id"], res.json.RequestId);
}

function pairsOf(body: Body): Body[] {
    return (body.KeyPairs as { KeyPair: Body[] }).KeyPair;
}

async function rsaLine(): Promise<string> {
    return (await sharedKey({ keyType: "rsa", rsaBits: 2048 })).publicKeyOpenssh;
}

describe("ENS server", function () {
    let dir: string;
    const started: EnsServer[] = [];

    async function start(options: EnsServerOptions = {}): Promise<EnsServer> {
        const server = await startEnsServer({ accessKeys: { [keyId]: keySecret }, securityTokens: [stsToken], ...options });
        started.push(server);
        return server;
    }

    /**
     * A server with `faults`, whose injected latency the test holds, and a signed ImportKeyPair of
     * `name` whose client gives up while the call waits. `logged` is the call's log line, once it ends.
     */
    async function importGivenUp(faults: FaultOptions, name: string) {
        const held = heldDelays();
        const log = new Queue<string>();
        const server = await start({ faults, delay: held.delay, log: (line) => log.push(line) });
        const giveUp = new AbortController();
        const query = v1Query("GET", { Action: "ImportKeyPair", KeyPairName: name, PublicKeyBody: await rsaLine() });
        const importing = raw(server, { query, signal: giveUp.signal });
        const wait = await held.next();
        giveUp.abort();
        await assert.rejects(importing, { name: "AbortError" });
        return { server, wait, logged: log.find((line) => line.startsWith("GET ImportKeyPair ")) };
    }

    before(() => {
        dir = mkdtempSync(join(tmpdir(), "ens-server-test-"));
    });
    afterEach(async () => {
        await Promise.all(started.splice(0).map((s) => s.close()));
    });
    after(() => {
        rmSync(dir, { recursive: true, force: true });
    });

    describe("startEnsServer", () => {
        it("listens on loopback and gives a URL and an endpoint for the official client", async () => {
            const server = await start();
            assert.strictEqual(server.host, "127.0.0.1");
            assert.ok(server.port > 0);
            assert.strictEqual(server.endpoint, `127.0.0.1:${server.port}`);
            assert.strictEqual(server.url, `http://127.0.0.1:${server.port}`);
        });

        it("refuses to bind anything but loopback", async () => {
            await assert.rejects(startEnsServer({ host: "0.0.0.0" }), /loopback/);
        });

        it("accepts the default access key when none is configured", async () => {
            const server = await startEnsServer();
            started.push(server);
            const call = officialClient(server, { id: defaultAccessKey.id, secret: defaultAccessKey.secret });
            assert.strictEqual((await call("DescribeKeyPairs")).TotalCount, 0);
        });

        it("refuses invalid fault options", async () => {
            await assert.rejects(startEnsServer({ faults: { rate: 1.5 } }), RangeError);
            const server = await start();
            assert.throws(() => server.setFaults({ errors: ["Teapot" as "Throttling"] }), TypeError);
            assert.throws(() => server.setFaults({ latencyMs: -1 }), RangeError);
        });

        it("closes idempotently and abandons calls waiting at either latency point", async () => {
            const held = heldDelays();
            const log = new Queue<string>();
            const server = await start({ faults: { latencyMs: 60_000 }, delay: held.delay, log: (line) => log.push(line) });
            const call = officialClient(server);
            const before = call("DescribeKeyPairs");
            before.catch(() => undefined);
            assert.strictEqual((await held.next()).ms, 60_000, "the first call waits before it runs");
            server.setFaults({ latencyAfterCommitMs: 60_000 });
            const after = call("CreateKeyPair", { KeyPairName: "committed-unanswered" });
            after.catch(() => undefined);
            assert.strictEqual((await held.next()).ms, 60_000, "the second waits after its commit");
            assert.deepStrictEqual(
                server.listKeyPairs().map((p) => p.keyPairName),
                ["committed-unanswered"],
            );
            // Neither wait ends by itself: both calls have ended by the time close does only if it abandoned them.
            await Promise.all([server.close(), server.close()]);
            // The first call's action is not known yet: it waited before its request was checked.
            assert.deepStrictEqual(
                log
                    .drain()
                    .map((line) => /^POST (\S+) abandoned: server closing /.exec(line)?.[1])
                    .sort(),
                ["-", "CreateKeyPair"],
            );
            await assert.rejects(before);
            await assert.rejects(after);
        });
    });

    for (const scheme of schemes) {
        describe(`signed by the official client, ${scheme.label}`, () => {
            it("creates a pair, returns its PKCS#8 private key once, and stores only the public half", async () => {
                const server = await start();
                const call = officialClient(server, { scheme });
                const created = await call("CreateKeyPair", { KeyPairName: "web-1" });
                assert.deepStrictEqual(Object.keys(created).sort(), [
                    "KeyPairFingerPrint",
                    "KeyPairId",
                    "KeyPairName",
                    "PrivateKeyBody",
                    "RequestId",
                ]);
                assert.strictEqual(created.KeyPairName, "web-1");
                assert.match(String(created.KeyPairId), /^ssh-[a-z0-9]{23}$/);
                assert.match(String(created.RequestId), requestIdShape);
                const pem = String(created.PrivateKeyBody);
                assertArmour(pem, "PRIVATE KEY");
                const material = keyMaterialOf(pem);
                assert.strictEqual(createPublicKey(pem).asymmetricKeyDetails?.modulusLength, 2048);
                assert.strictEqual(created.KeyPairFingerPrint, material.keyPairFingerPrint);

                const [stored] = server.listKeyPairs();
                assert.deepStrictEqual(Object.keys(stored).sort(), [
                    "creationTime",
                    "keyPairFingerPrint",
                    "keyPairId",
                    "keyPairName",
                    "publicKey",
                ]);
                assert.strictEqual(stored.publicKey, material.publicKeyOpenssh);
                assert.strictEqual(stored.keyPairId, created.KeyPairId);

                const described = await call("DescribeKeyPairs", { KeyPairName: "web-1" });
                assert.deepStrictEqual(pairsOf(described), [
                    {
                        KeyPairId: created.KeyPairId,
                        KeyPairName: "web-1",
                        KeyPairFingerPrint: created.KeyPairFingerPrint,
                        CreationTime: stored.creationTime,
                    },
                ]);
                assert.match(stored.creationTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
                assertNoKeyMaterial(JSON.stringify(described), pem);
            });

            it("imports an ssh-rsa key sent in a form body and deletes it with a GET", async () => {
                const server = await start();
                const call = officialClient(server, { scheme });
                const line = await rsaLine();
                const imported = await call("ImportKeyPair", {}, { body: { KeyPairName: "imported", PublicKeyBody: `${line} me@laptop` } });
                assert.deepStrictEqual(Object.keys(imported).sort(), ["KeyPairFingerPrint", "KeyPairName", "RequestId"]);
                assert.strictEqual(imported.KeyPairFingerPrint, fingerprints(line).keyPairFingerPrint);
                assert.strictEqual(server.listKeyPairs()[0].publicKey, line, "the comment is dropped");

                await call("DeleteKeyPairs", { KeyPairName: "imported" }, { method: "GET" });
                assert.deepStrictEqual(server.listKeyPairs(), []);
            });

            it("verifies parameters with characters that percent-encoding treats specially", async () => {
                const call = officialClient(await start(), { scheme });
                const awkward = "a b*~'()!+&=/?#%é漢";
                for (const method of ["GET", "POST"] as const) {
                    const byQuery = await call("DescribeKeyPairs", { KeyPairName: awkward }, { method });
                    assert.strictEqual(byQuery.TotalCount, 0);
                }
                const byBody = await call("DescribeKeyPairs", {}, { body: { KeyPairName: awkward, PageSize: "7" } });
                assert.strictEqual(byBody.PageSize, 7);
            });

            it("accepts a configured STS token and refuses another", async () => {
                const server = await start();
                const withToken = officialClient(server, { scheme, securityToken: stsToken });
                assert.strictEqual((await withToken("DescribeKeyPairs")).TotalCount, 0);
                const stale = officialClient(server, { scheme, securityToken: "CAIS-expired" });
                await clientError(stale("DescribeKeyPairs"), "InvalidSecurityToken.Expired", 400);
            });

            it("refuses a wrong secret with SignatureDoesNotMatch and shows its string to sign", async () => {
                const server = await start();
                const err = await clientError(
                    officialClient(server, { scheme, secret: "wrong" })("DescribeKeyPairs"),
                    "SignatureDoesNotMatch",
                    400,
                );
                assert.match(
                    String(err.data.Message),
                    scheme.v1
                        ? /server string to sign is:POST&%2F&AccessKeyId%3D/
                        : /server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/,
                );
                assert.ok(!String(err.data.Message).includes(keySecret));
            });

            it("refuses an unknown AccessKeyId with InvalidAccessKeyId.NotFound (404)", async () => {
                const server = await start();
                await clientError(
                    officialClient(server, { scheme, id: "LTAI-nobody" })("DescribeKeyPairs"),
                    "InvalidAccessKeyId.NotFound",
                    404,
                );
            });

            it("refuses timestamps more than 15 minutes off, either way", async () => {
                const server = await start();
                const call = officialClient(server, { scheme });
                for (const offset of [-16, 16]) {
                    const stamp = new Date(Date.now() + offset * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
                    const [query, headers]: [Query, Query] = scheme.v1 ? [{ Timestamp: stamp }, {}] : [{}, { "x-acs-date": stamp }];
                    await clientError(call("DescribeKeyPairs", query, { headers }), "InvalidTimeStamp.Expired", 400);
                }
                const recent = new Date(Date.now() - 14 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
                await call("DescribeKeyPairs", scheme.v1 ? { Timestamp: recent } : {}, {
                    headers: scheme.v1 ? {} : { "x-acs-date": recent },
                });
            });

            it("refuses a reused SignatureNonce, even after a restart", async () => {
                const dbPath = join(dir, `nonce-${scheme.v1 ? "v1" : "v3"}.db`);
                const nonce = randomUUID();
                const send = (server: EnsServer) =>
                    officialClient(server, { scheme })("DescribeKeyPairs", scheme.v1 ? { SignatureNonce: nonce } : {}, {
                        headers: scheme.v1 ? {} : { "x-acs-signature-nonce": nonce },
                    });
                const first = await start({ dbPath });
                await send(first);
                await clientError(send(first), "SignatureNonceUsed", 400);
                await first.close();
                await clientError(send(await start({ dbPath })), "SignatureNonceUsed", 400);
            });

            it("refuses unknown actions (404) and other API versions", async () => {
                const server = await start();
                const call = officialClient(server, { scheme });
                await clientError(call("RunInstances"), "InvalidAction.NotFound", 404);
                await clientError(call("toString"), "InvalidAction.NotFound", 404);
                const err = await clientError(call("DescribeKeyPairs", {}, { version: "2014-05-26" }), "InvalidVersion", 400);
                assert.match(err.message, /2017-11-10/);
            });
        });
    }

    describe("CreateKeyPair", () => {
        it("requires KeyPairName", async () => {
            const call = officialClient(await start());
            const err = await clientError(call("CreateKeyPair"), "MissingParameter", 400);
            assert.match(err.message, /KeyPairName is required/);
            await clientError(call("CreateKeyPair", { KeyPairName: "" }), "MissingParameter", 400);
        });

        it("enforces ENS's name rules with InvalidParameter.KeyPairName", async () => {
            const server = await start();
            const call = officialClient(server);
            for (const [name, rule] of [
                ["a", "2 to 128 characters"],
                ["a".repeat(129), "2 to 128 characters"],
                ["1abc", "start with a letter"],
                ["http://x", "http://"],
                ["has space", "may contain only"],
                ["dot.name", "may contain only"],
            ]) {
                const err = await clientError(call("CreateKeyPair", { KeyPairName: name }), "InvalidParameter.KeyPairName", 400);
                assert.ok(err.message.includes("The specified field KeyPairName invalid") && err.message.includes(rule), err.message);
            }
            assert.deepStrictEqual(server.listKeyPairs(), []);
        });

        it("refuses a taken name with PubKeyNameExisted, also when two creates race", async () => {
            const server = await start();
            const call = officialClient(server);
            const results = await Promise.allSettled([
                call("CreateKeyPair", { KeyPairName: "race" }),
                call("CreateKeyPair", { KeyPairName: "race" }),
            ]);
            assert.deepStrictEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
            const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
            await clientError(Promise.reject(lost.reason as Error), "PubKeyNameExisted", 400);
            await clientError(call("CreateKeyPair", { KeyPairName: "race" }), "PubKeyNameExisted", 400);
            assert.strictEqual(server.listKeyPairs().length, 1);
        });
    });

    describe("ImportKeyPair", () => {
        it("requires KeyPairName and PublicKeyBody", async () => {
            const call = officialClient(await start());
            const line = await rsaLine();
            assert.match(
                (await clientError(call("ImportKeyPair", { PublicKeyBody: line }), "MissingParameter", 400)).message,
                /KeyPairName is required/,
            );
            assert.match(
                (await clientError(call("ImportKeyPair", { KeyPairName: "k1" }), "MissingParameter", 400)).message,
                /PublicKeyBody is required/,
            );
        });

        it("accepts only whole ssh-rsa keys of 2048 bits or more, without quoting what it refuses", async () => {
            const server = await start();
            const call = officialClient(server);
            const ed25519 = await sharedKey({ keyType: "ed25519" });
            const ecdsa = await sharedKey({ keyType: "ecdsa", ecdsaCurve: "P256" });
            const rsa1024 = keyMaterialOf(generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey);
            const rsa = await sharedKey({ keyType: "rsa", rsaBits: 2048 });
            for (const [body, rule] of [
                [ed25519.publicKeyOpenssh, "only ssh-rsa"],
                [ecdsa.publicKeyOpenssh, "only ssh-rsa"],
                [rsa1024.publicKeyOpenssh, "1024-bit"],
                [rsa.privateKeyBody, "private key"],
                [rsa.publicKeyOpenssh.slice(0, 60), "PublicKeyBody"],
                ["not a key", "PublicKeyBody"],
            ]) {
                const err = await clientError(
                    call("ImportKeyPair", { KeyPairName: "k1", PublicKeyBody: body }),
                    "InvalidParameter.PublicKeyBody",
                    400,
                );
                assert.ok(err.message.includes(rule), err.message);
                assertNoKeyMaterial(JSON.stringify(err.data), body.includes("PRIVATE") ? body : "");
            }
            assert.deepStrictEqual(server.listKeyPairs(), []);
        });

        it("shares the name space with CreateKeyPair", async () => {
            const call = officialClient(await start());
            await call("CreateKeyPair", { KeyPairName: "shared" });
            await clientError(call("ImportKeyPair", { KeyPairName: "shared", PublicKeyBody: await rsaLine() }), "PubKeyNameExisted", 400);
        });
    });

    describe("DescribeKeyPairs", () => {
        let server: EnsServer;
        let call: ReturnType<typeof officialClient>;
        const names = Array.from({ length: 12 }, (_, i) => `pair-${String(i).padStart(2, "0")}`);

        beforeEach(async () => {
            server = await start();
            call = officialClient(server);
            const line = await rsaLine();
            for (const name of names) {
                await call("ImportKeyPair", { KeyPairName: name, PublicKeyBody: line });
            }
        });

        it("pages oldest first with PageNumber, PageSize and TotalCount, 10 per page by default", async () => {
            const first = await call("DescribeKeyPairs");
            assert.deepStrictEqual([first.PageNumber, first.PageSize, first.TotalCount], [1, 10, 12]);
            assert.deepStrictEqual(
                pairsOf(first).map((p) => p.KeyPairName),
                names.slice(0, 10),
            );
            const seen: unknown[] = [];
            for (const page of [1, 2, 3, 4]) {
                const body = await call("DescribeKeyPairs", { PageNumber: String(page), PageSize: "5" });
                assert.deepStrictEqual([body.PageNumber, body.PageSize, body.TotalCount], [page, 5, 12]);
                assert.strictEqual(pairsOf(body).length, [5, 5, 2, 0][page - 1]);
                seen.push(...pairsOf(body).map((p) => p.KeyPairName));
            }
            assert.deepStrictEqual(seen, names);
            const far = await call("DescribeKeyPairs", { PageNumber: "2147483647", PageSize: "2147483647" });
            assert.deepStrictEqual([pairsOf(far).length, far.TotalCount], [0, 12]);
        });

        it("filters by exact KeyPairName and KeyPairId, both together meaning both", async () => {
            const [target, other] = server.listKeyPairs().slice(3, 5);
            const byName = await call("DescribeKeyPairs", { KeyPairName: target.keyPairName });
            assert.deepStrictEqual(
                pairsOf(byName).map((p) => p.KeyPairId),
                [target.keyPairId],
            );
            assert.strictEqual(byName.TotalCount, 1);
            const byId = await call("DescribeKeyPairs", { KeyPairId: target.keyPairId });
            assert.deepStrictEqual(
                pairsOf(byId).map((p) => p.KeyPairName),
                [target.keyPairName],
            );
            const both = await call("DescribeKeyPairs", { KeyPairName: target.keyPairName, KeyPairId: target.keyPairId });
            assert.strictEqual(both.TotalCount, 1);
            const mismatch = await call("DescribeKeyPairs", { KeyPairName: target.keyPairName, KeyPairId: other.keyPairId });
            assert.deepStrictEqual([mismatch.TotalCount, pairsOf(mismatch)], [0, []]);
            const prefix = await call("DescribeKeyPairs", { KeyPairName: "pair" });
            assert.strictEqual(prefix.TotalCount, 0, "names match exactly, not by prefix");
            const empty = await call("DescribeKeyPairs", { KeyPairName: "" });
            assert.strictEqual(empty.TotalCount, 12, "an empty filter is no filter");
        });

        it("refuses page numbers and sizes that are not integers from 1 to 2^31-1", async () => {
            for (const field of ["PageNumber", "PageSize"]) {
                for (const value of ["0", "-1", "1.5", "abc", "2147483648", "99999999999"]) {
                    const err = await clientError(call("DescribeKeyPairs", { [field]: value }), `InvalidParameter.${field}`, 400);
                    assert.match(err.message, new RegExp(`The specified field ${field} invalid`));
                }
            }
        });
    });

    describe("DeleteKeyPairs", () => {
        it("deletes by name or by id, and deleting what is gone still succeeds", async () => {
            const server = await start();
            const call = officialClient(server);
            const line = await rsaLine();
            for (const name of ["one", "two", "three"]) {
                await call("ImportKeyPair", { KeyPairName: name, PublicKeyBody: line });
            }
            const [one, two, three] = server.listKeyPairs();
            const deleted = await call("DeleteKeyPairs", { KeyPairName: "one" });
            assert.deepStrictEqual(Object.keys(deleted), ["RequestId"]);
            await call("DeleteKeyPairs", { KeyPairId: two.keyPairId });
            assert.deepStrictEqual(
                server.listKeyPairs().map((p) => p.keyPairName),
                ["three"],
            );
            await call("DeleteKeyPairs", { KeyPairName: "one" });
            await call("DeleteKeyPairs", { KeyPairId: one.keyPairId });
            await call("DeleteKeyPairs", { KeyPairName: "three", KeyPairId: two.keyPairId });
            assert.deepStrictEqual(
                server.listKeyPairs().map((p) => p.keyPairId),
                [three.keyPairId],
                "both filters must match",
            );
            const err = await clientError(call("DeleteKeyPairs"), "MissingParameter", 400);
            assert.match(err.message, /KeyPairName or KeyPairId is required/);
            await call("DeleteKeyPairs", { KeyPairName: "three", KeyPairId: three.keyPairId });
            assert.deepStrictEqual(server.listKeyPairs(), []);
            // A deleted name is free again.
            await call("ImportKeyPair", { KeyPairName: "one", PublicKeyBody: line });
        });
    });

    describe("hand-made requests", () => {
        let server: EnsServer;
        beforeEach(async () => {
            server = await start();
        });

        it("accepts a GET with every parameter in the query, signed with HMAC-SHA1", async () => {
            const res = await raw(server, { query: v1Query("GET", { Action: "DescribeKeyPairs" }) });
            assert.strictEqual(res.status, 200, JSON.stringify(res.json));
            assert.strictEqual(res.json.TotalCount, 0);
            assert.match(String(res.headers["content-type"]), /^application\/json/);
        });

        it("refuses a request without any signature with IncompleteSignature", async () => {
            const res = await raw(server, { query: v1Query("GET", { Action: "DescribeKeyPairs" }, { unsigned: true }) });
            assertRawError(res, 400, "IncompleteSignature", "does not conform");
            assert.match(String(res.json.Recommend), /^https:\/\/api\.aliyun\.com\/troubleshoot\?q=IncompleteSignature/);
            assert.strictEqual(res.json.HostId, server.endpoint);
        });

        it("refuses incomplete V1 signing material with IncompleteSignature", async () => {
            assertRawError(
                await raw(server, { query: v1Query("GET", { Action: "DescribeKeyPairs" }, { omit: ["AccessKeyId"] }) }),
                400,
                "IncompleteSignature",
                "AccessKeyId",
            );
            assertRawError(
                await raw(server, { query: v1Query("GET", { Action: "DescribeKeyPairs", SignatureMethod: "HMAC-SHA256" }) }),
                400,
                "IncompleteSignature",
                "HMAC-SHA1",
            );
        });

        it("refuses a V1 request whose parameters changed after signing", async () => {
            const query = v1Query("GET", { Action: "DescribeKeyPairs", KeyPairName: "a" });
            assertRawError(await raw(server, { query: { ...query, KeyPairName: "b" } }), 400, "SignatureDoesNotMatch", "KeyPairName%3Db");
            assertRawError(await raw(server, { method: "POST", query }), 400, "SignatureDoesNotMatch", "POST&");
        });

        it("requires Action, Version, Timestamp and SignatureNonce, and a well-formed Timestamp", async () => {
            for (const name of ["Action", "Version", "Timestamp", "SignatureNonce"]) {
                const res = await raw(server, { query: v1Query("GET", { Action: "DescribeKeyPairs" }, { omit: [name] }) });
                assertRawError(res, 400, "MissingParameter", `"${name}"`);
            }
            const res = await raw(server, { query: v1Query("GET", { Action: "DescribeKeyPairs", Timestamp: "yesterday" }) });
            assertRawError(res, 400, "InvalidTimeStamp.Format");
        });

        it("answers JSON only", async () => {
            assertRawError(
                await raw(server, { query: v1Query("GET", { Action: "DescribeKeyPairs", Format: "XML" }) }),
                400,
                "InvalidParameter.Format",
                "JSON only",
            );
            assert.strictEqual((await raw(server, { query: v1Query("GET", { Action: "DescribeKeyPairs", Format: "json" }) })).status, 200);
        });

        it("refuses other methods, other paths and huge bodies", async () => {
            assertRawError(
                await raw(server, { method: "PUT", query: v1Query("PUT", { Action: "DescribeKeyPairs" }) }),
                400,
                "UnsupportedHTTPMethod",
            );
            assertRawError(
                await raw(server, { path: "/v1/keys", query: v1Query("GET", { Action: "DescribeKeyPairs" }) }),
                404,
                "InvalidAction.NotFound",
            );
            const huge = await raw(server, {
                method: "POST",
                body: Buffer.alloc(2 * 1024 * 1024, "a"),
                headers: { "content-type": "application/x-www-form-urlencoded" },
            });
            assertRawError(huge, 413, "InvalidParameter", "too large");
        });

        /** A V3 request signed with the official signing function, then sent as given. */
        function v3(options: {
            body?: string;
            sentBody?: string;
            signed?: (headers: Record<string, string>) => string[];
            algorithm?: string;
        }) {
            const body = options.body ?? "";
            const headers: Record<string, string> = {
                host: server.endpoint,
                "x-acs-action": "DescribeKeyPairs",
                "x-acs-version": version,
                "x-acs-date": OpenApiUtil.getTimestamp(),
                "x-acs-signature-nonce": randomUUID(),
                "x-acs-content-sha256": createHash("sha256").update(body).digest("hex"),
                "content-type": "application/x-www-form-urlencoded",
            };
            const signedHeaders = options.signed ? Object.fromEntries(options.signed(headers).map((h) => [h, headers[h]])) : headers;
            const authorization = OpenApiUtil.getAuthorization(
                { method: "POST", pathname: "/", query: {}, headers: signedHeaders } as unknown as Parameters<
                    typeof OpenApiUtil.getAuthorization
                >[0],
                "ACS3-HMAC-SHA256",
                headers["x-acs-content-sha256"],
                keyId,
                keySecret,
            );
            return raw(server, {
                method: "POST",
                body: options.sentBody ?? body,
                headers: {
                    ...headers,
                    authorization: options.algorithm ? authorization.replace("ACS3-HMAC-SHA256", options.algorithm) : authorization,
                },
            });
        }

        it("accepts a V3 request signed by the official signing function", async () => {
            const res = await v3({ body: "PageSize=3" });
            assert.strictEqual(res.status, 200, JSON.stringify(res.json));
            assert.strictEqual(res.json.PageSize, 3);
        });

        it("refuses a V3 request whose body changed after signing", async () => {
            assertRawError(await v3({ body: "PageSize=3", sentBody: "PageSize=4" }), 400, "SignatureDoesNotMatch");
        });

        it("refuses V3 requests that leave headers unsigned or use another algorithm", async () => {
            const unsigned = await v3({ signed: (h) => Object.keys(h).filter((name) => name !== "x-acs-action") });
            assertRawError(unsigned, 400, "IncompleteSignature", "x-acs-action");
            assertRawError(await v3({ algorithm: "ACS3-HMAC-SM3" }), 400, "IncompleteSignature", "ACS3-HMAC-SHA256");
            const malformed = await raw(server, { method: "POST", headers: { authorization: "ACS3-HMAC-SHA256 Credential=x" } });
            assertRawError(malformed, 400, "IncompleteSignature", "Credential, SignedHeaders and Signature");
        });
    });

    describe("persistence", () => {
        it("keeps every pair and its name across a restart on the same SQLite file", async () => {
            const dbPath = join(dir, "restart.db");
            const first = await start({ dbPath });
            let call = officialClient(first);
            const created = await call("CreateKeyPair", { KeyPairName: "survivor" });
            await call("ImportKeyPair", { KeyPairName: "imported", PublicKeyBody: await rsaLine() });
            const before = first.listKeyPairs();
            await first.close();

            const second = await start({ dbPath });
            call = officialClient(second);
            assert.deepStrictEqual(second.listKeyPairs(), before);
            const described = await call("DescribeKeyPairs");
            assert.deepStrictEqual(
                pairsOf(described).map((p) => [p.KeyPairId, p.KeyPairName, p.KeyPairFingerPrint]),
                before.map((p) => [p.keyPairId, p.keyPairName, p.keyPairFingerPrint]),
            );
            await clientError(call("CreateKeyPair", { KeyPairName: "survivor" }), "PubKeyNameExisted", 400);
            assert.strictEqual(pairsOf(described)[0].KeyPairId, created.KeyPairId);
        });
    });

    describe("faults", () => {
        for (const [error, status] of [
            ["Throttling", 400],
            ["InternalError", 500],
            ["ServiceUnavailable", 503],
        ] as const) {
            it(`answers every call with ${error} (${status}) at rate 1, running none`, async () => {
                const server = await start({ faults: { rate: 1, errors: [error] } });
                const call = officialClient(server);
                await clientError(call("CreateKeyPair", { KeyPairName: "never" }), error, status);
                await clientError(call("DescribeKeyPairs"), error, status);
                assert.deepStrictEqual(server.listKeyPairs(), []);
                const stats = server.stats();
                assert.deepStrictEqual(stats.faultsInjected, { [error]: 2 });
                assert.deepStrictEqual(stats.errors, { [error]: 2 });
                assert.deepStrictEqual(stats.calls, { CreateKeyPair: 1, DescribeKeyPairs: 1 });
            });
        }

        it("checks signatures before injecting, and picks among all three errors by default", async () => {
            const server = await start({ faults: { rate: 1 } });
            await clientError(officialClient(server, { secret: "wrong" })("DescribeKeyPairs"), "SignatureDoesNotMatch", 400);
            const call = officialClient(server);
            const codes = new Set<string>();
            for (let i = 0; i < 30; i++) {
                codes.add(
                    await call("DescribeKeyPairs").then(
                        () => "none",
                        (e: ClientError) => e.code,
                    ),
                );
            }
            assert.deepStrictEqual([...codes].sort(), ["InternalError", "ServiceUnavailable", "Throttling"]);
        });

        it("stops after maxFaults, limits faults to the given actions, and turns off with setFaults({})", async () => {
            const server = await start({
                faults: { rate: 1, errors: ["ServiceUnavailable"], maxFaults: 2, actions: ["DescribeKeyPairs"] },
            });
            const call = officialClient(server);
            await call("DeleteKeyPairs", { KeyPairName: "nothing" });
            await clientError(call("DescribeKeyPairs"), "ServiceUnavailable", 503);
            await clientError(call("DescribeKeyPairs"), "ServiceUnavailable", 503);
            await call("DescribeKeyPairs");
            server.setFaults({ rate: 1, errors: ["Throttling"] });
            await clientError(call("DeleteKeyPairs", { KeyPairName: "nothing" }), "Throttling", 400);
            server.setFaults({});
            await call("DeleteKeyPairs", { KeyPairName: "nothing" });
            assert.deepStrictEqual(server.stats().faultsInjected, { ServiceUnavailable: 2, Throttling: 1 });
        });

        it("throttles in bursts: after every `every` calls in scope, the next `length`, counted towards maxFaults", async () => {
            const server = await start({ faults: { throttleBursts: { every: 3, length: 2 }, actions: ["DescribeKeyPairs"] } });
            const call = officialClient(server);
            const outcomes: string[] = [];
            for (let i = 0; i < 10; i++) {
                outcomes.push(
                    await call("DescribeKeyPairs").then(
                        () => "ok",
                        (e: ClientError) => e.code,
                    ),
                );
                // Out of scope: neither throttled nor counted in the rhythm.
                await call("DeleteKeyPairs", { KeyPairName: "nothing" });
            }
            assert.deepStrictEqual(outcomes, ["ok", "ok", "ok", "Throttling", "Throttling", "ok", "ok", "ok", "Throttling", "Throttling"]);
            assert.deepStrictEqual(server.stats().faultsInjected, { Throttling: 4 });

            server.setFaults({ throttleBursts: { every: 1, length: 5 }, maxFaults: 2 });
            await call("DescribeKeyPairs");
            await clientError(call("DescribeKeyPairs"), "Throttling", 400);
            await clientError(call("DescribeKeyPairs"), "Throttling", 400);
            await call("DescribeKeyPairs");
            assert.deepStrictEqual(server.stats().faultsInjected, { Throttling: 6 });
            assert.throws(() => server.setFaults({ throttleBursts: { every: 0, length: 1 } }), /throttleBursts\.every/);
            assert.throws(() => server.setFaults({ throttleBursts: { every: 2, length: 1.5 } }), /throttleBursts\.length/);
        });

        it("runs a call whose client gave up during latencyMs: the request was read before the delay", async () => {
            const { server, wait, logged } = await importGivenUp({ latencyMs: 1500 }, "gave-up");
            assert.deepStrictEqual(server.listKeyPairs(), [], "not run before the delay is over");
            wait.release();
            await logged;
            assert.deepStrictEqual(
                server.listKeyPairs().map((p) => p.keyPairName),
                ["gave-up"],
            );
        });

        it("holds the answer of a committed call for latencyAfterCommitMs, and only for the fault actions", async () => {
            const held = heldDelays();
            const server = await start({ faults: { latencyAfterCommitMs: 2000, actions: ["ImportKeyPair"] }, delay: held.delay });
            const call = officialClient(server);
            let answered = false;
            const importing = call("ImportKeyPair", { KeyPairName: "slow-answer", PublicKeyBody: await rsaLine() }).finally(() => {
                answered = true;
            });
            const wait = await held.next();
            assert.strictEqual(wait.ms, 2000, "the answer waits latencyAfterCommitMs");
            assert.deepStrictEqual(
                server.listKeyPairs().map((p) => p.keyPairName),
                ["slow-answer"],
                "committed while the answer is still due",
            );
            // A wait of the other actions would never end, so their answers prove they did not wait.
            await call("CreateKeyPair", { KeyPairName: "not-delayed" });
            await call("DescribeKeyPairs");
            assert.strictEqual(held.started(), 1, "only the import waited");
            assert.strictEqual(answered, false, "the import's answer is still held");
            wait.release();
            await importing;
        });

        it("loses the answer of a committed call whose client gave up during latencyAfterCommitMs", async () => {
            const { server, wait, logged } = await importGivenUp({ latencyAfterCommitMs: 5000 }, "answer-lost");
            wait.release();
            assert.match(await logged, / 200 OK /, "answered into a closed connection");
            assert.deepStrictEqual(
                server.listKeyPairs().map((p) => p.keyPairName),
                ["answer-lost"],
            );
        });

        it("delays every response by latencyMs", async () => {
            const held = heldDelays();
            const server = await start({ faults: { latencyMs: 300 }, delay: held.delay });
            const call = officialClient(server);
            let answered = false;
            const first = call("DescribeKeyPairs").finally(() => {
                answered = true;
            });
            const wait = await held.next();
            assert.strictEqual(wait.ms, 300);
            assert.strictEqual(answered, false, "no answer before the delay is over");
            wait.release();
            await first;
            server.setFaults({});
            // A wait would never end, so an answer proves there was none.
            await call("DescribeKeyPairs");
            assert.strictEqual(held.started(), 1, "no delay without latencyMs");
        });

        it("commits a create, then drops the connection: the client sees a socket error, the pair exists", async () => {
            const server = await start({ faults: { dropAfterCommit: 1 } });
            const call = officialClient(server);
            let thrown: unknown;
            try {
                await call("CreateKeyPair", { KeyPairName: "lost-key" });
            } catch (err) {
                thrown = err;
            }
            assert.ok(thrown instanceof Error, "the create must fail on the client side");
            assert.match(`${(thrown as NodeJS.ErrnoException).code} ${thrown.message}`, /ECONNRESET|socket hang up/);
            await assert.rejects(
                call("ImportKeyPair", { KeyPairName: "lost-import", PublicKeyBody: await rsaLine() }),
                /ECONNRESET|socket hang up/,
            );

            const described = await call("DescribeKeyPairs");
            assert.deepStrictEqual(
                pairsOf(described).map((p) => p.KeyPairName),
                ["lost-key", "lost-import"],
            );
            await call("DeleteKeyPairs", { KeyPairName: "lost-key" });
            assert.strictEqual(server.stats().droppedAfterCommit, 2, "reads and deletes are never dropped");
            await clientError(call("CreateKeyPair", { KeyPairName: "lost-import" }), "PubKeyNameExisted", 400);
            assert.strictEqual(server.stats().droppedAfterCommit, 2, "failed creates commit nothing, so nothing is dropped");
        });
    });

    describe("commit events", () => {
        it("reports each committed change while its answer is still due, and nothing for reads or failures", async () => {
            const server = await start({ faults: { latencyAfterCommitMs: 60_000, actions: ["ImportKeyPair"] } });
            const call = officialClient(server);
            const seen: string[] = [];
            let answered = false;
            let resolveCommitted: () => void = () => undefined;
            const committed = new Promise<void>((resolve) => (resolveCommitted = resolve));
            const stop = server.onCommit(({ action, created, deleted }) => {
                seen.push(`${action} +${created.map((p) => p.keyPairName).join(",")} -${deleted.map((p) => p.keyPairName).join(",")}`);
                if (action === "ImportKeyPair") {
                    assert.strictEqual(answered, false, "the event comes before the answer");
                    resolveCommitted();
                }
            });
            const importing = call("ImportKeyPair", { KeyPairName: "held", PublicKeyBody: await rsaLine() }).then(
                () => (answered = true),
                () => (answered = true),
            );
            await committed;
            assert.deepStrictEqual(
                server.listKeyPairs().map((p) => p.keyPairName),
                ["held"],
            );
            server.setFaults({});
            await call("CreateKeyPair", { KeyPairName: "made" });
            await call("DescribeKeyPairs");
            await clientError(call("CreateKeyPair", { KeyPairName: "made" }), "PubKeyNameExisted", 400);
            await call("DeleteKeyPairs", { KeyPairName: "made" });
            await call("DeleteKeyPairs", { KeyPairName: "made" });
            stop();
            await call("DeleteKeyPairs", { KeyPairName: "held" });
            assert.deepStrictEqual(seen, [
                "ImportKeyPair +held -",
                "CreateKeyPair +made -",
                "DeleteKeyPairs + -made",
                "DeleteKeyPairs + -",
            ]);
            await server.close();
            await importing;
            assert.strictEqual(answered, true);
        });

        it("holds a committed call's answer until the promise a listener returns settles", async () => {
            const server = await start();
            let release: () => void = () => undefined;
            const held = new Promise<void>((resolve) => (release = resolve));
            let answered = false;
            let resolveCommitted: () => void = () => undefined;
            const committed = new Promise<void>((resolve) => (resolveCommitted = resolve));
            server.onCommit(() => {
                resolveCommitted();
                return held;
            });
            const creating = officialClient(server)("CreateKeyPair", { KeyPairName: "held-answer" }).then((body) => {
                answered = true;
                return body;
            });
            await committed;
            // Other calls go on meanwhile; the held one is still unanswered after them.
            await officialClient(server)("DescribeKeyPairs");
            assert.strictEqual(answered, false);
            release();
            assert.strictEqual((await creating).KeyPairName, "held-answer");
        });

        it("answers a committed call although a listener throws or its promise rejects", async () => {
            const lines: string[] = [];
            const server = await start({ log: (line) => lines.push(line) });
            server.onCommit(() => {
                throw new Error("listener bug");
            });
            server.onCommit(() => Promise.reject(new Error("held in vain")));
            await officialClient(server)("CreateKeyPair", { KeyPairName: "still-answered" });
            assert.ok(lines.some((line) => line.includes("a commit listener failed") && line.includes("listener bug")));
            assert.ok(lines.some((line) => line.includes("a commit listener failed") && line.includes("held in vain")));
        });
    });

    describe("stats", () => {
        it("counts requests, calls by action and errors by code", async () => {
            const server = await start();
            const call = officialClient(server);
            await call("DescribeKeyPairs");
            await call("DescribeKeyPairs");
            await clientError(call("CreateKeyPair"), "MissingParameter", 400);
            await clientError(officialClient(server, { secret: "wrong" })("DescribeKeyPairs"), "SignatureDoesNotMatch", 400);
            assert.deepStrictEqual(server.stats(), {
                requests: 4,
                calls: { DescribeKeyPairs: 2, CreateKeyPair: 1 },
                errors: { MissingParameter: 1, SignatureDoesNotMatch: 1 },
                faultsInjected: {},
                droppedAfterCommit: 0,
            });
        });
    });

    describe("command line", () => {
        it("reads flags, falling back to environment variables", () => {
            const parsed = parseCli(
                [
                    "--port",
                    "8080",
                    "--db",
                    "./ens.db",
                    "--access-key",
                    "id1:se:cret",
                    "--access-key",
                    "id2:s2",
                    "--fault-rate",
                    "0.25",
                    "--fault-errors",
                    "Throttling,InternalError",
                    "--drop-after-commit",
                    "1",
                    "--throttle-bursts",
                    "200:20",
                ],
                {
                    ENS_SERVER_LATENCY_MS: "40",
                    ENS_SERVER_LATENCY_AFTER_COMMIT_MS: "1500",
                    ENS_SERVER_SECURITY_TOKENS: "t1,t2",
                    ENS_SERVER_PORT: "9",
                },
            );
            assert.ok(!parsed.help);
            const { log, ...server } = parsed.server;
            assert.strictEqual(log, undefined);
            assert.deepStrictEqual(server, {
                port: 8080,
                host: undefined,
                dbPath: "./ens.db",
                accessKeys: { id1: "se:cret", id2: "s2" },
                securityTokens: ["t1", "t2"],
                faults: {
                    rate: 0.25,
                    errors: ["Throttling", "InternalError"],
                    throttleBursts: { every: 200, length: 20 },
                    latencyMs: 40,
                    latencyAfterCommitMs: 1500,
                    dropAfterCommit: 1,
                    actions: undefined,
                    maxFaults: undefined,
                },
            });
        });

        it("takes Alibaba Cloud's credential variables when no key is given", () => {
            const parsed = parseCli([], {
                ALIBABA_CLOUD_ACCESS_KEY_ID: "env-id",
                ALIBABA_CLOUD_ACCESS_KEY_SECRET: "env-secret",
                ALIBABA_CLOUD_SECURITY_TOKEN: "env-token",
            });
            assert.ok(!parsed.help);
            assert.deepStrictEqual([parsed.server.accessKeys, parsed.server.securityTokens], [{ "env-id": "env-secret" }, ["env-token"]]);
            const bare = parseCli([], {});
            assert.ok(!bare.help);
            assert.strictEqual(bare.server.accessKeys, undefined, "the server then uses its default key");
        });

        it("refuses bad values and unknown flags", () => {
            assert.deepStrictEqual(parseCli(["--help"], {}), { help: true });
            assert.throws(() => parseCli(["--port", "70000"], {}), /--port/);
            assert.throws(() => parseCli(["--fault-rate", "lots"], {}), /--fault-rate/);
            assert.throws(() => parseCli(["--fault-rate", "2"], {}), /rate/);
            assert.throws(() => parseCli(["--fault-errors", "Teapot"], {}), /Teapot/);
            assert.throws(() => parseCli(["--access-key", "no-secret"], {}), /ID:SECRET/);
            assert.throws(() => parseCli(["--throttle-bursts", "20"], {}), /--throttle-bursts must be EVERY:LENGTH/);
            assert.throws(() => parseCli(["--throttle-bursts", "0:5"], {}), /throttleBursts\.every/);
            assert.throws(() => parseCli(["--bogus"], {}), /bogus/);
        });
    });
});
