/**
 * Provider configuration, read when the provider starts (never captured in the serialized
 * provider): Pulumi config in the `ens-keypair` namespace, then environment variables.
 */
import { invalidParameter } from "./ens/errors";
import { BackendName } from "./state";

/** The Pulumi config namespace of this provider. */
export const configNamespace = "ens-keypair";
/** ENS's public endpoint. */
const defaultEndpoint = "ens.aliyuncs.com";

/**
 * Who generates the RSA pairs of the ens backend: `provider` (the default) generates them and
 * registers their public keys with ImportKeyPair, so a pair is provably the provider's by its
 * fingerprint; `ens` has ENS generate 2048-bit pairs with CreateKeyPair, which returns the
 * private key once and leaves a pair whose answer was lost unprovable.
 */
export type Generation = "provider" | "ens";

export interface ProviderConfig {
    /** Where key pairs live: `local` (Pulumi state) or `ens` (the ENS API). */
    backend: BackendName;
    /** Who generates RSA pairs in the ens backend. */
    generation: Generation;
    /** ENS endpoint: a host name, or a full URL such as `http://127.0.0.1:8080`. */
    endpoint: string;
    /** ENS region, sent as `RegionId` where given. */
    regionId?: string;
    /** Access key from config, when not taken from Alibaba Cloud's credential chain. */
    accessKeyId?: string;
    accessKeySecret?: string;
}

/**
 * Resolves the configuration.
 * @param get reads a key of the `ens-keypair` namespace (without the namespace).
 * @throws EnsError when `backend` is neither `local` nor `ens`, or `generation` neither `provider` nor `ens`.
 */
export function resolveConfig(get: (key: string) => string | undefined, env: NodeJS.ProcessEnv = process.env): ProviderConfig {
    const backend = get("backend") ?? env.ENS_KEYPAIR_BACKEND ?? "local";
    if (backend !== "local" && backend !== "ens") {
        throw invalidParameter("Backend", `${configNamespace}:backend must be "local" or "ens"; got ${JSON.stringify(backend)}.`);
    }
    const generation = get("generation") ?? env.ENS_KEYPAIR_GENERATION ?? "provider";
    if (generation !== "provider" && generation !== "ens") {
        throw invalidParameter(
            "Generation",
            `${configNamespace}:generation must be "provider" or "ens"; got ${JSON.stringify(generation)}.`,
        );
    }
    return {
        backend,
        generation,
        endpoint: get("endpoint") ?? env.ENS_KEYPAIR_ENDPOINT ?? defaultEndpoint,
        regionId: get("regionId") ?? env.ENS_KEYPAIR_REGION_ID,
        accessKeyId: get("accessKeyId"),
        accessKeySecret: get("accessKeySecret"),
    };
}
