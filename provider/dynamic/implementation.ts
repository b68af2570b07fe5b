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

let config: ProviderConfig | undefined;

/** The engine shows what a dynamic provider writes to stderr with the run's diagnostics. */
function context(): implementation.CallContext {
    config ??= resolveConfig(() => undefined);
    return { config, inform: (message) => console.error(message) };
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

export const check = reported((olds: Record<string, unknown>, news: Record<string, unknown>) =>
    implementation.check(olds, news, context()),
);

export const diff = reported((id: string, olds: KeyPairOutputs, news: KeyPairInputs) => implementation.diff(id, olds, news, context()));

export const create = reported((inputs: KeyPairInputs) => implementation.create(inputs, context()));

export const update = reported(implementation.update);

export const read = reported((id: string, props: Partial<KeyPairOutputs>) => implementation.read(id, props, context()));

const remove = reported((id: string, props: KeyPairOutputs) => implementation.delete(id, props, context()));
export { remove as delete };
