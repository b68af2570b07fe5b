/**
 * Alibaba Cloud credentials for the ens backend: the secret config keys
 * `ens-keypair:accessKeyId` / `ens-keypair:accessKeySecret`, else Alibaba Cloud's default chain
 * (`@alicloud/credentials`: environment, OIDC, CLI and credentials profiles, ECS RAM role,
 * credentials URI). They are resolved for each operation, so they never live in the serialized
 * provider, and no message here ever quotes a credential, or the chain's own errors (which can
 * quote a profile file).
 */
import { existsSync } from "fs";
import { homedir } from "os";
import { join } from "path";
import Credential from "@alicloud/credentials";
import { configNamespace, ProviderConfig } from "../config";
import { EnsError } from "./errors";

/** An access key, with the token when it is an STS key. */
export interface EnsCredentials {
    accessKeyId: string;
    accessKeySecret: string;
    securityToken?: string;
}

const howToSet =
    `Set the secret config keys ${configNamespace}:accessKeyId and ${configNamespace}:accessKeySecret ` +
    `(pulumi config set --secret ${configNamespace}:accessKeySecret …), or the environment variables ` +
    "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for an STS key), " +
    "or a profile in ~/.alibabacloud/credentials (another file with ALIBABA_CLOUD_CREDENTIALS_FILE, another profile with ALIBABA_CLOUD_PROFILE), " +
    "or, on ECS, ALIBABA_CLOUD_ECS_METADATA naming the instance's RAM role.";

/** What {@link credentialSource} calls the config keys. */
const configSource = "Pulumi config";

function missingCredentials(what: string): EnsError {
    return new EnsError("MissingParameter", "The input parameter that is mandatory for processing this request is not supplied.", {
        detail: `${what} ${howToSet}`,
    });
}

/**
 * Where the credentials will come from, decided without reading any secret, so that `check` can
 * fail at preview. The chain itself is asynchronous; this recognises each of its sources by what
 * switches it on. An ECS RAM role counts only when `ALIBABA_CLOUD_ECS_METADATA` names it, since
 * probing the metadata service would stall every preview off ECS.
 * @returns a description of the source, for messages.
 * @throws EnsError `MissingParameter` naming what to set when there is no source.
 */
export function credentialSource(config: ProviderConfig, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
    const fromConfig = [config.accessKeyId, config.accessKeySecret].filter((value) => value !== undefined && value !== "").length;
    if (fromConfig === 2) {
        return configSource;
    }
    if (fromConfig === 1) {
        const missing = config.accessKeyId ? "accessKeySecret" : "accessKeyId";
        throw missingCredentials(`The ens backend has only half an access key in config: ${configNamespace}:${missing} is not set.`);
    }
    const sources: [string, boolean][] = [
        ["environment", Boolean(env.ALIBABA_CLOUD_ACCESS_KEY_ID && env.ALIBABA_CLOUD_ACCESS_KEY_SECRET)],
        ["OIDC role", Boolean(env.ALIBABA_CLOUD_ROLE_ARN && env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN && env.ALIBABA_CLOUD_OIDC_TOKEN_FILE)],
        [
            "Alibaba Cloud CLI profile",
            env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED?.toLowerCase() !== "true" && existsSync(join(home, ".aliyun", "config.json")),
        ],
        ["credentials file", existsSync(env.ALIBABA_CLOUD_CREDENTIALS_FILE || join(home, ".alibabacloud", "credentials"))],
        ["ECS RAM role", Boolean(env.ALIBABA_CLOUD_ECS_METADATA) && env.ALIBABA_CLOUD_ECS_METADATA_DISABLED?.toLowerCase() !== "true"],
        ["credentials URI", Boolean(env.ALIBABA_CLOUD_CREDENTIALS_URI)],
    ];
    const found = sources.find(([, present]) => present);
    if (!found) {
        throw missingCredentials("The ens backend found no Alibaba Cloud credentials.");
    }
    return found[0];
}

/**
 * The credentials to sign with: the config keys, else the first the default chain yields.
 * @throws EnsError `MissingParameter` naming what to set when there are none.
 */
export async function resolveCredentials(config: ProviderConfig): Promise<EnsCredentials> {
    const source = credentialSource(config);
    if (source === configSource) {
        return { accessKeyId: config.accessKeyId as string, accessKeySecret: config.accessKeySecret as string };
    }
    let model;
    try {
        model = await new Credential().getCredential();
    } catch {
        throw missingCredentials(`The ens backend could not read Alibaba Cloud credentials from the ${source}.`);
    }
    if (!model.accessKeyId || !model.accessKeySecret) {
        throw missingCredentials(`The ${source} gave the ens backend no access key.`);
    }
    return { accessKeyId: model.accessKeyId, accessKeySecret: model.accessKeySecret, securityToken: model.securityToken || undefined };
}
