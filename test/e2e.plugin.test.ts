// The ens-keypair package under the real engine: the plugin built into dist/plugin installed with
// `pulumi plugin install --file` into a throwaway PULUMI_HOME, and a TypeScript program outside
// the repository using the SDK that `pulumi package add` generates. The example's README and the
// steps and programs of docs/package.md run as written: the plugin's install, two provider
// instances against two ENS-compatible servers, `pulumi import` of a pair made outside Pulumi
// (through the default provider and through a provider instance, and its refusal in the local
// backend), a stack moving between the dynamic KeyPair and the package, each way.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EnsServer, startEnsServer } from "../ens-server/server";
import { EnsClient } from "../provider/ens/client";
import { buildPlugin, pluginDir, pluginVersion } from "../scripts/build-plugin";
import { ensureEngine } from "./helpers/engine";
import { repoRoot } from "./helpers/paths";
import { doors } from "../provider/doors";
import { leakedPiece } from "./helpers/leaks";
import { ProgramStack } from "./helpers/programStack";
import { blocksOf, only } from "./helpers/readmeSteps";
import { filesText } from "./helpers/stacks";

const exampleDir = path.join(repoRoot, "examples", "package-typescript");
/** The page that installs the package and shows its programs and commands. */
const packagePage = "docs/package.md";

/** The `sh` block of the example's README, its lines in order. */
function readmeCommands(): string[] {
    const readme = fs.readFileSync(path.join(exampleDir, "README.md"), "utf8");
    const block = /^```sh\n([\s\S]*?)^```$/m.exec(readme);
    assert.ok(block, "the example's README has a sh block");
    return block[1].split("\n").filter((line) => line.trim() !== "");
}

/** A resource of an exported state. */
interface StateResource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

describe("end to end: the ens-keypair plugin and its TypeScript SDK", function () {
    this.timeout(900_000);
    let dir: string;
    let pulumiHome: string;
    let program: string;
    let env: NodeJS.ProcessEnv;

    /** Runs a shell command in the program's folder outside the repository, in the plugin's environment. */
    function sh(script: string): { status: number; output: string } {
        const result = spawnSync("bash", ["-eo", "pipefail", "-c", script], { cwd: program, env, encoding: "utf8", timeout: 600_000 });
        return { status: result.status ?? -1, output: `${result.stdout}\n${result.stderr}` };
    }

    /** A stack of the installed program with `index.ts` replaced, on its own backend, finding the plugin in the throwaway PULUMI_HOME. */
    function stackWith(scenario: string, text: string, config: Record<string, string> = {}): ProgramStack {
        fs.writeFileSync(path.join(program, "index.ts"), text);
        // Every scenario's stack is "test" in the one program folder: each starts from no stack settings.
        fs.rmSync(path.join(program, "Pulumi.test.yaml"), { force: true });
        const stack = ProgramStack.create({ scenario, workDir: program, config });
        stack.env.PULUMI_HOME = pulumiHome;
        return stack;
    }

    before(async () => {
        await buildPlugin();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-plugin-"));
        pulumiHome = path.join(dir, "pulumi-home");
        program = path.join(dir, "package-typescript");
        fs.cpSync(exampleDir, program, { recursive: true, filter: (src) => !/[/\\](node_modules|sdks|Pulumi\.[^/\\]+\.yaml)$/.test(src) });
        env = { ...process.env, PATH: `${ensureEngine()}${path.delimiter}${process.env.PATH}` };
        // npm test runs under npm, whose npm_* variables would point npm install back at this repository.
        for (const name of Object.keys(env)) {
            if (/^(npm_|ALIBABA_CLOUD_|ENS_KEYPAIR_|PULUMI_)/i.test(name)) {
                delete env[name];
            }
        }
        Object.assign(env, { PULUMI_HOME: pulumiHome, PULUMI_SKIP_UPDATE_CHECK: "true" });
    });

    after(() => {
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the example's README, run as written outside the repository: the plugin, package add, up, no-change preview, the key, destroy", () => {
        // The README runs in examples/package-typescript of a clone; here the folder is a copy
        // outside the repository, so its paths into the clone point at this checkout, and the
        // plugin was built by this suite with the build script's own function.
        const commands = readmeCommands();
        assert.match(commands[0], /^cd examples\/package-typescript/);
        assert.match(commands[1], /npm run build:plugin/);
        const script = commands
            .slice(2)
            .map((line) => line.replaceAll("../../dist/", `${path.join(repoRoot, "dist")}/`))
            .join("\n");
        assert.ok(script.includes(`--file ${pluginDir}`), "the README installs the plugin built into dist/plugin");
        const result = sh(script);
        assert.strictEqual(result.status, 0, result.output);
        const output = result.output;

        // The plugin went to the throwaway PULUMI_HOME, from dist/plugin.
        const installed = path.join(pulumiHome, "plugins", `resource-ens-keypair-v${pluginVersion}`, "pulumi-resource-ens-keypair");
        assert.ok(fs.existsSync(installed), installed);
        assert.match(output, /\+ 2 created/);
        assert.match(output, /privateKeyOpenssh\s+\[secret\]/);
        // ssh-keygen -y printed the public key of the key file, which is the deployed one.
        const publicKey = /^(ssh-rsa AAAA\S+)/m.exec(output)?.[1];
        assert.ok(publicKey, "ssh-keygen -y printed a public key");
        assert.match(output, new RegExp(`publicKeyOpenssh\\s+${publicKey.replace(/[+/]/g, "\\$&")}`));
        assert.match(output, /- 2 deleted/);

        // No key material in what the commands printed or in any file the backend keeps (the
        // history holds the state of every update).
        // (OpenSSH's private key format embeds the public key, which is no secret.)
        const privateKey = fs.readFileSync(path.join(program, "id_package"), "utf8");
        const backend = filesText(path.join(dir, ".pulumi-state"));
        for (const [what, text] of [
            ["the commands' output", output],
            ["the backend", backend],
        ]) {
            assert.ok(!/-----BEGIN/.test(text), `${what} holds PEM armour`);
            assert.strictEqual(leakedPiece(text, privateKey, publicKey), undefined, `${what} quotes the private key`);
        }

        // The state of the pair, from the update's checkpoint: the package's type, no serialized provider, the private keys secret.
        const checkpoints = fs
            .readdirSync(path.join(dir, ".pulumi-state"), { recursive: true, withFileTypes: true })
            .filter((entry) => entry.isFile() && entry.name.endsWith(".checkpoint.json"))
            .map((entry) => JSON.parse(fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8")));
        const pairs: StateResource[] = checkpoints
            .flatMap((c) => c.checkpoint?.latest?.resources ?? [])
            .filter((r: StateResource) => r.type === doors.package.resourceType);
        assert.ok(pairs.length > 0, "a checkpoint holds the pair");
        const pair = pairs[0];
        assert.ok(!JSON.stringify(pair).includes("__provider"));
        for (const name of ["privateKeyBody", "privateKeyOpenssh"]) {
            assert.ok((pair.outputs?.[name] as { ciphertext?: string }).ciphertext, `${name} is encrypted in state`);
        }
        console.log(`      state of one RSA 2048 pair through the plugin: ${JSON.stringify(pair).length} bytes`);
    });

    it("docs/package.md's install steps put the plugin in PULUMI_HOME, and its program deploys: an Ed25519 pair, the private key secret", async () => {
        // Run in a clone, here this checkout, whose plugin the suite built with the build script's own function.
        const [build, install] = only(blocksOf(packagePage, "## Installing the plugin"), "sh", 2).trim().split("\n");
        assert.match(build, /^npm install && npm run build:plugin\b/);
        assert.ok(install.includes(`--file ${path.relative(repoRoot, pluginDir)}`), "the page installs the plugin built into dist/plugin");
        const home = path.join(dir, "package-page-home");
        const result = spawnSync("bash", ["-eo", "pipefail", "-c", install], {
            cwd: repoRoot,
            env: { ...env, PULUMI_HOME: home },
            encoding: "utf8",
        });
        assert.strictEqual(result.status, 0, `${result.stdout}\n${result.stderr}`);
        assert.ok(fs.existsSync(path.join(home, "plugins", `resource-ens-keypair-v${pluginVersion}`, "pulumi-resource-ens-keypair")));

        const stack = stackWith("plugin-page", only(blocksOf(packagePage, "## The SDKs"), "typescript"));
        const up = await stack.runAsync(["up", "--yes", "--skip-preview"]);
        assert.strictEqual(up.status, 0, up.output);
        assert.match(up.output, /privateKeyOpenssh\s*: \[secret\]/);
        const resources: StateResource[] = JSON.parse(stack.exportText()).deployment.resources;
        const pair = resources.find((r) => r.type === doors.package.resourceType);
        assert.strictEqual(pair?.outputs?.keyType, "ed25519");
        assert.strictEqual((await stack.runAsync(["destroy", "--yes"])).status, 0);
    });

    describe("with ENS-compatible servers", () => {
        const keys = { a: ["plugin-key-a", "plugin-secret-a-5f2d"], b: ["plugin-key-b", "plugin-secret-b-9c41"] } as const;
        let servers: Record<"a" | "b", EnsServer>;

        before(async () => {
            servers = {
                a: await startEnsServer({ accessKeys: { [keys.a[0]]: keys.a[1] } }),
                b: await startEnsServer({ accessKeys: { [keys.b[0]]: keys.b[1] } }),
            };
        });

        after(async () => {
            await servers?.a.close();
            await servers?.b.close();
        });

        const names = (server: EnsServer) => server.listKeyPairs().map((p) => p.keyPairName);
        const calls = (server: EnsServer, action: string) => server.stats().calls[action] ?? 0;

        /** Runs a pulumi command asynchronously, so that this process goes on serving the servers' requests; fails on a non-zero exit. */
        async function pulumi(stack: ProgramStack, ...args: string[]): Promise<string> {
            const result = await stack.runAsync(args);
            assert.strictEqual(result.status, 0, `pulumi ${args.join(" ")}:\n${result.output}`);
            return result.output;
        }

        /** What a pulumi command that prints JSON printed, parsed. */
        async function json(stack: ProgramStack, ...args: string[]): Promise<Record<string, unknown>> {
            const result = await stack.runAsync(args);
            assert.strictEqual(result.status, 0, `pulumi ${args.join(" ")}:\n${result.output}`);
            return JSON.parse(result.stdout);
        }

        /** A stack of the program whose default provider reaches one of the servers, configured as a user's stack would be. */
        function ensStack(scenario: string, text: string, server: "a" | "b"): ProgramStack {
            const stack = stackWith(scenario, text, { "ens-keypair:backend": "ens", "ens-keypair:endpoint": servers[server].url });
            stack.pulumi(["config", "set", "--secret", "ens-keypair:accessKeyId", keys[server][0]]);
            stack.pulumi(["config", "set", "--secret", "ens-keypair:accessKeySecret", keys[server][1]]);
            return stack;
        }

        it("docs/package.md's two provider instances, two endpoints and credentials: each pair lives, refreshes and is deleted in its own server", async () => {
            const stack = stackWith("plugin-instances", only(blocksOf(packagePage, "## Provider instances"), "typescript"));
            // The page's two accounts, each in one of the servers.
            const accounts = { prod: "a", staging: "b" } as const;
            for (const [account, server] of Object.entries(accounts)) {
                stack.pulumi(["config", "set", `${account}Endpoint`, servers[server].url]);
                stack.pulumi(["config", "set", `${account}KeyId`, keys[server][0]]);
                stack.pulumi(["config", "set", "--secret", `${account}KeySecret`, keys[server][1]]);
            }
            assert.match(await pulumi(stack, "up", "--yes", "--skip-preview"), /\+ 5 created/);
            // One name in two accounts: each server holds its own pair under it.
            assert.deepStrictEqual(names(servers.a), ["deploy"]);
            assert.deepStrictEqual(names(servers.b), ["deploy"]);
            const { ids } = (await json(stack, "stack", "output", "--json")) as { ids: { prod: string; staging: string } };
            assert.strictEqual(servers.a.listKeyPairs()[0].keyPairId, ids.prod);
            assert.strictEqual(servers.b.listKeyPairs()[0].keyPairId, ids.staging);
            await pulumi(stack, "preview", "--expect-no-changes");

            const described = { a: calls(servers.a, "DescribeKeyPairs"), b: calls(servers.b, "DescribeKeyPairs") };
            assert.match(await pulumi(stack, "refresh", "--yes", "--skip-preview"), /Resources:\s+5 unchanged/);
            // One lookup each, each in its own server: a pair looked up in the other would be gone there, and refresh would drop it.
            assert.strictEqual(calls(servers.a, "DescribeKeyPairs"), described.a + 1);
            assert.strictEqual(calls(servers.b, "DescribeKeyPairs"), described.b + 1);

            // The credentials are secret in the providers' state.
            const exported = stack.exportText();
            for (const [id, secret] of Object.values(keys)) {
                assert.ok(!exported.includes(secret) && !exported.includes(id), "a credential is in plain text in the state");
                assert.ok(!stack.backendText().includes(secret), "a credential is in plain text in the backend");
            }

            await pulumi(stack, "destroy", "--yes");
            assert.deepStrictEqual([names(servers.a), names(servers.b)], [[], []]);
            assert.strictEqual(calls(servers.a, "DeleteKeyPairs"), 1);
            assert.strictEqual(calls(servers.b, "DeleteKeyPairs"), 1);
            // Neither server saw the other's credentials (each accepts only its own key).
            assert.deepStrictEqual([servers.a.stats().errors, servers.b.stats().errors], [{}, {}]);
        });

        it("docs/package.md's pulumi import adopts a pair made outside Pulumi: no private key, no changes after, destroy deletes it", async () => {
            const [keyId, keySecret] = keys.a;
            // Made as the console or another tool would.
            const made = await new EnsClient({ endpoint: servers.a.url, accessKeyId: keyId, accessKeySecret: keySecret }).createKeyPair(
                "console-made",
            );

            const exportsText = `export const name = deploy.keyPairName;
export const fingerprint = deploy.keyPairFingerPrint;
export const privateKey = deploy.privateKeyOpenssh;
`;
            const stack = ensStack("plugin-import", `import * as ensKeypair from "@ens-keypair/pulumi";\n`, "a");
            const code = path.join(program, "imported.ts");
            // The page's command, for the pair made here rather than its example's id; without a terminal to confirm at, --yes.
            const [command, ...others] = only(blocksOf(packagePage, "## Adopting a pair with `pulumi import`"), "sh").trim().split("\n");
            assert.deepStrictEqual(others, []);
            const [tool, ...args] = command.split(/\s+/);
            assert.strictEqual(tool, "pulumi");
            assert.deepStrictEqual(args.slice(0, 2), ["import", doors.package.resourceType]);
            await pulumi(stack, ...args.map((arg) => (/^ssh-[a-z0-9]{23}$/.test(arg) ? made.keyPairId : arg)), "--yes", "--out", code);
            // The program the import printed, with outputs to check.
            fs.writeFileSync(path.join(program, "index.ts"), `${fs.readFileSync(code, "utf8")}\n${exportsText}`);
            await pulumi(stack, "preview", "--expect-no-changes");
            assert.match(await pulumi(stack, "up", "--yes"), /Resources:\s+2 unchanged/);
            const outputs = await json(stack, "stack", "output", "--json", "--show-secrets");
            assert.strictEqual(outputs.name, "console-made");
            assert.strictEqual(outputs.fingerprint, made.keyPairFingerPrint);
            assert.strictEqual(outputs.privateKey, undefined, "ENS never returns an existing pair's private key");

            assert.match(await pulumi(stack, "destroy", "--yes"), /- 2 deleted/);
            assert.ok(!names(servers.a).includes("console-made"), "destroy deletes an imported pair: it is managed");
        });

        it("pulumi import --provider adopts a pair through a provider instance, the stack's only way to its server", async () => {
            const [keyId, keySecret] = keys.b;
            const made = await new EnsClient({ endpoint: servers.b.url, accessKeyId: keyId, accessKeySecret: keySecret }).createKeyPair(
                "instance-made",
            );
            // No ens-keypair configuration: the default provider is local, where an import fails.
            const withProvider = (rest: string) => `import * as pulumi from "@pulumi/pulumi";
import * as ensKeypair from "@ens-keypair/pulumi";
const config = new pulumi.Config();
const provider = new ensKeypair.Provider("ens-b", {
    backend: "ens",
    endpoint: config.require("endpoint"),
    accessKeyId: config.require("keyId"),
    accessKeySecret: config.requireSecret("keySecret"),
});
${rest}`;
            const stack = stackWith("plugin-import-instance", withProvider(""), {
                endpoint: servers.b.url,
                keyId,
            });
            stack.pulumi(["config", "set", "--secret", "keySecret", keySecret]);
            await pulumi(stack, "up", "--yes", "--skip-preview");
            const resources = () => stack.exportState().deployment.resources ?? [];
            const instance = resources().find((r) => r.type === "pulumi:providers:ens-keypair");
            assert.ok(instance, "the provider instance is in the state");

            const imported = await pulumi(
                stack,
                "import",
                doors.package.resourceType,
                "adopted",
                made.keyPairId,
                "--provider",
                `ens-b=${instance.urn}`,
                "--yes",
                "--protect=false",
            );
            assert.match(imported, /= 1 imported/);
            fs.writeFileSync(
                path.join(program, "index.ts"),
                withProvider(`const adopted = new ensKeypair.KeyPair("adopted", { keyPairName: "instance-made", keyType: "rsa", rsaBits: 2048 }, { provider });
export const id = adopted.keyPairId;
export const fingerprint = adopted.keyPairFingerPrint;
`),
            );
            await pulumi(stack, "preview", "--expect-no-changes");
            assert.match(await pulumi(stack, "up", "--yes"), /Resources:\s+3 unchanged/);
            const pair = resources().find((r) => r.type === doors.package.resourceType);
            assert.strictEqual(pair?.provider, `${instance.urn}::${instance.id}`, "the pair's provider is the instance");
            assert.deepStrictEqual(await json(stack, "stack", "output", "--json"), {
                id: made.keyPairId,
                fingerprint: made.keyPairFingerPrint,
            });

            await pulumi(stack, "destroy", "--yes");
            assert.ok(!names(servers.b).includes("instance-made"), "destroy deletes the imported pair through the instance");
        });

        describe("a stack moving between the dynamic KeyPair and the package", () => {
            const dynamicProgram = (name: string) => `import { KeyPair } from "pulumi-ens-keypair";
const deploy = new KeyPair("deploy", { keyPairName: "${name}" });
export const id = deploy.keyPairId;
export const fingerprint = deploy.keyPairFingerPrint;
`;
            const packageProgram = (name: string, options = "{}") => `import * as ensKeypair from "@ens-keypair/pulumi";
const deploy = new ensKeypair.KeyPair("deploy", { keyPairName: "${name}" }, ${options});
export const id = deploy.keyPairId;
export const fingerprint = deploy.keyPairFingerPrint;
`;

            before(() => {
                // The dynamic KeyPair, installed from the packed package beside the generated SDK.
                const packed = JSON.parse(
                    execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
                        cwd: repoRoot,
                        encoding: "utf8",
                        stdio: ["ignore", "pipe", "pipe"],
                    }),
                );
                execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", path.join(dir, packed[0].filename)], {
                    cwd: program,
                    env,
                    stdio: ["ignore", "ignore", "pipe"],
                });
            });

            it("ens backend: state delete, then import keeps the pair; no changes after, destroy deletes it", async () => {
                const stack = ensStack("plugin-move-ens", dynamicProgram("moving"), "b");
                await pulumi(stack, "up", "--yes", "--skip-preview");
                const { id } = (await json(stack, "stack", "output", "--json")) as { id: string };
                const dynamicUrn = stack.exportState().deployment.resources?.find((r) => r.type === doors.dynamic.resourceType)?.urn;
                assert.ok(dynamicUrn, "the dynamic KeyPair is in the state");

                // Out of the state, still in ENS; then adopted by the package's KeyPair.
                await pulumi(stack, "state", "delete", dynamicUrn, "--yes");
                assert.deepStrictEqual(names(servers.b), ["moving"]);
                fs.writeFileSync(path.join(program, "index.ts"), packageProgram("moving", `{ import: "${id}" }`));
                assert.match(await pulumi(stack, "up", "--yes", "--skip-preview"), /= 1 imported/);
                fs.writeFileSync(path.join(program, "index.ts"), packageProgram("moving"));
                await pulumi(stack, "preview", "--expect-no-changes");
                const moved = (await json(stack, "stack", "output", "--json")) as { id: string };
                assert.strictEqual(moved.id, id, "the same pair, now under the package");
                assert.deepStrictEqual(
                    stack.resourceTypes().filter((t) => t !== "pulumi:pulumi:Stack" && !t.startsWith("pulumi:providers:")),
                    [doors.package.resourceType],
                );
                await pulumi(stack, "destroy", "--yes");
                assert.deepStrictEqual(names(servers.b), []);
            });

            it("ens backend, package to dynamic: state delete leaves the pair to KeyPair.get, unmanaged; or destroy --target, and the dynamic KeyPair makes a new one", async () => {
                const stack = ensStack("plugin-move-back", packageProgram("moving-back"), "b");
                const pairs = () =>
                    servers.b
                        .listKeyPairs()
                        .map((p) => [p.keyPairName, p.keyPairId])
                        .sort();
                const upPackage = async () => {
                    await pulumi(stack, "up", "--yes", "--skip-preview");
                    const urn = stack.exportState().deployment.resources?.find((r) => r.type === doors.package.resourceType)?.urn;
                    assert.ok(urn, "the package's KeyPair is in the state");
                    return { urn, made: (await json(stack, "stack", "output", "--json")) as { id: string; fingerprint: string } };
                };

                // Out of the state, then read by the dynamic KeyPair: the same pair, which destroy leaves alone.
                const first = await upPackage();
                await pulumi(stack, "state", "delete", first.urn, "--yes");
                fs.writeFileSync(
                    path.join(program, "index.ts"),
                    `import { KeyPair } from "pulumi-ens-keypair";
const deploy = KeyPair.get("deploy", "${first.made.id}");
export const id = deploy.keyPairId;
export const fingerprint = deploy.keyPairFingerPrint;
`,
                );
                await pulumi(stack, "up", "--yes", "--skip-preview");
                assert.deepStrictEqual(await json(stack, "stack", "output", "--json"), first.made);
                assert.ok(
                    stack.resourceTypes().includes(doors.dynamic.resourceType) &&
                        !stack.resourceTypes().includes(doors.package.resourceType),
                );
                await pulumi(stack, "preview", "--expect-no-changes");
                await pulumi(stack, "destroy", "--yes");
                assert.deepStrictEqual(pairs(), [["moving-back", first.made.id]], "destroy deleted a pair read with KeyPair.get");

                // Deleted through the package, then made anew by the dynamic KeyPair under the name it freed.
                fs.writeFileSync(path.join(program, "index.ts"), packageProgram("moving-again"));
                const second = await upPackage();
                await pulumi(stack, "destroy", "--yes", "--target", second.urn);
                assert.deepStrictEqual(pairs(), [["moving-back", first.made.id]]);
                fs.writeFileSync(path.join(program, "index.ts"), dynamicProgram("moving-again"));
                await pulumi(stack, "up", "--yes", "--skip-preview");
                const made = (await json(stack, "stack", "output", "--json")) as { id: string; fingerprint: string };
                assert.notStrictEqual(made.fingerprint, second.made.fingerprint, "a new pair");
                assert.deepStrictEqual(pairs(), [
                    ["moving-again", made.id],
                    ["moving-back", first.made.id],
                ]);
                assert.ok(
                    stack.resourceTypes().includes(doors.dynamic.resourceType) &&
                        !stack.resourceTypes().includes(doors.package.resourceType),
                );
                await pulumi(stack, "destroy", "--yes");
                assert.deepStrictEqual(pairs(), [["moving-back", first.made.id]]);
            });

            it("local backend, either way: the next up replaces the pair (a new key, the old resource deleted)", async () => {
                const stack = stackWith("plugin-move-local", dynamicProgram("moving-local"));
                await pulumi(stack, "up", "--yes", "--skip-preview");
                const seen = [(await json(stack, "stack", "output", "--json")) as { id: string; fingerprint: string }];
                for (const text of [packageProgram("moving-local"), dynamicProgram("moving-local")]) {
                    fs.writeFileSync(path.join(program, "index.ts"), text);
                    const output = await pulumi(stack, "up", "--yes", "--skip-preview");
                    assert.match(output, /\+ 1 created/);
                    assert.match(output, /- 1 deleted/);
                    const now = (await json(stack, "stack", "output", "--json")) as { id: string; fingerprint: string };
                    assert.ok(
                        seen.every((pair) => pair.id !== now.id && pair.fingerprint !== now.fingerprint),
                        "a new pair",
                    );
                    seen.push(now);
                }
                await pulumi(stack, "destroy", "--yes");
            });
        });

        it("pulumi import in the local backend fails and says why", () => {
            const stack = stackWith(
                "plugin-import-local",
                `import * as ensKeypair from "@ens-keypair/pulumi";\nexport const sdk = typeof ensKeypair.KeyPair;\n`,
            );
            const result = stack.run(["import", doors.package.resourceType, "adopted", "ssh-abcdefghijklmnopqrstuvw", "--yes"]);
            assert.notStrictEqual(result.status, 0);
            assert.match(
                `${result.stdout}${result.stderr}`,
                /the local backend keeps key pairs only in Pulumi state, so there is nothing outside it to read/,
            );
            assert.ok(!stack.resourceTypes().includes(doors.package.resourceType), "nothing was imported");
        });
    });
});
