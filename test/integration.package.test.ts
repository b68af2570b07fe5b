/**
 * What `npm publish` would ship: the tarball `npm pack` makes (its `prepack` a clean build, run in
 * a copy of the checkout) holds the compiled package and nothing else, every module the compiled
 * code loads is one users get installed, the path existing stacks load the provider by resolves, and
 * the plugin it carries for `npx pulumi-ens-keypair plugin install` runs.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "./helpers/paths";
import { pluginServerBundle } from "../provider/doors";
import { noticesFile, pluginName } from "../scripts/build-plugin";
import { pack, Packed } from "../scripts/pack";
import { bundledPlugin } from "../provider/cli/plugin";

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));

/** The `.ts` files under `dir`, relative to it. */
function sources(dir: string): string[] {
    return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).map((f) => f.split(path.sep).join("/"));
}

/** Which bin/ the checkout has, if any: a rebuilt one is a new folder, with new files. */
function buildIdentity(): { folder: number; entry: number } | undefined {
    const bin = path.join(repoRoot, "bin");
    return fs.existsSync(bin) ? { folder: fs.statSync(bin).ino, entry: fs.statSync(path.join(bin, "index.js")).mtimeMs } : undefined;
}

describe("the published package", function () {
    let dir: string;
    /** Where the tarball is unpacked, as npm installs it: `node_modules/pulumi-ens-keypair` under `dir`. */
    let installed: string;
    let packed: Packed;

    /** bin/ as it was before packing. */
    let binBefore: ReturnType<typeof buildIdentity>;

    before(() => {
        binBefore = buildIdentity();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-package-"));
        packed = pack(dir);
        installed = path.join(dir, "node_modules", manifest.name);
        fs.mkdirSync(installed, { recursive: true });
        execFileSync("tar", ["-xzf", path.join(dir, packed.filename), "-C", installed, "--strip-components=1"]);
    });

    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("holds the compiled modules with their typings for every source in provider/ but the plugin's, the plugin's bundle, the README, the licence and nothing else", () => {
        // The plugin's sources are in it as one bundle, with their licences' notices (bin/plugin/).
        const library = sources(path.join(repoRoot, "provider")).filter((ts) => !ts.startsWith("plugin/"));
        const compiled = library.flatMap((ts) => {
            const stem = `bin/${ts.slice(0, -".ts".length)}`;
            return [`${stem}.js`, `${stem}.d.ts`];
        });
        const plugin = ["LICENSE", noticesFile, pluginName, pluginServerBundle].map((file) => `bin/plugin/${file}`);
        const expected = [...compiled, ...plugin, "LICENSE", "README.md", "package.json"].sort();
        assert.deepStrictEqual(packed.files, expected);
    });

    it("carries the plugin at the package's version, as bundledPlugin finds it, executable, with a notice for every package bundled into it", () => {
        const { folder, version } = bundledPlugin(installed);
        assert.strictEqual(version, manifest.version);
        const executable = path.join(folder, pluginName);
        assert.ok((fs.statSync(executable).mode & 0o111) !== 0, "the bundle is executable");
        // The schema it serves is the package's version, as the engine checks against the version it was installed as.
        assert.ok(
            fs.readFileSync(path.join(folder, pluginServerBundle), "utf8").includes(`version:"${manifest.version}"`),
            "the bundled schema has the package's version",
        );
        const notices = fs.readFileSync(path.join(folder, noticesFile), "utf8");
        for (const name of ["@grpc/grpc-js", "@pulumi/pulumi", "sshpk", "age-encryption", "@alicloud/openapi-client", "google-protobuf"]) {
            assert.match(notices, new RegExp(`^- ${name.replace("/", "\\/")} `, "m"), `the notices list ${name}`);
        }
    });

    it("every package the compiled code loads is a dependency or a peer dependency", () => {
        const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
        const loaded = new Set<string>();
        // The plugin's bundle holds the packages it loads; what it leaves to require is optional, behind a try.
        for (const file of packed.files.filter((f) => f.endsWith(".js") && !f.startsWith("bin/plugin/"))) {
            const code = fs.readFileSync(path.join(installed, file), "utf8");
            for (const [, specifier] of code.matchAll(/require\("([^".][^"]*)"\)/g)) {
                const parts = specifier.split("/");
                loaded.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]);
            }
        }
        const builtins = new Set(builtinModules);
        const undeclared = [...loaded].filter(
            (name) => !builtins.has(name.replace(/^node:/, "")) && name !== manifest.name && !declared.has(name),
        );
        assert.deepStrictEqual(undeclared, []);
        // The serialized provider loads the implementation through the package's own name.
        assert.ok(loaded.has(manifest.name), [...loaded].join(", "));
    });

    it("resolves pulumi-ens-keypair/provider, which the state of every existing stack loads, to the compiled provider", () => {
        // A process of its own: in this one, the package's name resolves to the source (test/helpers/packageSource.ts).
        const resolved = execFileSync(process.execPath, ["-p", `require.resolve("${manifest.name}/provider")`], {
            cwd: dir,
            encoding: "utf8",
        });
        assert.strictEqual(fs.realpathSync(resolved.trim()), fs.realpathSync(path.join(installed, "bin", "dynamic", "implementation.js")));
        assert.ok(packed.files.includes("bin/dynamic/implementation.d.ts"), "with its typings");
    });

    it("takes the Pulumi SDK from the user's program (a peer), so the program and KeyPair share one copy", () => {
        assert.ok(manifest.peerDependencies["@pulumi/pulumi"], "@pulumi/pulumi must be a peer dependency");
        assert.strictEqual(manifest.dependencies["@pulumi/pulumi"], undefined);
    });

    it("is packed without touching the checkout's bin/, from which other suites may be running the package", () => {
        assert.deepStrictEqual(buildIdentity(), binBefore);
    });
});
