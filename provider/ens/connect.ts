/** The one way the package makes an {@link EnsClient} from the provider's configuration. */
import { ProviderConfig } from "../config";
import { EnsClient, EnsClientOptions } from "./client";
import { resolveCredentials } from "./credentials";

/**
 * A client for ENS as `config` describes it, with credentials resolved now: each operation makes
 * its own, so that no credential outlives it.
 * @param options what the caller adds: the lifetime's signal and check, and injected retry timing for tests.
 * @throws EnsError `MissingParameter` when there are no credentials, `InvalidParameter.Endpoint`
 *   for a malformed endpoint.
 */
export async function connectEns(
    config: ProviderConfig,
    options: Pick<EnsClientOptions, "signal" | "beforeEachRequest" | "retry"> = {},
): Promise<EnsClient> {
    return new EnsClient({
        endpoint: config.endpoint,
        insecureHttp: config.insecureHttp,
        regionId: config.regionId,
        ...(await resolveCredentials(config)),
        ...options,
    });
}
