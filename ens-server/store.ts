/**
 * The server's SQLite database (better-sqlite3): key pairs, and the signature nonces seen
 * recently. Nonces live here too, so a restarted server still refuses a replayed request.
 *
 * better-sqlite3 is a native devDependency, so it is loaded only when a store is opened: the
 * provider package, which never runs this server, neither needs nor loads it.
 */
import { KeyPairFilter } from "../provider/ens/api";
import { pubKeyNameExisted } from "./errors";

/** A key pair as stored. There is no private key: ENS returns it once, at creation, and forgets it. */
export interface StoredKeyPair {
    keyPairId: string;
    keyPairName: string;
    /** ENS's fingerprint: MD5 of the public key blob, bare lower-case hex. */
    keyPairFingerPrint: string;
    /** `ssh-rsa <base64>`, without comment. */
    publicKey: string;
    /** ENS format, `yyyy-MM-ddTHH:mm:ssZ`. */
    creationTime: string;
}

/** How long a nonce is remembered: twice the timestamp skew, so no still-valid request can be replayed. */
export const nonceRetentionMs = 30 * 60 * 1000;

// The few better-sqlite3 calls used here; the package ships no types and @types is not installed.
interface Statement {
    run(...params: unknown[]): { changes: number };
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
}
interface Database {
    prepare(sql: string): Statement;
    exec(sql: string): void;
    pragma(pragma: string): unknown;
    close(): void;
}
type DatabaseConstructor = new (filename: string) => Database;

const schema = `
CREATE TABLE IF NOT EXISTS key_pairs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key_pair_id TEXT NOT NULL UNIQUE,
    key_pair_name TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    public_key TEXT NOT NULL,
    creation_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nonces (
    access_key_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (access_key_id, nonce)
);
CREATE INDEX IF NOT EXISTS nonces_seen_at ON nonces (seen_at);
`;

const columns = `key_pair_id AS keyPairId, key_pair_name AS keyPairName, fingerprint AS keyPairFingerPrint,
    public_key AS publicKey, creation_time AS creationTime`;
const matches = "(@name IS NULL OR key_pair_name = @name) AND (@id IS NULL OR key_pair_id = @id)";

/** Key pairs and nonces in one SQLite database. Calls are synchronous, so each is atomic within the server. */
export class KeyPairStore {
    private constructor(private readonly db: Database) {}

    /**
     * Opens (creating if need be) a database.
     * @param path SQLite file; omitted for an in-memory database that dies with the store.
     */
    static open(path?: string): KeyPairStore {
        const Database = require("better-sqlite3") as DatabaseConstructor;
        const db = new Database(path ?? ":memory:");
        if (path) {
            db.pragma("journal_mode = WAL");
        }
        db.exec(schema);
        return new KeyPairStore(db);
    }

    /** Whether a pair has this name. */
    nameTaken(name: string): boolean {
        return this.db.prepare("SELECT 1 FROM key_pairs WHERE key_pair_name = ?").get(name) !== undefined;
    }

    /**
     * Stores a new pair; it is committed when this returns.
     * @throws ApiError `PubKeyNameExisted` when the name is taken (the check that wins races).
     */
    insert(pair: StoredKeyPair): void {
        try {
            this.db
                .prepare(
                    "INSERT INTO key_pairs (key_pair_id, key_pair_name, fingerprint, public_key, creation_time) VALUES (?, ?, ?, ?, ?)",
                )
                .run(pair.keyPairId, pair.keyPairName, pair.keyPairFingerPrint, pair.publicKey, pair.creationTime);
        } catch (err) {
            if (
                (err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE" &&
                String((err as Error).message).includes("key_pair_name")
            ) {
                throw pubKeyNameExisted(pair.keyPairName);
            }
            throw err;
        }
    }

    /** One page of the pairs matching `filter`, oldest first, and how many match in all. */
    page(filter: KeyPairFilter, pageNumber: number, pageSize: number): { totalCount: number; keyPairs: StoredKeyPair[] } {
        const bind = { name: filter.keyPairName ?? null, id: filter.keyPairId ?? null };
        const { count } = this.db.prepare(`SELECT COUNT(*) AS count FROM key_pairs WHERE ${matches}`).get(bind) as { count: number };
        // Far pages would overflow SQLite's integer; past the safe range they are empty anyway.
        const offset = Math.min((pageNumber - 1) * pageSize, Number.MAX_SAFE_INTEGER);
        const keyPairs = this.db
            .prepare(`SELECT ${columns} FROM key_pairs WHERE ${matches} ORDER BY seq LIMIT @limit OFFSET @offset`)
            .all({ ...bind, limit: pageSize, offset }) as StoredKeyPair[];
        return { totalCount: count, keyPairs };
    }

    /** Deletes the pairs matching every given filter; returns them. Give at least one filter. */
    delete(filter: KeyPairFilter): StoredKeyPair[] {
        if (filter.keyPairName === undefined && filter.keyPairId === undefined) {
            throw new Error("KeyPairStore.delete needs a filter; it never empties the store");
        }
        return this.db
            .prepare(`DELETE FROM key_pairs WHERE ${matches} RETURNING ${columns}`)
            .all({ name: filter.keyPairName ?? null, id: filter.keyPairId ?? null }) as StoredKeyPair[];
    }

    /** Every pair, oldest first. */
    all(): StoredKeyPair[] {
        return this.db.prepare(`SELECT ${columns} FROM key_pairs ORDER BY seq`).all() as StoredKeyPair[];
    }

    /**
     * Records a nonce for an AccessKeyId, forgetting those older than {@link nonceRetentionMs}.
     * @returns false when the nonce was already recorded.
     */
    useNonce(accessKeyId: string, nonce: string, nowMs: number): boolean {
        this.db.prepare("DELETE FROM nonces WHERE seen_at < ?").run(nowMs - nonceRetentionMs);
        return (
            this.db.prepare("INSERT OR IGNORE INTO nonces (access_key_id, nonce, seen_at) VALUES (?, ?, ?)").run(accessKeyId, nonce, nowMs)
                .changes === 1
        );
    }

    close(): void {
        this.db.close();
    }
}
