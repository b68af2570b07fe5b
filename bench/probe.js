// Preloaded (NODE_OPTIONS=--require) into the node processes the Pulumi CLI starts during the
// engine benchmarks, that is the dynamic provider. It measures from the outside, so the provider's
// own code carries no benchmark hooks:
//   - every key generation through node:crypto (count and duration), which is how the benchmark
//     proves that a no-change preview or up generates no key;
//   - every gRPC call the provider serves (method, start, duration), which splits `up` into time
//     spent inside the provider and time spent in the engine, the CLI and the SDK;
//   - the process's start and its peak resident memory (VmHWM) after each call.
// Lines are appended synchronously to one file per process under $BENCH_PROBE_DIR, because the
// engine kills the provider at the end of an operation and buffered lines would be lost.
// Plain JavaScript: it is loaded by a bare `node`, without ts-node.
"use strict";

const dir = process.env.BENCH_PROBE_DIR;
// The dynamic-provider shim also runs a one-line `node -e` to resolve the SDK: only the
// provider itself (the process that loads gRPC) writes anything.
if (dir) {
    const fs = require("fs");
    const path = require("path");
    const util = require("util");
    const crypto = require("crypto");
    const Module = require("module");
    const { performance } = require("perf_hooks");

    const file = path.join(dir, `probe-${process.pid}.log`);
    let opened = false;
    const now = () => performance.timeOrigin + performance.now();
    const write = (line) => {
        if (!opened) {
            opened = true;
            fs.appendFileSync(file, `start ${performance.timeOrigin.toFixed(1)} ${process.pid}\n`);
        }
        fs.appendFileSync(file, line + "\n");
    };
    const peakRssKiB = () => {
        const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
        return match ? Number(match[1]) : 0;
    };

    // Key generation. The provider promisifies generateKeyPair at load time, after this preload,
    // so it picks up the wrapper. Node's own function resolves its promisified form to
    // { publicKey, privateKey } through an internal marker a wrapper cannot carry, so the wrapper
    // declares that form itself.
    const original = crypto.generateKeyPair;
    const wrapped = function generateKeyPair(type, options, callback) {
        if (typeof options === "function") {
            callback = options;
            options = undefined;
        }
        const start = now();
        return original.call(this, type, options, (err, publicKey, privateKey) => {
            write(`gen ${type} ${start.toFixed(1)} ${(now() - start).toFixed(2)}`);
            callback(err, publicKey, privateKey);
        });
    };
    Object.defineProperty(wrapped, util.promisify.custom, {
        value: (type, options) =>
            new Promise((resolve, reject) => {
                wrapped(type, options, (err, publicKey, privateKey) => (err ? reject(err) : resolve({ publicKey, privateKey })));
            }),
    });
    crypto.generateKeyPair = wrapped;
    const originalSync = crypto.generateKeyPairSync;
    crypto.generateKeyPairSync = function generateKeyPairSync(type, options) {
        const start = now();
        const result = originalSync.call(this, type, options);
        write(`gen ${type} ${start.toFixed(1)} ${(now() - start).toFixed(2)}`);
        return result;
    };

    // gRPC calls: wrap the service implementation when the dynamic provider registers it.
    const patchGrpc = (grpc) => {
        const proto = grpc && grpc.Server && grpc.Server.prototype;
        if (!proto || proto.__benchProbe) {
            return;
        }
        proto.__benchProbe = true;
        const addService = proto.addService;
        proto.addService = function (service, implementation) {
            const timed = {};
            for (const name of Object.keys(service)) {
                const method = implementation[name] ?? Object.getPrototypeOf(implementation)[name];
                if (typeof method !== "function") {
                    continue;
                }
                timed[name] = (call, callback) => {
                    const start = now();
                    return method.call(implementation, call, (err, value) => {
                        write(`rpc ${name} ${start.toFixed(1)} ${(now() - start).toFixed(2)} ${peakRssKiB()}`);
                        callback(err, value);
                    });
                };
            }
            return addService.call(this, service, timed);
        };
    };
    const load = Module._load;
    Module._load = function (request, parent, isMain) {
        const exported = load.call(this, request, parent, isMain);
        if (request === "@grpc/grpc-js") {
            patchGrpc(exported);
        }
        return exported;
    };
}
