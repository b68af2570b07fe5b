// The examples as users deploy them: each copied out of the repository with the packed package
// installed, then `pulumi up` in its folder; the consumer reads the pipeline stack's key through
// a StackReference, and the pipeline's ci.sh deploys through the Automation API. The sealed
// example runs its README's commands as written. And bad input, stopped at preview.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureEngine } from "./helpers/engine";
import { repoRoot } from "./helpers/paths";
import { pack } from "../scripts/pack";
import { ProgramStack } from "./helpers/programStack";
import { assertArmour, assertSameKey } from "./helpers/pem";
import { run } from "./helpers/run";
import { leakedPiece } from "./helpers/leaks";
import { blocksUnder, only, runSteps, userEnvironment } from "./helpers/readmeSteps";
import { filesText, testPassphrase } from "./helpers/stacks";
import { withTempDir, writePrivateFile } from "./helpers/tempDir";

/** Copies `examples/<name>` to `to`, without what a run of it leaves behind. */
function copyExample(name: string, to: string): void {
    fs.cpSync(path.join(repoRoot, "examples", name), to, {
        recursive: true,
        filter: (src) =>
            !/[/\\](node_modules|package-lock\.json|outputs\.json|Pulumi\.[^/\\]+\.yaml|runner|operator|[^/\\]+\.age)$/.test(src),
    });
}

/** Makes the project in `project` depend on the packed package instead of this repository, if it uses it. */
function usePackedPackage(project: string, tarball: string): void {
    const manifestFile = path.join(project, "package.json");
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    if (manifest.dependencies["pulumi-ens-keypair"]) {
        manifest.dependencies["pulumi-ens-keypair"] = `file:${tarball}`;
        fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
    }
}

/** Copies `examples/<name>` to `dir/<name>` and installs it, with the packed package if it uses it. */
function installExample(name: string, dir: string, tarball: string): string {
    const project = path.join(dir, name);
    copyExample(name, project);
    usePackedPackage(project, tarball);
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: project, stdio: ["ignore", "ignore", "pipe"] });
    return project;
}

describe("end to end: the examples, each deployed by `pulumi up` in its folder", function () {
    this.timeout(600_000);
    let dir: string;
    let tarball: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-examples-"));
        tarball = path.join(dir, pack(dir).filename);
    });

    after(() => {
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("basic: one key pair, the private key a secret output that ssh-keygen reads", async () => {
        const stack = ProgramStack.create({ workDir: installExample("basic", dir, tarball), scenario: "example-basic" });
        const result = stack.up();
        assert.deepStrictEqual(result.changes, { create: 2 });
        const outputs = stack.outputs();
        assert.strictEqual(outputs.keyPairName, "basic-deploy");
        assert.match(String(outputs.publicKeyOpenssh), /^ssh-rsa AAAA/);
        assertArmour(outputs.privateKeyOpenssh, "OPENSSH PRIVATE KEY");
        assert.deepStrictEqual(stack.secretOutputNames(), ["privateKeyOpenssh"]);
        const derived = await withTempDir(
            (keyDir) =>
                run("ssh-keygen", ["-y", "-f", writePrivateFile(keyDir, "id_basic", `${String(outputs.privateKeyOpenssh)}\n`)]).stdout,
        );
        assert.strictEqual(derived.trim().split(" ").slice(0, 2).join(" "), outputs.publicKeyOpenssh);
        // The provider ran from the installed copy, not from this repository.
        const installed = fs.realpathSync(path.join(stack.dir, "node_modules", "pulumi-ens-keypair"));
        assert.ok(!installed.startsWith(repoRoot), installed);
    });

    describe("pipeline and consumer", () => {
        let producer: ProgramStack;
        let produced: Record<string, unknown>;

        before(() => {
            producer = ProgramStack.create({
                workDir: installExample("pipeline", dir, tarball),
                scenario: "example-pipeline",
                config: { keyType: "ed25519" },
            });
            producer.up();
            produced = producer.outputs();
        });

        it("pipeline: a deploy key whose name is unique per stack and stable across runs", () => {
            assert.match(String(produced.keyPairName), /^test-deploy-[a-z0-9]{8}$/);
            assert.match(String(produced.publicKeyOpenssh), /^ssh-ed25519 /);
            const again = producer.up();
            assert.deepStrictEqual(again.changes, { same: 2 });
            assert.strictEqual(producer.outputs().keyPairName, produced.keyPairName);
        });

        it("pipeline: ci.sh deploys a stack through the Automation API and writes its outputs, secrets masked", () => {
            const env = {
                ...process.env,
                PATH: `${ensureEngine()}${path.delimiter}${process.env.PATH ?? ""}`,
                STACK: "ci",
                PULUMI_BACKEND_URL: `file://${fs.mkdtempSync(path.join(dir, "ci-state-"))}`,
                PULUMI_CONFIG_PASSPHRASE: testPassphrase,
            };
            execFileSync("./ci.sh", { cwd: producer.dir, env, stdio: ["ignore", "ignore", "pipe"] });
            const outputs = JSON.parse(fs.readFileSync(path.join(producer.dir, "outputs.json"), "utf8"));
            assert.match(outputs.keyPairId, /^ssh-[a-z0-9]{23}$/);
            assert.match(outputs.keyPairName, /^ci-deploy-[a-z0-9]{8}$/);
            assert.match(outputs.publicKeyOpenssh, /^ssh-ed25519 /);
            assert.strictEqual(outputs.privateKeyOpenssh, "[secret]");
            execFileSync("npx", ["ts-node", "deploy.ts", "destroy"], { cwd: producer.dir, env, stdio: ["ignore", "ignore", "pipe"] });
            const state = JSON.parse(
                execFileSync("pulumi", ["stack", "export", "--stack", "ci"], { cwd: producer.dir, env, encoding: "utf8" }),
            );
            assert.deepStrictEqual(state.deployment.resources ?? [], []);
        });

        it("consumer: reads the private key through a StackReference and keeps it secret", () => {
            const consumer = ProgramStack.create({
                workDir: installExample("consumer", dir, tarball),
                scenario: "example-consumer",
                backendOf: producer,
                config: { producerStack: "organization/ens-keypair-pipeline/test" },
            });
            consumer.up();
            const outputs = consumer.outputs();
            assertSameKey(outputs.deployPrivateKey, produced.privateKeyOpenssh, "the key read through the StackReference");
            assert.strictEqual(outputs.deployPublicKey, produced.publicKeyOpenssh);
            assert.strictEqual(outputs.deployKeyPairName, produced.keyPairName);
            assert.deepStrictEqual(consumer.secretOutputNames(), ["deployPrivateKey"]);
            const text = consumer.exportText() + consumer.backendText();
            const privateKey = String(produced.privateKeyOpenssh);
            assert.ok(!text.includes(privateKey), "the private key appears whole in the consumer's state");
            assert.strictEqual(leakedPiece(text, privateKey, String(produced.publicKeyOpenssh)), undefined);
        });
    });
});

describe("end to end: the sealed example, its README's commands run as written", function () {
    this.timeout(900_000);
    let dir: string;

    after(() => {
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("seals a deploy key to the runner, which the consumer hands on but cannot open, and the runner opens", () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-sealed-example-"));
        const { filename } = pack(dir);
        // The README's commands start where a clone's examples/ folder is.
        const example = path.join(dir, "examples", "sealed");
        copyExample("sealed", example);
        usePackedPackage(path.join(example, "keys"), path.join(dir, filename));
        const readme = fs.readFileSync(path.join(example, "README.md"), "utf8");
        const printed = runSteps(only(blocksUnder(readme, "## Steps"), "sh"), dir, userEnvironment());
        assert.match(printed, /the consumer's operator cannot open it/);

        // The shell the README's commands leave: its backend exported.
        const backendDir = path.join(dir, "examples", ".pulumi-state");
        const shell = { ...userEnvironment(), PULUMI_BACKEND_URL: `file://${backendDir}`, PULUMI_CONFIG_PASSPHRASE: "examples-passphrase" };
        const outputsOf = (stack: string) =>
            JSON.parse(runSteps("pulumi stack output --json --show-secrets", path.join(example, stack), shell));
        const keys = outputsOf("keys");
        assert.deepStrictEqual(Object.keys(keys).sort(), ["keyPairName", "privateKeySealed", "publicKeyOpenssh"]);
        assert.strictEqual(outputsOf("consumer").deployKeySealed, keys.privateKeySealed);
        const keyFile = path.join(example, "runner", "id_deploy");
        assert.strictEqual(fs.statSync(keyFile).mode & 0o777, 0o600, "the runner's key file is readable by its owner alone");
        assert.strictEqual(run("ssh-keygen", ["-y", "-f", keyFile]).stdout.trim(), keys.publicKeyOpenssh);
        const key = fs.readFileSync(keyFile, "utf8");
        for (const [where, text] of [
            ["the stacks' state", filesText(backendDir)],
            ["what the README's commands printed", printed],
        ]) {
            assert.strictEqual(leakedPiece(text, key, keys.publicKeyOpenssh), undefined, `a piece of the key is in ${where}`);
        }

        runSteps(only(blocksUnder(readme, "## Tearing down"), "sh"), example, shell);
        assert.ok(!fs.existsSync(path.join(example, "runner")), "the runner's identity and key are gone");
    });
});

describe("end to end: bad input", function () {
    this.timeout(120_000);

    it("an invalid name fails at preview with the ENS error, and `up` creates nothing", () => {
        const stack = ProgramStack.create({ program: "bad-input", scenario: "bad-input" });
        const preview = stack.run(["preview"]);
        assert.notStrictEqual(preview.status, 0);
        const output = preview.stdout + preview.stderr;
        assert.match(output, /InvalidParameter\.KeyPairName/);
        assert.match(output, /keyPairName must not start with http:\/\/ or https:\/\//);
        const up = stack.run(["up", "--yes"]);
        assert.notStrictEqual(up.status, 0);
        assert.match(up.stdout + up.stderr, /InvalidParameter\.KeyPairName/);
        const types = stack.resourceTypes();
        assert.ok(!types.some((t) => t.endsWith(":KeyPair")), `no KeyPair expected, found ${types.join(", ")}`);
    });
});
