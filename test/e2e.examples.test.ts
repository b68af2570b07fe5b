// The examples as users deploy them: each copied out of the repository with the packed package
// installed, then `pulumi up` in its folder; the consumer reads the pipeline stack's key through
// a StackReference, and the pipeline's ci.sh deploys through the Automation API. And bad input,
// stopped at preview.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureEngine, repoRoot } from "../scripts/engine";
import { pack } from "./helpers/pack";
import { ProgramStack } from "./helpers/programStack";
import { assertArmour, assertSameKey } from "./helpers/pem";
import { run } from "./helpers/run";
import { leakedPiece } from "./helpers/leaks";
import { testPassphrase } from "./helpers/stacks";
import { withTempDir, writePrivateFile } from "./helpers/tempDir";

/** Copies `examples/<name>` to `dir/<name>` and installs it, with the packed package if it uses it. */
function installExample(name: string, dir: string, tarball: string): string {
    const project = path.join(dir, name);
    fs.cpSync(path.join(repoRoot, "examples", name), project, {
        recursive: true,
        filter: (src) => !/[/\\](node_modules|outputs\.json|Pulumi\.[^/\\]+\.yaml)$/.test(src),
    });
    const manifestFile = path.join(project, "package.json");
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    if (manifest.dependencies["pulumi-ens-keypair"]) {
        manifest.dependencies["pulumi-ens-keypair"] = `file:${tarball}`;
        fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
    }
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
