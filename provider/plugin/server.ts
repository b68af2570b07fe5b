/**
 * The `ens-keypair` plugin's server, as the engine expects a resource plugin to serve: the
 * provider protocol on a port of 127.0.0.1, that port written alone on a line to stdout. It loads
 * the provider and the SDK's generated protocol code, not the whole `@pulumi/pulumi`, which a
 * start would pay for with half a second more, nor grpc-js's server (see `unaryServer.ts`).
 * `npm run build:plugin` bundles it, with the `orphans` command the plugin also runs, into one
 * file, which the plugin's executable (`main.ts`) runs.
 */
import type * as Grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type * as EngineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as EngineProto from "@pulumi/pulumi/proto/engine_pb";
import * as rpc from "@pulumi/pulumi/proto/provider_pb";
import { processLifetime } from "../lifetime";
import schema from "./schema.json";
import { ProviderService, providerService, resourceMethods } from "./service";
import { grpcStatus, RpcError, serveUnary, UnaryMethod } from "./unaryServer";

export { runOrphans } from "./orphans";

/** The protocol's service, as the paths of its methods name it. */
const servicePath = "/pulumirpc.ResourceProvider";

/** Each method's request type, which decodes its requests. */
const requestTypes: { [M in keyof ProviderService]: { deserializeBinary(bytes: Uint8Array): Parameters<ProviderService[M]>[0] } } = {
    getPluginInfo: Empty,
    getSchema: rpc.GetSchemaRequest,
    checkConfig: rpc.CheckRequest,
    diffConfig: rpc.DiffRequest,
    configure: rpc.ConfigureRequest,
    check: rpc.CheckRequest,
    diff: rpc.DiffRequest,
    create: rpc.CreateRequest,
    read: rpc.ReadRequest,
    update: rpc.UpdateRequest,
    delete: rpc.DeleteRequest,
    cancel: Empty,
};

/**
 * Sends a message to the engine's diagnostics, which show it with the resource; without an engine,
 * to stderr. The engine's client is grpc-js's, loaded on the first message: most runs send none.
 */
function informer(engineAddress: string | undefined): (urn: string, message: string) => void {
    if (engineAddress === undefined) {
        return (_urn, message) => console.error(message);
    }
    let engine: EngineGrpc.EngineClient | undefined;
    return (urn, message) => {
        const { LogRequest, LogSeverity } = require("@pulumi/pulumi/proto/engine_pb") as typeof EngineProto;
        if (engine === undefined) {
            const grpc = require("@grpc/grpc-js") as typeof Grpc;
            const { EngineClient } = require("@pulumi/pulumi/proto/engine_grpc_pb") as typeof EngineGrpc;
            engine = new EngineClient(engineAddress, grpc.credentials.createInsecure());
        }
        engine.log(new LogRequest().setSeverity(LogSeverity.INFO).setUrn(urn).setMessage(message), () => undefined);
    };
}

/**
 * The service's methods by path, as the server calls them: an error of the service fails the call
 * with its message, for the engine to print. `served` is called once, when the first call of a
 * resource method has answered.
 */
function methods(service: ProviderService, served: () => void): Map<string, UnaryMethod> {
    let first = true;
    return new Map(
        (Object.keys(service) as (keyof ProviderService)[]).map((name) => {
            const method = service[name] as (request: unknown) => Promise<{ serializeBinary(): Uint8Array }>;
            const handle = async (request: unknown) => {
                const isFirst = first && (resourceMethods as readonly string[]).includes(name);
                first &&= !isFirst;
                try {
                    return await method(request);
                } catch (err) {
                    throw new RpcError(grpcStatus.unknown, err instanceof Error ? err.message : String(err));
                } finally {
                    // After the answer has gone out, so that the engine does not wait for what `served` does.
                    if (isFirst) {
                        setImmediate(served);
                    }
                }
            };
            return [
                `${servicePath}/${name[0].toUpperCase()}${name.slice(1)}`,
                { decode: (bytes: Uint8Array) => requestTypes[name].deserializeBinary(bytes), handle },
            ];
        }),
    );
}

/**
 * Serves the provider for the engine at `engineAddress` (none: a process no engine started).
 * `served` is called once the first call of a resource method has been answered.
 */
export function serve(engineAddress: string | undefined, served: () => void = () => undefined): void {
    // A killed engine tells its plugins nothing: this ends ENS requests, and the process, once it is gone.
    processLifetime(engineAddress);
    const service = providerService({ schema: JSON.stringify(schema), version: schema.version, inform: informer(engineAddress) });
    serveUnary(methods(service, served)).then(
        // The engine reads this line to connect.
        (port) => process.stdout.write(`${port}\n`),
        (err: Error) => {
            console.error(`pulumi-resource-ens-keypair: cannot listen on 127.0.0.1: ${err.message}`);
            process.exit(1);
        },
    );
}
