// EnsClient against the ENS-compatible server over real HTTP: every action, the errors the service
// answers with, signature rejection, and retries under injected faults and timeouts.
import * as assert from "assert";
import * as net from "net";
import { EnsClient, EnsClientOptions, EnsTransportError, outcomeUnknown, parseEndpoint } from "../provider/ens/client";
import { EnsError } from "../provider/ens/errors";
import { fingerprints } from "../provider/keys/fingerprints";
import { generateKeyMaterial, keyMaterialOf } from "../provider/keys/material";
import { defaultAccessKey, EnsServer, startEnsServer } from "../ens-server/server";
import { heldDelays } from "./helpers/heldDelays";
import { expectEnsError, ExpectedEnsError, rejectsWithEnsError, requestIdShape } from "./helpers/ensErrors";
import { assertStampedBetween } from "./helpers/clock";
import { assertArmour } from "./helpers/pem";
import { run } from "./helpers/run";
import { withTempDir } from "./helpers/tempDir";
import * as fs from "fs";
import * as https from "https";
import * as path from "path";

const timestampShape = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** What an error ENS answered with must be: this code and status, a RequestId, no secret. */
function answered(code: string, httpStatus: number): ExpectedEnsError {
    return { code, httpStatus, answered: true, omits: [defaultAccessKey.secret] };
}

async function rejectsWithTransport(
    promise: Promise<unknown>,
    reason: string | RegExp,
    maybeDelivered: boolean,
): Promise<EnsTransportError> {
    let caught: unknown;
    await promise.catch((err: unknown) => {
        caught = err;
    });
    assert.ok(caught instanceof EnsTransportError, `expected EnsTransportError, got ${String(caught)}`);
    if (typeof reason === "string") {
        assert.strictEqual(caught.reason, reason);
    } else {
        assert.match(caught.reason, reason);
    }
    assert.strictEqual(caught.maybeDelivered, maybeDelivered);
    assert.strictEqual(outcomeUnknown(caught), maybeDelivered);
    assert.ok(!caught.message.includes(defaultAccessKey.id), "the message does not quote the request URL");
    return caught;
}

/** An HTTPS server on 127.0.0.1 with a self-signed certificate, which no client trusts. */
async function startTlsServer(): Promise<{ port: number; requests(): number; close(): Promise<void> }> {
    return withTempDir(async (dir) => {
        const key = path.join(dir, "key.pem");
        const cert = path.join(dir, "cert.pem");
        const subject = ["-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert];
        run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", ...subject]);
        let requests = 0;
        const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) => {
            requests++;
            res.end("{}");
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        return {
            port: (server.address() as net.AddressInfo).port,
            requests: () => requests,
            close: () => new Promise<void>((resolve) => server.close(() => resolve())),
        };
    });
}

/**
 * A TCP relay in front of `server` that resets a connection when a second request comes on it, as
 * a server does that closes an idle connection just as the client sends on it again.
 */
async function idleClosingRelay(server: EnsServer) {
    const sockets = new Set<net.Socket>();
    const counts = { connections: 0, reset: 0 };
    const relay = net.createServer((down) => {
        counts.connections++;
        const up = net.connect(server.port, server.host);
        let answered = false;
        for (const socket of [down, up]) {
            sockets.add(socket);
            socket.on("error", () => undefined);
            socket.on("close", () => {
                sockets.delete(socket);
                down.destroy();
                up.destroy();
            });
        }
        up.on("data", (chunk: Buffer) => {
            answered = true;
            down.write(chunk);
        });
        down.on("data", (chunk: Buffer) => {
            if (answered) {
                counts.reset++;
                down.resetAndDestroy();
            } else {
                up.write(chunk);
            }
        });
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    return {
        url: `http://127.0.0.1:${(relay.address() as net.AddressInfo).port}`,
        counts: () => ({ ...counts }),
        close: () => {
            sockets.forEach((socket) => socket.destroy());
            return new Promise<void>((resolve) => relay.close(() => resolve()));
        },
    };
}

describe("EnsClient against the ENS-compatible server", function () {
    let server: EnsServer;
    let rsaPublicKey: string;
    let delays: number[];
    let seq = 0;
    const name = (label: string) => `client-${label}-${++seq}`;

    /** A client for the server, never really waiting between retries (it records the delays instead). */
    function client(options: Partial<EnsClientOptions> = {}): EnsClient {
        return new EnsClient({
            endpoint: server.url,
            accessKeyId: defaultAccessKey.id,
            accessKeySecret: defaultAccessKey.secret,
            retry: { sleep: async (ms) => void delays.push(ms), random: () => 0.5 },
            ...options,
        });
    }

    before(async () => {
        server = await startEnsServer({ securityTokens: ["sts-token-1"] });
        rsaPublicKey = (await generateKeyMaterial({ keyType: "rsa" })).publicKeyOpenssh;
    });

    after(async () => {
        await server?.close();
    });

    beforeEach(() => {
        delays = [];
        server.setFaults({});
    });

    describe("actions", () => {
        it("CreateKeyPair returns the pair and its PKCS#8 private key, whose fingerprint ENS reports", async () => {
            // A local clock stuck in 1970, so a serverTime from now on can only be the server's.
            const c = client({ now: () => 0 });
            const n = name("create");
            const before = Date.now();
            const created = await c.createKeyPair(n);
            const after = Date.now();
            assert.match(created.keyPairId, /^ssh-[a-z0-9]{23}$/);
            assert.strictEqual(created.keyPairName, n);
            assertArmour(created.privateKeyBody, "PRIVATE KEY");
            assert.strictEqual(keyMaterialOf(created.privateKeyBody).keyPairFingerPrint, created.keyPairFingerPrint);
            assert.match(created.requestId, requestIdShape);
            assert.match(created.serverTime, timestampShape);
            // Node writes the Date header from a per-second cache that a timer clears, so it may lag a second.
            assertStampedBetween(created.serverTime, before - 1000, after, "serverTime is the server's clock");
            assert.ok(server.listKeyPairs().some((p) => p.keyPairId === created.keyPairId && p.keyPairName === n));
            assert.deepStrictEqual(c.stats(), { calls: 1, attempts: 1, retries: 0 });
        });

        it("ImportKeyPair registers an ssh-rsa key under its fingerprint", async () => {
            const n = name("import");
            const imported = await client().importKeyPair(n, rsaPublicKey);
            assert.strictEqual(imported.keyPairName, n);
            assert.strictEqual(imported.keyPairFingerPrint, fingerprints(rsaPublicKey).keyPairFingerPrint);
            assert.match(imported.requestId, requestIdShape);
            const stored = server.listKeyPairs().find((p) => p.keyPairName === n);
            assert.strictEqual(stored?.publicKey, rsaPublicKey);
        });

        it("DescribeKeyPairs filters by exact name and by id", async () => {
            const c = client();
            const n = name("describe");
            const created = await c.createKeyPair(n);
            await c.createKeyPair(`${n}x`);
            const byName = await c.describeKeyPairs({ keyPairName: n });
            assert.deepStrictEqual(
                byName.keyPairs.map((p) => p.keyPairId),
                [created.keyPairId],
            );
            assert.strictEqual(byName.totalCount, 1);
            const byId = await c.describeKeyPairs({ keyPairId: created.keyPairId });
            assert.strictEqual(byId.keyPairs.length, 1);
            const [pair] = byId.keyPairs;
            assert.strictEqual(pair.keyPairName, n);
            assert.strictEqual(pair.keyPairFingerPrint, created.keyPairFingerPrint);
            assert.match(pair.creationTime, timestampShape);
            assert.match(byId.requestId, requestIdShape);
            const none = await c.describeKeyPairs({ keyPairName: name("absent") });
            assert.deepStrictEqual([none.keyPairs, none.totalCount], [[], 0]);
        });

        it("DescribeKeyPairs walks every page", async () => {
            const c = client();
            const prefix = name("page");
            for (let i = 0; i < 60; i++) {
                await c.importKeyPair(`${prefix}-${i}`, rsaPublicKey);
            }
            const before = server.stats().calls.DescribeKeyPairs ?? 0;
            const all = await c.describeKeyPairs();
            const expected = server.listKeyPairs().map((p) => p.keyPairId);
            assert.ok(expected.length > 60);
            assert.strictEqual(all.totalCount, expected.length);
            assert.deepStrictEqual(
                all.keyPairs.map((p) => p.keyPairId),
                expected,
                "every pair, once, in the server's order",
            );
            assert.strictEqual((server.stats().calls.DescribeKeyPairs ?? 0) - before, Math.ceil(expected.length / 50));
        });

        it("DeleteKeyPairs deletes by id and by name", async () => {
            const c = client();
            const [a, b] = [name("del"), name("del")];
            const first = await c.createKeyPair(a);
            await c.createKeyPair(b);
            const answer = await c.deleteKeyPairs({ keyPairId: first.keyPairId });
            assert.match(answer.requestId, requestIdShape);
            await c.deleteKeyPairs({ keyPairName: b });
            const names = server.listKeyPairs().map((p) => p.keyPairName);
            assert.ok(!names.includes(a) && !names.includes(b));
        });

        it("signs with STS credentials, and over a RegionId where one is configured", async () => {
            const pairs = await client({ securityToken: "sts-token-1", regionId: "cn-hangzhou" }).describeKeyPairs();
            assert.strictEqual(pairs.totalCount, server.listKeyPairs().length);
        });
    });

    describe("errors", () => {
        it("PubKeyNameExisted for a taken name, from create and import, without retrying", async () => {
            const c = client();
            const n = name("taken");
            const original = await c.createKeyPair(n);
            await rejectsWithEnsError(c.createKeyPair(n), answered("PubKeyNameExisted", 400));
            await rejectsWithEnsError(c.importKeyPair(n, rsaPublicKey), answered("PubKeyNameExisted", 400));
            assert.deepStrictEqual(c.stats(), { calls: 3, attempts: 3, retries: 0 });
            const kept = server.listKeyPairs().filter((p) => p.keyPairName === n);
            assert.deepStrictEqual(
                kept.map((p) => p.keyPairId),
                [original.keyPairId],
            );
        });

        it("InvalidParameter.KeyPairName for a name breaking ENS's rules", async () => {
            const err = await rejectsWithEnsError(
                client().createKeyPair("9starts-with-a-digit"),
                answered("InvalidParameter.KeyPairName", 400),
            );
            assert.match(err.message, /start with a letter/);
        });

        it("MissingParameter for an empty name", async () => {
            await rejectsWithEnsError(client().createKeyPair(""), answered("MissingParameter", 400));
        });

        it("InvalidParameter.PublicKeyBody for a key that is not ssh-rsa, or not a key", async () => {
            const ed25519 = (await generateKeyMaterial({ keyType: "ed25519" })).publicKeyOpenssh;
            await rejectsWithEnsError(client().importKeyPair(name("ed"), ed25519), answered("InvalidParameter.PublicKeyBody", 400));
            await rejectsWithEnsError(
                client().importKeyPair(name("junk"), "ssh-rsa not-base64!"),
                answered("InvalidParameter.PublicKeyBody", 400),
            );
        });

        it("SignatureDoesNotMatch for a wrong secret, not retried", async () => {
            const c = client({ accessKeySecret: "not-the-secret" });
            const err = await rejectsWithEnsError(c.describeKeyPairs(), answered("SignatureDoesNotMatch", 400));
            assert.ok(!err.message.includes("not-the-secret"));
            assert.strictEqual(c.stats().attempts, 1);
        });

        it("InvalidAccessKeyId.NotFound for an unknown AccessKeyId", async () => {
            await rejectsWithEnsError(
                client({ accessKeyId: "unknown-key-id" }).describeKeyPairs(),
                answered("InvalidAccessKeyId.NotFound", 404),
            );
        });

        it("InvalidSecurityToken.Expired for an STS token the service does not know", async () => {
            await rejectsWithEnsError(
                client({ securityToken: "stale-token" }).describeKeyPairs(),
                answered("InvalidSecurityToken.Expired", 400),
            );
        });

        it("client errors are not outcome-unknown; server errors are", async () => {
            assert.strictEqual(outcomeUnknown(new EnsError("PubKeyNameExisted", "m")), false);
            assert.strictEqual(outcomeUnknown(new EnsError("Throttling", "m")), false);
            assert.strictEqual(outcomeUnknown(new EnsError("InternalError", "m", { httpStatus: 500 })), true);
            assert.strictEqual(outcomeUnknown(new Error("anything else")), false);
        });
    });

    describe("retries", () => {
        it("retries Throttling with jittered exponential backoff, then succeeds", async () => {
            server.setFaults({ rate: 1, errors: ["Throttling"], maxFaults: 2 });
            const c = client();
            const listing = await c.describeKeyPairs({ keyPairName: "absent" });
            assert.strictEqual(listing.totalCount, 0);
            assert.deepStrictEqual(c.stats(), { calls: 1, attempts: 3, retries: 2 });
            assert.deepStrictEqual(delays, [100, 200], "half of 200 ms, then half of 400 ms");
            assert.strictEqual(server.stats().faultsInjected.Throttling >= 2, true);
        });

        it("retries InternalError and ServiceUnavailable for reads and deletes", async () => {
            const c = client();
            const created = await c.createKeyPair(name("flaky"));
            server.setFaults({ rate: 1, errors: ["InternalError", "ServiceUnavailable"], maxFaults: 3 });
            await c.deleteKeyPairs({ keyPairId: created.keyPairId });
            assert.ok(!server.listKeyPairs().some((p) => p.keyPairId === created.keyPairId));
            assert.deepStrictEqual(c.stats(), { calls: 2, attempts: 5, retries: 3 });
        });

        it("gives up after the policy's attempts with the service's error", async () => {
            server.setFaults({ rate: 1, errors: ["ServiceUnavailable"] });
            const c = client();
            await rejectsWithEnsError(c.describeKeyPairs({ keyPairName: "absent" }), answered("ServiceUnavailable", 503));
            assert.deepStrictEqual(c.stats(), { calls: 1, attempts: 7, retries: 6 });
            assert.deepStrictEqual(delays, [100, 200, 400, 800, 1600, 1600], "doubling up to the cap, halved by the draw");
        });

        it("retries a throttled create, which cannot have run", async () => {
            server.setFaults({ rate: 1, errors: ["Throttling"], maxFaults: 1, actions: ["CreateKeyPair"] });
            const c = client();
            const n = name("throttled");
            await c.createKeyPair(n);
            assert.deepStrictEqual(c.stats(), { calls: 1, attempts: 2, retries: 1 });
            assert.strictEqual(server.listKeyPairs().filter((p) => p.keyPairName === n).length, 1);
        });

        it("does not repeat a create that failed server-side: its outcome is unknown", async () => {
            server.setFaults({ rate: 1, errors: ["InternalError"], actions: ["CreateKeyPair", "ImportKeyPair"] });
            const c = client();
            const err = await rejectsWithEnsError(c.createKeyPair(name("ise")), answered("InternalError", 500));
            assert.strictEqual(outcomeUnknown(err), true);
            await rejectsWithEnsError(c.importKeyPair(name("ise"), rsaPublicKey), answered("InternalError", 500));
            assert.deepStrictEqual(c.stats(), { calls: 2, attempts: 2, retries: 0 });
        });

        it("reports a create whose connection dropped after the commit as maybe delivered, without retrying", async () => {
            server.setFaults({ dropAfterCommit: 1, actions: ["CreateKeyPair"] });
            const c = client();
            const n = name("dropped");
            await rejectsWithTransport(c.createKeyPair(n), /^E[A-Z]+$/, true);
            assert.strictEqual(c.stats().attempts, 1);
            assert.strictEqual(server.stats().droppedAfterCommit >= 1, true);
            assert.strictEqual(server.listKeyPairs().filter((p) => p.keyPairName === n).length, 1, "the pair was committed");
        });

        it("times out a slow answer, retrying reads but not creates", async () => {
            // A server whose every answer waits until it closes: only the client's timeout ends a call.
            const slow = await startEnsServer({ faults: { latencyMs: 1 }, delay: heldDelays().delay });
            try {
                const reader = client({ endpoint: slow.url, timeoutMs: 100, retry: { maxAttempts: 2, sleep: async () => undefined } });
                await rejectsWithTransport(reader.describeKeyPairs(), "timeout", true);
                assert.deepStrictEqual(reader.stats(), { calls: 1, attempts: 2, retries: 1 });
                const creator = client({ endpoint: slow.url, timeoutMs: 100 });
                await rejectsWithTransport(creator.createKeyPair(name("slow")), "timeout", true);
                assert.strictEqual(creator.stats().attempts, 1);
            } finally {
                await slow.close();
            }
        });

        it("against a server that answers every call with a 5xx: a read or delete makes 7 requests with at most 9.4 s of backoff, a create or import 1, a lookup that settles a create 21", async () => {
            server.setFaults({ rate: 1, errors: ["InternalError", "ServiceUnavailable"] });
            const longest = client({ retry: { sleep: async (ms) => void delays.push(ms), random: () => 0.99999 } });
            const before = server.stats().requests;
            await assert.rejects(longest.describeKeyPairs(), EnsError);
            assert.strictEqual(server.stats().requests - before, 7);
            assert.deepStrictEqual(delays, [199, 399, 799, 1599, 3199, 3199], "the longest draws: 9.4 s in all");
            await assert.rejects(longest.deleteKeyPairs({ keyPairName: "any" }), EnsError);
            await assert.rejects(longest.createKeyPair(name("5xx")), EnsError);
            await assert.rejects(longest.importKeyPair(name("5xx"), rsaPublicKey), EnsError);
            assert.strictEqual(server.stats().requests - before, 7 + 7 + 1 + 1);
            assert.deepStrictEqual(longest.stats(), { calls: 4, attempts: 16, retries: 12 });
            delays.length = 0;
            await assert.rejects(longest.describeKeyPairs({ keyPairName: "any" }, { settling: true }), EnsError);
            assert.strictEqual(server.stats().requests - before, 16 + 21);
            assert.strictEqual(delays.length, 20);
            assert.strictEqual(
                delays.reduce((a, b) => a + b, 0),
                199 + 399 + 799 + 1599 + 16 * 3199,
                "at most 54.2 s in all",
            );
        });

        it("once its signal is aborted, sends no request: a call fails with the signal's reason, also between two attempts", async () => {
            const reason = new Error("The engine is gone (test).");
            const before = server.stats().requests;
            await assert.rejects(client({ signal: AbortSignal.abort(reason) }).describeKeyPairs(), (err) => err === reason);
            assert.strictEqual(server.stats().requests, before, "nothing was sent");

            server.setFaults({ rate: 1, errors: ["Throttling"] });
            const stop = new AbortController();
            const c = client({ signal: stop.signal, retry: { sleep: async () => stop.abort(reason) } });
            await assert.rejects(c.createKeyPair(name("stopped")), (err) => err === reason);
            assert.deepStrictEqual(c.stats(), { calls: 1, attempts: 1, retries: 1 }, "the retry after the wait was never sent");
            assert.strictEqual(server.stats().requests - before, 1);
        });

        it("retries a refused connection, even for a create: nothing was sent", async () => {
            const gone = await startEnsServer();
            const url = gone.url;
            await gone.close();
            const c = client({ endpoint: url });
            await rejectsWithTransport(c.createKeyPair(name("refused")), "ECONNREFUSED", false);
            assert.deepStrictEqual(c.stats(), { calls: 1, attempts: 7, retries: 6 });
        });
    });

    describe("connections", () => {
        it("sends every call on a connection of its own, so a server closing an idle connection resets none", async () => {
            const relay = await idleClosingRelay(server);
            try {
                const c = client({ endpoint: relay.url, retry: { maxAttempts: 1 } });
                const n = name("own-connection");
                await c.describeKeyPairs({ keyPairName: n });
                await c.createKeyPair(n);
                await c.importKeyPair(`${n}-imported`, rsaPublicKey);
                await c.deleteKeyPairs({ keyPairName: n });
                assert.deepStrictEqual(c.stats(), { calls: 4, attempts: 4, retries: 0 });
                assert.deepStrictEqual(relay.counts(), { connections: 4, reset: 0 });
            } finally {
                await relay.close();
            }
        });
    });

    describe("endpoints", () => {
        it("takes a host name as HTTPS and a URL's scheme and port as given", () => {
            assert.deepStrictEqual(parseEndpoint("ens.aliyuncs.com"), { protocol: "https", host: "ens.aliyuncs.com" });
            assert.deepStrictEqual(parseEndpoint("http://127.0.0.1:8080"), { protocol: "http", host: "127.0.0.1:8080" });
            assert.deepStrictEqual(parseEndpoint("https://ens.example.com/"), { protocol: "https", host: "ens.example.com" });
        });

        it("refuses other schemes, paths, credentials and junk, as InvalidParameter.Endpoint, quoting the endpoint up to its host", () => {
            for (const [bad, quoted] of [
                ["ftp://ens.aliyuncs.com", '"ftp://ens.aliyuncs.com"'],
                ["http://127.0.0.1:8080/api", '"http://127.0.0.1:8080/…"'],
                ["http://host/?q=1", '"http://host/…"'],
                ["not a host", '"not a host"'],
                ["", '""'],
            ]) {
                expectEnsError(() => parseEndpoint(bad), "InvalidParameter.Endpoint", `got ${quoted}.`);
            }
        });

        it("never quotes a password, a path or a query of the endpoint, which may hold credentials", () => {
            for (const bad of [
                "http://user:hunter2@127.0.0.1:8080",
                "https://user:hunter2@ens.example.com",
                "user:hunter2@ens.example.com",
                "https://user:hun/ter2@ens.example.com",
                "https://user:hunter2%40x@ens.example.com",
                "https://ens.example.com/?AccessKeySecret=hunter2",
                "https://ens.example.com/#hunter2",
                "https://ens.example.com/hunter2",
            ]) {
                const err = expectEnsError(() => parseEndpoint(bad), "InvalidParameter.Endpoint", "the ENS endpoint");
                assert.ok(!err.message.includes("hunter2") && !err.message.includes("ter2"), err.message);
            }
        });

        it("allows plain http:// only to this machine's loopback addresses, or with insecureHttp", () => {
            for (const local of [
                "http://127.0.0.1:8080",
                "http://127.3.2.1",
                "http://[::1]:8080",
                "http://localhost:8080",
                "http://LOCALHOST",
            ]) {
                assert.strictEqual(parseEndpoint(local).protocol, "http", local);
            }
            for (const remote of [
                "http://ens.aliyuncs.com",
                "http://10.0.0.1:8080",
                "http://[::2]",
                "http://localhost.example.com",
                "http://0.0.0.0",
            ]) {
                expectEnsError(
                    () => parseEndpoint(remote),
                    "InvalidParameter.Endpoint",
                    "may use plain http:// only for this machine (127.0.0.0/8, [::1], localhost)",
                    "ens-keypair:insecureHttp",
                );
                assert.deepStrictEqual(parseEndpoint(remote, true).protocol, "http", remote);
            }
            assert.throws(() => client({ endpoint: "http://ens.example.com" }), /InvalidParameter\.Endpoint/);
            assert.doesNotThrow(() => client({ endpoint: "http://ens.example.com", insecureHttp: true }));
        });

        it("reports a TLS failure by its code, without the library's message or the request's URL, and does not retry it", async () => {
            const tls = await startTlsServer();
            try {
                const reader = client({ endpoint: `https://127.0.0.1:${tls.port}` });
                const err = await rejectsWithTransport(
                    reader.describeKeyPairs({ keyPairName: "tls-probe" }),
                    "TLS: DEPTH_ZERO_SELF_SIGNED_CERT",
                    false,
                );
                assert.strictEqual(err.message, "DescribeKeyPairs got no answer from ENS (TLS: DEPTH_ZERO_SELF_SIGNED_CERT).");
                assert.deepStrictEqual(reader.stats(), { calls: 1, attempts: 1, retries: 0 }, "a certificate that fails now fails again");
                const creator = client({ endpoint: `https://127.0.0.1:${tls.port}` });
                await rejectsWithTransport(creator.createKeyPair("tls-probe"), "TLS: DEPTH_ZERO_SELF_SIGNED_CERT", false);
                assert.strictEqual(creator.stats().attempts, 1);
                assert.strictEqual(tls.requests(), 0, "no request got through the failed handshakes");
            } finally {
                await tls.close();
            }
        });
    });
});
