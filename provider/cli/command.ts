/**
 * The `orphans` command, which `npx pulumi-ens-keypair` (`main.ts`) and the package's plugin both
 * run: it lists
 * the key pairs in ENS that a stack's state does not hold (left by an interrupted `pulumi up`, or
 * picked by name), and deletes exactly those, by id, only when asked with `--delete` and
 * confirmed. See `usage` for the flags.
 */
import { execFileSync } from "child_process";
import { readFileSync } from "fs";
import { createInterface } from "readline";
import { parseArgs } from "util";
import { configNamespace } from "../config";
import { doors } from "../doors";
import { connectEns } from "../ens/connect";
import { EnsClient } from "../ens/client";
import { Account, accountsOf, describeAccount, findOrphans, formatNotLooked, formatOrphans, holdingsOf, Orphan } from "./orphans";

/** The usage text, for the command as the user ran it (a door's `command`). */
export function usage(command: string): string {
    return `Usage: ${command} orphans [--stack NAME] [--state FILE] [--prefix P]... [--name N]... [--delete [--yes]]

Lists the key pairs in ENS that a stack's state does not hold: those whose create an interrupted
pulumi up left pending in the state, and those named with --name or --prefix. Each KeyPair's
provider is looked at in its own ENS account, and only there; a pair whose id the state holds,
under any provider, is never listed. Deletes the pairs listed, by id, only with --delete, once you
have confirmed.

  --stack NAME    the stack to compare with, in the current project folder: its state comes from
                  \`pulumi stack export --show-secrets\`. The package's providers reach ENS with their
                  configuration in the state; the dynamic KeyPairs with the stack's config
                  (${configNamespace}:endpoint, :regionId, :accessKeyId, :accessKeySecret); either
                  falls back on the environment (ENS_KEYPAIR_ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID, ...)
                  as the provider does. Credentials stay in this process; nothing prints them.
  --state FILE    read the state from a \`pulumi stack export --show-secrets\` file instead ("-" for stdin)
  --prefix P      also consider every pair whose name starts with P, which may not be empty (repeatable)
  --name N        also consider the pair named N (repeatable)
  --delete        after listing, ask you to type yes, then delete exactly the pairs listed
  --yes           with --delete, delete without asking (in scripts, where nobody can answer)
  -h, --help      this text
`;
}

/** Where the command talks to its user. */
export interface CommandIo {
    /** How the user runs the command, for the usage text: a door's `command`. */
    command: string;
    /** Prints a line for the user. */
    out(line: string): void;
    /** Prints an error for the user. */
    err(line: string): void;
    /** Asks the user a question and resolves to the line they typed; absent when nobody can answer. */
    ask?: (question: string) => Promise<string>;
}

/**
 * This process's stdout, with its stdin to ask on when `interactive` (a line that never comes,
 * stdin closing, answers "").
 */
export function processIo(command: string, interactive: boolean): CommandIo {
    return {
        command,
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
        ask: interactive
            ? (question) =>
                  new Promise((resolve) => {
                      const lines = createInterface({ input: process.stdin, output: process.stdout });
                      lines.once("close", () => resolve(""));
                      lines.question(question, (answer) => {
                          resolve(answer);
                          lines.close();
                      });
                  })
            : undefined,
    };
}

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

/**
 * `text` with every credential of `accounts` masked: an ENS error can quote one (a gateway's
 * SignatureDoesNotMatch quotes the string it signed, access key id included).
 */
function masked(text: string, accounts: Account[]): string {
    const credentials = accounts.flatMap(({ config }) => [config.accessKeyId ?? "", config.accessKeySecret ?? ""]).filter(Boolean);
    return credentials.reduce((masking, credential) => masking.split(credential).join("***"), text);
}

async function orphans(argv: string[], io: CommandIo): Promise<number> {
    const { values } = parseArgs({
        args: argv,
        strict: true,
        options: {
            stack: { type: "string" },
            state: { type: "string" },
            prefix: { type: "string", multiple: true },
            name: { type: "string", multiple: true },
            delete: { type: "boolean" },
            yes: { type: "boolean" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) {
        io.out(usage(io.command));
        return 0;
    }
    if (values.stack === undefined && values.state === undefined) {
        throw new UsageError("give --stack NAME (or --state FILE with a `pulumi stack export --show-secrets`).");
    }
    if (values.prefix?.includes("")) {
        throw new UsageError('--prefix "" would pick every pair in the account that the stack does not hold, anyone\'s; give a prefix.');
    }
    if (values.yes && !values.delete) {
        throw new UsageError("--yes confirms --delete; without --delete nothing is deleted.");
    }
    if (values.delete && !values.yes && io.ask === undefined) {
        throw new UsageError(
            "--delete asks you to type yes on a terminal, and there is none; add --yes to delete what is listed without asking.",
        );
    }
    const holdings = holdingsOf(
        values.state !== undefined
            ? readFileSync(values.state === "-" ? 0 : values.state, "utf8")
            : pulumi(["stack", "export", "--show-secrets", "--stack", values.stack as string]),
    );
    const names = values.name ?? [];
    const prefixes = values.prefix ?? [];
    const byName = names.length + prefixes.length > 0;
    const stackLabel = values.stack !== undefined ? `stack "${values.stack}"` : "the stack";
    if (!byName && holdings.holders.every((holder) => holder.pendingNames.length === 0)) {
        io.out(
            `The state of ${stackLabel} records no interrupted create of a key pair, so there is nothing to look for. ` +
                "Give --prefix or --name to look for pairs by name (pulumi refresh --clear-pending-creates forgets interrupted creates).",
        );
        return 0;
    }

    let fromStack: Map<string, string> | undefined;
    const { accounts, notLooked } = accountsOf(holdings.holders, (key) => {
        // Read only for dynamic KeyPairs: the config of a stack whose pairs all have providers of their own is no account of theirs.
        fromStack ??= values.stack !== undefined ? stackConfig(values.stack) : new Map();
        return fromStack.get(key);
    });
    const say = (line: string) => io.out(masked(line, accounts));
    const relevant = <T extends { pendingNames: string[] }>(items: T[]) => items.filter((item) => byName || item.pendingNames.length > 0);
    const lookIn = relevant(accounts);
    const skipped = relevant(notLooked);
    if (lookIn.length === 0 && skipped.length === 0) {
        say(`The state of ${stackLabel} holds no key pair, so no ENS account of its own to look in.`);
        return 0;
    }

    const found: { account: Account; client: EnsClient; orphans: Orphan[] }[] = [];
    const problems = skipped.map((item) => formatNotLooked(item, byName));
    let failed = skipped.some((item) => item.refused);
    for (const account of lookIn) {
        try {
            const client = await connectEns(account.config);
            const listing = await client.describeKeyPairs();
            found.push({
                account,
                client,
                orphans: findOrphans(listing.keyPairs, holdings.ids, { pendingNames: account.pendingNames, names, prefixes }),
            });
        } catch (err) {
            failed = true;
            problems.push(`Not looked for in ${describeAccount(account)}: ${(err as Error).message}`);
        }
    }
    const total = found.reduce((sum, { orphans }) => sum + orphans.length, 0);
    if (total === 0 && found.length > 0) {
        say(`No key pair in ENS is an orphan of ${stackLabel}: every pair considered is in its state, or none exists.`);
    } else if (total > 0) {
        say(`Key pairs in ENS that ${stackLabel} does not hold (${total}):`);
        for (const { account, orphans } of found.filter((f) => f.orphans.length > 0)) {
            say(`  in ${describeAccount(account)}:`);
            formatOrphans(orphans).forEach(say);
        }
    }
    problems.forEach(say);
    if (total === 0) {
        return failed ? 1 : 0;
    }
    if (!values.delete) {
        say("Nothing was deleted. Check that no other stack or person uses these pairs, then run again with --delete to delete them.");
        return failed ? 1 : 0;
    }
    if (!values.yes) {
        const [these, them] = total === 1 ? ["this key pair", "it"] : [`these ${total} key pairs`, "them"];
        const answer = await (io.ask as NonNullable<CommandIo["ask"]>)(`Delete ${these} from ENS? Type yes to delete ${them}: `);
        if (answer.trim() !== "yes") {
            say("Nothing was deleted.");
            return 1;
        }
    }
    // Exactly the pairs listed, each by its id in its own account: ENS is not listed again.
    for (const { client, orphans } of found) {
        for (const { pair } of orphans) {
            try {
                await client.deleteKeyPairs({ keyPairId: pair.keyPairId });
                say(`deleted ${pair.keyPairId} (${pair.keyPairName})`);
            } catch (err) {
                failed = true;
                say(`could not delete ${pair.keyPairId} (${pair.keyPairName}), which remains in ENS: ${(err as Error).message}`);
            }
        }
    }
    return failed ? 1 : 0;
}

class UsageError extends Error {}

/** Runs a command line; resolves to the exit code. */
export async function main(
    argv: string[],
    io: CommandIo = processIo(doors.dynamic.command, Boolean(process.stdin.isTTY)),
): Promise<number> {
    const [command, ...rest] = argv;
    try {
        if (command === "orphans") {
            return await orphans(rest, io);
        }
        if (command === undefined || command === "-h" || command === "--help" || command === "help") {
            io.out(usage(io.command));
            return command === undefined ? 2 : 0;
        }
        throw new UsageError(`unknown command ${JSON.stringify(command)}.`);
    } catch (err) {
        const usageError = err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
        io.err(`pulumi-ens-keypair: ${(err as Error).message}${usageError ? "\nRun with --help for the options." : ""}`);
        return usageError ? 2 : 1;
    }
}
