// A pipeline step: selects (or creates) the stack $STACK, sets its config, runs `up` without
// prompting and prints the outputs as JSON on stdout, secrets masked. Progress goes to stderr.
// Needs PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE (or another secrets provider) set.
//   npx ts-node deploy.ts [up|destroy]
import { LocalWorkspace, OutputMap } from "@pulumi/pulumi/automation";
import program = require("./index");

function masked(outputs: OutputMap): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).map(([name, o]) => [name, o.secret ? "[secret]" : o.value]));
}

async function main(action: string): Promise<void> {
    const stackName = process.env.STACK;
    if (!stackName) {
        throw new Error("Set STACK to the stack to deploy (e.g. STACK=staging).");
    }
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, projectName: "ens-keypair-pipeline", program },
        { workDir: __dirname },
    );
    await stack.setConfig("keyType", { value: process.env.KEY_TYPE ?? "ed25519" });
    const onOutput = (line: string) => process.stderr.write(line);
    if (action === "destroy") {
        await stack.destroy({ onOutput });
        return;
    }
    const result = await stack.up({ onOutput });
    process.stdout.write(JSON.stringify(masked(result.outputs), null, 2) + "\n");
}

main(process.argv[2] ?? "up").catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
});
