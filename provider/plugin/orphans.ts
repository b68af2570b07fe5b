/**
 * The `orphans` command as the plugin runs it (`pulumi plugin run --kind resource ens-keypair --
 * orphans …`), so that a user of the package in any language has it from the plugin they installed.
 */
import { closeSync, openSync } from "fs";
import { doors } from "../doors";

/**
 * Whether someone can answer a question: `pulumi plugin run` gives the plugin pipes, not its
 * terminal, but copies what is typed there to the plugin's stdin. A process with no controlling
 * terminal (a CI job) has no one to ask, and the CLI never closes that stdin to say so.
 */
function terminalBehind(): boolean {
    if (process.stdin.isTTY) {
        return true;
    }
    try {
        closeSync(openSync("/dev/tty", "r"));
        return true;
    } catch {
        return false;
    }
}

/** Runs the command with `argv` (`orphans` and its options), and ends the process with its status. */
export function runOrphans(argv: string[]): void {
    // Loaded only here: serving the provider never needs the command's modules.
    const cli = require("../cli/command") as typeof import("../cli/command");
    void cli.main(argv, cli.processIo(doors.package.command, terminalBehind())).then((code) => {
        // `pulumi plugin run` holds the plugin's stdin open after the answer: exit rather than wait on it.
        process.exit(code);
    });
}
