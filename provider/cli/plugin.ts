/**
 * `npx pulumi-ens-keypair plugin install`: registers the `ens-keypair` resource plugin that this
 * npm package carries (`bin/plugin/`, bundled when the package is packed) with the Pulumi CLI on
 * PATH, at this package's version, so that the package door (the generated SDKs, provider
 * instances, `pulumi import`, YAML programs) works from the same npm install as the dynamic
 * `KeyPair`, with no download.
 */
import { spawnSync } from "child_process";
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { packageName, pluginExecutable } from "../doors";

export const pluginUsage = `Usage: npx pulumi-ens-keypair plugin install [--reinstall]

Registers the ${packageName} resource plugin that this npm package carries with the Pulumi CLI
on PATH (pulumi plugin install resource ${packageName} <version> --file <its folder>), into
$PULUMI_HOME/plugins (default ~/.pulumi/plugins), at this package's version. Programs in any
language on this machine then find it. The plugin runs with the node on PATH (Node.js 20.19 or
newer), on Linux and macOS.

  --reinstall     replace a plugin already registered at this version
  -h, --help      this text
`;

/** This installed package's root: bin/cli/ is two folders down. */
const packageRoot = path.join(__dirname, "..", "..");

/** The plugin folder this package carries, and the version to register it as. */
export function bundledPlugin(root = packageRoot): { folder: string; version: string } {
    const folder = path.join(root, "bin", "plugin");
    if (!existsSync(path.join(folder, pluginExecutable))) {
        throw new Error(
            `this copy of the package carries no plugin (${path.join(folder, pluginExecutable)} is missing): ` +
                "npm pack bundles it, a build in a clone does not (npm run build:plugin builds it into dist/plugin there).",
        );
    }
    const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
    return { folder, version };
}

/** Runs `plugin <subcommand>` as the npm package's command does: resolves to the exit code, having printed any error. */
export function pluginCommand(argv: string[], out = (line: string) => process.stdout.write(`${line}\n`)): Promise<number> {
    try {
        return Promise.resolve(plugin(argv, out));
    } catch (err) {
        const usageError = (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
        process.stderr.write(`pulumi-ens-keypair: ${(err as Error).message}${usageError ? "\nRun with --help for the options." : ""}\n`);
        return Promise.resolve(usageError ? 2 : 1);
    }
}

/** Runs `plugin <subcommand>`; returns the exit code, or throws the error to print. */
export function plugin(argv: string[], out: (line: string) => void): number {
    const { values, positionals } = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: true,
        options: { reinstall: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
        out(pluginUsage);
        return 0;
    }
    if (positionals.length !== 1 || positionals[0] !== "install") {
        out(pluginUsage);
        return 2;
    }
    if (process.platform === "win32") {
        throw new Error(
            "the plugin is a Node.js script that the engine starts through its #!/usr/bin/env node line, which Windows cannot run.",
        );
    }
    const { folder, version } = bundledPlugin();
    const args = ["plugin", "install", "resource", packageName, version, "--file", folder, ...(values.reinstall ? ["--reinstall"] : [])];
    out(`pulumi ${args.join(" ")}`);
    const result = spawnSync("pulumi", [...args, "--non-interactive"], { stdio: ["ignore", "inherit", "inherit"] });
    if (result.error && "code" in result.error && result.error.code === "ENOENT") {
        throw new Error("the pulumi CLI is not on PATH; install it first (https://www.pulumi.com/docs/install/).");
    }
    if (result.error) {
        throw result.error;
    }
    return result.status ?? 1;
}
