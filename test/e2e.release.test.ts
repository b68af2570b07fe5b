// The release as users get it: `npm run release`'s dist/, built once per run and served over HTTP
// on 127.0.0.1 as the project's release page serves its assets, and programs in fresh folders
// outside the repository, each with a fresh PULUMI_HOME, that take what they need from it:
// - YAML: the plugin installed with `pulumi plugin install … --server`, the program of
//   docs/languages.md deployed with it;
// - Python: the wheel installed with pip into the program's virtualenv, and nothing else: the
//   engine downloads the plugin during `pulumi up`, from the download URL the SDK carries, which
//   PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES points at this server instead of the project's release page;
// - TypeScript: the npm package and the Node.js SDK installed from their tarballs, the plugin
//   registered by `npx pulumi-ens-keypair plugin install`, and both doors in one program;
// - Go: the SDK module fetched through GOPROXY from the module proxy layout in dist/go;
// - Java: the SDK's jar fetched by Maven from the Maven repository layout in dist/maven;
// - a teammate's fresh checkout of a YAML program: the plugin downloaded from the release, and no
//   package looked up by name in the Pulumi registry (PULUMI_API points at a server of the test's
//   that records what is asked).
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { doors, packageName, packageProviderType, pluginDownloadURL, sdkNames } from "../provider/doors";
import { archiveName, hostPlatform, noticesFile, pluginName } from "../scripts/build-plugin";
import { ensureEngine, ensureLanguageHost } from "./helpers/engine";
import { Release } from "../scripts/release";
import { FileServer, serveFolder } from "./helpers/fileServer";
import { leakedPiece } from "./helpers/leaks";
import { assertArmour } from "./helpers/pem";
import { ProgramStack } from "./helpers/programStack";
import { blocksOf, only, runSteps } from "./helpers/readmeSteps";
import { downloadOverride, FreshUser, freshUser, releaseOnce, servedRelease, userStack } from "./helpers/release";
import { run } from "./helpers/run";

/** The requests for the plugin's archive of this machine's platform among a server's. */
function archiveRequests(server: FileServer, version: string): string[] {
    return server.requests.filter((r) => r === `200 /${archiveName(version, hostPlatform())}`);
}

/** Removes a module from a Go module cache (whose files are read-only), so that the next build downloads it. */
function evictFromGoModuleCache(cache: string, modulePath: string): void {
    for (const dir of [path.join(cache, modulePath + "@*"), path.join(cache, "cache", "download", modulePath)]) {
        run("bash", ["-c", `chmod -R u+w ${dir} 2>/dev/null; rm -rf ${dir}`]);
    }
}

describe("end to end: the release, installed from its artifacts as users get them", function () {
    // The first run of a machine builds the release (a minute and more) and downloads the Python
    // and npm packages programs need; Go compiles the program.
    this.timeout(1_800_000);
    let built: Release;
    let served: Awaited<ReturnType<typeof servedRelease>>;
    const users: FreshUser[] = [];

    /** A fresh user (folder, PULUMI_HOME, backend) whose registry is the served empty one. */
    function user(name: string, registry = served.registry): FreshUser {
        const made = freshUser(name, registry);
        users.push(made);
        return made;
    }

    /** Runs a shell script in the user's program folder; returns what it printed (stdout and stderr). */
    function sh(who: FreshUser, script: string, env: NodeJS.ProcessEnv = {}): string {
        return runSteps(`exec 2>&1\n${script}`, who.program, { ...who.env, ...env });
    }

    /** Outputs that are a key pair's: the public key, and the private key as a secret that ssh-keygen opens. */
    function checkKeyPair(stack: ProgramStack, who: FreshUser, publicOutput: string, privateOutput: string): void {
        const outputs = stack.outputs();
        assert.match(String(outputs[publicOutput]), /^ssh-ed25519 AAAA\S+$/);
        assertArmour(outputs[privateOutput], "OPENSSH PRIVATE KEY");
        assert.ok(stack.secretOutputNames().includes(privateOutput), `${privateOutput} is a secret output`);
        const keyFile = path.join(who.root, `id_${privateOutput}`);
        fs.writeFileSync(keyFile, String(outputs[privateOutput]), { mode: 0o600 });
        const derived = run("ssh-keygen", ["-y", "-f", keyFile]).stdout.trim().split(" ").slice(0, 2).join(" ");
        assert.strictEqual(derived, outputs[publicOutput]);
        const state = stack.exportText();
        assert.ok(!/-----BEGIN/.test(state), "the state holds PEM armour");
        assert.strictEqual(leakedPiece(state, String(outputs[privateOutput]), String(outputs[publicOutput])), undefined);
    }

    before(async () => {
        built = await releaseOnce();
        served = await servedRelease(built.dist);
    });

    after(async () => {
        await served?.close();
        for (const who of users) {
            fs.rmSync(who.root, { recursive: true, force: true });
        }
    });

    afterEach(function () {
        // Nothing was ever looked up by name in the Pulumi registry.
        if (this.currentTest?.state === "passed") {
            assert.deepStrictEqual(served.registry.requests, [], "the CLI asked the Pulumi registry");
        }
    });

    it("lists every artifact in SHA256SUMS, whose checksums sha256sum -c accepts", () => {
        const listed = fs
            .readFileSync(path.join(built.dist, "SHA256SUMS"), "utf8")
            .trim()
            .split("\n")
            .map((line) => line.split("  ")[1]);
        assert.deepStrictEqual(listed, built.files);
        for (const platform of ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64"] as const) {
            assert.ok(listed.includes(archiveName(built.version, platform)), platform);
        }
        assert.ok(listed.includes(`pulumi-ens-keypair-${built.version}.tgz`));
        assert.ok(listed.includes(`${sdkNames.nodejs.packageName.replace("@", "").replace("/", "-")}-${built.version}.tgz`));
        assert.ok(listed.includes(`${sdkNames.python.packageName}-${built.version}-py3-none-any.whl`));
        assert.ok(listed.includes(`${sdkNames.python.packageName}-${built.version}.tar.gz`));
        run("bash", ["-c", `cd '${built.dist}' && sha256sum --quiet -c SHA256SUMS`]);
    });

    it("YAML: pulumi plugin install --server installs the plugin from the release page, and the docs' program deploys with it", () => {
        const engine = ensureLanguageHost("yaml");
        const who = user("yaml");
        // docs/package.md's command, its server the local one instead of the project's release.
        const install = only(blocksOf("docs/package.md", "## Installing the plugin"), "sh", 0).trim();
        assert.ok(install.includes(`--server ${pluginDownloadURL}`), install);
        sh(who, install.replace(pluginDownloadURL, served.page.url));
        assert.strictEqual(archiveRequests(served.page, built.version).length, 1, served.page.requests.join("\n"));
        const installed = path.join(who.pulumiHome, "plugins", `resource-ens-keypair-v${built.version}`);
        for (const file of [pluginName, "LICENSE", noticesFile]) {
            assert.ok(fs.existsSync(path.join(installed, file)), `the installed plugin has ${file}`);
        }

        fs.writeFileSync(path.join(who.program, "Pulumi.yaml"), only(blocksOf("docs/languages.md", "## Pulumi YAML"), "yaml"));
        const printed = sh(who, "pulumi stack init dev\npulumi up --yes");
        assert.match(printed, /\+ 2 created/, printed);
        // The installed plugin served it: nothing more was downloaded.
        assert.strictEqual(archiveRequests(served.page, built.version).length, 1);
        const stack = userStack(who, engine);
        checkKeyPair(stack, who, "publicKeyOpenssh", "privateKeyOpenssh");
        assert.deepStrictEqual(stack.preview("--expect-no-changes").changes, { same: 2 });
        stack.destroy();
    });

    it("Python: a virtualenv with the wheel installed by pip, and pulumi up downloads the plugin from the release through the SDK's pluginDownloadURL", () => {
        const engine = ensureLanguageHost("python");
        const who = user("python");
        const wheel = `${served.page.url}/${built.pythonWheel}`;
        sh(who, `python3 -m venv venv\nvenv/bin/pip install --quiet --disable-pip-version-check --no-compile pulumi==3.248.0 ${wheel}`);
        fs.writeFileSync(
            path.join(who.program, "Pulumi.yaml"),
            "name: release-python\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n",
        );
        fs.writeFileSync(
            path.join(who.program, "__main__.py"),
            `import pulumi
import ${sdkNames.python.packageName} as ens_keypair

deploy = ens_keypair.KeyPair("deploy", key_pair_name="python-release", key_type=ens_keypair.KeyType.ED25519)
pulumi.export("publicKeyOpenssh", deploy.public_key_openssh)
pulumi.export("privateKeyOpenssh", deploy.private_key_openssh)
`,
        );
        assert.ok(!fs.existsSync(path.join(who.pulumiHome, "plugins")), "no plugin is installed before the first up");
        const override = { PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: downloadOverride(served.page.url) };
        const printed = sh(who, "pulumi stack init dev\npulumi up --yes", override);
        assert.match(printed, /\+ 2 created/, printed);
        assert.strictEqual(archiveRequests(served.page, built.version).length, 2, "the engine downloaded the plugin from the release");
        assert.ok(fs.existsSync(path.join(who.pulumiHome, "plugins", `resource-ens-keypair-v${built.version}`, pluginName)));
        // The provider is the one the SDK names: this version, from the project's release page.
        const stack = userStack(who, engine, override);
        const providers = (stack.exportState().deployment.resources ?? []).filter((r) => r.type === packageProviderType).map((r) => r.urn);
        assert.deepStrictEqual(providers.length, 1);
        assert.ok(providers[0].includes(`default_${built.version.replace(/\./g, "_")}_github_`), providers[0]);
        checkKeyPair(stack, who, "publicKeyOpenssh", "privateKeyOpenssh");
        stack.destroy();
    });

    it("TypeScript: the npm package and the Node.js SDK from their tarballs, the plugin registered by npx pulumi-ens-keypair plugin install, both doors in one program", () => {
        const engine = ensureEngine();
        const who = user("typescript");
        const tarballs = [built.npmPackage, built.nodejsSdk].map((file) => `${served.page.url}/${file}`).join(" ");
        sh(
            who,
            `npm init -y >/dev/null
npm install --no-audit --no-fund --prefer-offline ${tarballs} @pulumi/pulumi@3.248.0 typescript@5 @types/node@20
${only(blocksOf("docs/package.md", "## Installing the plugin"), "sh", 1)}`,
        );
        const downloaded = archiveRequests(served.page, built.version).length;
        assert.ok(fs.existsSync(path.join(who.pulumiHome, "plugins", `resource-ens-keypair-v${built.version}`, pluginName)));
        fs.writeFileSync(path.join(who.program, "Pulumi.yaml"), "name: release-typescript\nruntime: nodejs\nmain: index.ts\n");
        fs.writeFileSync(
            path.join(who.program, "index.ts"),
            `import { KeyPair } from "pulumi-ens-keypair";
import * as ensKeypair from "${sdkNames.nodejs.packageName}";

const dynamic = new KeyPair("dynamic", { keyPairName: "release-dynamic", keyType: "ed25519" });
const provider = new ensKeypair.Provider("local", { backend: "local" });
const packaged = new ensKeypair.KeyPair("packaged", { keyPairName: "release-package", keyType: ensKeypair.KeyType.Ed25519 }, { provider });
export const dynamicPublicKey = dynamic.publicKeyOpenssh;
export const dynamicPrivateKey = dynamic.privateKeyOpenssh;
export const packagePublicKey = packaged.publicKeyOpenssh;
export const packagePrivateKey = packaged.privateKeyOpenssh;
`,
        );
        const printed = sh(who, "pulumi stack init dev\npulumi up --yes");
        assert.match(printed, /\+ 4 created/, printed);
        // The plugin the npm package carries served the package door: nothing was downloaded.
        assert.strictEqual(archiveRequests(served.page, built.version).length, downloaded);
        const stack = userStack(who, engine);
        const types = stack.resourceTypes();
        assert.ok(types.includes(doors.dynamic.resourceType) && types.includes(doors.package.resourceType), types.join(", "));
        checkKeyPair(stack, who, "dynamicPublicKey", "dynamicPrivateKey");
        checkKeyPair(stack, who, "packagePublicKey", "packagePrivateKey");
        assert.deepStrictEqual(stack.preview("--expect-no-changes").changes, { same: 4 });
        stack.destroy();
    });

    it("Go: the SDK module through GOPROXY from the release's module proxy layout; the program builds, and its preview downloads the plugin", () => {
        ensureLanguageHost("go");
        const who = user("go");
        const goEnv = (name: string) => execFileSync("go", ["env", name], { encoding: "utf8" }).trim();
        const modulePath = path.dirname(sdkNames.go.importBasePath);
        // The SDK must come from the release, not from the module cache of an earlier run: out with it.
        evictFromGoModuleCache(goEnv("GOMODCACHE"), modulePath);
        const env = {
            GOPROXY: `${served.page.url}/${built.goProxy},${goEnv("GOPROXY")}`,
            // The checksum database knows no module of an unpublished release.
            GONOSUMDB: modulePath,
            GOFLAGS: "-mod=mod",
            PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: downloadOverride(served.page.url),
        };
        fs.writeFileSync(path.join(who.program, "Pulumi.yaml"), "name: release-go\nruntime: go\n");
        fs.writeFileSync(
            path.join(who.program, "main.go"),
            `package main

import (
	"${sdkNames.go.importBasePath}"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		deploy, err := enskeypair.NewKeyPair(ctx, "deploy", &enskeypair.KeyPairArgs{
			KeyPairName: pulumi.String("go-release"),
			KeyType:     enskeypair.KeyTypeEd25519,
		})
		if err != nil {
			return err
		}
		ctx.Export("publicKeyOpenssh", deploy.PublicKeyOpenssh)
		return nil
	})
}
`,
        );
        sh(
            who,
            `go mod init release-go
go get ${modulePath}@v${built.version} github.com/pulumi/pulumi/sdk/v3@v3.248.0
go build -o /dev/null .`,
            env,
        );
        assert.ok(
            served.page.requests.includes(`200 /${built.goProxy}/${modulePath}/@v/v${built.version}.zip`),
            "go fetched the SDK's module zip",
        );
        assert.match(
            fs.readFileSync(path.join(who.program, "go.mod"), "utf8"),
            new RegExp(`${modulePath.replace(/\./g, "\\.")} v${built.version}`),
        );
        const before = archiveRequests(served.page, built.version).length;
        const printed = sh(who, "pulumi stack init dev\npulumi preview", env);
        assert.match(printed, /\+ 2 to create/, printed);
        assert.strictEqual(archiveRequests(served.page, built.version).length, before + 1, "the engine downloaded the plugin");
        evictFromGoModuleCache(goEnv("GOMODCACHE"), modulePath);
    });

    it("Java: a Maven program that takes the SDK from the release's Maven repository compiles against it", () => {
        ensureLanguageHost("java");
        const who = user("java");
        const { repository, groupId, artifactId } = built.maven;
        // The artifact must come from the release, not from Maven's local repository of an earlier run.
        const local = path.join(os.homedir(), ".m2", "repository", ...groupId.split("."), artifactId);
        fs.rmSync(local, { recursive: true, force: true });
        fs.writeFileSync(path.join(who.program, "Pulumi.yaml"), "name: release-java\nruntime: java\n");
        fs.writeFileSync(
            path.join(who.program, "pom.xml"),
            `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>release-java</artifactId>
  <version>1.0-SNAPSHOT</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <maven.compiler.release>11</maven.compiler.release>
  </properties>
  <!-- The release's repository, as a published artifact's would be Maven Central. -->
  <repositories>
    <repository><id>ens-keypair-release</id><url>${served.page.url}/${repository}</url></repository>
  </repositories>
  <dependencies>
    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${built.version}</version></dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
    </plugins>
  </build>
</project>
`,
        );
        const source = path.join(who.program, "src", "main", "java", "example");
        fs.mkdirSync(source, { recursive: true });
        const javaPackage = `${sdkNames.java.basePackage}.enskeypair`;
        fs.writeFileSync(
            path.join(source, "App.java"),
            `package example;

import com.pulumi.Pulumi;
import ${javaPackage}.KeyPair;
import ${javaPackage}.KeyPairArgs;
import ${javaPackage}.enums.KeyType;

public class App {
    public static void main(String[] args) {
        Pulumi.run(ctx -> {
            var deploy = new KeyPair("deploy", KeyPairArgs.builder().keyPairName("java-release").keyType(KeyType.Ed25519).build());
            ctx.export("publicKeyOpenssh", deploy.publicKeyOpenssh());
        });
    }
}
`,
        );
        try {
            sh(who, "mvn --batch-mode --quiet compile");
            const jar = `/${repository}/${groupId.replace(/\./g, "/")}/${artifactId}/${built.version}/${artifactId}-${built.version}.jar`;
            assert.ok(served.page.requests.includes(`200 ${jar}`), `Maven fetched the SDK's jar: ${served.page.requests.join(", ")}`);
            assert.ok(fs.existsSync(path.join(who.program, "target", "classes", "example", "App.class")));
            // The jar tells the Java runtime which plugin the program needs, and where the release is.
            const pluginJson = run("python3", [
                "-c",
                "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())",
                path.join(built.dist, jar),
                `${groupId.replace(/\./g, "/")}/${artifactId}/plugin.json`,
            ]).stdout;
            assert.deepStrictEqual(JSON.parse(pluginJson), {
                resource: true,
                name: packageName,
                version: built.version,
                server: pluginDownloadURL,
            });
        } finally {
            fs.rmSync(local, { recursive: true, force: true });
        }
    });

    describe("a teammate's fresh checkout of a YAML program", () => {
        it("the docs' program: pulumi install and pulumi up download the plugin from the release, and nothing is looked up by name", () => {
            const engine = ensureLanguageHost("yaml");
            const who = user("teammate");
            fs.writeFileSync(path.join(who.program, "Pulumi.yaml"), only(blocksOf("docs/languages.md", "## Pulumi YAML"), "yaml"));
            const override = { PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: downloadOverride(served.page.url) };
            const before = archiveRequests(served.page, built.version).length;
            const printed = sh(who, "pulumi install\npulumi stack init dev\npulumi up --yes", override);
            assert.match(printed, /\+ 2 created/, printed);
            assert.strictEqual(archiveRequests(served.page, built.version).length, before + 1, "the plugin came from the release");
            userStack(who, engine, override).destroy();
        });

        it("what the docs warn of: a packages: entry with the bare name, and pulumi plugin install --server without PULUMI_DISABLE_REGISTRY_RESOLVE, ask the Pulumi registry for the name", async () => {
            ensureLanguageHost("yaml");
            const empty = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-registry-"));
            const registry = await serveFolder(empty);
            const askedByName = () => registry.requests.filter((r) => /registry\/packages\?.*name=ens-keypair/.test(r)).length;
            try {
                const who = user("bare-name", registry);
                fs.writeFileSync(
                    path.join(who.program, "Pulumi.yaml"),
                    `name: bare-name\nruntime: yaml\npackages:\n  ${packageName}: ${packageName}@${built.version}\n`,
                );
                const printed = runSteps("exec 2>&1\npulumi install || true", who.program, who.env);
                assert.strictEqual(
                    askedByName(),
                    1,
                    `pulumi install did not ask the registry: ${registry.requests.join(", ")}\n${printed}`,
                );
                // With a registry that answers with an error, it fails: the release is not even tried.
                runSteps(
                    `pulumi plugin install resource ${packageName} ${built.version} --server ${served.page.url} || true`,
                    who.program,
                    who.env,
                );
                assert.strictEqual(
                    askedByName(),
                    2,
                    `pulumi plugin install --server did not ask the registry: ${registry.requests.join(", ")}`,
                );
            } finally {
                await registry.close();
                fs.rmSync(empty, { recursive: true, force: true });
            }
        });
    });
});
