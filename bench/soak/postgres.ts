/**
 * A throwaway PostgreSQL cluster for Pulumi's `postgres://` state backend: Debian's PostgreSQL 15
 * (scripts/ensure-postgres installs it when missing), `initdb` into a temporary folder, the server on
 * a free port of 127.0.0.1 with a `pulumi` database, stopped and its folder removed by `stop`.
 * PostgreSQL refuses to run as root, so when this process is root the cluster is the `postgres`
 * user's, as Debian's own clusters are.
 */
import { ChildProcess, execFileSync, spawn, SpawnOptions } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../../test/helpers/paths";

/** A running cluster. */
export interface Postgres {
    /** What `pulumi login` takes: the `pulumi` database as the `postgres` user, without TLS (loopback only). */
    readonly url: string;
    readonly port: number;
    /** The postmaster's pid: the server's other processes are its children. */
    readonly pid: number;
    /** Runs SQL in the `pulumi` database; returns psql's unaligned, tuples-only output. */
    query(sql: string): string;
    /** Stops the server (fast shutdown) and removes its folder. Idempotent. */
    stop(): Promise<void>;
}

/** The folder of PostgreSQL's programs, installed first if need be. */
function postgresBin(): string {
    const out = execFileSync(path.join(repoRoot, "scripts", "ensure-postgres"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    return out.trim().split("\n").pop() as string;
}

/** The uid and gid to run the server as: `postgres` when this process is root, else this process's own. */
function serverUser(): { uid?: number; gid?: number } {
    if (process.getuid?.() !== 0) {
        return {};
    }
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
}

async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

/**
 * Starts the server and resolves once it says it accepts connections; rejects with its log if it
 * exits first (the port taken meanwhile, say).
 */
function startServer(bin: string, data: string, port: number, options: SpawnOptions): Promise<ChildProcess> {
    const child = spawn(
        path.join(bin, "postgres"),
        ["-D", data, "-p", String(port), "-k", path.dirname(data), "-c", "listen_addresses=127.0.0.1"],
        { ...options, stdio: ["ignore", "ignore", "pipe"] },
    );
    let log = "";
    return new Promise((resolve, reject) => {
        child.stderr?.setEncoding("utf8");
        child.stderr?.on("data", (chunk: string) => {
            log = (log + chunk).slice(-8192);
            if (log.includes("database system is ready to accept connections")) {
                resolve(child);
            }
        });
        child.on("error", reject);
        child.on("exit", (code) => reject(new Error(`postgres exited with ${code} before accepting connections:\n${log}`)));
    });
}

/** Creates a cluster in a new temporary folder and starts it. */
export async function startPostgres(): Promise<Postgres> {
    const bin = postgresBin();
    const user = serverUser();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-postgres-"));
    let server: ChildProcess | undefined;
    try {
        if (user.uid !== undefined) {
            fs.chownSync(dir, user.uid, user.gid as number);
        }
        const data = path.join(dir, "data");
        // The server's environment: no locale settings of this process, which initdb would adopt.
        const options: SpawnOptions = { ...user, cwd: dir, env: { PATH: process.env.PATH, LC_ALL: "C" } };
        execFileSync(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], {
            ...options,
            stdio: ["ignore", "ignore", "pipe"],
        });
        let port = 0;
        for (let attempt = 1; server === undefined; attempt++) {
            port = await freePort();
            try {
                server = await startServer(bin, data, port, options);
            } catch (err) {
                // Another process may have taken the port between its choice and the server's bind.
                if (attempt >= 3 || !/could not (bind|create listen socket)/.test((err as Error).message)) {
                    throw err;
                }
            }
        }
        const running = server;
        const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
        const psql = (database: string, sql: string) =>
            execFileSync(path.join(bin, "psql"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-Atqc", sql], {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            });
        psql("postgres", "CREATE DATABASE pulumi");
        let stopping: Promise<void> | undefined;
        return {
            url: `postgres://postgres@127.0.0.1:${port}/pulumi?sslmode=disable`,
            port,
            pid: running.pid as number,
            query: (sql) => psql("pulumi", sql),
            stop() {
                stopping ??= (async () => {
                    if (running.exitCode === null && running.signalCode === null) {
                        running.kill("SIGINT"); // PostgreSQL's fast shutdown
                        await exited;
                    }
                    fs.rmSync(dir, { recursive: true, force: true });
                })();
                return stopping;
            },
        };
    } catch (err) {
        server?.kill("SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
        throw err;
    }
}
