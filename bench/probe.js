// Preloaded (NODE_OPTIONS=--require) into the node processes the Pulumi CLI starts: the program
// and the dynamic provider. It measures from the outside, so neither carries benchmark hooks:
// when the process started and reached this preload, how long the modules that make up a fixed
// cost take to load, every key generation through node:crypto (so that the benchmark can show a
// no-change run makes none), every gRPC call the dynamic provider serves, and the program's peak
// memory at exit. With $BENCH_CPU_PROFILE_DIR set it writes the program's CPU profile at exit
// (node refuses --cpu-prof in NODE_OPTIONS, so the inspector's profiler is driven from here).
// Lines are appended synchronously to one file per process, because the engine kills the
// provider at the end of an operation. Of the bundled ens-keypair plugin, only its CPU time:
// when Node.js has started (here), and when the engine ends it (SIGINT). Plain JavaScript: a
// bare `node` loads it.
"use strict";

const role = /cmd[/\\]run/.test(process.argv[1] || "")
    ? "program"
    : /dynamic-provider/.test(process.argv[1] || "")
      ? "provider"
      : /[/\\]pulumi-resource-ens-keypair$/.test(process.argv[1] || "")
        ? "plugin"
        : "";
const dir = process.env.BENCH_PROBE_DIR;
if (dir && role === "plugin") {
    const fs = require("fs");
    const path = require("path");
    const file = path.join(dir, `plugin-${process.pid}.log`);
    const cpu = (when) => {
        const { user, system } = process.cpuUsage();
        fs.appendFileSync(file, `cpu ${when} ${((user + system) / 1000).toFixed(1)}\n`);
    };
    cpu("start");
    let ended = false;
    const end = () => !ended && ((ended = true), cpu("end"));
    process.on("exit", end);
    process.once("SIGINT", () => {
        end();
        process.exit(130);
    });
} else if (dir && role) {
    const fs = require("fs");
    const path = require("path");
    const crypto = require("crypto");
    const util = require("util");
    const Module = require("module");
    const { performance } = require("perf_hooks");

    const file = path.join(dir, `${role}-${process.pid}.log`);
    const now = () => (performance.timeOrigin + performance.now()).toFixed(1);
    const write = (...fields) => fs.appendFileSync(file, fields.join(" ") + "\n");
    const peakKiB = () => /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1] ?? "0";
    write("start", role, performance.timeOrigin.toFixed(1), now());
    process.on("exit", () => write("exit", now(), peakKiB()));

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
                    fs.writeFileSync(path.join(profileDir, "program.cpuprofile"), JSON.stringify(result.profile));
                }
            }),
        );
    }

    // The loads that make up the fixed cost, each timed at its outermost require, once per process.
    const labelOf = (request, isMain, depth) =>
        isMain
            ? "main"
            : /^pulumi-ens-keypair(\/|$)/.test(request)
              ? "keypair"
              : /^@pulumi\/tls(\/|$)/.test(request)
                ? "tls"
                : /(^|[/\\]node_modules[/\\])(typescript|ts-node)([/\\]|$)/.test(request)
                  ? /ts-node/.test(request)
                      ? "ts-node"
                      : "typescript"
                  : role === "program" && depth === 0 && path.isAbsolute(request) && !/node_modules/.test(request)
                    ? "program"
                    : undefined;
    const seen = new Set();
    let depth = 0;
    let traced = false;
    const load = Module._load;
    Module._load = function (request, parent, isMain) {
        const label = labelOf(request, isMain, depth);
        const timed = label !== undefined && !seen.has(label);
        seen.add(label);
        const start = performance.now();
        depth++;
        try {
            const exported = load.call(this, request, parent, isMain);
            // Once: every require of it, cached or not, passes here.
            if (request === "@grpc/grpc-js" && role === "provider" && !traced) {
                traced = true;
                traceCalls(exported.Server.prototype);
            }
            return exported;
        } finally {
            depth--;
            if (timed) {
                write("load", label, (performance.timeOrigin + start).toFixed(1), (performance.now() - start).toFixed(2));
            }
        }
    };

    // Key generation. The provider promisifies generateKeyPair when it loads, after this preload,
    // so it gets the wrapper; node's own function resolves its promisified form through an
    // internal marker a wrapper cannot carry, so the wrapper declares that form itself.
    const original = crypto.generateKeyPair;
    const wrapped = function generateKeyPair(type, options, callback) {
        const start = now();
        const t = performance.now();
        return original.call(this, type, options, (err, publicKey, privateKey) => {
            write("gen", start, (performance.now() - t).toFixed(2));
            callback(err, publicKey, privateKey);
        });
    };
    Object.defineProperty(wrapped, util.promisify.custom, {
        value: (type, options) =>
            new Promise((resolve, reject) =>
                wrapped(type, options, (err, publicKey, privateKey) => (err ? reject(err) : resolve({ publicKey, privateKey }))),
            ),
    });
    crypto.generateKeyPair = wrapped;

    // The dynamic provider's gRPC calls: each method of the service, timed when it is registered.
    const traceCalls = (server) => {
        const addService = server.addService;
        server.addService = function (service, implementation) {
            const timed = {};
            for (const name of Object.keys(service)) {
                const method = implementation[name];
                if (typeof method === "function") {
                    timed[name] = (call, callback) => {
                        const start = now();
                        const t = performance.now();
                        return method.call(implementation, call, (err, value) => {
                            write("rpc", name, start, (performance.now() - t).toFixed(2), peakKiB());
                            callback(err, value);
                        });
                    };
                }
            }
            return addService.call(this, service, timed);
        };
    };
}
