/** The package's command, `npx pulumi-ens-keypair`, as users run it. */
import { execFileSync } from "child_process";
import { existsSync } from "fs";
import { join } from "path";
import { repoRoot } from "./paths";

/**
 * Links `node_modules/.bin/pulumi-ens-keypair` if it is missing: on a fresh clone, `npm ci` runs
 * before the build, when the command's file does not exist yet, so npm links nothing. Without
 * the link, npx would look the name up in the registry.
 */
export function linkCommand(): void {
    if (!existsSync(join(repoRoot, "node_modules", ".bin", "pulumi-ens-keypair"))) {
        execFileSync("npm", ["rebuild", "pulumi-ens-keypair", "--ignore-scripts"], { cwd: repoRoot, stdio: "ignore" });
    }
}
