#!/usr/bin/env node
/**
 * `npx pulumi-ens-keypair orphans`: lists the key pairs in ENS that a stack's state does not hold
 * (left by an interrupted `pulumi up`, or picked by name), and deletes them, by id, only when
 * asked with `--delete`. See `usage` for the flags.
 */
import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { parseArgs } from "util";
import { configNamespace, resolveConfig } from "../config";
import { connectEns } from "../ens/connect";
import { findOrphans, formatOrphans, holdingsOf, StackHoldings } from "./orphans";
import { plugin } from "./plugin";

export const usage = `Usage: npx pulumi-ens-keypair orphans [--stack NAME] [--state FILE] [--prefix P]... [--name N]... [--delete]

Lists the key pairs in ENS that a stack's state does not hold: those whose create an interrupted
pulumi up left pending in the state, and those named with --name or --prefix. Deletes them, by id,
only with --delete, after listing them. Pairs the state holds are never listed.

  --stack NAME    the stack to compare with, in the current project folder: its state comes from
                  \`pulumi stack export\`, and ENS's endpoint and access key from its config
                  (${configNamespace}:endpoint, :regionId, :accessKeyId, :accessKeySecret), else from the
                  environment (ENS_KEYPAIR_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID, ...)
  --state FILE    read the state from a \`pulumi stack export\` file instead ("-" for stdin)
  --prefix P      also consider every pair whose name starts with P (repeatable)
  --name N        also consider the pair named N (repeatable)
  --delete        delete the pairs listed
  -h, --help      this text
`;

/** Runs the pulumi CLI in the current folder; its output, or an error quoting what it printed. */
function pulumi(args: string[]): string {
    try {
        return execFileSync("pulumi", [...args, "--non-interactive"], {
            encoding: "utf8",
            maxBuffer: 256 * 1024 * 1024,
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (err) {
        const e = err as { code?: string; stderr?: string };
        if (e.code === "ENOENT") {
            throw new Error("the pulumi CLI is not on PATH; install it, or give the state with --state FILE.");
        }
        throw new Error(`pulumi ${args.slice(0, 2).join(" ")} failed: ${String(e.stderr ?? err).trim()}`);
    }
}

/** The stack's `ens-keypair:*` config, secrets decrypted (they stay in this process). */
function stackConfig(stack: string): Map<string, string> {
    const all = JSON.parse(pulumi(["config", "--json", "--show-secrets", "--stack", stack])) as Record<string, { value?: unknown }>;
    const config = new Map<string, string>();
    for (const [key, entry] of Object.entries(all)) {
        if (key.startsWith(`${configNamespace}:`) && typeof entry.value === "string") {
            config.set(key.slice(configNamespace.length + 1), entry.value);
        }
    }
    return config;
}

async function orphans(argv: string[], out: (line: string) => void): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        strict: true,
        options: {
            stack: { type: "string" },
            state: { type: "string" },
            prefix: { type: "string", multiple: true },
            name: { type: "string", multiple: true },
            delete: { type: "boolean" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) {
        out(usage);
        return 0;
    }
    if (values.stack === undefined && values.state === undefined) {
        throw new UsageError("give --stack NAME (or --state FILE with a `pulumi stack export`).");
    }
    const holdings: StackHoldings =
        values.state !== undefined
            ? holdingsOf(readFileSync(values.state === "-" ? 0 : values.state, "utf8"))
            : holdingsOf(pulumi(["stack", "export", "--stack", values.stack as string]));
    const selection = { pendingNames: holdings.pendingNames, names: values.name ?? [], prefixes: values.prefix ?? [] };
    const stackLabel = values.stack !== undefined ? `stack "${values.stack}"` : "the stack";
    if (selection.pendingNames.length + selection.names.length + selection.prefixes.length === 0) {
        out(
            `The state of ${stackLabel} records no interrupted create of a key pair, so there is nothing to look for. ` +
                "Give --prefix or --name to look for pairs by name (pulumi refresh --clear-pending-creates forgets interrupted creates).",
        );
        return 0;
    }
    const fromStack = values.stack !== undefined ? stackConfig(values.stack) : new Map<string, string>();
    const config = resolveConfig((key) => fromStack.get(key));
    if (config.backend !== "ens") {
        throw new Error(
            `${stackLabel} does not use the ens backend (${configNamespace}:backend is "${config.backend}"); its key pairs live only in its state.`,
        );
    }
    const client = await connectEns(config);
    const found = findOrphans((await client.describeKeyPairs()).keyPairs, holdings, selection);
    if (found.length === 0) {
        out(`No key pair in ENS is an orphan of ${stackLabel}: every pair considered is in its state, or none exists.`);
        return 0;
    }
    out(`Key pairs in ENS that ${stackLabel} does not hold (${found.length}):`);
    formatOrphans(found).forEach((line) => out(line));
    if (!values.delete) {
        out("Nothing was deleted. Check that no other stack or person uses these pairs, then run again with --delete to delete them.");
        return 0;
    }
    let failed = 0;
    for (const { pair } of found) {
        try {
            await client.deleteKeyPairs({ keyPairId: pair.keyPairId });
            out(`deleted ${pair.keyPairId} (${pair.keyPairName})`);
        } catch (err) {
            failed++;
            out(`could not delete ${pair.keyPairId} (${pair.keyPairName}), which remains in ENS: ${(err as Error).message}`);
        }
    }
    return failed === 0 ? 0 : 1;
}

class UsageError extends Error {}

/** Runs a command line; resolves to the exit code. */
export async function main(argv: string[], out: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
    const [command, ...rest] = argv;
    try {
        if (command === "orphans") {
            return await orphans(rest, out);
        }
        if (command === "plugin") {
            return plugin(rest, out);
        }
        if (command === undefined || command === "-h" || command === "--help" || command === "help") {
            out(usage);
            return command === undefined ? 2 : 0;
        }
        throw new UsageError(`unknown command ${JSON.stringify(command)}.`);
    } catch (err) {
        const usageError = err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
        process.stderr.write(`pulumi-ens-keypair: ${(err as Error).message}\n${usageError ? "Run with --help for the options.\n" : ""}`);
        return usageError ? 2 : 1;
    }
}

if (require.main === module) {
    void main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    });
}
