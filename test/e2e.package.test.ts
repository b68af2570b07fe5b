// The package as users get it: `npm pack`, installed from the tarball into a TypeScript program
// outside this repository that brings its own @pulumi/pulumi, then deployed with the Pulumi CLI in
// that folder. Once with the oldest SDK the peer range admits and once with the newest for Node 20.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureEngine, repoRoot } from "../scripts/engine";

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
const peerRange: string = manifest.peerDependencies["@pulumi/pulumi"];
const oldestSdk = peerRange.replace(/^\^/, "");
const devSdk: string = manifest.devDependencies["@pulumi/pulumi"];

const program = `import { KeyPair } from "pulumi-ens-keypair";

const deploy = new KeyPair("deploy", { keyPairNamePrefix: "user-", keyType: "ed25519" });

export const keyPairId = deploy.keyPairId;
export const keyPairName = deploy.keyPairName;
export const publicKeyOpenssh = deploy.publicKeyOpenssh;
export const privateKeyOpenssh = deploy.privateKeyOpenssh;
`;

/** A user's project depending on the tarball and on `@pulumi/pulumi` at `sdkVersion`, installed. */
function userProject(dir: string, tarball: string, sdkVersion: string): void {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: ens-keypair-user\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "index.ts"), program);
    const pkg = {
        name: "ens-keypair-user",
        private: true,
        main: "index.ts",
        dependencies: { "@pulumi/pulumi": sdkVersion, "pulumi-ens-keypair": `file:${tarball}` },
        devDependencies: { "@types/node": "^20.19.0", typescript: "5.9.3", "ts-node": "10.9.2" },
    };
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
    fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "commonjs", esModuleInterop: true } }),
    );
    execFileSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

describe("end to end: the packed npm package in a user's project, deployed with the Pulumi CLI", function () {
    this.timeout(900_000);
    let work: string;
    let tarball: string;

    before(() => {
        ensureEngine();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-user-"));
        const packed = JSON.parse(
            execFileSync("npm", ["pack", "--json", "--pack-destination", work], {
                cwd: repoRoot,
                encoding: "utf8",
                stdio: ["ignore", "pipe", "pipe"],
            }),
        );
        tarball = path.join(work, packed[0].filename);
    });

    after(() => {
        fs.rmSync(work, { recursive: true, force: true });
    });

    for (const sdkVersion of [oldestSdk, devSdk]) {
        it(`with @pulumi/pulumi ${sdkVersion}: one SDK copy, the program type-checks, up deploys a pair, destroy removes it`, () => {
            const dir = fs.mkdtempSync(path.join(work, `sdk-${sdkVersion}-`));
            userProject(dir, tarball, sdkVersion);
            const env = {
                ...process.env,
                PULUMI_BACKEND_URL: `file://${dir}`,
                PULUMI_CONFIG_PASSPHRASE: "packaged-throwaway",
                PULUMI_SKIP_UPDATE_CHECK: "true",
            };
            const run = (cmd: string, args: string[]) =>
                execFileSync(cmd, args, { cwd: dir, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

            // The program's SDK is the only one: npm lists every installed copy by its path.
            const copies = new Set(run("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"]).trim().split("\n"));
            assert.deepStrictEqual([...copies], [path.join(dir, "node_modules", "@pulumi", "pulumi")]);
            const installed = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"));
            assert.strictEqual(installed.version, sdkVersion);
            // The package's typings compile against this SDK's.
            run("npx", ["tsc", "--noEmit", "-p", "."]);

            run("pulumi", ["stack", "init", "dev", "--non-interactive"]);
            run("pulumi", ["up", "--yes", "--non-interactive", "--stack", "dev"]);
            const outputs = JSON.parse(run("pulumi", ["stack", "output", "--json", "--stack", "dev"]));
            assert.match(outputs.keyPairId, /^ssh-[a-z0-9]{23}$/);
            assert.match(outputs.keyPairName, /^user-[a-z0-9]{8}$/);
            assert.match(outputs.publicKeyOpenssh, /^ssh-ed25519 /);
            assert.strictEqual(outputs.privateKeyOpenssh, "[secret]");
            // The package is an installed copy, not a link back to this repository.
            const provider = fs.realpathSync(path.join(dir, "node_modules", "pulumi-ens-keypair"));
            assert.ok(!provider.startsWith(repoRoot), provider);

            run("pulumi", ["destroy", "--yes", "--non-interactive", "--stack", "dev"]);
            const stacks = JSON.parse(run("pulumi", ["stack", "ls", "--json"]));
            assert.strictEqual(stacks[0].resourceCount ?? 0, 0);
        });
    }
});
