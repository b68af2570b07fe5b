/**
 * The soak's programs, one folder per pipeline as each CI job would check its project out: for the
 * dynamic `KeyPair`, a TypeScript program with the package installed from its packed tarball (as a
 * user installs it; see README.md's Usage); for the package, a Pulumi YAML program whose resources
 * the `ens-keypair` plugin serves. Each program names its pairs after the stack it is deployed to
 * (docs/teams.md's advice), so that the stacks sharing one ENS account never take each other's
 * names, and `orphans --prefix` looks at one stack's pairs alone.
 */
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { DoorName } from "../../provider/doors";
import { pluginVersion } from "../../scripts/build-plugin";
import { repoRoot } from "../../test/helpers/paths";
import { pack } from "../../scripts/pack";
import { userEnvironment } from "../../test/helpers/readmeSteps";

/** The project each door's programs belong to. */
export const projects: Record<DoorName, string> = { dynamic: "soak-dynamic", package: "soak-package" };

/** The prefix of every pair name of a stack. */
const namePrefix = (stack: string) => `${stack}-`;

/** The stack, among `stacks`, whose prefix a pair's name carries. */
export function ownerOf(name: string, stacks: string[]): string | undefined {
    return stacks.find((stack) => name.startsWith(namePrefix(stack)));
}

/** The version the repository itself is tested with of one of the TypeScript programs' dependencies. */
function devVersion(name: string): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
        devDependencies: Record<string, string>;
    };
    return manifest.devDependencies[name];
}

/**
 * Packs the package and installs it, with `@pulumi/pulumi` and TypeScript, into `dir`, once per
 * soak: each TypeScript pipeline's folder then gets a copy of its `node_modules` (hard links).
 */
export async function installTypeScriptTemplate(dir: string, engine: string): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    const tarball = path.join(dir, pack(dir).filename);
    const manifest = {
        name: projects.dynamic,
        private: true,
        main: "index.ts",
        dependencies: { "@pulumi/pulumi": devVersion("@pulumi/pulumi"), "pulumi-ens-keypair": `file:${tarball}` },
        devDependencies: Object.fromEntries(["@types/node", "typescript", "ts-node"].map((name) => [name, devVersion(name)])),
    };
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
    await promisify(execFile)("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
        cwd: dir,
        env: userEnvironment(engine),
    });
}

/** Writes a pipeline's program of `pairs` RSA pairs into `dir` (for the dynamic door, from the installed template). */
export function writeProgram(door: DoorName, dir: string, pairs: number, template: string): void {
    fs.mkdirSync(dir, { recursive: true });
    if (door === "dynamic") {
        for (const file of ["package.json", "package-lock.json"]) {
            fs.copyFileSync(path.join(template, file), path.join(dir, file));
        }
        execFileSync("cp", ["-al", path.join(template, "node_modules"), path.join(dir, "node_modules")]);
        fs.copyFileSync(path.join(repoRoot, "examples", "basic", "tsconfig.json"), path.join(dir, "tsconfig.json"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${projects.dynamic}\nruntime: nodejs\n`);
        fs.writeFileSync(
            path.join(dir, "index.ts"),
            [
                `import * as pulumi from "@pulumi/pulumi";`,
                `import { KeyPair } from "pulumi-ens-keypair";`,
                "// Named after the stack: the stacks share one ENS account.",
                "const prefix = `${pulumi.getStack()}-`;",
                `const pairs = Array.from({ length: ${pairs} }, (_, i) => new KeyPair(\`pair\${i}\`, { keyPairNamePrefix: prefix }));`,
                `export const ids = pairs.map((p) => p.keyPairId);`,
                "",
            ].join("\n"),
        );
        return;
    }
    const resources = Array.from(
        { length: pairs },
        (_, i) =>
            `  pair${i}:\n    type: ens-keypair:KeyPair\n    properties:\n      keyPairName: \${pulumi.stack}-${String(i).padStart(2, "0")}`,
    );
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        [
            `name: ${projects.package}`,
            "runtime: yaml",
            "packages:",
            `  ens-keypair: ens-keypair@${pluginVersion}`,
            "resources:",
            ...resources,
            "outputs:",
            `  ids:`,
            ...Array.from({ length: pairs }, (_, i) => `    - \${pair${i}.keyPairId}`),
            "",
        ].join("\n"),
    );
}
