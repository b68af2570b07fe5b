/**
 * The `pulumi-resource-ens-keypair` executable, as the engine launches a resource plugin: with the
 * engine's address as its argument. It runs the plugin's server (`server.ts`), which
 * `npm run build:plugin` bundles into one file beside it, through V8's code cache: without one,
 * Node.js compiles that file on every start, which was most of the start's time (see
 * BENCHMARKS.md). Node.js 20 caches no compiled code for a CommonJS file (its compile cache
 * comes in 22), so this keeps the cache itself, beside the bundle. A process that finds no cache,
 * or one V8 rejects (another Node.js, other V8 flags), writes it once it has answered its first
 * call of a resource method, so that the cache holds the code of a call as well as the start's.
 * A folder it cannot write to costs the cache only.
 *
 * Started with `orphans` instead (`pulumi plugin run --kind resource ens-keypair -- orphans …`,
 * which the engine never passes), it runs the `orphans` command (`orphans.ts`, in the bundle too),
 * so that a user of the package in any language has it from the plugin they installed.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import { createRequire, wrap } from "module";
import * as path from "path";
import { Script } from "vm";
import { pluginServerBundle } from "../doors";

type Server = typeof import("./server");

const bundle = path.join(__dirname, pluginServerBundle);
const cacheFile = `${bundle}.cache`;

/**
 * The bundle's size and time of change, which the cache's first line records with a digest of the
 * rest: V8 checks that a cache is of its version and flags, and of a source of the same length,
 * but not that it is of the same source, nor whole (a damaged cache crashes it).
 */
function identity(): string {
    const stat = fs.statSync(bundle);
    return `${stat.size} ${stat.mtimeMs}`;
}

const digest = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** The cache of this bundle, if there is one and it is whole. */
function readCache(id: string): Buffer | undefined {
    let file: Buffer;
    try {
        file = fs.readFileSync(cacheFile);
    } catch {
        return undefined;
    }
    const newline = file.indexOf("\n");
    const data = file.subarray(newline + 1);
    return newline > 0 && file.subarray(0, newline).toString("latin1") === `${id} ${digest(data)}` ? data : undefined;
}

/** Writes the cache whole or not at all: another plugin process may be reading it, or writing it too. */
function writeCache(id: string, script: Script): void {
    const partial = `${cacheFile}.${process.pid}`;
    try {
        const data = script.createCachedData();
        fs.writeFileSync(partial, Buffer.concat([Buffer.from(`${id} ${digest(data)}\n`, "latin1"), data]));
        fs.renameSync(partial, cacheFile);
    } catch {
        fs.rmSync(partial, { force: true });
    }
}

function main(): void {
    const id = identity();
    const cachedData = readCache(id);
    const script = new Script(wrap(fs.readFileSync(bundle, "utf8")), { filename: bundle, cachedData });
    const module = { exports: {} as Server };
    (script.runInThisContext() as (...args: unknown[]) => void)(
        module.exports,
        createRequire(bundle),
        module,
        bundle,
        path.dirname(bundle),
    );
    if (process.argv[2] === "orphans") {
        module.exports.runOrphans(process.argv.slice(2));
        return;
    }
    const stale = cachedData === undefined || script.cachedDataRejected === true;
    module.exports.serve(process.argv[2], stale ? () => writeCache(id, script) : undefined);
}

main();
