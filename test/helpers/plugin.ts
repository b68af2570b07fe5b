/** The bundled plugin as the engine runs it: launched as an executable, and called over gRPC. */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as rpc from "@pulumi/pulumi/proto/provider_pb";
import { wrap } from "../../provider/plugin/properties";
import { pluginDir } from "../../scripts/build-plugin";

/** A running plugin process and a client of its provider service. */
export interface Plugin {
    process: ChildProcess;
    client: ResourceProviderClient;
    /** What the process has written to stderr so far. */
    stderr(): string;
}

/**
 * Launches the plugin as the engine does and connects to the port it prints. Without an engine
 * address it reports to stderr and never ends by itself. `dir` is the plugin folder, by default `dist/plugin`.
 */
export async function launch(engineAddress?: string, dir = pluginDir): Promise<Plugin> {
    const args = engineAddress === undefined ? [] : [engineAddress];
    const child = spawn(path.join(dir, "pulumi-resource-ens-keypair"), args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
            out += chunk;
            if (out.includes("\n")) {
                resolve(out.split("\n")[0]);
            }
        });
        child.on("exit", (code) => reject(new Error(`the plugin exited with ${code} before serving: ${stderr}`)));
    });
    assert.match(port, /^\d+$/);
    return {
        process: child,
        client: new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()),
        stderr: () => stderr,
    };
}

/** Ends a plugin and its client, once it has exited. */
export async function stop(plugin: Plugin): Promise<void> {
    plugin.client.close();
    if (plugin.process.exitCode === null && plugin.process.signalCode === null) {
        const exited = new Promise((resolve) => plugin.process.once("exit", resolve));
        plugin.process.kill();
        await exited;
    }
}

/** Calls a unary method of the service. */
export function call<Req, Res>(client: ResourceProviderClient, method: string, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
        (client as unknown as Record<string, (r: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => void>)[method](
            request,
            (err, res) => (err ? reject(err) : resolve(res)),
        );
    });
}

/** The struct of a request: the named properties wrapped as secrets, as the engine sends them. */
export function props(values: Record<string, unknown>, secret: string[] = []): Struct {
    return wrap(values, secret);
}

/** Configures a plugin with `args`, as the engine does for its provider. */
export async function configure(plugin: Plugin, args: Struct): Promise<rpc.ConfigureResponse> {
    return call(plugin.client, "configure", new rpc.ConfigureRequest().setArgs(args).setAcceptsecrets(true));
}
