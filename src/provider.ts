/**
 * The provider's implementation. The serialized provider object (`keyPairProvider`) loads this
 * module at run time and forwards every call here, so that state holds a few hundred bytes of
 * forwarding code per resource rather than this module and its dependencies.
 */
import * as pulumi from "@pulumi/pulumi";
import { Backend } from "./backends/backend";
import { localBackend } from "./backends/local";
import { configNamespace, ProviderConfig, resolveConfig } from "./config";
import { inputNames, replacingInputNames } from "./fields";
import { checkInputs, KeyPairInputs } from "./inputs";
import { BackendName, KeyPairOutputs } from "./outputs";

let config: ProviderConfig | undefined;

/** The configuration in force: what `configure` gave, or the environment's. */
export function currentConfig(): ProviderConfig {
    config ??= resolveConfig(() => undefined);
    return config;
}

function backendFor(name: BackendName): Backend {
    if (name === "local") {
        return localBackend;
    }
    // Loaded on demand so that local use never loads the Alibaba Cloud clients.
    const { ensBackend } = require("./backends/ens") as typeof import("./backends/ens");
    return ensBackend(currentConfig());
}

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    config = resolveConfig((key) => req.config.get(`${configNamespace}:${key}`));
}

export async function check(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkInputs(olds, news);
    if (failures.length === 0) {
        failures.push(...backendFor(currentConfig().backend).checkInputs(inputs));
    }
    return { inputs, failures };
}

export async function diff(_id: string, olds: KeyPairOutputs, news: KeyPairInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = replacingInputNames.filter((key) => olds[key] !== news[key]);
    if (olds.backend !== currentConfig().backend) {
        replaces.push("backend");
    }
    return {
        changes: replaces.length > 0,
        replaces,
        // ENS names are unique: a replacement that keeps the name must free it first.
        deleteBeforeReplace: replaces.length > 0 && olds.keyPairName === news.keyPairName,
    };
}

export async function create(inputs: KeyPairInputs): Promise<pulumi.dynamic.CreateResult> {
    const outs = await backendFor(currentConfig().backend).create(pick(inputs));
    return { id: outs.keyPairId, outs };
}

export async function read(id: string, props: Partial<KeyPairOutputs>): Promise<pulumi.dynamic.ReadResult> {
    const stored = props.keyPairId === undefined ? undefined : (props as KeyPairOutputs);
    const outs = await backendFor(stored?.backend ?? currentConfig().backend).read(id, stored);
    // No id tells the engine the pair is gone, so refresh drops it from state.
    return outs === undefined ? {} : { id: outs.keyPairId, props: outs };
}

async function remove(id: string, props: KeyPairOutputs): Promise<void> {
    await backendFor(props.backend ?? "local").delete(id, props);
}
export { remove as delete };

/** The inputs proper, without the engine's own properties such as `__provider`. */
function pick(inputs: KeyPairInputs): KeyPairInputs {
    const given = inputNames.filter((name) => inputs[name] !== undefined).map((name) => [name, inputs[name]]);
    return Object.fromEntries(given) as KeyPairInputs;
}
