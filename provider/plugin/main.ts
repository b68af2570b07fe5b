/**
 * The `pulumi-resource-ens-keypair` plugin's entry point, as the engine launches a resource
 * plugin: with the engine's address as its argument, it serves the provider protocol on a port of
 * 127.0.0.1 and writes that port, alone on a line, to stdout. It loads the provider, gRPC and
 * the SDK's generated protocol code, not the whole `@pulumi/pulumi`, which a start would pay for
 * with half a second more; `npm run build:plugin` bundles it into one file.
 */
import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import { ResourceProviderService } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { processLifetime } from "../lifetime";
import schema from "./schema.json";
import { ProviderService, providerService } from "./service";

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

function main(): void {
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

main();
