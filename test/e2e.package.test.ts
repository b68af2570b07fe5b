// The package as users get it: `npm pack`, installed from the tarball into a copy of the
// pipeline example outside this repository, deployed there by the example's own `ci.sh` with
// its own Node process and its own copy of the SDK.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureEngine, repoRoot } from "../scripts/engine";

describe("end to end: the packed npm package in a project outside the repository", function () {
    this.timeout(600_000);
    let project: string;
    let tarball: string;
    let env: NodeJS.ProcessEnv;

    before(() => {
        project = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-user-"));
        const packed = JSON.parse(
            execFileSync("npm", ["pack", "--json", "--pack-destination", project], { cwd: repoRoot, encoding: "utf8" }),
        );
        tarball = path.join(project, packed[0].filename);
        fs.cpSync(path.join(repoRoot, "examples", "pipeline"), project, { recursive: true });
        const manifest = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8"));
        manifest.dependencies["pulumi-ens-keypair"] = `file:${tarball}`;
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify(manifest, null, 2));
        env = {
            ...process.env,
            PATH: `${ensureEngine()}${path.delimiter}${process.env.PATH}`,
            STACK: "ci",
            PULUMI_BACKEND_URL: `file://${project}`,
            PULUMI_CONFIG_PASSPHRASE: "packaged-throwaway",
        };
    });

    after(() => {
        fs.rmSync(project, { recursive: true, force: true });
    });

    it("ships the compiled package and its typings, not the sources, tests or the ENS server", () => {
        const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
        assert.ok(listing.includes("package/bin/index.js"));
        assert.ok(listing.includes("package/bin/index.d.ts"));
        assert.ok(listing.includes("package/bin/provider.js"));
        assert.ok(listing.includes("package/README.md"));
        const unexpected = listing.filter(
            (f) => /^package\/(test|src|ens-server|scripts|bench|examples)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")),
        );
        assert.deepStrictEqual(unexpected, []);
    });

    it("the pipeline's ci.sh installs it, deploys with `up` and writes the outputs as JSON", () => {
        execFileSync("./ci.sh", { cwd: project, env, stdio: ["ignore", "ignore", "pipe"] });
        const outputs = JSON.parse(fs.readFileSync(path.join(project, "outputs.json"), "utf8"));
        assert.match(outputs.keyPairId, /^ssh-[a-z0-9]{23}$/);
        assert.match(outputs.keyPairName, /^ci-deploy-[a-z0-9]{8}$/);
        assert.match(outputs.publicKeyOpenssh, /^ssh-ed25519 /);
        assert.strictEqual(outputs.privateKeyOpenssh, "[secret]");
        // The provider ran from the installed copy, not from this repository.
        const installed = fs.realpathSync(path.join(project, "node_modules", "pulumi-ens-keypair"));
        assert.ok(!installed.startsWith(repoRoot), installed);
    });

    it("a second run changes nothing, and destroy removes the pair", () => {
        const before = fs.readFileSync(path.join(project, "outputs.json"), "utf8");
        const again = execFileSync("npx", ["ts-node", "deploy.ts", "up"], {
            cwd: project,
            env,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
        assert.deepStrictEqual(JSON.parse(again), JSON.parse(before));
        execFileSync("npx", ["ts-node", "deploy.ts", "destroy"], { cwd: project, env, stdio: ["ignore", "ignore", "pipe"] });
        const stacks = JSON.parse(execFileSync("pulumi", ["stack", "ls", "--json"], { cwd: project, env, encoding: "utf8" }));
        assert.strictEqual(stacks[0].resourceCount ?? 0, 0);
    });
});
