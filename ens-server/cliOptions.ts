/**
 * The `ens-server` command line: flags, their environment variables, and the help text.
 * Kept apart from `main.ts` so that parsing is testable without starting a process.
 */
import { parseArgs } from "util";
import { FaultError, faultErrors, FaultOptions, ThrottleBursts, validateFaults } from "./faults";
import { defaultAccessKey, EnsServerOptions } from "./server";

/** The help text. */
export const usage = `Usage: npm run ens-server -- [options]

An ENS-compatible server for the key-pair actions (CreateKeyPair, ImportKeyPair,
DescribeKeyPairs, DeleteKeyPairs), on loopback only. Prints its URL on the first line of
stdout; its endpoint for @alicloud/openapi-client is that URL without "http://".

Options (environment variable in brackets; a flag wins over its variable):
  --port N                 TCP port; 0 picks a free one (default 0)          [ENS_SERVER_PORT]
  --host ADDR              127.0.0.1 (default), ::1 or localhost             [ENS_SERVER_HOST]
  --db FILE                SQLite file, so data survives restarts; without it,
                           data lives in memory and dies with the server     [ENS_SERVER_DB]
  --access-key ID:SECRET   an accepted access key; repeat for more           [ENS_SERVER_ACCESS_KEYS, comma-separated]
                           default: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET
                           when both are set, else ${defaultAccessKey.id}:${defaultAccessKey.secret}
  --security-token TOKEN   an accepted STS token; repeat for more            [ENS_SERVER_SECURITY_TOKENS, comma-separated]
                           default: ALIBABA_CLOUD_SECURITY_TOKEN when set
  --log                    one line per request on stderr                    [ENS_SERVER_LOG=1]
  -h, --help               this text

Fault injection (all off by default):
  --fault-rate P           probability 0..1 that a call fails instead of running [ENS_SERVER_FAULT_RATE]
  --fault-errors LIST      which failures, comma-separated, among ${faultErrors.join(", ")}
                           (Throttling is HTTP 400, InternalError 500, ServiceUnavailable 503;
                           default all)                                      [ENS_SERVER_FAULT_ERRORS]
  --latency-ms N           delay after reading each request, before running it;
                           a client that gives up meanwhile has still sent a call
                           that will run                                     [ENS_SERVER_LATENCY_MS]
  --latency-after-commit-ms N
                           delay after a create, import or delete has committed,
                           before answering it: a client that times out or dies
                           meanwhile loses the answer to a call that took effect
                           (limited by --fault-actions)                      [ENS_SERVER_LATENCY_AFTER_COMMIT_MS]
  --throttle-bursts EVERY:LENGTH
                           after every EVERY calls, answer the next LENGTH with
                           Throttling (HTTP 400), and so on                   [ENS_SERVER_THROTTLE_BURSTS]
  --drop-after-commit P    probability 0..1 that a CreateKeyPair/ImportKeyPair is committed and
                           its connection then destroyed without a response  [ENS_SERVER_DROP_AFTER_COMMIT]
  --fault-actions LIST     limit failures (bursts included), drops and latency after commit to
                           these actions                                     [ENS_SERVER_FAULT_ACTIONS]
  --max-faults N           stop injecting after N failures and drops         [ENS_SERVER_MAX_FAULTS]

Example:
  npm run ens-server -- --port 8080 --db ./ens.db --access-key my-id:my-secret --fault-rate 0.2
  npm run ens-server -- --fault-rate 0.2 --fault-errors InternalError,ServiceUnavailable \
      --drop-after-commit 0.1 --throttle-bursts 200:20 --latency-after-commit-ms 300
`;

/** What the command line asks for. */
export type CliRequest = { help: true } | { help: false; server: EnsServerOptions };

function list(text: string | undefined): string[] {
    return (text ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

function number(name: string, text: string | undefined): number | undefined {
    if (text === undefined || text === "") {
        return undefined;
    }
    const value = Number(text);
    if (!Number.isFinite(value)) {
        throw new Error(`--${name} must be a number, got ${JSON.stringify(text)}`);
    }
    return value;
}

function throttleBursts(text: string | undefined): ThrottleBursts | undefined {
    if (text === undefined || text === "") {
        return undefined;
    }
    const match = /^(\d+):(\d+)$/.exec(text);
    if (!match) {
        throw new Error(`--throttle-bursts must be EVERY:LENGTH, two whole numbers of calls, got ${JSON.stringify(text)}`);
    }
    return { every: Number(match[1]), length: Number(match[2]) };
}

function accessKeys(flags: string[], env: NodeJS.ProcessEnv): Record<string, string> | undefined {
    const pairs = flags.length > 0 ? flags : list(env.ENS_SERVER_ACCESS_KEYS);
    if (pairs.length === 0) {
        const { ALIBABA_CLOUD_ACCESS_KEY_ID: id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret } = env;
        return id && secret ? { [id]: secret } : undefined;
    }
    const keys: Record<string, string> = {};
    for (const pair of pairs) {
        // Split at the first colon: the id has none, the secret might.
        const colon = pair.indexOf(":");
        if (colon <= 0 || colon === pair.length - 1) {
            throw new Error("--access-key must be ID:SECRET");
        }
        keys[pair.slice(0, colon)] = pair.slice(colon + 1);
    }
    return keys;
}

/**
 * Parses the command line and environment.
 * @throws Error naming the bad flag.
 */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliRequest {
    const { values } = parseArgs({
        args: argv,
        strict: true,
        options: {
            port: { type: "string" },
            host: { type: "string" },
            db: { type: "string" },
            "access-key": { type: "string", multiple: true },
            "security-token": { type: "string", multiple: true },
            log: { type: "boolean" },
            help: { type: "boolean", short: "h" },
            "fault-rate": { type: "string" },
            "fault-errors": { type: "string" },
            "latency-ms": { type: "string" },
            "latency-after-commit-ms": { type: "string" },
            "throttle-bursts": { type: "string" },
            "drop-after-commit": { type: "string" },
            "fault-actions": { type: "string" },
            "max-faults": { type: "string" },
        },
    });
    if (values.help) {
        return { help: true };
    }
    const port = number("port", values.port ?? env.ENS_SERVER_PORT);
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
        throw new Error(`--port must be an integer from 0 to 65535, got ${port}`);
    }
    const tokens = values["security-token"] ?? list(env.ENS_SERVER_SECURITY_TOKENS);
    const errors = list(values["fault-errors"] ?? env.ENS_SERVER_FAULT_ERRORS);
    const actions = list(values["fault-actions"] ?? env.ENS_SERVER_FAULT_ACTIONS);
    const faults: FaultOptions = {
        rate: number("fault-rate", values["fault-rate"] ?? env.ENS_SERVER_FAULT_RATE),
        errors: errors.length > 0 ? (errors as FaultError[]) : undefined,
        throttleBursts: throttleBursts(values["throttle-bursts"] ?? env.ENS_SERVER_THROTTLE_BURSTS),
        latencyMs: number("latency-ms", values["latency-ms"] ?? env.ENS_SERVER_LATENCY_MS),
        latencyAfterCommitMs: number(
            "latency-after-commit-ms",
            values["latency-after-commit-ms"] ?? env.ENS_SERVER_LATENCY_AFTER_COMMIT_MS,
        ),
        dropAfterCommit: number("drop-after-commit", values["drop-after-commit"] ?? env.ENS_SERVER_DROP_AFTER_COMMIT),
        actions: actions.length > 0 ? actions : undefined,
        maxFaults: number("max-faults", values["max-faults"] ?? env.ENS_SERVER_MAX_FAULTS),
    };
    validateFaults(faults);
    return {
        help: false,
        server: {
            port,
            host: values.host ?? (env.ENS_SERVER_HOST || undefined),
            dbPath: values.db ?? (env.ENS_SERVER_DB || undefined),
            accessKeys: accessKeys(values["access-key"] ?? [], env),
            securityTokens: tokens.length > 0 ? tokens : env.ALIBABA_CLOUD_SECURITY_TOKEN ? [env.ALIBABA_CLOUD_SECURITY_TOKEN] : undefined,
            faults,
            log: values.log || env.ENS_SERVER_LOG === "1" ? (line) => process.stderr.write(line + "\n") : undefined,
        },
    };
}
