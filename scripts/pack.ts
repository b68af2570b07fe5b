/**
 * `npm pack` of this package as a user's clone would make it, run in a copy of the checkout: its
 * `prepack` replaces `bin/` with a clean build (and bundles the plugin into `bin/plugin/`), which in
 * the checkout itself would pull the build from under any suite that runs from it meanwhile (a
 * program loading the package, say).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..");

/** What `npm pack --json` reports of the tarball. */
export interface Packed {
    /** The tarball's file name, as `npm pack` names it. */
    filename: string;
    /** The paths the tarball holds, relative to the package, sorted. */
    files: string[];
}

/** Folders that are no part of the source: installed, built, or left by runs. */
const notSource = /^(\.git|node_modules|bin|dist|\.pulumi-state|\.pulumi-test|bench[/\\]work)$|[/\\](node_modules|sdks|venv)$/;

/**
 * Packs the package into `destination` (or, with `dryRun`, only lists what it would hold), from a
 * throwaway copy of the checkout that shares its `node_modules`; with `version`, as that version
 * (the copy's package.json says so: how a release bumps it).
 */
export function pack(destination: string, options: { dryRun?: boolean; version?: string } = {}): Packed {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-pack-"));
    try {
        fs.cpSync(repoRoot, copy, { recursive: true, filter: (src) => !notSource.test(path.relative(repoRoot, src)) });
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(copy, "node_modules"));
        if (options.version !== undefined) {
            const manifestFile = path.join(copy, "package.json");
            fs.writeFileSync(
                manifestFile,
                JSON.stringify({ ...JSON.parse(fs.readFileSync(manifestFile, "utf8")), version: options.version }, null, 2),
            );
        }
        const args = ["pack", "--json", "--pack-destination", destination, ...(options.dryRun ? ["--dry-run"] : [])];
        const [packed] = JSON.parse(execFileSync("npm", args, { cwd: copy, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        return { filename: packed.filename, files: (packed.files as { path: string }[]).map((f) => f.path).sort() };
    } finally {
        fs.rmSync(copy, { recursive: true, force: true });
    }
}
