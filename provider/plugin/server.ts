/**
 * The `ens-keypair` plugin's server, as the engine expects a resource plugin to serve: the
 * provider protocol on a port of 127.0.0.1, that port written alone on a line to stdout. It loads
 * the provider, gRPC and the SDK's generated protocol code, not the whole `@pulumi/pulumi`, which
 * a start would pay for with half a second more. `npm run build:plugin` bundles it into one file,
 * which the plugin's executable (`main.ts`) runs.
 */
import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import { ResourceProviderService } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { processLifetime } from "../lifetime";
import schema from "./schema.json";
import { ProviderService, providerService, resourceMethods } from "./service";

/** Sends a message to the engine's diagnostics, which show it with the resource; without an engine, to stderr. */
function informer(engineAddress: string | undefined): (urn: string, message: string) => void {
    if (engineAddress === undefined) {
        return (_urn, message) => console.error(message);
    }
    // Made on the first message: most runs send none, and a client costs the start a few milliseconds.
    let engine: EngineClient | undefined;
    return (urn, message) => {
        engine ??= new EngineClient(engineAddress, grpc.credentials.createInsecure());
        engine.log(new LogRequest().setSeverity(LogSeverity.INFO).setUrn(urn).setMessage(message), () => undefined);
    };
}

/**
 * The service's methods as grpc-js calls them: an error becomes the call's status, its message the
 * engine's to print. `served` is called once, when the first call of a resource method has answered.
 */
function handlers(service: ProviderService, served: () => void): grpc.UntypedServiceImplementation {
    let first = true;
    return Object.fromEntries(
        Object.entries(service).map(([name, method]) => [
            name,
            (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
                const isFirst = first && (resourceMethods as readonly string[]).includes(name);
                first &&= !isFirst;
                (method as (request: unknown) => Promise<unknown>)(call.request)
                    .then(
                        (response) => callback(null, response),
                        (err: unknown) =>
                            callback({ code: grpc.status.UNKNOWN, details: err instanceof Error ? err.message : String(err) }),
                    )
                    // After the answer has gone out, so that the engine does not wait for what `served` does.
                    .finally(() => isFirst && setImmediate(served));
            },
        ]),
    );
}

/**
 * Serves the provider for the engine at `engineAddress` (none: a process no engine started).
 * `served` is called once the first call of a resource method has been answered.
 */
export function serve(engineAddress: string | undefined, served: () => void = () => undefined): void {
    // A killed engine tells its plugins nothing: this ends ENS requests, and the process, once it is gone.
    processLifetime(engineAddress);
    const server = new grpc.Server();
    const service = providerService({ schema: JSON.stringify(schema), version: schema.version, inform: informer(engineAddress) });
    server.addService(ResourceProviderService, handlers(service, served));
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) {
            console.error(`pulumi-resource-ens-keypair: cannot listen on 127.0.0.1: ${err.message}`);
            process.exit(1);
        }
        // The engine reads this line to connect.
        process.stdout.write(`${port}\n`);
    });
}
