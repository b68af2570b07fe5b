// Programs in Pulumi YAML, Go, Python and Java, each an example deployed as its README says: the
// README's Steps run as written (install the plugin from the clone's build, `pulumi install`, `pulumi up`,
// read the private key, `ssh-keygen -y`) from a copy of the example beside the built plugin,
// outside the repository, with the plugin in a throwaway PULUMI_HOME. One `pulumi up` per program;
// the tests then check the stack with the same CLI (a no-change preview, the outputs and which of
// them are secret, the state) and run the README's Tearing down. And each language's section of
// docs/languages.md followed as written in an empty folder outside the repository, up to its
// `pulumi up`.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureLanguageHost, ProgramLanguage } from "./helpers/engine";
import { repoRoot } from "./helpers/paths";
import { buildPlugin, pluginDir } from "../scripts/build-plugin";
import { doors, packageProviderType } from "../provider/doors";
import { leakedPiece } from "./helpers/leaks";
import { assertArmour } from "./helpers/pem";
import { ProgramStack } from "./helpers/programStack";
import { blocksUnder, followSection, only, runSteps, userEnvironment } from "./helpers/readmeSteps";
import { run } from "./helpers/run";

/** The commands of a section of an example's README, as written. */
function sectionCommands(language: ProgramLanguage, heading: string): string {
    const readme = fs.readFileSync(path.join(repoRoot, "examples", language, "README.md"), "utf8");
    return only(blocksUnder(readme, heading), "sh");
}

/** Runs the commands of a section of an example's README, as written; returns what they printed (stdout and stderr). */
function runSection(language: ProgramLanguage, heading: string, cwd: string, env: NodeJS.ProcessEnv): string {
    return runSteps(`exec 2>&1\n${sectionCommands(language, heading)}`, cwd, env);
}

/**
 * Asserts that what commands printed reports no error. The Java runtime (pulumi-language-java 1.22.0)
 * logs one after every run of the program, `unable to start debugging` (pulumi-java#2161, harmless):
 * that line alone is let through.
 */
function assertNoErrors(printed: string, where: string): void {
    const errors = printed.split("\n").filter((line) => /\berror\b/i.test(line) && !/\] unable to start debugging: rpc error: /.test(line));
    assert.deepStrictEqual(errors, [], `${where} reports errors:\n${printed}`);
}

/** Asserts that `text` holds no PEM armour and no piece of `privateKey` (the public key it embeds aside). */
function assertNoPrivateKey(text: string, privateKey: string, publicKey: string, where: string): void {
    assert.ok(!/-----BEGIN|-----END/.test(text), `${where} holds PEM armour`);
    assert.strictEqual(leakedPiece(text, privateKey, publicKey), undefined, `${where} quotes the private key`);
}

describe("end to end: the YAML, Go, Python and Java examples and docs/languages.md, deployed as they say", function () {
    // Go compiles the program the first time (about a minute alone, 9 under a load of 16); Python's
    // `pulumi install` downloads the `pulumi` package from PyPI into a new virtualenv; Maven
    // downloads the Pulumi Java SDK and its plugins. Run alone, the suite may also build the
    // language host first (`npm test` builds them before).
    this.timeout(1_200_000);
    /** A throwaway stand-in for a clone: `examples/<language>` and `dist/plugin/`, as the READMEs expect. */
    let clone: string;
    /** The plugin installed as the README says, for the docs' programs: a PULUMI_HOME. */
    let pluginHome: string;
    const docs = fs.readFileSync(path.join(repoRoot, "docs", "languages.md"), "utf8");

    before(async () => {
        clone = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-languages-"));
        // What `npm run build:plugin` does, as the READMEs ask.
        await buildPlugin();
        const plugin = path.join(clone, "dist", "plugin");
        fs.cpSync(pluginDir, plugin, { recursive: true });
        pluginHome = path.join(clone, "pulumi-home-docs");
        runSteps(`pulumi plugin install resource ens-keypair 0.1.0 --file '${plugin}'`, clone, {
            ...userEnvironment(),
            PULUMI_HOME: pluginHome,
        });
    });

    after(() => {
        if (clone) {
            fs.rmSync(clone, { recursive: true, force: true });
        }
    });

    /** Each language: its example's folder name and key file, and its section of docs/languages.md. */
    const examples: { language: ProgramLanguage; keyFile: string; docsHeading: string }[] = [
        { language: "yaml", keyFile: "id_yaml", docsHeading: "## Pulumi YAML" },
        { language: "go", keyFile: "id_go", docsHeading: "## Go" },
        { language: "python", keyFile: "id_python", docsHeading: "## Python" },
        { language: "java", keyFile: "id_java", docsHeading: "## Java" },
    ];
    for (const { language, keyFile, docsHeading } of examples) {
        it(`${language}: up, no-change preview, the private key a secret output that ssh-keygen opens, no key in state or output, destroy`, () => {
            const engine = ensureLanguageHost(language);
            const dir = path.join(clone, "examples", language);
            fs.cpSync(path.join(repoRoot, "examples", language), dir, {
                recursive: true,
                filter: (src) => !/[/\\](sdks|venv|__pycache__|target|id_[^/\\]*|Pulumi\.[^/\\]+\.yaml)$/.test(src),
            });
            const env = { ...userEnvironment(), PULUMI_HOME: path.join(clone, `pulumi-home-${language}`) };
            const printed = runSection(language, "## Steps", clone, env);
            assert.match(printed, /\+ 2 created/, printed);
            assertNoErrors(printed, "the Steps");
            assert.match(printed, /privateKeyOpenssh\s+\[secret\]/, "`pulumi stack output` masks the private key");

            // The stack the Steps made, in the backend and under the passphrase they export.
            const backendDir = path.join(clone, "examples", ".pulumi-state");
            const passphrase = "examples-passphrase";
            const stack = ProgramStack.attach({ dir, name: "dev", backendDir, passphrase, engine, env });

            // What a user writing such a program types to get the SDK (the Steps' `pulumi install` did it from
            // Pulumi.yaml); the example's files are as it leaves them, and as `pulumi install` left them.
            if (language !== "yaml") {
                runSteps("pulumi package add ens-keypair@0.1.0", dir, env);
            }
            for (const file of fs.readdirSync(path.join(repoRoot, "examples", language))) {
                const committed = path.join(repoRoot, "examples", language, file);
                if (fs.statSync(committed).isFile() && !/^(id_|Pulumi\.[^.]+\.yaml$)/.test(file)) {
                    assert.ok(fs.readFileSync(committed).equals(fs.readFileSync(path.join(dir, file))), `${file} is as committed`);
                }
            }

            const preview = stack.preview("--expect-no-changes");
            assert.deepStrictEqual(preview.changes, { same: 2 });

            const outputs = stack.outputs();
            assert.strictEqual(outputs.keyPairName, `${language}-deploy`);
            assert.match(String(outputs.keyPairId), /^ssh-[a-z0-9]{23}$/);
            assert.match(String(outputs.keyPairFingerPrint), /^[0-9a-f]{32}$/);
            assert.match(String(outputs.publicKeyOpenssh), /^ssh-ed25519 AAAA\S+$/);
            assertArmour(outputs.privateKeyOpenssh, "OPENSSH PRIVATE KEY");
            assert.deepStrictEqual(stack.secretOutputNames(), ["privateKeyOpenssh"]);

            // The key file the README wrote: the owner's alone, and ssh-keygen derives the deployed public key from it.
            const keyPath = path.join(dir, keyFile);
            assert.strictEqual(fs.statSync(keyPath).mode & 0o777, 0o600, `${keyFile} is readable by its owner alone`);
            const derived = run("ssh-keygen", ["-y", "-f", keyPath]).stdout.trim().split(" ").slice(0, 2).join(" ");
            assert.strictEqual(derived, outputs.publicKeyOpenssh);
            assert.ok(printed.includes(derived), "the README's ssh-keygen -y printed the deployed public key");

            // The plugin served the resource: the package's types, not the dynamic provider's.
            const types = stack.resourceTypes().filter((t) => t !== "pulumi:pulumi:Stack");
            assert.deepStrictEqual(types.sort(), [doors.package.resourceType, packageProviderType]);

            const privateKey = String(outputs.privateKeyOpenssh);
            const publicKey = String(outputs.publicKeyOpenssh);
            const shell = { ...env, PULUMI_BACKEND_URL: `file://${backendDir}`, PULUMI_CONFIG_PASSPHRASE: passphrase };
            const destroyed = runSection(language, "## Tearing down", dir, shell);
            assert.deepStrictEqual(stack.exportState().deployment.resources ?? [], []);

            // The Steps' line that writes the key file, once there is no key to read: it fails and leaves no file.
            const writeKey = sectionCommands(language, "## Steps")
                .split("\n")
                .find((line) => line.includes(`> ${keyFile}`));
            assert.ok(writeKey, `the Steps write ${keyFile}`);
            const failed = spawnSync("bash", ["-c", writeKey], { cwd: dir, env: shell, encoding: "utf8" });
            assert.notStrictEqual(failed.status, 0, "reading a destroyed stack's private key fails");
            assert.ok(!fs.existsSync(keyPath), `a failed read leaves no ${keyFile}`);

            const shown = [printed, preview.output, destroyed].join("\n");
            assertNoPrivateKey(shown, privateKey, publicKey, "the commands' output");
            assertNoPrivateKey(stack.backendText(), privateKey, publicKey, "the backend (state, backups, history)");
        });

        it(`${language}: docs/languages.md's section, followed in an empty folder, deploys the package's KeyPair`, () => {
            const engine = ensureLanguageHost(language);
            const dir = path.join(clone, `docs-${language}`);
            fs.mkdirSync(dir);
            const backendDir = path.join(clone, `docs-state-${language}`);
            fs.mkdirSync(backendDir);
            const passphrase = "docs-passphrase";
            const env = {
                ...userEnvironment(),
                PULUMI_HOME: pluginHome,
                PULUMI_BACKEND_URL: `file://${backendDir}`,
                PULUMI_CONFIG_PASSPHRASE: passphrase,
            };
            const printed = followSection(blocksUnder(docs, docsHeading), dir, env);
            assert.match(printed, /\+ 2 created/, printed);
            assertNoErrors(printed, `the section ${docsHeading}`);
            const stack = ProgramStack.attach({ dir, name: "dev", backendDir, passphrase, engine, env });
            const types = stack.resourceTypes().filter((t) => t !== "pulumi:pulumi:Stack");
            assert.deepStrictEqual(types.sort(), [doors.package.resourceType, packageProviderType]);
            assert.match(String(stack.outputs().publicKeyOpenssh), /^ssh-ed25519 AAAA\S+$/);
        });
    }
});
