// The package as users get it: `npm pack`, installed from the tarball into a fresh project
// outside this repository, deployed there by its own Node process and its own copy of the SDK.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureEngine, repoRoot } from "../scripts/engine";

/** The user's program and driver: an Automation API script, since no language host is built here. */
const driver = `
const { LocalWorkspace } = require("@pulumi/pulumi/automation");
const { KeyPair } = require("pulumi-ens-keypair");

const program = async () => {
    const pair = new KeyPair("packaged", { keyPairName: "packaged-key", keyType: "ed25519" });
    return { keyPairId: pair.keyPairId, publicKeyOpenssh: pair.publicKeyOpenssh, privateKeyOpenssh: pair.privateKeyOpenssh };
};

(async () => {
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: "test", projectName: "packaged", program },
        { workDir: __dirname, projectSettings: { name: "packaged", runtime: "nodejs" } },
    );
    const up = await stack.up();
    const destroy = await stack.destroy();
    console.log(JSON.stringify({
        created: up.summary.resourceChanges.create,
        deleted: destroy.summary.resourceChanges.delete,
        keyPairId: up.outputs.keyPairId.value,
        publicKeyOpenssh: up.outputs.publicKeyOpenssh.value,
        privateKeySecret: up.outputs.privateKeyOpenssh.secret,
    }));
})().catch((err) => { console.error(err.message); process.exit(1); });
`;

describe("end to end: the packed npm package in a project outside the repository", function () {
    this.timeout(600_000);
    let project: string;
    let tarball: string;

    before(() => {
        project = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-user-"));
        const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", project], { cwd: repoRoot, encoding: "utf8" }));
        tarball = path.join(project, packed[0].filename);
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({
            name: "user-project",
            private: true,
            dependencies: { "@pulumi/pulumi": "3.248.0", "pulumi-ens-keypair": `file:${tarball}` },
        }));
        execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: project, stdio: ["ignore", "ignore", "inherit"] });
    });

    after(() => {
        fs.rmSync(project, { recursive: true, force: true });
    });

    it("ships the compiled package and its typings, not the sources or tests", () => {
        const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
        assert.ok(listing.includes("package/bin/index.js"));
        assert.ok(listing.includes("package/bin/index.d.ts"));
        assert.ok(listing.includes("package/bin/provider.js"));
        assert.ok(!listing.some((f) => f.startsWith("package/test/") || f.startsWith("package/provider/") || f.endsWith(".ts") && !f.endsWith(".d.ts")));
    });

    it("deploys a KeyPair with `pulumi up` and destroys it", () => {
        fs.writeFileSync(path.join(project, "deploy.js"), driver);
        const out = execFileSync("node", ["deploy.js"], {
            cwd: project,
            encoding: "utf8",
            env: {
                ...process.env,
                PATH: `${ensureEngine()}${path.delimiter}${process.env.PATH}`,
                PULUMI_BACKEND_URL: `file://${project}`,
                PULUMI_CONFIG_PASSPHRASE: "packaged-throwaway",
            },
        });
        const result = JSON.parse(out.trim().split("\n").pop() as string);
        assert.strictEqual(result.created, 2);
        assert.strictEqual(result.deleted, 2);
        assert.match(result.keyPairId, /^ssh-[a-z0-9]{23}$/);
        assert.match(result.publicKeyOpenssh, /^ssh-ed25519 /);
        assert.strictEqual(result.privateKeySecret, true);
        // The provider ran from the installed copy, not from this repository.
        const installed = fs.realpathSync(path.join(project, "node_modules", "pulumi-ens-keypair"));
        assert.ok(!installed.startsWith(repoRoot), installed);
    });
});
