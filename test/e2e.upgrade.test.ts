// An upgrade never replaces a key (the class of bug of pulumi-tls#173, where a new provider version
// regenerated every key): a stack deployed from this version's release, then the next version,
// which the test builds from the same code with only the version bumped, installed over it, as a
// user upgrades. `pulumi up` changes nothing and the pairs keep their keys; through the plugin,
// the newer plugin then serves them.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { packageName, packageProviderType } from "../provider/doors";
import { archiveName, buildPlugin, hostPlatform } from "../scripts/build-plugin";
import { ensureEngine, ensureLanguageHost } from "./helpers/engine";
import { Release } from "../scripts/release";
import { runSteps } from "./helpers/readmeSteps";
import { FreshUser, freshUser, releaseOnce, servedRelease, userStack } from "./helpers/release";
import { e2eRoot } from "./helpers/paths";
import { run } from "./helpers/run";

/** The version after `version`: its patch number plus one. */
function nextPatch(version: string): string {
    const [major, minor, patch] = version.split(".").map(Number);
    return `${major}.${minor}.${patch + 1}`;
}

/**
 * The next version's npm package: this release's, with its version bumped and the plugin it
 * carries replaced by `plugin`, the one bundled at that version; packed again without its scripts.
 * What `pack` builds at that version from the same code, without compiling that code a second
 * time (half a minute and more). Returns the tarball's path.
 */
function nextNpmPackage(releaseTarball: string, version: string, plugin: string, dist: string): string {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-next-"));
    try {
        run("tar", ["-xzf", releaseTarball, "-C", work]);
        const pkg = path.join(work, "package");
        const manifest = path.join(pkg, "package.json");
        fs.writeFileSync(manifest, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifest, "utf8")), version }, null, 2));
        fs.rmSync(path.join(pkg, "bin", "plugin"), { recursive: true });
        fs.cpSync(plugin, path.join(pkg, "bin", "plugin"), { recursive: true });
        const args = ["pack", "--json", "--ignore-scripts", "--pack-destination", dist];
        const [packed] = JSON.parse(execFileSync("npm", args, { cwd: pkg, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
        return path.join(dist, packed.filename);
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

describe("end to end: upgrading to the next release replaces no key", function () {
    this.timeout(1_200_000);
    let built: Release;
    let served: Awaited<ReturnType<typeof servedRelease>>;
    let next: string;
    /** The next version's plugin archives and npm package, built by this suite. */
    const nextDist = path.join(e2eRoot, "upgrade", "dist");
    let nextPackage: string;
    const users: FreshUser[] = [];

    function user(name: string): FreshUser {
        const made = freshUser(name, served.registry);
        users.push(made);
        return made;
    }

    function sh(who: FreshUser, script: string): string {
        return runSteps(`exec 2>&1\n${script}`, who.program, who.env);
    }

    before(async () => {
        built = await releaseOnce();
        served = await servedRelease(built.dist);
        next = nextPatch(built.version);
        await buildPlugin({ version: next, dist: nextDist });
        nextPackage = nextNpmPackage(path.join(built.dist, built.npmPackage), next, path.join(nextDist, "plugin"), nextDist);
    });

    after(async () => {
        await served?.close();
        for (const who of users) {
            fs.rmSync(who.root, { recursive: true, force: true });
        }
    });

    it(`the plugin: a YAML stack of this version's plugin moved to the next one's; up changes nothing and the next plugin serves the pair`, () => {
        const engine = ensureLanguageHost("yaml");
        const who = user("upgrade-plugin");
        const program = (version: string) => `name: upgrade-plugin
runtime: yaml
resources:
  rsa:
    type: ${packageName}:KeyPair
    properties:
      keyPairName: upgrade-rsa
    options:
      version: ${version}
  ed25519:
    type: ${packageName}:KeyPair
    properties:
      keyPairName: upgrade-ed25519
      keyType: ed25519
outputs:
${["keyPairId", "publicKeyOpenssh", "keyPairFingerPrint", "privateKeyOpenssh"]
    .flatMap((output) => ["rsa", "ed25519"].map((pair) => `  ${pair}_${output}: \${${pair}.${output}}`))
    .join("\n")}
`;
        sh(who, `pulumi plugin install resource ${packageName} ${built.version} --server ${served.page.url}`);
        fs.writeFileSync(path.join(who.program, "Pulumi.yaml"), program(built.version));
        sh(who, "pulumi stack init dev\npulumi up --yes");
        const stack = userStack(who, engine);
        const before = stack.outputs();

        sh(who, `pulumi plugin install resource ${packageName} ${next} --file ${path.join(nextDist, archiveName(next, hostPlatform()))}`);
        fs.writeFileSync(path.join(who.program, "Pulumi.yaml"), program(next));
        assert.deepStrictEqual(stack.preview("--expect-no-changes").changes, { same: 3 });
        const upgraded = stack.up("--expect-no-changes");
        assert.deepStrictEqual(upgraded.changes, { same: 3 });
        assert.deepStrictEqual(stack.outputs(), before, "the pairs kept their ids and keys, private keys too");
        // The pairs are the next version's default provider's now.
        const resources = stack.exportState().deployment.resources ?? [];
        const providers = resources.filter((r) => r.type === packageProviderType).map((r) => r.urn);
        assert.strictEqual(providers.length, 1, providers.join(", "));
        assert.match(providers[0], new RegExp(`::default_${next.replace(/\./g, "_")}$`));
        stack.destroy();
    });

    it("the dynamic door: a TypeScript stack of this version's npm package, the next version's installed over it; up changes nothing", () => {
        const engine = ensureEngine();
        const who = user("upgrade-dynamic");
        sh(
            who,
            `npm init -y >/dev/null
npm install --no-audit --no-fund --prefer-offline ${served.page.url}/${built.npmPackage} @pulumi/pulumi@3.248.0 typescript@5 @types/node@20`,
        );
        fs.writeFileSync(path.join(who.program, "Pulumi.yaml"), "name: upgrade-dynamic\nruntime: nodejs\nmain: index.ts\n");
        fs.writeFileSync(
            path.join(who.program, "index.ts"),
            `import { KeyPair } from "pulumi-ens-keypair";
const rsa = new KeyPair("rsa", { keyPairName: "upgrade-rsa" });
const ed25519 = new KeyPair("ed25519", { keyPairName: "upgrade-ed25519", keyType: "ed25519" });
export const keys = [rsa.keyPairId, rsa.publicKeyOpenssh, rsa.keyPairFingerPrint, ed25519.keyPairId, ed25519.publicKeyOpenssh, ed25519.keyPairFingerPrint];
export const privateKeys = [rsa.privateKeyOpenssh, ed25519.privateKeyOpenssh];
`,
        );
        sh(who, "pulumi stack init dev\npulumi up --yes");
        const stack = userStack(who, engine);
        const before = stack.outputs();

        sh(who, `npm install --no-audit --no-fund --prefer-offline ${nextPackage}`);
        const installed = JSON.parse(fs.readFileSync(path.join(who.program, "node_modules", "pulumi-ens-keypair", "package.json"), "utf8"));
        assert.strictEqual(installed.version, next);
        assert.deepStrictEqual(stack.preview("--expect-no-changes").changes, { same: 3 });
        assert.deepStrictEqual(stack.up("--expect-no-changes").changes, { same: 3 });
        assert.deepStrictEqual(stack.outputs(), before, "the pairs kept their ids and keys, private keys too");
        stack.destroy();
    });
});
