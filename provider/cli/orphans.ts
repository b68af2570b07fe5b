/**
 * Finding orphans: key pairs in ENS that a stack's state does not hold, such as those an
 * interrupted `pulumi up` created but never recorded. Pure functions over a `pulumi stack export`
 * document and an ENS listing; the command line in `main.ts` does the I/O.
 */
import { EnsKeyPair } from "../ens/client";

/** The type token of a KeyPair in Pulumi state (a dynamic resource in the `ens-keypair` module). */
export const keyPairType = "pulumi-nodejs:dynamic/ens-keypair:KeyPair";

/** What a stack's state says about its key pairs. */
export interface StackHoldings {
    /** Ids of every KeyPair in the state, managed or only read (`KeyPair.get`). */
    ids: Set<string>;
    /** Names of KeyPairs whose create was interrupted: the engine recorded it as pending, never its outcome. */
    pendingNames: string[];
}

interface ExportedResource {
    type?: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

/**
 * Reads a `pulumi stack export` document.
 * @throws Error when the text is not a stack export.
 */
export function holdingsOf(exportText: string): StackHoldings {
    let exported: {
        deployment?: { resources?: ExportedResource[]; pending_operations?: { type?: string; resource?: ExportedResource }[] };
    };
    try {
        exported = JSON.parse(exportText);
    } catch {
        throw new Error("the stack state is not JSON; give the output of `pulumi stack export`.");
    }
    if (typeof exported !== "object" || exported === null || !("deployment" in exported)) {
        throw new Error("the stack state has no deployment; give the output of `pulumi stack export`.");
    }
    const deployment = exported.deployment ?? {};
    const ids = new Set<string>();
    for (const resource of deployment.resources ?? []) {
        if (resource.type === keyPairType && typeof resource.id === "string" && resource.id !== "") {
            ids.add(resource.id);
        }
    }
    const pendingNames: string[] = [];
    for (const operation of deployment.pending_operations ?? []) {
        const name = operation.resource?.inputs?.keyPairName;
        if (operation.type === "creating" && operation.resource?.type === keyPairType && typeof name === "string") {
            pendingNames.push(name);
        }
    }
    return { ids, pendingNames };
}

/** Which pairs to consider: at least one of these should be given. */
interface OrphanSelection {
    /** Names of pairs whose create was interrupted, from the stack's pending operations. */
    pendingNames: string[];
    /** Names given by the user. */
    names: string[];
    /** Name prefixes given by the user (a `keyPairNamePrefix`, or a naming convention). */
    prefixes: string[];
}

/** A pair in ENS that the stack does not hold, and why it was considered. */
interface Orphan {
    pair: EnsKeyPair;
    reason: string;
}

/** The pairs of `listing` that `selection` picks and `holdings` does not hold, oldest first, then by name. */
export function findOrphans(listing: EnsKeyPair[], holdings: Pick<StackHoldings, "ids">, selection: OrphanSelection): Orphan[] {
    const orphans: Orphan[] = [];
    for (const pair of listing) {
        if (holdings.ids.has(pair.keyPairId)) {
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

/** One line per orphan, aligned, for the terminal. */
export function formatOrphans(orphans: Orphan[]): string[] {
    const width = Math.max(0, ...orphans.map((o) => o.pair.keyPairName.length));
    return orphans.map(
        ({ pair, reason }) =>
            `  ${pair.keyPairId}  ${pair.keyPairName.padEnd(width)}  created ${pair.creationTime}  fingerprint ${pair.keyPairFingerPrint}  (${reason})`,
    );
}
