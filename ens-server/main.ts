/**
 * `npm run ens-server -- [options]`: runs the ENS-compatible server until SIGINT or SIGTERM.
 * See `cliOptions.ts` for the flags. Prints the URL first on stdout, so scripts can read it; the
 * rest goes to stderr, and neither names an access key secret.
 */
import { CliRequest, parseCli, usage } from "./cliOptions";
import { defaultAccessKey, startEnsServer } from "./server";

async function main(): Promise<void> {
    let request: CliRequest;
    try {
        request = parseCli(process.argv.slice(2), process.env);
    } catch (err) {
        process.stderr.write(`ens-server: ${(err as Error).message}\nRun with --help for the options.\n`);
        process.exitCode = 2;
        return;
    }
    if (request.help) {
        process.stdout.write(usage);
        return;
    }
    const options = request.server;
    const server = await startEnsServer(options);
    process.stdout.write(`${server.url}\n`);
    const ids = options.accessKeys
        ? Object.keys(options.accessKeys).join(", ") || "none"
        : `${defaultAccessKey.id} (the built-in test key, see --help)`;
    process.stderr.write(
        `ens-server: listening on ${server.url} (endpoint ${server.endpoint}), ` +
            `${options.dbPath ? `database ${options.dbPath}` : "in-memory database"}, access key ids: ${ids}\n`,
    );
    const stop = (signal: string) => {
        process.stderr.write(`ens-server: ${signal}, closing\n`);
        void server.close().then(() => process.stderr.write(`ens-server: closed; ${JSON.stringify(server.stats())}\n`));
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
}

main().catch((err: unknown) => {
    process.stderr.write(`ens-server: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
});
