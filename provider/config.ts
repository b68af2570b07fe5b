/**
 * Provider configuration, read when the provider starts (never captured in the serialized
 * provider): Pulumi config in the `ens-keypair` namespace, then environment variables.
 */
import { packageName } from "./doors";
import { quote } from "./quote";
import { BackendName } from "./state";

/** The Pulumi config namespace of this provider: the package's name. */
export const configNamespace = packageName;
/** ENS's public endpoint. */
const defaultEndpoint = "ens.aliyuncs.com";

/**
 * Who generates the RSA pairs of the ens backend: `provider` (the default) generates them and
 * registers their public keys with ImportKeyPair, so a pair is provably the provider's by its
 * fingerprint; `ens` has ENS generate 2048-bit pairs with CreateKeyPair, which returns the
 * private key once and leaves a pair whose answer was lost unprovable.
 */
export type Generation = "provider" | "ens";

/** The provider's configuration; each key's TSDoc is its description in the package's schema too. */
export interface ProviderConfig {
    /**
     * Where key pairs live: `local` (the default: keys made by the provider, Pulumi state is the
     * store) or `ens` (the ENS API). Environment: `ENS_KEYPAIR_BACKEND`.
     */
    backend: BackendName;
    /**
     * In the `ens` backend, who generates RSA pairs: `provider` (the default) or `ens`.
     * Environment: `ENS_KEYPAIR_GENERATION`.
     */
    generation: Generation;
    /**
     * The ENS endpoint: a host (HTTPS) or a full URL such as `http://127.0.0.1:8080`; default
     * `ens.aliyuncs.com`. Environment: `ENS_KEYPAIR_ENDPOINT`.
     */
    endpoint: string;
    /**
     * `"true"` lets a plain `http://` endpoint reach another host than this machine. Off by
     * default: requests to ENS are signed with the access key (and with `generation: ens` carry
     * private keys), so plain HTTP is allowed only to 127.0.0.0/8, `[::1]` and `localhost`, such
     * as an ENS-compatible server for tests. Environment: `ENS_KEYPAIR_INSECURE_HTTP`.
     */
    insecureHttp: boolean;
    /** The ENS region, sent as `RegionId` where given. Environment: `ENS_KEYPAIR_REGION_ID`. */
    regionId?: string;
    /**
     * The Alibaba Cloud access key id for the `ens` backend; without it (and `accessKeySecret`),
     * Alibaba Cloud's credential chain (`ALIBABA_CLOUD_ACCESS_KEY_ID`, profiles, RAM roles).
     */
    accessKeyId?: string;
    /** The secret of that access key. */
    accessKeySecret?: string;
}

/** Every configuration key, in the order the package's schema lists them. */
export const configKeys = ["backend", "endpoint", "insecureHttp", "regionId", "generation", "accessKeyId", "accessKeySecret"] as const;
/** The keys that hold credentials: secret in the package's schema, and kept secret in a provider's state. */
export const secretConfigKeys: readonly ConfigKey[] = ["accessKeyId", "accessKeySecret"];
/** A configuration key; `configKeys` lists every key of {@link ProviderConfig}, or this is `never`. */
export type ConfigKey = keyof ProviderConfig extends (typeof configKeys)[number] ? (typeof configKeys)[number] : never;

/** A configuration value that breaks its rule; the message names the key and the rule. */
export class ConfigError extends Error {}

/**
 * Resolves the configuration.
 * @param get reads a key of the `ens-keypair` namespace (without the namespace).
 * @param secretKeys the keys whose values arrived secret, which a message never quotes.
 * @throws ConfigError when `backend` is neither `local` nor `ens`, `generation` neither `provider`
 *   nor `ens`, or `insecureHttp` neither `true` nor `false`.
 */
export function resolveConfig(
    get: (key: string) => string | undefined,
    env: NodeJS.ProcessEnv = process.env,
    secretKeys: ReadonlySet<string> = new Set(),
): ProviderConfig {
    const got = (key: ConfigKey, value: string) =>
        secretKeys.has(key) ? "its value is secret, so not quoted here" : `got ${quote(value)}`;
    const backend = get("backend") ?? env.ENS_KEYPAIR_BACKEND ?? "local";
    if (backend !== "local" && backend !== "ens") {
        throw new ConfigError(`${configNamespace}:backend must be "local" or "ens"; ${got("backend", backend)}.`);
    }
    const generation = get("generation") ?? env.ENS_KEYPAIR_GENERATION ?? "provider";
    if (generation !== "provider" && generation !== "ens") {
        throw new ConfigError(`${configNamespace}:generation must be "provider" or "ens"; ${got("generation", generation)}.`);
    }
    const insecureHttp = get("insecureHttp") ?? env.ENS_KEYPAIR_INSECURE_HTTP ?? "false";
    if (insecureHttp !== "true" && insecureHttp !== "false") {
        throw new ConfigError(`${configNamespace}:insecureHttp must be "true" or "false"; ${got("insecureHttp", insecureHttp)}.`);
    }
    return {
        backend,
        generation,
        endpoint: get("endpoint") ?? env.ENS_KEYPAIR_ENDPOINT ?? defaultEndpoint,
        insecureHttp: insecureHttp === "true",
        regionId: get("regionId") ?? env.ENS_KEYPAIR_REGION_ID,
        accessKeyId: get("accessKeyId"),
        accessKeySecret: get("accessKeySecret"),
    };
}
