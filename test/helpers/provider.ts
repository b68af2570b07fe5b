/** Driving the provider the way the engine does: configure, check, then create. */
import * as assert from "assert";
import type * as pulumi from "@pulumi/pulumi";
import { defaultAccessKey, EnsServer, startEnsServer } from "../../ens-server/server";
import { KeyPairOutputs } from "../../provider/state";

/** A `configure` request whose stack config holds `values` in the `ens-keypair` namespace, and nothing else. */
export function configWith(values: Record<string, string>): pulumi.dynamic.ConfigureRequest {
    const config = { get: (key: string) => values[key.replace(/^ens-keypair:/, "")] };
    return { config } as unknown as pulumi.dynamic.ConfigureRequest;
}

/** A `configure` request whose stack config selects `backend` and sets nothing else. */
export function configRequest(backend: "local" | "ens"): pulumi.dynamic.ConfigureRequest {
    return configWith({ backend });
}

/** The provider methods {@link checkAndCreate} needs, from either the implementation or the serialized object. */
interface CheckCreate {
    check?: (olds: Record<string, unknown>, news: Record<string, unknown>) => Promise<pulumi.dynamic.CheckResult>;
    create: (inputs: never) => Promise<pulumi.dynamic.CreateResult>;
}

/** A pair made by {@link checkAndCreate}: the checked inputs, the id and the outputs. */
export interface CreatedPair {
    inputs: Record<string, unknown>;
    id: string;
    outs: KeyPairOutputs;
}

/** Checks `news` (failing on any failure) and creates the pair, as `pulumi up` does for a new resource. */
export async function checkAndCreate(provider: CheckCreate, news: Record<string, unknown>): Promise<CreatedPair> {
    assert.ok(provider.check, "the provider has a check method");
    const checked = await provider.check({}, news);
    assert.deepStrictEqual(checked.failures, [], "check failed");
    const inputs = checked.inputs as Record<string, unknown>;
    const created = await provider.create(inputs as never);
    return { inputs, id: created.id, outs: created.outs as KeyPairOutputs };
}

/**
 * Runs the enclosing suite's provider in the `ens` backend against an ENS-compatible server of its
 * own, started before the suite and closed after it, when the provider goes back to `local`.
 * @param config more of the provider's configuration, such as `generation`.
 * @returns the server, once the suite's `before` hooks have run.
 */
export function useEnsServer(
    provider: Pick<pulumi.dynamic.ResourceProvider, "configure">,
    config: Record<string, string> = {},
): () => EnsServer {
    let server: EnsServer | undefined;
    before(async () => {
        server = await startEnsServer();
        const { id, secret } = defaultAccessKey;
        await provider.configure?.(
            configWith({ backend: "ens", endpoint: server.url, accessKeyId: id, accessKeySecret: secret, ...config }),
        );
    });
    after(async () => {
        await provider.configure?.(configRequest("local"));
        await server?.close();
    });
    return () => {
        assert.ok(server, "the ENS-compatible server has started");
        return server;
    };
}
