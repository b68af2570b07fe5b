/**
 * ENS's rule for a new key pair's name (CreateKeyPair's reference page; see the repository's
 * `docs/ens-api.md`, "KeyPairName"), as the server enforces it on CreateKeyPair and ImportKeyPair.
 */
import { invalidParameter, missingParameter } from "./errors";

/** Each part of the rule, with the words the error says it in; the first broken one is reported. */
const rules: readonly [RegExp, string][] = [
    [/^.{2,128}$/su, "must be 2 to 128 characters long"],
    [/^[A-Za-z]/, "must start with a letter"],
    [/^(?!https?:\/\/)/i, "must not start with http:// or https://"],
    [/^[A-Za-z0-9:_-]*$/, "may contain only ASCII letters, digits, colons (:), underscores (_) and hyphens (-)"],
];

/**
 * The `KeyPairName` parameter, checked.
 * @throws ApiError `MissingParameter` when absent or empty, `InvalidParameter.KeyPairName` naming
 *   the first part of the rule it breaks.
 */
export function checkedKeyPairName(name: string | undefined): string {
    if (!name) {
        throw missingParameter("KeyPairName");
    }
    const broken = rules.find(([rule]) => !rule.test(name));
    if (broken) {
        throw invalidParameter("KeyPairName", `KeyPairName ${broken[1]}.`);
    }
    return name;
}
