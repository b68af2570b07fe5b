/**
 * The `pulumi-resource-ens-keypair` plugin's entry point, as the engine launches a resource
 * plugin: with the engine's address as its argument, it serves the provider protocol on a port of
 * 127.0.0.1 and writes that port, alone on a line, to stdout. It loads the provider, gRPC and
 * the SDK's generated protocol code, not the whole `@pulumi/pulumi`, which a start would pay for
 * with half a second more; `npm run build:plugin` bundles it into one file.
 *
 * Started with `orphans` instead (`pulumi plugin run --kind resource ens-keypair -- orphans …`,
 * which the engine never passes), it runs the `orphans` command, so that a user of the package in
 * any language has it from the plugin they installed.
 */
import { openSync, closeSync } from "fs";
import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import { ResourceProviderService } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { processLifetime } from "../lifetime";
import schema from "./schema.json";
import { ProviderService, providerService } from "./service";
import { doors } from "../doors";

/** Sends a message to the engine's diagnostics, which show it with the resource; without an engine, to stderr. */
function informer(engineAddress: string | undefined): (urn: string, message: string) => void {
    if (engineAddress === undefined) {
        return (_urn, message) => console.error(message);
    }
    const engine = new EngineClient(engineAddress, grpc.credentials.createInsecure());
    return (urn, message) => {
        engine.log(new LogRequest().setSeverity(LogSeverity.INFO).setUrn(urn).setMessage(message), () => undefined);
    };
}

/** The service's methods as grpc-js calls them: an error becomes the call's status, its message the engine's to print. */
function handlers(service: ProviderService): grpc.UntypedServiceImplementation {
    return Object.fromEntries(
        Object.entries(service).map(([name, method]) => [
            name,
            (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
                (method as (request: unknown) => Promise<unknown>)(call.request).then(
                    (response) => callback(null, response),
                    (err: unknown) => callback({ code: grpc.status.UNKNOWN, details: err instanceof Error ? err.message : String(err) }),
                );
            },
        ]),
    );
}

/**
 * Whether someone can answer a question: `pulumi plugin run` gives the plugin pipes, not its
 * terminal, but copies what is typed there to the plugin's stdin. A process with no controlling
 * terminal (a CI job) has no one to ask, and the CLI never closes that stdin to say so.
 */
function terminalBehind(): boolean {
    if (process.stdin.isTTY) {
        return true;
    }
    try {
        closeSync(openSync("/dev/tty", "r"));
        return true;
    } catch {
        return false;
    }
}

function runOrphans(argv: string[]): void {
    // Loaded only here: serving the provider never needs the command's modules.
    const cli = require("../cli/command") as typeof import("../cli/command");
    void cli.main(argv, cli.processIo(doors.package.command, terminalBehind())).then((code) => {
        // `pulumi plugin run` holds the plugin's stdin open after the answer: exit rather than wait on it.
        process.exit(code);
    });
}

function serve(): void {
    // A killed engine tells its plugins nothing: this ends ENS requests, and the process, once it is gone.
    processLifetime(process.argv[2]);
    const server = new grpc.Server();
    const service = providerService({ schema: JSON.stringify(schema), version: schema.version, inform: informer(process.argv[2]) });
    server.addService(ResourceProviderService, handlers(service));
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) {
            console.error(`pulumi-resource-ens-keypair: cannot listen on 127.0.0.1: ${err.message}`);
            process.exit(1);
        }
        // The engine reads this line to connect.
        process.stdout.write(`${port}\n`);
    });
}

if (process.argv[2] === "orphans") {
    runOrphans(process.argv.slice(2));
} else {
    serve();
}
