#!/usr/bin/env node
/** `npx pulumi-ens-keypair`, the npm package's command (the plugin runs the same one): see `command.ts`. */
import { main } from "./command";
import { pluginCommand } from "./plugin";

// `plugin install` is the npm package's own: it registers the plugin this package carries.
void (process.argv[2] === "plugin" ? pluginCommand(process.argv.slice(3)) : main(process.argv.slice(2))).then((code) => {
    process.exitCode = code;
});
