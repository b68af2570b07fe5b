/**
 * Builds the `ens-keypair` resource plugin (`npm run build:plugin`): the provider, its gRPC
 * server and every module they load, bundled by esbuild into one executable file that Node.js
 * runs, `dist/plugin/pulumi-resource-ens-keypair`, and the archive that
 * `pulumi plugin install resource ens-keypair <version> --file <archive>` takes,
 * `dist/pulumi-resource-ens-keypair-v<version>.tar.gz`. One self-contained file needs no
 * `npm install` where it is installed, whatever the program's language, and starts as fast as the
 * same modules loaded from `node_modules`. An executable rather than a `runtime: nodejs` plugin
 * folder: the engine starts it directly, not through the language host and the SDK's
 * `run-plugin`, which load all of `@pulumi/pulumi` on every start.
 */
import { execFileSync } from "child_process";
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";
import { packageName } from "../provider/doors";

const repoRoot = path.resolve(__dirname, "..");
/** Where the plugin folder and the archive go. */
export const distDir = path.join(repoRoot, "dist");
export const pluginDir = path.join(distDir, "plugin");
export const pluginName = `pulumi-resource-${packageName}`;

/** The plugin's version: the package's. */
export const pluginVersion: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;
export const archivePath = path.join(distDir, `${pluginName}-v${pluginVersion}.tar.gz`);

/** Bundles the plugin into the plugin folder and packs the archive; returns the archive's path. */
export async function buildPlugin(): Promise<string> {
    fs.rmSync(pluginDir, { recursive: true, force: true });
    fs.mkdirSync(pluginDir, { recursive: true });
    const executable = path.join(pluginDir, pluginName);
    await esbuild.build({
        entryPoints: [path.join(repoRoot, "provider", "plugin", "main.ts")],
        outfile: executable,
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        minify: true,
        legalComments: "none",
        banner: { js: "#!/usr/bin/env node" },
        logLevel: "warning",
    });
    fs.chmodSync(executable, 0o755);
    fs.copyFileSync(path.join(repoRoot, "LICENSE"), path.join(pluginDir, "LICENSE"));
    execFileSync("tar", ["-czf", archivePath, "-C", pluginDir, "."]);
    return archivePath;
}

if (require.main === module) {
    buildPlugin().then(
        (archive) => console.log(`built ${path.relative(process.cwd(), pluginDir)}/ and ${path.relative(process.cwd(), archive)}`),
        (err: unknown) => {
            console.error(err);
            process.exit(1);
        },
    );
}
