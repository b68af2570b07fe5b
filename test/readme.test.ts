// The README followed as a new user would: its Usage steps (install, Pulumi.yaml, program, deploy),
// its "Sealed private keys" program and steps, and its "Reading the private key" commands, taken
// from the README's own text and run with the CLI in a fresh folder outside the repository,
// against the packed package.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../scripts/engine";
import { blocksUnder, only, runSteps, userEnvironment } from "./helpers/readmeSteps";
import { run } from "./helpers/run";

describe("the README, followed as a new user would, with the packed package", function () {
    this.timeout(900_000);
    let dir: string;
    let project: string;
    let env: NodeJS.ProcessEnv;

    /** Runs a README command block with bash in the project folder, stopping at the first failure. */
    function sh(script: string, extraEnv: NodeJS.ProcessEnv = {}): string {
        return runSteps(script, project, { ...env, ...extraEnv });
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
    });

    after(() => {
        if (fs.existsSync(path.join(project, "Pulumi.yaml"))) {
            spawnSync("pulumi", ["destroy", "--yes", "--non-interactive"], { cwd: project, env, timeout: 300_000 });
        }
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("deploys its Usage program, and its Reading the private key steps write a 0600 key file that ssh-keygen opens", () => {
        const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
        const usage = blocksUnder(readme, "## Usage");
        const reading = blocksUnder(readme, "### Reading the private key");

        // Install: the README names the tarball `npm pack` writes; only its folder is a placeholder.
        const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: repoRoot, encoding: "utf8" }));
        const tarball = path.join(dir, packed[0].filename);
        const install = only(usage, "sh", 0);
        const placeholder = `/path/to/${packed[0].filename}`;
        assert.ok(install.includes(placeholder), `the install step names ${placeholder}`);
        sh(install.replace(placeholder, tarball));

        fs.writeFileSync(path.join(project, "Pulumi.yaml"), only(usage, "yaml"));
        fs.writeFileSync(path.join(project, "index.ts"), only(usage, "typescript"));
        // The program imports the key in alice.pub, which the README asks the user to provide.
        run("ssh-keygen", ["-t", "ed25519", "-N", "", "-q", "-C", "alice", "-f", path.join(dir, "alice")]);
        fs.copyFileSync(path.join(dir, "alice.pub"), path.join(project, "alice.pub"));

        const deployed = sh(only(usage, "sh", 1));
        assert.match(deployed, /\+ 5 created/, deployed);
        assert.match(deployed, /privateKeyOpenssh\s*: \[secret\]/, deployed);

        // Every reading step but the login itself, which needs a host.
        const steps = only(reading, "sh")
            .split("\n")
            .filter((line) => !line.startsWith("ssh "))
            .join("\n");
        assert.match(steps, /id_deploy/);
        sh(steps);
        const keyFile = path.join(project, "id_deploy");
        assert.strictEqual(fs.statSync(keyFile).mode & 0o777, 0o600, "the key file is readable by its owner alone");
        const derived = run("ssh-keygen", ["-y", "-f", keyFile]).stdout.trim();
        assert.strictEqual(derived, sh("pulumi stack output publicKeyOpenssh").trim(), "the key file holds the deployed key");

        // When the output cannot be read, the steps leave no empty key file behind.
        fs.rmSync(keyFile);
        const failing = spawnSync("bash", ["-c", steps.replace(/privateKeyOpenssh/g, "noSuchOutput")], {
            cwd: project,
            env,
            encoding: "utf8",
        });
        assert.notStrictEqual(failing.status, 0);
        assert.ok(!fs.existsSync(keyFile), "a failed read leaves no id_deploy");
    });

    it("deploys its Sealed private keys program, whose sealed Reading step opens the key with the user's age identity alone", () => {
        const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
        const sealed = blocksUnder(readme, "### Sealed private keys");
        const reading = only(blocksUnder(readme, "### Reading the private key"), "sh", 1);
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
});
