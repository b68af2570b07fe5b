// The provider process's lifetime: the probe of the engine's address against real sockets, and
// the watch driven step by step (injected waits and exit, no timer). The whole, under a real
// `pulumi up` killed with kill -9, is in e2e.ens.test.ts.
import * as assert from "assert";
import { EventEmitter } from "events";
import { createServer, Server } from "net";
import { dynamicProviderEngine, engineListening, EngineWatchOptions, processLifetime, watchEngine } from "../provider/lifetime";

/** A stand-in for the engine's gRPC server: something listening on a loopback port. */
async function listener(): Promise<{ server: Server; address: string }> {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    return { server, address: `127.0.0.1:${port}` };
}

/** A watch whose checks answer from `answers` and whose waits are released one at a time by `step`. */
function steppedWatch(answers: boolean[], options: Partial<EngineWatchOptions> = {}) {
    const waits: number[] = [];
    let release: (() => void) | undefined;
    let exits = 0;
    const lifetime = watchEngine("127.0.0.1:1", {
        intervalMs: 1000,
        graceMs: 22_000,
        listening: async () => answers.shift() ?? false,
        wait: (ms) =>
            new Promise<void>((resolve) => {
                waits.push(ms);
                release = resolve;
            }),
        exit: () => exits++,
        outputs: [],
        ...options,
    });
    /** Lets the pending wait end, then lets the watch run up to its next wait or its end. */
    const step = async () => {
        const pending = release;
        release = undefined;
        pending?.();
        await new Promise((resolve) => setImmediate(resolve));
    };
    return { lifetime, waits, step, exits: () => exits };
}

describe("the provider's lifetime", () => {
    it("probes the engine's address: listening while a server accepts there, gone once it is closed", async () => {
        const { server, address } = await listener();
        assert.strictEqual(await engineListening(address), true);
        await new Promise((resolve) => server.close(resolve));
        assert.strictEqual(await engineListening(address), false);
    });

    it("aborts its signal once the engine stops listening, checking every interval, and ends an idle process at once", async () => {
        const watch = steppedWatch([true, true]);
        await watch.step();
        assert.deepStrictEqual(watch.waits, [1000]);
        assert.strictEqual(watch.lifetime.signal.aborted, false);
        await watch.step();
        assert.strictEqual(watch.lifetime.signal.aborted, false);
        await watch.step();
        assert.strictEqual(watch.lifetime.signal.aborted, true);
        assert.match(
            String((watch.lifetime.signal.reason as Error).message),
            /engine that started this provider \(at 127\.0\.0\.1:1\) is gone/,
        );
        assert.strictEqual(watch.exits(), 1);
    });

    it("ends the process only once held work has settled, when the engine goes while a request is in flight", async () => {
        let answer: (() => void) | undefined;
        const watch = steppedWatch([true]);
        const inFlight = watch.lifetime.hold(() => new Promise<string>((resolve) => (answer = () => resolve("answered"))));
        await watch.step();
        await watch.step();
        assert.strictEqual(watch.lifetime.signal.aborted, true);
        assert.strictEqual(watch.exits(), 0, "not while the request is in flight");
        answer?.();
        assert.strictEqual(await inFlight, "answered");
        assert.strictEqual(watch.exits(), 1);
        await watch.step();
        assert.strictEqual(watch.exits(), 1, "ends once");
    });

    it("ends the process after the grace period if held work never settles", async () => {
        const watch = steppedWatch([]);
        void watch.lifetime.hold(() => new Promise(() => undefined));
        await watch.step();
        assert.strictEqual(watch.lifetime.signal.aborted, true);
        assert.deepStrictEqual(watch.waits, [22_000]);
        assert.strictEqual(watch.exits(), 0);
        await watch.step();
        assert.strictEqual(watch.exits(), 1);
    });

    it("checks on demand, before a request goes out: gone at once, without waiting for the next interval", async () => {
        const watch = steppedWatch([true, true, false]);
        await watch.step();
        assert.deepStrictEqual(watch.waits, [1000]);
        await watch.lifetime.check();
        assert.strictEqual(watch.lifetime.signal.aborted, false, "the engine answered");
        await watch.lifetime.check();
        assert.strictEqual(watch.lifetime.signal.aborted, true);
        assert.strictEqual(watch.exits(), 1);
        await watch.step();
        assert.strictEqual(watch.exits(), 1, "the interval's check, later, ends nothing twice");
    });

    it("takes a write to its output failing with EPIPE as the engine gone, and handles every error there (Pulumi's host would log it there again, forever)", async () => {
        const stderr = new EventEmitter();
        const watch = steppedWatch([true, true, true], { outputs: [stderr] });
        await watch.step();
        stderr.emit("error", Object.assign(new Error("write EAGAIN"), { code: "EAGAIN" }));
        assert.strictEqual(watch.lifetime.signal.aborted, false);
        stderr.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
        assert.strictEqual(watch.lifetime.signal.aborted, true);
        assert.strictEqual(watch.exits(), 1);
    });

    it("finds the engine's address only in Pulumi's dynamic provider host", () => {
        const host = "/app/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js";
        assert.strictEqual(dynamicProviderEngine(["/usr/bin/node", host, "127.0.0.1:35137"], host), "127.0.0.1:35137");
        assert.strictEqual(dynamicProviderEngine(["node", host, "--tracing", "x", "[::1]:4000"], host), "[::1]:4000");
        assert.strictEqual(dynamicProviderEngine(["node", "/app/index.js", "127.0.0.1:80"], "/app/index.js"), undefined);
        assert.strictEqual(dynamicProviderEngine(["node", host], host), undefined);
    });

    it("never ends in a process no engine started, such as this test run", async () => {
        const lifetime = processLifetime();
        assert.strictEqual(lifetime.signal.aborted, false);
        assert.strictEqual(await lifetime.hold(async () => 42), 42);
    });
});
