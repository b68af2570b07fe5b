/**
 * ENS's key-pair actions over the store, with ENS's parameter rules, codes and response shapes
 * (see `docs/ens-api.md`). Where the pages are silent, this server decides:
 *
 * - names are unique and compared exactly (case-sensitive);
 * - DescribeKeyPairs lists oldest first, so pages are stable while pairs are added;
 *   `KeyPairName` and `KeyPairId` filter by exact match and are not checked against the name rules;
 * - DeleteKeyPairs deletes the pair matching every given filter; matching none is not an error,
 *   so deleting twice succeeds twice;
 * - ImportKeyPair takes `ssh-rsa` keys of 2048 bits or more; anything else is `InvalidParameter.PublicKeyBody`.
 */
import { EnsAction, EnsActionResponses, EnsResponse, KeyPairFilter, keyPairFilterParameters } from "../provider/ens/api";
import { invalidParameter, missingParameter, pubKeyNameExisted } from "./errors";
import { newKeyPairId, timestamp } from "./ids";
import { checkedKeyPairName } from "./keyPairName";
import { checkedPublicKey, createdPair } from "./sshKeys";
import { KeyPairStore, StoredKeyPair } from "./store";

/** What a call changed for good: the pairs it stored and those it deleted (none, for a delete that matched nothing). */
export interface Committed {
    created: StoredKeyPair[];
    deleted: StoredKeyPair[];
}

/** What an action answers, without `RequestId`; `committed` is there when the call changed the database for good. */
export interface ActionResult<A extends EnsAction = EnsAction> {
    body: Omit<EnsActionResponses[A], keyof EnsResponse>;
    committed?: Committed;
}

type Params = ReadonlyMap<string, string>;
type Action<A extends EnsAction> = (params: Params, store: KeyPairStore) => Promise<ActionResult<A>>;

const maxInt32 = 2 ** 31 - 1;

function optional(params: Params, name: string): string | undefined {
    // SDKs send unset parameters as empty strings as often as they leave them out.
    return params.get(name) || undefined;
}

function positiveInteger(params: Params, name: string, fallback: number): number {
    const text = optional(params, name);
    if (text === undefined) {
        return fallback;
    }
    const value = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
    if (!(value >= 1 && value <= maxInt32)) {
        throw invalidParameter(name, `${name} must be an integer from 1 to ${maxInt32}; got ${JSON.stringify(text.slice(0, 20))}.`);
    }
    return value;
}

function keyPairFilter(params: Params): KeyPairFilter {
    return {
        keyPairName: optional(params, keyPairFilterParameters.keyPairName),
        keyPairId: optional(params, keyPairFilterParameters.keyPairId),
    };
}

async function createKeyPair(params: Params, store: KeyPairStore): Promise<ActionResult<"CreateKeyPair">> {
    const name = checkedKeyPairName(params.get("KeyPairName"));
    // Checked before the slow key generation; the insert checks again, for concurrent creates.
    if (store.nameTaken(name)) {
        throw pubKeyNameExisted(name);
    }
    const key = await createdPair();
    const pair = {
        keyPairId: newKeyPairId(),
        keyPairName: name,
        keyPairFingerPrint: key.fingerPrint,
        publicKey: key.line,
        creationTime: timestamp(),
    };
    store.insert(pair);
    return {
        body: {
            KeyPairId: pair.keyPairId,
            KeyPairName: name,
            KeyPairFingerPrint: pair.keyPairFingerPrint,
            PrivateKeyBody: key.privateKeyPem,
        },
        committed: { created: [pair], deleted: [] },
    };
}

async function importKeyPair(params: Params, store: KeyPairStore): Promise<ActionResult<"ImportKeyPair">> {
    const name = checkedKeyPairName(params.get("KeyPairName"));
    const key = checkedPublicKey(params.get("PublicKeyBody"));
    const pair = {
        keyPairId: newKeyPairId(),
        keyPairName: name,
        keyPairFingerPrint: key.fingerPrint,
        publicKey: key.line,
        creationTime: timestamp(),
    };
    store.insert(pair);
    return { body: { KeyPairName: name, KeyPairFingerPrint: key.fingerPrint }, committed: { created: [pair], deleted: [] } };
}

async function describeKeyPairs(params: Params, store: KeyPairStore): Promise<ActionResult<"DescribeKeyPairs">> {
    const pageNumber = positiveInteger(params, "PageNumber", 1);
    const pageSize = positiveInteger(params, "PageSize", 10);
    const filter = keyPairFilter(params);
    const { totalCount, keyPairs } = store.page(filter, pageNumber, pageSize);
    return {
        body: {
            PageNumber: pageNumber,
            PageSize: pageSize,
            TotalCount: totalCount,
            KeyPairs: {
                KeyPair: keyPairs.map((p) => ({
                    KeyPairId: p.keyPairId,
                    KeyPairName: p.keyPairName,
                    KeyPairFingerPrint: p.keyPairFingerPrint,
                    CreationTime: p.creationTime,
                })),
            },
        },
    };
}

async function deleteKeyPairs(params: Params, store: KeyPairStore): Promise<ActionResult<"DeleteKeyPairs">> {
    const filter = keyPairFilter(params);
    if (filter.keyPairName === undefined && filter.keyPairId === undefined) {
        throw missingParameter("KeyPairName or KeyPairId");
    }
    return { body: {}, committed: { created: [], deleted: store.delete(filter) } };
}

/** The actions, by ENS name. */
export const actions: { readonly [A in EnsAction]: Action<A> } = {
    CreateKeyPair: createKeyPair,
    ImportKeyPair: importKeyPair,
    DescribeKeyPairs: describeKeyPairs,
    DeleteKeyPairs: deleteKeyPairs,
};

/** Whether `name` is an action this server runs (own property only: `toString` is no action). */
export function isAction(name: string): name is EnsAction {
    return Object.prototype.hasOwnProperty.call(actions, name);
}
