/**
 * `npm run demo`: deploys the root program (Pulumi.yaml, demo.ts) to the stack `dev` on a file
 * backend in `.pulumi-state/`, then shows the outputs with secrets masked.
 * `npm run demo:destroy` tears it down.
 */
import * as path from "path";
import { ensureEngine, openStack, pulumiCli, repoRoot } from "./engine";

/** The demo's passphrase for its throwaway state; set PULUMI_CONFIG_PASSPHRASE to use your own. */
const demoPassphrase = "ens-keypair-demo";

async function main(action: string): Promise<void> {
    const passphrase = process.env.PULUMI_CONFIG_PASSPHRASE ?? demoPassphrase;
    const stack = await openStack({
        stackName: "dev",
        projectName: "ens-keypair-demo",
        program: async () => require(path.join(repoRoot, "demo.ts"))(),
        backendDir: path.join(repoRoot, ".pulumi-state"),
        workDir: repoRoot,
        passphrase,
    });
    const onOutput = (line: string) => process.stdout.write(line);
    if (action === "destroy") {
        await stack.destroy({ onOutput });
        return;
    }
    await stack.up({ onOutput });
    console.log("\nStack outputs (secrets masked):\n");
    console.log(pulumiCli(stack, ["stack", "output"]));
    const shownPassphrase = passphrase === demoPassphrase ? demoPassphrase : "<your passphrase>";
    console.log("To reveal a private key:");
    console.log(
        `  export PATH="${ensureEngine()}:$PATH" PULUMI_BACKEND_URL="file://${path.join(repoRoot, ".pulumi-state")}" PULUMI_CONFIG_PASSPHRASE="${shownPassphrase}"`,
    );
    console.log("  pulumi stack output privateKeyOpenssh --show-secrets --stack dev > id_demo && chmod 600 id_demo");
}

main(process.argv[2] ?? "up").catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
