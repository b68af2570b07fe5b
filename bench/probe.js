// Preloaded (NODE_OPTIONS=--require) into the node processes the Pulumi CLI starts during the
// engine benchmarks: the program (run by the language host) and the dynamic provider. It measures
// from the outside, so neither the program nor the provider carries benchmark hooks:
//   - the process's start, and how long its main module and the modules that make up a fixed
//     cost take to load (the SDK, TypeScript, the program itself, this package, @pulumi/tls);
//   - every key generation through node:crypto (count and duration), which is how the benchmark
//     proves that a no-change preview or up generates no key;
//   - every gRPC call the provider serves (method, start, duration) and its peak resident memory
//     (VmHWM) after each, which split an operation's time between the provider and the rest;
//   - with $BENCH_CPU_PROFILE_DIR set, a CPU profile of the program process, written at its exit
//     (node refuses --cpu-prof in NODE_OPTIONS, so the inspector's profiler is driven from here).
// Lines are appended synchronously to one file per process under $BENCH_PROBE_DIR, because the
// engine kills the provider at the end of an operation and buffered lines would be lost.
// Plain JavaScript: it is loaded by a bare `node`, without ts-node.
"use strict";

const main = process.argv[1] || "";
const role = /cmd[/\\]run/.test(main) ? "program" : /dynamic-provider/.test(main) ? "provider" : undefined;
const dir = process.env.BENCH_PROBE_DIR;
// The dynamic-provider shim also runs a one-line `node -e` to resolve the SDK: only the program
// and the provider write anything.
if (dir && role) {
    const fs = require("fs");
    const path = require("path");
    const util = require("util");
    const crypto = require("crypto");
    const Module = require("module");
    const { performance } = require("perf_hooks");

    const file = path.join(dir, `probe-${process.pid}.log`);
    const now = () => performance.timeOrigin + performance.now();
    const write = (line) => fs.appendFileSync(file, line + "\n");
    const peakRssKiB = () => {
        const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
        return match ? Number(match[1]) : 0;
    };
    // When node started, and when it reached this preload (node's own start-up in between).
    write(`start ${role} ${process.pid} ${performance.timeOrigin.toFixed(1)} ${now().toFixed(1)}`);
    process.on("exit", () => write(`exit ${now().toFixed(1)} ${peakRssKiB()}`));

    const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
    if (profileDir && role === "program") {
        const session = new (require("inspector").Session)();
        session.connect();
        session.post("Profiler.enable");
        session.post("Profiler.start");
        // A session on the process's own thread answers synchronously, so this completes at exit.
        process.on("exit", () =>
            session.post("Profiler.stop", (err, result) => {
                if (!err) {
                    fs.mkdirSync(profileDir, { recursive: true });
                    fs.writeFileSync(path.join(profileDir, `program-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
                }
            }),
        );
    }

    // Module loads that make up the fixed cost, each timed at its outermost require only (nested
    // loads of other modules are part of it) and once per process.
    const labelOf = (request, isMain, depth) => {
        if (isMain) {
            return "main";
        }
        if (/^pulumi-ens-keypair(\/|$)/.test(request)) {
            return "keypair";
        }
        if (/^@pulumi\/tls(\/|$)/.test(request)) {
            return "tls";
        }
        if (/(^|[/\\]node_modules[/\\])typescript([/\\]|$)/.test(request)) {
            return "typescript";
        }
        if (/(^|[/\\]node_modules[/\\])ts-node([/\\]|$)/.test(request)) {
            return "ts-node";
        }
        if (role === "program" && depth === 0 && path.isAbsolute(request) && !/node_modules/.test(request)) {
            return "program";
        }
        return undefined;
    };
    const seen = new Set();
    let depth = 0;
    const load = Module._load;
    Module._load = function (request, parent, isMain) {
        const label = labelOf(request, isMain, depth);
        const timed = label !== undefined && !seen.has(label);
        if (timed) {
            seen.add(label);
        }
        const start = now();
        depth++;
        try {
            const exported = load.call(this, request, parent, isMain);
            if (request === "@grpc/grpc-js") {
                patchGrpc(exported);
            }
            return exported;
        } finally {
            depth--;
            if (timed) {
                write(`load ${label} ${start.toFixed(1)} ${(now() - start).toFixed(2)}`);
            }
        }
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

    // gRPC calls the provider serves: wrap the service implementation when it is registered.
    const patchGrpc = (grpc) => {
        const proto = grpc && grpc.Server && grpc.Server.prototype;
        if (role !== "provider" || !proto || proto.__benchProbe) {
            return;
        }
        proto.__benchProbe = true;
        const addService = proto.addService;
        proto.addService = function (service, implementation) {
            write(`serve ${now().toFixed(1)}`);
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
}
