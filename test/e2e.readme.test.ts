// The README followed as a new user would, against the packed package: its Install and Usage
// steps (install, Pulumi.yaml, program, deploy) and its "Reading the private key" commands, then
// the programs and commands of the pages it links for sealing, rotation and passphrases, each
// taken from the document's own text and run with the CLI in a fresh folder outside the
// repository. The one test that packs, installs and deploys: it also checks what a user's project
// gets (one copy of the SDK, typings that compile against it, the documented exports, the
// `npx pulumi-ens-keypair` command, a small serialized provider in state) and that the oldest SDK
// the peer range admits runs the program too.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "./helpers/paths";
import { pack } from "../scripts/pack";
import { assertArmour } from "./helpers/pem";
import { documentedExports } from "./helpers/readme";
import { blocksOf, only, runSteps, userEnvironment } from "./helpers/readmeSteps";
import { run } from "./helpers/run";

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
/** The oldest `@pulumi/pulumi` the peer range admits. */
const oldestSdk = (manifest.peerDependencies["@pulumi/pulumi"] as string).replace(/^\^/, "");

describe("the README, followed as a new user would, with the packed package", function () {
    this.timeout(900_000);
    const install = only(blocksOf("README.md", "## Install"), "sh");
    const usage = blocksOf("README.md", "## Usage");
    /** The README's steps that write the key file. */
    const readingSteps = only(blocksOf("README.md", "### Reading the private key"), "sh");
    let dir: string;
    let project: string;
    let env: NodeJS.ProcessEnv;
    /** What the README's deploy step printed. */
    let deployed: string;

    /** Runs a documented command block (or any script) with bash in the project folder, stopping at the first failure. */
    function sh(script: string, extraEnv: NodeJS.ProcessEnv = {}, input?: string): string {
        return runSteps(script, project, { ...env, ...extraEnv }, input);
    }

    /** The outputs of the stack's KeyPairs in its state, by resource name. */
    function pairOutputs(): Record<string, Record<string, unknown>> {
        const resources: { type: string; urn: string; outputs?: Record<string, unknown> }[] = JSON.parse(sh("pulumi stack export"))
            .deployment.resources;
        return Object.fromEntries(
            resources.filter((r) => r.type.endsWith(":KeyPair")).map((r) => [r.urn.split("::").pop(), r.outputs ?? {}]),
        );
    }

    /** The copies of `@pulumi/pulumi` installed in the project, by version: the program's, and no other. */
    function sdkCopies(): string[] {
        const paths = sh("npm ls @pulumi/pulumi --all --parseable").trim().split("\n");
        return [...new Set(paths)].map((p) => JSON.parse(fs.readFileSync(path.join(p, "package.json"), "utf8")).version);
    }

    /** Type-checks the program, and with it the package's typings against the installed SDK's. */
    function typeCheck(): void {
        sh("npx tsc --noEmit --strict --target ES2022 --module commonjs --esModuleInterop index.ts");
    }

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-readme-"));
        project = path.join(dir, "edge-keys");
        fs.mkdirSync(project);
        env = userEnvironment();
        Object.assign(env, {
            PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "readme-throwaway",
            // What answering "yes" at `pulumi up`'s prompt does.
            PULUMI_SKIP_CONFIRMATIONS: "true",
        });
        fs.mkdirSync(path.join(dir, "state"));

        // Install: the README names the tarball `npm pack` writes; only its folder is a placeholder.
        const { filename } = pack(dir);
        const placeholder = `/path/to/${filename}`;
        assert.ok(install.includes(placeholder), `the install step names ${placeholder}`);
        sh(install.replace(placeholder, path.join(dir, filename)));

        fs.writeFileSync(path.join(project, "Pulumi.yaml"), only(usage, "yaml"));
        fs.writeFileSync(path.join(project, "index.ts"), only(usage, "typescript"));
        // The program imports the key in alice.pub, which the README asks the user to provide.
        run("ssh-keygen", ["-t", "ed25519", "-N", "", "-q", "-C", "alice", "-f", path.join(dir, "alice")]);
        fs.copyFileSync(path.join(dir, "alice.pub"), path.join(project, "alice.pub"));

        deployed = sh(only(usage, "sh"));
    });

    after(() => {
        if (fs.existsSync(path.join(project, "Pulumi.yaml"))) {
            spawnSync("pulumi", ["destroy", "--yes", "--non-interactive"], { cwd: project, env, timeout: 300_000 });
        }
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("installs the package as a copy of its own beside one @pulumi/pulumi, the program's, whose typings it compiles against", () => {
        const installed = fs.realpathSync(path.join(project, "node_modules", manifest.name));
        assert.ok(!installed.startsWith(repoRoot), installed);
        const pinned = /@pulumi\/pulumi@(\S+)/.exec(install)?.[1];
        assert.deepStrictEqual(sdkCopies(), [pinned]);
        typeCheck();
    });

    it("deploys the Usage program: the pairs created, the private key a secret, the serialized provider small and loading the package", () => {
        assert.match(deployed, /\+ 5 created/, deployed);
        assert.match(deployed, /privateKeyOpenssh\s*: \[secret\]/, deployed);
        const resources: { type: string; inputs?: Record<string, unknown> }[] = JSON.parse(sh("pulumi stack export")).deployment.resources;
        const providers = resources.filter((r) => r.type.endsWith(":KeyPair")).map((r) => String(r.inputs?.__provider));
        assert.strictEqual(providers.length, 4);
        for (const text of providers) {
            assert.ok(Buffer.byteLength(text) < 4096, `the serialized provider is ${Buffer.byteLength(text)} bytes`);
            assert.ok(text.includes(`require("${manifest.name}/provider")`), "it loads the implementation at run time");
        }
    });

    it("its Reading the private key steps write a 0600 key file that ssh-keygen opens, and none when the output cannot be read", () => {
        // Every reading step but the login itself, which needs a host.
        const steps = readingSteps
            .split("\n")
            .filter((line) => !line.startsWith("ssh "))
            .join("\n");
        assert.match(steps, /id_deploy/);
        const keyFile = path.join(project, "id_deploy");
        fs.rmSync(keyFile, { force: true });
        sh(steps);
        assert.strictEqual(fs.statSync(keyFile).mode & 0o777, 0o600, "the key file is readable by its owner alone");
        const derived = run("ssh-keygen", ["-y", "-f", keyFile]).stdout.trim();
        assert.strictEqual(derived, sh("pulumi stack output publicKeyOpenssh").trim(), "the key file holds the deployed key");

        fs.rmSync(keyFile);
        const failing = spawnSync("bash", ["-c", steps.replace(/privateKeyOpenssh/g, "noSuchOutput")], {
            cwd: project,
            env,
            encoding: "utf8",
        });
        assert.notStrictEqual(failing.status, 0);
        assert.ok(!fs.existsSync(keyFile), "a failed read leaves no id_deploy");
    });

    it("exports the documented names, and runs its command as npx pulumi-ens-keypair", () => {
        const exported: string[] = JSON.parse(sh(`node -p 'JSON.stringify(Object.keys(require("${manifest.name}")))'`));
        const documented = documentedExports();
        assert.deepStrictEqual(
            exported.filter((name) => !documented.includes(name)),
            [],
        );
        assert.match(sh("npx pulumi-ens-keypair orphans --help"), /^Usage: npx pulumi-ens-keypair orphans/);
        const bare = spawnSync("npx", ["pulumi-ens-keypair", "orphans"], { cwd: project, env, encoding: "utf8" });
        assert.strictEqual(bare.status, 2, bare.stderr);
        assert.match(bare.stderr, /give --stack NAME/);
    });

    it("deploys the sealing page's program, whose reading step opens the key with the user's age identity alone", () => {
        const sealed = blocksOf("docs/sealing.md", "## Sealing a key");
        const reading = only(blocksOf("docs/sealing.md", "## Reading the sealed key"), "sh");
        assert.match(reading, /umask 077/);
        // The user's home, where the README keeps the age identity; Pulumi's plugins stay where they are.
        const user = (name: string) => {
            const home = path.join(dir, name);
            fs.mkdirSync(home, { recursive: true });
            return { HOME: home, PULUMI_HOME: path.join(os.homedir(), ".pulumi") };
        };
        const alice = user("alice-home");

        fs.writeFileSync(path.join(project, "index.ts"), only(sealed, "typescript"));
        sh(only(sealed, "sh"), alice);
        const outputs = JSON.parse(sh("pulumi stack output --json --show-secrets"));
        assert.deepStrictEqual(Object.keys(outputs).sort(), ["privateKeySealed", "publicKeyOpenssh"]);

        const keyFile = path.join(project, "id_deploy");
        fs.rmSync(keyFile, { force: true });
        sh(reading, alice);
        assert.strictEqual(fs.statSync(keyFile).mode & 0o777, 0o600, "the key file is readable by its owner alone");
        assert.strictEqual(
            run("ssh-keygen", ["-y", "-f", keyFile]).stdout.trim(),
            outputs.publicKeyOpenssh,
            "the key file holds the deployed key",
        );

        // Someone else, with the stack but without the identity, is left with no key file.
        fs.rmSync(keyFile);
        const stranger = spawnSync("bash", ["-c", reading], { cwd: project, env: { ...env, ...user("bob-home") }, encoding: "utf8" });
        assert.notStrictEqual(stranger.status, 0);
        assert.ok(!fs.existsSync(keyFile), "a failed opening leaves no id_deploy");
    });

    it("deploys the rotation page's program: rotatesAt is 90 days after the up that made the pair, as the page writes it", () => {
        fs.writeFileSync(path.join(project, "index.ts"), only(blocksOf("docs/rotation.md", "# Rotating key pairs"), "typescript"));
        // ENS timestamps have whole seconds.
        const upStarted = Math.floor(Date.now() / 1000) * 1000;
        sh("pulumi up");
        const rotatesAt = sh("pulumi stack output rotatesAt").trim();
        assert.match(rotatesAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        const { agent } = pairOutputs();
        assert.match(String(agent.keyPairName), /^agent-[a-z0-9]{8}$/);
        // The clock starts in that up, by the time the pair is made.
        const clockStart = Date.parse(rotatesAt) - 90 * 86_400_000;
        const made = String(agent.creationTime);
        assert.ok(upStarted <= clockStart && clockStart <= Date.parse(made), `rotatesAt ${rotatesAt}, made ${made}`);
        sh("pulumi preview --expect-no-changes");
    });

    it("deploys the passphrases page's program with the passphrase typed at its prompt: the README's key file opens with it alone", () => {
        const page = blocksOf("docs/passphrases.md", "# Passphrase-protected private keys");
        const passphrase = "correct horse battery staple";
        fs.writeFileSync(path.join(project, "index.ts"), only(page, "typescript"));
        sh(only(page, "sh"), {}, `${passphrase}\n`);
        assert.match(sh("pulumi config"), /keyPassphrase\s+\[secret\]/);

        const keyFile = path.join(project, "id_deploy");
        fs.rmSync(keyFile, { force: true });
        sh(
            readingSteps
                .split("\n")
                .filter((line) => !line.startsWith("ssh "))
                .join("\n"),
        );
        assertArmour(fs.readFileSync(keyFile, "utf8"), "OPENSSH PRIVATE KEY");
        assert.notStrictEqual(
            spawnSync("ssh-keygen", ["-y", "-P", "", "-f", keyFile]).status,
            0,
            "the key file opens without the passphrase",
        );
        assert.strictEqual(
            run("ssh-keygen", ["-y", "-P", passphrase, "-f", keyFile]).stdout.trim(),
            sh("pulumi stack output publicKeyOpenssh").trim(),
            "the key file, opened with the passphrase, holds the deployed key",
        );
        fs.rmSync(keyFile);
    });

    it(`runs with the oldest @pulumi/pulumi the peer range admits (${oldestSdk}): the state reads back unchanged, destroy and up work`, () => {
        /** The ids of the stack's key pairs, whichever of the README's programs is deployed. */
        const pairs = () =>
            ((JSON.parse(sh("pulumi stack export")).deployment.resources ?? []) as { type: string; id?: string }[])
                .filter((r) => r.type.endsWith(":KeyPair"))
                .map((r) => r.id);
        sh(`npm install --no-audit --no-fund @pulumi/pulumi@${oldestSdk}`);
        assert.deepStrictEqual(sdkCopies(), [oldestSdk]);
        typeCheck();
        sh("pulumi preview --expect-no-changes");
        const before = pairs();
        sh("pulumi destroy");
        assert.deepStrictEqual(pairs(), []);
        sh("pulumi up");
        const after = pairs();
        assert.strictEqual(after.length, before.length);
        assert.deepStrictEqual(
            after.filter((id) => before.includes(id)),
            [],
        );
    });
});
