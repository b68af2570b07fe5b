/**
 * What `npm publish` would ship: the file list of `npm pack --dry-run` (which runs `prepack`, a
 * clean build) holds the compiled package and nothing else, and every module the compiled code
 * loads is one users get installed.
 */
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..");
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));

/** The `.ts` files under `dir`, relative to it. */
function sources(dir: string): string[] {
    return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).map((f) => f.split(path.sep).join("/"));
}

describe("the published package", function () {
    this.timeout(120_000);
    let files: string[];

    before(() => {
        const packed = JSON.parse(
            execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
        );
        files = (packed[0].files as { path: string }[]).map((f) => f.path).sort();
    });

    it("holds the compiled modules with their typings for every source in provider/ but the plugin's, the README, the licence and nothing else", () => {
        // The plugin ships as its own bundle (`npm run build:plugin`), not in the npm package.
        const library = sources(path.join(repoRoot, "provider")).filter((ts) => !ts.startsWith("plugin/"));
        const compiled = library.flatMap((ts) => {
            const stem = `bin/${ts.slice(0, -".ts".length)}`;
            return [`${stem}.js`, `${stem}.d.ts`];
        });
        const expected = [...compiled, "LICENSE", "README.md", "package.json"].sort();
        assert.deepStrictEqual(files, expected);
    });

    it("every package the compiled code loads is a dependency or a peer dependency", () => {
        const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
        const loaded = new Set<string>();
        for (const file of files.filter((f) => f.endsWith(".js"))) {
            const code = fs.readFileSync(path.join(repoRoot, file), "utf8");
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

    it("takes the Pulumi SDK from the user's program (a peer), so the program and KeyPair share one copy", () => {
        assert.ok(manifest.peerDependencies["@pulumi/pulumi"], "@pulumi/pulumi must be a peer dependency");
        assert.strictEqual(manifest.dependencies["@pulumi/pulumi"], undefined);
    });
});
