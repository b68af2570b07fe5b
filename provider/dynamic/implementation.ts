/**
 * The dynamic door's provider, which `pulumi-ens-keypair/provider` exports and the serialized
 * provider in every dynamic KeyPair's state loads: the dynamic provider host's calls, without a
 * context, on the provider implementation (`../provider.ts`) with this process's one
 * configuration. The host serves one stack, so the configuration is the process's: what
 * `configure` gave, or until then the environment's.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ConfigError, configNamespace, ProviderConfig, resolveConfig } from "../config";
import { EnsError } from "../ens/errors";
import { PrivateKeyError } from "../keys/passphrase";
import * as implementation from "../provider";
import { KeyPairInputs } from "../inputs";
import { KeyPairOutputs } from "../state";
import { secretInputsProperty } from "../doors";

let config: ProviderConfig | undefined;

type Raw = Record<string, unknown>;

/**
 * The context of a call whose arguments are `props`. The engine shows what a dynamic provider
 * writes to stderr with the run's diagnostics.
 */
function context(...props: (Raw | undefined)[]): implementation.CallContext {
    config ??= resolveConfig(() => undefined);
    return { config, secretInputs: madeSecret(props), inform: (message) => console.error(message) };
}

/** The inputs the program made secret, as the `KeyPair` lists them in `props` (see {@link secretInputsProperty}). */
function madeSecret(props: (Raw | undefined)[]): Set<string> {
    const lists = props.map((values) => values?.[secretInputsProperty]);
    return new Set(lists.flatMap((names) => (Array.isArray(names) ? names.filter((name) => typeof name === "string") : [])));
}

/** `values` with the list of inputs made secret that `from` holds, so that the engine keeps it in state for the next method. */
function carrying<T extends Raw | undefined>(values: T, from: Raw): T {
    return values === undefined || from[secretInputsProperty] === undefined
        ? values
        : { ...values, [secretInputsProperty]: from[secretInputsProperty] };
}

/**
 * The dynamic provider host prints an error thrown by check, diff, read or delete (or by configure,
 * which it calls inside them) to stderr as `${err}: ${err.stack}`, and the engine then prints its
 * message with the resource: the message twice, and a stack trace that helps no user. An error the
 * provider raises for the user loses its stack, so the host prints its message once, as
 * `Error: <message>:`; a bug (a TypeError, say) keeps its stack. The host reports create's and
 * update's errors by their message alone, but every method goes through here all the same, so that
 * what a user sees does not hang on which methods a version of the host prints in full.
 */
function reported<A extends unknown[], R>(method: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args) => {
        try {
            return await method(...args);
        } catch (err) {
            const forUser = [EnsError, PrivateKeyError, ConfigError].some((type) => err instanceof type);
            if (forUser || (err instanceof Error && err.constructor === Error)) {
                (err as Error).stack = "";
            }
            throw err;
        }
    };
}

export const configure = reported(async (req: pulumi.dynamic.ConfigureRequest): Promise<void> => {
    config = resolveConfig((key) => req.config.get(`${configNamespace}:${key}`));
});

export const check = reported(async (olds: Raw, news: Raw) => {
    const result = await implementation.check(olds, news, context(news));
    return { ...result, inputs: carrying(result.inputs, news) };
});

export const diff = reported((id: string, olds: KeyPairOutputs, news: KeyPairInputs) =>
    implementation.diff(id, olds, news, context(olds, news)),
);

export const create = reported(async (inputs: KeyPairInputs) => {
    const result = await implementation.create(inputs, context(inputs));
    return { ...result, outs: carrying(result.outs, inputs) };
});

export const update = reported(async (id: string, olds: KeyPairOutputs, news: KeyPairInputs) => {
    const result = await implementation.update(id, olds, news, context(olds, news));
    return { ...result, outs: carrying(result.outs, news) };
});

export const read = reported(async (id: string, props: Partial<KeyPairOutputs>) => {
    const result = await implementation.read(id, props, context(props));
    return { ...result, props: carrying(result.props, props) };
});

const remove = reported((id: string, props: KeyPairOutputs) => implementation.delete(id, props, context(props)));
export { remove as delete };
