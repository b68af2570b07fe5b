/**
 * How long a provider process has reason to live: as long as the Pulumi engine that started it.
 *
 * The engine starts each provider plugin (and the dynamic provider host) with the address of its
 * own gRPC server as the last argument. An engine that is killed (kill -9, a cancelled CI job)
 * tells its plugins nothing: they keep running, retrying what they were doing, and what they
 * commit then reaches no state. That server dies with the engine, so a refused connection at its
 * address means the engine is gone. {@link watchEngine} checks that every second, and whenever
 * asked to just before a request goes out; once the engine is gone, it aborts a signal (clients
 * stop retrying and start no new request; a request already sent cannot be recalled and runs to
 * its answer or timeout) and ends the process as soon as no held work remains, or after a grace
 * period at most.
 *
 * The engine also held the other end of the process's stdout and stderr: once it is gone, a
 * write there fails with EPIPE. Node reports that as an error event, and Pulumi's dynamic
 * provider host logs any uncaught error to stderr, which fails again: an endless loop that keeps
 * the process busy forever and starves every timer. So the watch handles those errors itself,
 * and takes an EPIPE as one more sign that the engine is gone.
 */
import { connect } from "net";

/** The lifetime of a provider process. */
export interface EngineLifetime {
    /** Aborted once the engine is gone; its reason is an `Error` saying so. */
    readonly signal: AbortSignal;
    /**
     * Runs `work` as work in flight: once the engine is gone, the process ends when no held work
     * remains. Hold whatever may have a request in flight, so that it gets its answer first.
     */
    hold<T>(work: () => Promise<T>): Promise<T>;
    /**
     * Checks now whether the engine is still there, aborting {@link signal} if not: a client awaits
     * it before each request it sends, so that none goes out after the engine has gone.
     */
    readonly check: () => Promise<void>;
}

/** How {@link watchEngine} checks and ends; the defaults are for a real process. */
export interface EngineWatchOptions {
    /** Time between two checks, in milliseconds: 1000 by default. */
    intervalMs?: number;
    /**
     * Longest wait for held work once the engine is gone, in milliseconds: 22 s by default, a
     * little longer than the ENS client's 20 s timeout for one request.
     */
    graceMs?: number;
    /** Whether the engine still listens at `address`; {@link engineListening} by default. */
    listening?: (address: string) => Promise<boolean>;
    /** Waits `ms` milliseconds; by default a timer that never keeps the process alive by itself. */
    wait?: (ms: number) => Promise<void>;
    /** Ends the process; `process.exit` by default. */
    exit?: () => void;
    /** The streams whose reader is the engine; `process.stdout` and `process.stderr` by default. */
    outputs?: NodeJS.EventEmitter[];
}

/** How long a probe may take before the engine counts as busy rather than gone. */
const probeTimeoutMs = 5000;

/**
 * Whether something listens at `address` (`host:port`): false only when the connection is
 * refused. A slow or failed probe of another kind counts as listening, so a busy machine never
 * ends a provider whose engine is alive.
 */
export function engineListening(address: string): Promise<boolean> {
    const at = address.lastIndexOf(":");
    const host = address.slice(0, at).replace(/^\[(.*)\]$/, "$1");
    return new Promise((resolve) => {
        const socket = connect({ host, port: Number(address.slice(at + 1)) });
        socket.unref();
        socket.setTimeout(probeTimeoutMs);
        const settle = (listening: boolean) => {
            socket.destroy();
            resolve(listening);
        };
        socket.once("connect", () => settle(true));
        socket.once("timeout", () => settle(true));
        socket.once("error", (err: NodeJS.ErrnoException) => settle(err.code !== "ECONNREFUSED"));
    });
}

function unrefWait(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Watches the engine at `address` (`host:port`) from now on; see the module comment. */
export function watchEngine(address: string, options: EngineWatchOptions = {}): EngineLifetime {
    const { intervalMs = 1000, graceMs = 22_000, listening = engineListening, wait = unrefWait } = options;
    const { outputs = [process.stdout, process.stderr] } = options;
    const exitProcess = options.exit ?? (() => process.exit(1));
    const gone = new AbortController();
    let held = 0;
    let ended = false;
    const end = () => {
        if (!ended) {
            ended = true;
            exitProcess();
        }
    };
    const engineGone = () => {
        if (gone.signal.aborted) {
            return;
        }
        gone.abort(
            new Error(`The Pulumi engine that started this provider (at ${address}) is gone, so the provider sends no new request.`),
        );
        if (held === 0) {
            end();
        } else {
            void wait(graceMs).then(end);
        }
    };
    for (const output of outputs) {
        output.on("error", (err: NodeJS.ErrnoException) => err.code === "EPIPE" && engineGone());
    }
    void (async () => {
        while (!gone.signal.aborted && (await listening(address))) {
            await wait(intervalMs);
        }
        engineGone();
    })();
    return {
        signal: gone.signal,
        async hold(work) {
            held++;
            try {
                return await work();
            } finally {
                held--;
                if (held === 0 && gone.signal.aborted) {
                    end();
                }
            }
        },
        check: async () => {
            if (!gone.signal.aborted && !(await listening(address))) {
                engineGone();
            }
        },
    };
}

/**
 * The engine's address when this process is Pulumi's dynamic provider host (`@pulumi/pulumi`'s
 * `cmd/dynamic-provider`, run by the engine with the address as its last argument).
 */
export function dynamicProviderEngine(
    argv: readonly string[] = process.argv,
    mainFile: string | undefined = require.main?.filename,
): string | undefined {
    const address = argv[argv.length - 1];
    const host = /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]dynamic-provider([\\/]index\.js)?$/.test(mainFile ?? "");
    return host && /^(\[[0-9a-f:]+\]|[\w.-]+):\d+$/i.test(address ?? "") ? address : undefined;
}

/** A lifetime that never ends, for a process that no engine started (a test, a script). */
const unending: EngineLifetime = { signal: new AbortController().signal, hold: (work) => work(), check: async () => undefined };

let current: EngineLifetime | undefined;

/**
 * This process's lifetime, made on the first call: watching the engine at `engineAddress`, by
 * default the dynamic provider host's; without one, a lifetime that never ends. A provider
 * plugin's main passes the engine address it was started with, before serving.
 */
export function processLifetime(engineAddress: string | undefined = dynamicProviderEngine()): EngineLifetime {
    current ??= engineAddress === undefined ? unending : watchEngine(engineAddress);
    return current;
}
