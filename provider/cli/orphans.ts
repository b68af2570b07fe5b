/**
 * Finding orphans: key pairs in ENS that a stack's state does not hold, such as those an
 * interrupted `pulumi up` created but never recorded. Pure functions over a `pulumi stack export`
 * document and ENS listings; the command line in `main.ts` does the I/O.
 *
 * A stack's KeyPairs come through either door and, through the package's, through any number of
 * providers, each with its own endpoint and account. Each account is looked at only for what its
 * own providers hold and left pending, and never for a pair whose id the state holds anywhere.
 */
import { ConfigError, configKeys, ProviderConfig, resolveConfig } from "../config";
import { doorOf } from "../doors";
import { EnsKeyPair } from "../ens/client";

/** Who runs some of a stack's KeyPairs, and what the state records of them. */
export interface Holder {
    /** For messages: `provider "<name>"`, or the dynamic KeyPairs'. */
    label: string;
    /** Where its configuration comes from. */
    settings: Settings;
    /** How many KeyPairs of the state it holds. */
    held: number;
    /** Names of its KeyPairs whose create was interrupted: the engine recorded it as pending, never its outcome. */
    pendingNames: string[];
}

/**
 * A holder's configuration: the dynamic door's is the stack's configuration and the environment,
 * read when its provider runs; a package provider's is its inputs in the state (the engine gives a
 * default provider the stack's `ens-keypair:*` configuration), then the environment.
 */
export type Settings =
    { from: "stack" } | { from: "state"; values: Record<string, string>; encrypted: string[] } | { from: "missing"; reference: string };

/** What a stack's state says about its key pairs. */
export interface StackHoldings {
    /** Every id of every resource in the state, KeyPairs under any provider of either door among them. */
    ids: Set<string>;
    /** Who holds the state's KeyPairs and interrupted creates, in the order the state first names them. */
    holders: Holder[];
}

interface ExportedResource {
    urn?: string;
    type?: string;
    id?: string;
    /** A package resource's provider: `<provider URN>::<provider id>`. */
    provider?: string;
    inputs?: Record<string, unknown>;
}

/** The key `pulumi stack export` marks a secret with; the value has `plaintext` with `--show-secrets`, else `ciphertext`. */
const secretSignature = "4dabf18193072939515e22adb298388d";

/** The last part of a URN: the resource's name. */
function nameOf(urn: string | undefined): string {
    return urn?.split("::").pop() ?? "";
}

/** A provider resource's configuration keys, as the provider reads them (secrets decrypted if the export shows them). */
function settingsOf(provider: ExportedResource | undefined, reference: string): Settings {
    if (provider === undefined) {
        return { from: "missing", reference };
    }
    const values: Record<string, string> = {};
    const encrypted: string[] = [];
    for (const key of configKeys) {
        const value = provider.inputs?.[key];
        if (typeof value === "string") {
            values[key] = value;
        } else if (typeof value === "object" && value !== null && secretSignature in value) {
            const { plaintext } = value as { plaintext?: string };
            const decoded: unknown = plaintext === undefined ? undefined : JSON.parse(plaintext);
            if (typeof decoded === "string") {
                values[key] = decoded;
            } else {
                encrypted.push(key);
            }
        }
    }
    return { from: "state", values, encrypted };
}

/**
 * Reads a `pulumi stack export` document (`--show-secrets`, for the providers' credentials).
 * @throws Error when the text is not a stack export.
 */
export function holdingsOf(exportText: string): StackHoldings {
    let exported: {
        deployment?: { resources?: ExportedResource[]; pending_operations?: { type?: string; resource?: ExportedResource }[] };
    };
    try {
        exported = JSON.parse(exportText);
    } catch {
        throw new Error("the stack state is not JSON; give the output of `pulumi stack export --show-secrets`.");
    }
    if (typeof exported !== "object" || exported === null || !("deployment" in exported)) {
        throw new Error("the stack state has no deployment; give the output of `pulumi stack export --show-secrets`.");
    }
    const resources = exported.deployment?.resources ?? [];
    const pending = exported.deployment?.pending_operations ?? [];
    const ids = new Set<string>();
    for (const resource of [...resources, ...pending.map((operation) => operation.resource ?? {})]) {
        if (typeof resource.id === "string" && resource.id !== "") {
            ids.add(resource.id);
        }
    }

    const holders = new Map<string, Holder>();
    /** The holder of a KeyPair of the state, made on first sight. */
    const holderOf = (resource: ExportedResource): Holder | undefined => {
        const door = doorOf(resource.type);
        if (door === undefined) {
            return undefined;
        }
        // The dynamic door's provider is Pulumi's dynamic host, whatever the KeyPair's configuration.
        const reference = door === "dynamic" ? "" : (resource.provider ?? "");
        let holder = holders.get(reference);
        if (holder === undefined) {
            const providerUrn = reference.slice(0, reference.lastIndexOf("::"));
            holder =
                door === "dynamic"
                    ? { label: "the dynamic KeyPairs", settings: { from: "stack" }, held: 0, pendingNames: [] }
                    : {
                          label: `provider "${nameOf(providerUrn)}"`,
                          settings: settingsOf(
                              resources.find((r) => r.urn === providerUrn && `${r.urn}::${r.id}` === reference),
                              reference,
                          ),
                          held: 0,
                          pendingNames: [],
                      };
            holders.set(reference, holder);
        }
        return holder;
    };
    for (const resource of resources) {
        const holder = holderOf(resource);
        if (holder !== undefined) {
            holder.held++;
        }
    }
    for (const operation of pending) {
        const name = operation.resource?.inputs?.keyPairName;
        const holder = operation.type === "creating" && operation.resource ? holderOf(operation.resource) : undefined;
        if (holder !== undefined && typeof name === "string") {
            holder.pendingNames.push(name);
        }
    }
    return { ids, holders: [...holders.values()] };
}

/** One ENS account that some of the stack's KeyPairs use: an endpoint, a region and an access key. */
export interface Account {
    /** The configuration to reach it with (the first of its holders'). */
    config: ProviderConfig;
    /** Its holders' labels. */
    holders: string[];
    /** Names of the interrupted creates its holders left. */
    pendingNames: string[];
}

/** A holder whose pairs are not looked for in ENS, and why. */
export interface NotLooked {
    holder: string;
    reason: string;
    pendingNames: string[];
    /** False when there is nothing in ENS to look for (the local backend); true when it could not be judged. */
    refused: boolean;
}

/**
 * The accounts the holders use, grouped by endpoint, region and access key (one without an access
 * key uses the environment's credential chain, as its provider does), and the holders that cannot
 * be looked for in ENS.
 * @param stackConfig reads a key of the stack's `ens-keypair` configuration, for the dynamic KeyPairs.
 */
export function accountsOf(
    holders: Holder[],
    stackConfig: (key: string) => string | undefined,
    env: NodeJS.ProcessEnv = process.env,
): { accounts: Account[]; notLooked: NotLooked[] } {
    const accounts = new Map<string, Account>();
    const notLooked: NotLooked[] = [];
    for (const holder of holders) {
        const refuse = (reason: string) =>
            notLooked.push({ holder: holder.label, reason, pendingNames: holder.pendingNames, refused: true });
        const { settings } = holder;
        if (settings.from === "missing") {
            refuse(`its configuration is not in the state (no provider ${settings.reference})`);
            continue;
        }
        if (settings.from === "state" && settings.encrypted.length > 0) {
            refuse(
                `its ${settings.encrypted.join(" and ")} is encrypted in the state; give the output of \`pulumi stack export --show-secrets\``,
            );
            continue;
        }
        let config: ProviderConfig;
        try {
            config = resolveConfig(settings.from === "stack" ? stackConfig : (key) => settings.values[key], env);
        } catch (err) {
            if (!(err instanceof ConfigError)) {
                throw err;
            }
            refuse(err.message);
            continue;
        }
        if (config.backend !== "ens") {
            notLooked.push({
                holder: holder.label,
                reason: `it uses the ${config.backend} backend, which keeps key pairs only in the state: there is nothing in ENS to look for`,
                pendingNames: holder.pendingNames,
                refused: false,
            });
            continue;
        }
        const key = JSON.stringify([config.endpoint, config.regionId ?? "", config.accessKeyId ?? ""]);
        const account = accounts.get(key) ?? { config, holders: [], pendingNames: [] };
        account.holders.push(holder.label);
        account.pendingNames.push(...holder.pendingNames);
        accounts.set(key, account);
    }
    return { accounts: [...accounts.values()], notLooked };
}

/** Which pairs to consider in an account: at least one of these should be given. */
export interface OrphanSelection {
    /** Names of pairs whose create was interrupted, from the stack's pending operations. */
    pendingNames: string[];
    /** Names given by the user. */
    names: string[];
    /** Name prefixes given by the user (a `keyPairNamePrefix`, or a naming convention). */
    prefixes: string[];
}

/** A pair in ENS that the stack does not hold, and why it was considered. */
export interface Orphan {
    pair: EnsKeyPair;
    reason: string;
}

/** The pairs of `listing` that `selection` picks and `heldIds` does not hold, oldest first, then by name. */
export function findOrphans(listing: EnsKeyPair[], heldIds: Set<string>, selection: OrphanSelection): Orphan[] {
    const orphans: Orphan[] = [];
    for (const pair of listing) {
        if (heldIds.has(pair.keyPairId)) {
            continue;
        }
        const prefix = selection.prefixes.find((p) => pair.keyPairName.startsWith(p));
        const reason = selection.pendingNames.includes(pair.keyPairName)
            ? "an interrupted create in the stack"
            : selection.names.includes(pair.keyPairName)
              ? "named on the command line"
              : prefix !== undefined
                ? `name starts with "${prefix}"`
                : undefined;
        if (reason !== undefined) {
            orphans.push({ pair, reason });
        }
    }
    return orphans.sort(
        (a, b) => a.pair.creationTime.localeCompare(b.pair.creationTime) || a.pair.keyPairName.localeCompare(b.pair.keyPairName),
    );
}

/** An account as messages name it: its endpoint and region and its holders, never its credentials. */
export function describeAccount(account: Account): string {
    const region = account.config.regionId === undefined ? "" : `, region ${account.config.regionId}`;
    return `ENS at ${account.config.endpoint}${region}, the account of ${account.holders.join(" and ")}`;
}

/** One line per orphan, aligned, for the terminal. */
export function formatOrphans(orphans: Orphan[]): string[] {
    const width = Math.max(0, ...orphans.map((o) => o.pair.keyPairName.length));
    return orphans.map(
        ({ pair, reason }) =>
            `    ${pair.keyPairId}  ${pair.keyPairName.padEnd(width)}  created ${pair.creationTime}  fingerprint ${pair.keyPairFingerPrint}  (${reason})`,
    );
}

/** What a holder that was not looked for means for the user, naming what a refusal leaves unchecked: one line. */
export function formatNotLooked({ holder, reason, pendingNames, refused }: NotLooked, lookingByName: boolean): string {
    if (!refused) {
        return `Not looked for under ${holder}: ${reason}.`;
    }
    const unjudged = [
        pendingNames.length > 0 ? `its interrupted creates of ${pendingNames.map((n) => `"${n}"`).join(", ")}` : "",
        lookingByName ? "the pairs named with --name or --prefix in its account" : "",
    ].filter(Boolean);
    return `Not looked for under ${holder}: ${reason}.${unjudged.length > 0 ? ` Unchecked: ${unjudged.join(", and ")}.` : ""}`;
}
