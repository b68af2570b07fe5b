#!/usr/bin/env node
/** `npx pulumi-ens-keypair`, the npm package's command (the plugin runs the same one): see `command.ts`. */
import { main } from "./command";

void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
});
