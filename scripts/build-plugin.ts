/**
 * Builds the `ens-keypair` resource plugin (`npm run build:plugin`): the provider, its gRPC
 * server and every module they load, bundled by esbuild into one file,
 * `dist/plugin/pulumi-resource-ens-keypair.js`, beside the small executable that Node.js runs and
 * that runs the bundle through V8's code cache (`provider/plugin/main.ts`),
 * `dist/plugin/pulumi-resource-ens-keypair`, this project's LICENSE and the licence notices of the
 * npm packages bundled (`THIRD-PARTY-NOTICES`); and the archives that the Pulumi CLI downloads, or
 * installs with `pulumi plugin install resource ens-keypair <version> --file <archive>`, one per
 * platform, `dist/pulumi-resource-ens-keypair-v<version>-<os>-<arch>.tar.gz`. The four archives
 * hold the same files: the bundle runs wherever Node.js does, except on Windows, whose engine
 * cannot start a file through its `#!/usr/bin/env node` line.
 *
 * A self-contained bundle needs no `npm install` where it is installed, whatever the program's
 * language, and starts faster than the same modules loaded from `node_modules`. An executable
 * rather than a `runtime: nodejs` plugin folder: the engine starts it directly, not through the
 * language host and the SDK's `run-plugin`, which load all of `@pulumi/pulumi` on every start.
 */
import { execFileSync } from "child_process";
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { pluginExecutable, pluginServerBundle } from "../provider/doors";
import { formatNotices, noticesOf } from "./notices";

const repoRoot = path.resolve(__dirname, "..");
/** Where the release's artifacts go. */
export const distDir = path.join(repoRoot, "dist");
export const pluginName = pluginExecutable;
/** The plugin folder of `dist/`, which the archives hold. */
export const pluginDir = path.join(distDir, "plugin");
/** The licence notices' file name, beside the executable. */
export const noticesFile = "THIRD-PARTY-NOTICES";

/** The version of the package, and so of the plugin, its schema and every release artifact: package.json's. */
export const pluginVersion: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;

/** The platforms the release has an archive for, as the CLI names them in the archive it looks for. */
export const platforms = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64"] as const;
export type Platform = (typeof platforms)[number];

/** The name of the archive the CLI looks for on a platform. */
export function archiveName(version: string, platform: Platform): string {
    return `${pluginName}-v${version}-${platform}.tar.gz`;
}

/** The platform this machine is, as the archives name it (the CLI on it installs that archive). */
export function hostPlatform(): Platform {
    const arch = ({ x64: "amd64", arm64: "arm64" } as Record<string, string>)[process.arch];
    const platform = `${process.platform}-${arch}`;
    if (!(platforms as readonly string[]).includes(platform)) {
        throw new Error(`the plugin has no archive for ${process.platform} on ${process.arch}`);
    }
    return platform as Platform;
}

/**
 * Bundles the plugin into `outDir` (made afresh): the executable, LICENSE and the third-party
 * notices. `version` (default: package.json's) is the one its schema reports, which the engine
 * checks against the version it installed the plugin as.
 */
export async function bundlePlugin(outDir: string, version = pluginVersion): Promise<void> {
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const executable = path.join(outDir, pluginName);
    const schemaFile = path.join(repoRoot, "provider", "plugin", "schema.json");
    const server = path.join(outDir, pluginServerBundle);
    const options: esbuild.BuildOptions = {
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        minify: true,
        // The licences' texts go to THIRD-PARTY-NOTICES, whole, rather than as comments in the code.
        legalComments: "none",
        logLevel: "warning",
        absWorkingDir: repoRoot,
    };
    const result = await esbuild.build({
        ...options,
        entryPoints: [path.join(repoRoot, "provider", "plugin", "server.ts")],
        outfile: server,
        metafile: true,
        plugins: [
            {
                // The schema the plugin serves, with the version it is built as.
                name: "schema-version",
                setup(build) {
                    build.onLoad({ filter: /[/\\]schema\.json$/ }, (args) =>
                        args.path === schemaFile
                            ? { contents: JSON.stringify({ ...JSON.parse(fs.readFileSync(schemaFile, "utf8")), version }), loader: "json" }
                            : undefined,
                    );
                },
            },
        ],
    });
    await esbuild.build({
        ...options,
        entryPoints: [path.join(repoRoot, "provider", "plugin", "main.ts")],
        outfile: executable,
        banner: { js: "#!/usr/bin/env node" },
    });
    fs.chmodSync(executable, 0o755);
    fs.copyFileSync(path.join(repoRoot, "LICENSE"), path.join(outDir, "LICENSE"));
    // The launcher bundles no npm package: the notices are the server bundle's.
    const notices = noticesOf(result.metafile, server, repoRoot);
    fs.writeFileSync(path.join(outDir, noticesFile), formatNotices(notices, `${pluginName} ${version}`));
}

/**
 * A gzipped tar of the files of `dir`, byte for byte the same for the same files: sorted, owned by
 * root, dated at the epoch, and gzip without a timestamp, so a rebuild has the same checksums.
 */
export function reproducibleTarball(dir: string): Buffer {
    const files = fs.readdirSync(dir).sort();
    const tar = execFileSync(
        "tar",
        ["--format=ustar", "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-cf", "-", "-C", dir, ...files],
        { maxBuffer: 256 * 1024 * 1024 },
    );
    return zlib.gzipSync(tar, { level: 9 });
}

/**
 * Bundles the plugin into `<dist>/plugin` and writes an archive of it per platform into `dist`
 * (default: this checkout's `dist/`); returns the archives' paths.
 */
export async function buildPlugin(options: { version?: string; dist?: string } = {}): Promise<Record<Platform, string>> {
    const version = options.version ?? pluginVersion;
    const dist = options.dist ?? distDir;
    const folder = path.join(dist, "plugin");
    await bundlePlugin(folder, version);
    const tarball = reproducibleTarball(folder);
    const archives = {} as Record<Platform, string>;
    for (const platform of platforms) {
        archives[platform] = path.join(dist, archiveName(version, platform));
        fs.writeFileSync(archives[platform], tarball);
    }
    return archives;
}

if (require.main === module) {
    // `--out DIR`: the bundle alone, into DIR, silently: how `npm pack` (whose --json report is
    // stdout) puts it into the npm package.
    const out = process.argv.indexOf("--out");
    const built =
        out >= 0
            ? bundlePlugin(path.resolve(process.argv[out + 1]))
            : buildPlugin().then((archives) =>
                  console.log(
                      `built ${path.relative(process.cwd(), pluginDir)}/ and ${Object.values(archives)
                          .map((a) => path.relative(process.cwd(), a))
                          .join(", ")}`,
                  ),
              );
    built.catch((err: unknown) => {
        console.error(err);
        process.exit(1);
    });
}
