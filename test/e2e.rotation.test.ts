// Rotation and passphrase-protected keys as users run them: `pulumi up` and `pulumi preview` with
// the Pulumi CLI in program folders, on a throwaway file backend. A short rotateAfter is left
// alone before its deadline and replaced after it, in the engine's order for each kind of name;
// a StackReference consumer follows; the ens backend against the ENS-compatible server; the
// rotation example's RandomId keepers; and no passphrase or unencrypted key in state.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ensureEngine, repoRoot } from "../scripts/engine";
import { EnsServer, startEnsServer } from "../ens-server/server";
import { run } from "./helpers/run";
import { startSshd } from "./helpers/sshd";
import { backendDir, backendText, e2eRoot, leakedPiece, testPassphrase } from "./helpers/stacks";
import { withTempDir, writePrivateFile } from "./helpers/tempDir";

const project = "rotation";
const accessKeyId = "e2e-rotation-access-key-id";
const accessKeySecret = "e2e-rotation-access-key-secret-5f0e2b";
/** Passphrases of 40 characters, so that any 16 of them in a row are a finding. */
const passphrase1 = "e2e first passphrase: 7b1f3c9a52e04d68ab";
const passphrase2 = "e2e second passphrase: c4a9e01b7d3f8256";

interface CliResult {
    status: number;
    stdout: string;
    stderr: string;
}

/**
 * A Pulumi program folder and its stack `test`, driven with the `pulumi` CLI as a user drives it.
 * Every project of this file shares one file backend, so StackReferences between them resolve.
 */
class CliProgram {
    constructor(
        readonly dir: string,
        /** Environment variables for every command; a test changes them as a user changes their shell's. */
        readonly env: Record<string, string> = {},
    ) {}

    /** Runs `pulumi <args>` in the folder; rejects on a non-zero exit unless `allowFailure`. */
    pulumi(args: string[], options: { env?: Record<string, string>; allowFailure?: boolean } = {}): Promise<CliResult> {
        const env = {
            ...process.env,
            PULUMI_BACKEND_URL: `file://${backendDir(project)}`,
            PULUMI_CONFIG_PASSPHRASE: testPassphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            ...this.env,
            ...options.env,
        };
        return new Promise((resolve, reject) => {
            // Asynchronous: the ENS-compatible server runs in this process and must keep answering.
            const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: this.dir, env });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            child.on("error", reject);
            child.on("close", (status) => {
                const result = { status: status ?? -1, stdout, stderr };
                if (result.status !== 0 && !options.allowFailure) {
                    // `--json` streams the SDK's debug messages, which print every output, secrets included.
                    const shown =
                        args.includes("--json") || args.includes("--show-secrets") ? "(output withheld: it holds secrets)" : stdout;
                    reject(new Error(`pulumi ${args.join(" ")} exited with ${result.status}:\n${shown}\n${stderr}`));
                } else {
                    resolve(result);
                }
            });
        });
    }

    /** `pulumi up`, returning the engine's resource steps in order as `<op> <name>` (from `--json`'s event stream). */
    async up(): Promise<string[]> {
        const { stdout } = await this.pulumi(["up", "--yes", "--skip-preview", "--json"]);
        return stdout
            .split("\n")
            .filter((line) => line.startsWith("{"))
            .map((line) => JSON.parse(line).resourcePreEvent?.metadata)
            .filter((meta) => meta && !meta.type.startsWith("pulumi:"))
            .map((meta) => `${meta.op} ${meta.urn.split("::").pop()}`);
    }

    /** The stack's outputs, secrets shown. */
    async outputs(): Promise<Record<string, string>> {
        return JSON.parse((await this.pulumi(["stack", "output", "--json", "--show-secrets"])).stdout);
    }
}

/** Writes a program folder: a Pulumi.yaml and the program as plain JavaScript, under this run's folder. */
function programFolder(name: string, program: string): string {
    const dir = path.join(e2eRoot, project, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: e2e-rotation-${name}\nruntime: nodejs\nmain: index.js\n`);
    fs.writeFileSync(path.join(dir, "index.js"), program);
    return dir;
}

const keysProgram = `
const pulumi = require("@pulumi/pulumi");
const { KeyPair } = require("pulumi-ens-keypair");
const config = new pulumi.Config();
const rotateAfter = config.require("rotateAfter");
// A plain string, as a program may pass one: the resource keeps it secret.
const privateKeyPassphrase = process.env.E2E_KEY_PASSPHRASE;
const rotating = new KeyPair("rotating", { keyPairNamePrefix: "e2e-rot-", keyType: "ed25519", rotateAfter });
const fixed = new KeyPair("fixed", { keyPairName: "e2e-rot-fixed", keyType: "ed25519", rotateAfter });
const encrypted = new KeyPair("encrypted", { keyPairNamePrefix: "e2e-enc-", privateKeyPassphrase });
module.exports = {
    rotatingId: rotating.keyPairId,
    rotatingName: rotating.keyPairName,
    rotatingPublicKey: rotating.publicKeyOpenssh,
    rotatingRotatesAt: rotating.rotatesAt,
    fixedId: fixed.keyPairId,
    fixedRotatesAt: fixed.rotatesAt,
    encryptedId: encrypted.keyPairId,
    encryptedFingerprint: encrypted.fingerprintSha256,
    encryptedPublicKey: encrypted.publicKeyOpenssh,
    encryptedPrivateKeyOpenssh: encrypted.privateKeyOpenssh,
    encryptedPrivateKeyBody: encrypted.privateKeyBody,
};
`;

const consumerProgram = `
const pulumi = require("@pulumi/pulumi");
const keys = new pulumi.StackReference("organization/e2e-rotation-keys/test");
module.exports = { deployPublicKey: keys.requireOutput("rotatingPublicKey") };
`;

const ensProgram = `
const pulumi = require("@pulumi/pulumi");
const { KeyPair } = require("pulumi-ens-keypair");
const pair = new KeyPair("agent", {
    keyPairNamePrefix: "e2e-ens-rot-",
    rotateAfter: new pulumi.Config().require("rotateAfter"),
    privateKeyPassphrase: process.env.E2E_KEY_PASSPHRASE,
});
module.exports = {
    id: pair.keyPairId,
    name: pair.keyPairName,
    rotatesAt: pair.rotatesAt,
    publicKey: pair.publicKeyOpenssh,
    privateKeyOpenssh: pair.privateKeyOpenssh,
};
`;

/** What `ssh-keygen -y -P given` prints for a private key, and its exit status. */
function sshKeygenPublic(dir: string, key: string, given: string): { status: number; line: string } {
    const file = writePrivateFile(dir, `key-${Math.random().toString(36).slice(2)}`, key);
    const result = run("ssh-keygen", ["-y", "-P", given, "-f", file], { allowFailure: true });
    return { status: result.status, line: result.stdout.trim() };
}

/** The plain PKCS#8 PEM `openssl pkey -passin pass:given` decrypts, and its exit status. */
function opensslDecrypt(dir: string, pem: string, given: string): { status: number; pem: string } {
    const file = writePrivateFile(dir, `p8-${Math.random().toString(36).slice(2)}`, pem);
    const result = run("openssl", ["pkey", "-in", file, "-passin", `pass:${given}`], { allowFailure: true });
    return { status: result.status, pem: result.stdout };
}

/** The plain OpenSSH key `ssh-keygen -p` writes from an encrypted one. */
function sshKeygenDecrypt(dir: string, key: string, given: string): string {
    const file = writePrivateFile(dir, "to-decrypt", key);
    run("ssh-keygen", ["-p", "-P", given, "-N", "", "-f", file]);
    return fs.readFileSync(file, "utf8");
}

/** Every 16-character piece of `secret` found in `text`. */
function piecesIn(text: string, secret: string): string[] {
    const found: string[] = [];
    for (let i = 0; i + 16 <= secret.length; i++) {
        if (text.includes(secret.slice(i, i + 16))) {
            found.push(`piece at ${i}`);
        }
    }
    return found;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("end to end: rotation and passphrases with the Pulumi CLI", function () {
    this.timeout(600_000);
    let server: EnsServer;
    let keys: CliProgram;
    let consumer: CliProgram;
    let ens: CliProgram;
    let first: Record<string, string>;
    let updated: Record<string, string>;
    let ensFirst: Record<string, string>;
    /** What the encrypted pair's key is, decrypted by OpenSSH and OpenSSL: none of it may be in state. */
    const plainKeys: string[] = [];

    before(async () => {
        ensureEngine();
        fs.mkdirSync(backendDir(project), { recursive: true });
        server = await startEnsServer({ dbPath: path.join(e2eRoot, project, "ens.db"), accessKeys: { [accessKeyId]: accessKeySecret } });
        keys = new CliProgram(programFolder("keys", keysProgram), { E2E_KEY_PASSPHRASE: passphrase1 });
        consumer = new CliProgram(programFolder("consumer", consumerProgram));
        ens = new CliProgram(programFolder("ens", ensProgram), { E2E_KEY_PASSPHRASE: passphrase1 });
        for (const program of [keys, consumer, ens]) {
            await program.pulumi(["stack", "init", "test"]);
        }
        await keys.pulumi(["config", "set", "rotateAfter", "1h"]);
        await ens.pulumi(["config", "set", "rotateAfter", "75s"]);
        await ens.pulumi(["config", "set", "ens-keypair:backend", "ens"]);
        await ens.pulumi(["config", "set", "ens-keypair:endpoint", server.url]);
        await ens.pulumi(["config", "set", "--secret", "ens-keypair:accessKeyId", accessKeyId]);
        await ens.pulumi(["config", "set", "--secret", "ens-keypair:accessKeySecret", accessKeySecret]);
    });

    after(async () => {
        for (const program of [consumer, ens, keys]) {
            await program?.pulumi(["destroy", "--yes", "--skip-preview"], { allowFailure: true });
        }
        await server?.close();
    });

    it("up makes the pairs, and a consumer stack reads the rotating pair's public key through a StackReference", async () => {
        const steps = await keys.up();
        assert.deepStrictEqual(steps.sort(), ["create encrypted", "create fixed", "create rotating"]);
        first = await keys.outputs();
        assert.match(first.rotatingName, /^e2e-rot-[a-z0-9]{8}$/);
        const rotatesIn = Date.parse(first.rotatingRotatesAt) - Date.now();
        assert.ok(rotatesIn > 3_500_000 && rotatesIn <= 3_600_000, `rotatesAt is ${first.rotatingRotatesAt}`);
        assert.match(first.encryptedPrivateKeyBody, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);

        await consumer.up();
        assert.strictEqual((await consumer.outputs()).deployPublicKey, first.rotatingPublicKey);

        await ens.up();
        ensFirst = await ens.outputs();
        assert.deepStrictEqual(
            server.listKeyPairs().map((p) => p.keyPairId),
            [ensFirst.id],
        );
    });

    it("before the deadline, preview and up change nothing", async () => {
        // --expect-no-changes fails the command on any change; up without --skip-preview previews first.
        await keys.pulumi(["up", "--yes", "--expect-no-changes"]);
        await ens.pulumi(["preview", "--expect-no-changes"]);
        const again = await keys.outputs();
        assert.deepStrictEqual(
            [again.rotatingId, again.fixedId, again.encryptedId, again.encryptedPrivateKeyOpenssh === first.encryptedPrivateKeyOpenssh],
            [first.rotatingId, first.fixedId, first.encryptedId, true],
        );
    });

    it("a new passphrase and a shorter rotateAfter update the pairs in place: the same keys, rotatesAt moved", async () => {
        // A deadline 25 s ahead of now, whatever time the runs so far took.
        const started = Date.parse(first.rotatingRotatesAt) - 3_600_000;
        const seconds = Math.ceil((Date.now() - started) / 1000) + 25;
        await keys.pulumi(["config", "set", "rotateAfter", `${seconds}s`]);
        keys.env.E2E_KEY_PASSPHRASE = passphrase2;
        const steps = await keys.up();
        assert.deepStrictEqual(steps.sort(), ["update encrypted", "update fixed", "update rotating"]);
        updated = await keys.outputs();
        const rotatesAt = new Date(started + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
        assert.deepStrictEqual(
            [updated.rotatingId, updated.fixedId, updated.encryptedId, updated.encryptedFingerprint],
            [first.rotatingId, first.fixedId, first.encryptedId, first.encryptedFingerprint],
        );
        assert.strictEqual(updated.rotatingRotatesAt, rotatesAt);
        assert.strictEqual(updated.fixedRotatesAt, rotatesAt);
        assert.notStrictEqual(updated.encryptedPrivateKeyOpenssh, first.encryptedPrivateKeyOpenssh);
    });

    it("the encrypted key opens with the new passphrase only, in ssh-keygen -y -P and openssl pkey -passin, and logs in to sshd once decrypted", async () => {
        await withTempDir(async (dir) => {
            const openssh = updated.encryptedPrivateKeyOpenssh;
            const body = updated.encryptedPrivateKeyBody;
            assert.deepStrictEqual(sshKeygenPublic(dir, openssh, passphrase2), { status: 0, line: first.encryptedPublicKey });
            assert.notStrictEqual(sshKeygenPublic(dir, openssh, passphrase1).status, 0, "the old passphrase opens it");
            assert.notStrictEqual(sshKeygenPublic(dir, openssh, "").status, 0, "it opens without a passphrase");
            const decrypted = opensslDecrypt(dir, body, passphrase2);
            assert.strictEqual(decrypted.status, 0);
            assert.notStrictEqual(opensslDecrypt(dir, body, passphrase1).status, 0, "the old passphrase opens privateKeyBody");
            assert.notStrictEqual(opensslDecrypt(dir, body, "").status, 0, "privateKeyBody opens without a passphrase");
            const plain = sshKeygenDecrypt(dir, openssh, passphrase2);
            plainKeys.push(plain, decrypted.pem);

            const sshd = await startSshd([first.encryptedPublicKey]);
            try {
                const login = sshd.login(plain, "echo logged-in");
                assert.strictEqual(login.status, 0, login.stderr);
                assert.strictEqual(login.stdout.trim(), "logged-in");
            } finally {
                sshd.stop();
            }
        });
    });

    it("from the deadline, preview shows both replacements and says why", async () => {
        await sleep(Math.max(0, Date.parse(updated.rotatingRotatesAt) - Date.now() + 1000));
        const preview = await keys.pulumi(["preview"]);
        assert.match(preview.stdout, /\+- pulumi-nodejs:dynamic\/ens-keypair:KeyPair rotating replace \[diff: ~keyPairName,rotatesAt\]/);
        assert.match(preview.stdout, /\+- pulumi-nodejs:dynamic\/ens-keypair:KeyPair fixed replace \[diff: ~rotatesAt\]/);
        assert.match(preview.stdout, /\+-2 to replace\n\s+2 unchanged/);
        const why = `is due for rotation: rotatesAt ${updated.rotatingRotatesAt} has passed`;
        assert.ok(preview.stdout.includes(`KeyPair "${first.rotatingName}" (${first.rotatingId}) ${why}`), preview.stdout);
        assert.ok(preview.stdout.includes(`KeyPair "e2e-rot-fixed" (${first.fixedId}) ${why}`), preview.stdout);
    });

    it("up replaces them: the prefixed pair is created before the old one is deleted, the fixed name is deleted first", async () => {
        const steps = await keys.up();
        const order = (name: string) => steps.filter((step) => step.endsWith(` ${name}`)).map((step) => step.split(" ")[0]);
        assert.deepStrictEqual(order("rotating"), ["create-replacement", "replace", "delete-replaced"]);
        assert.deepStrictEqual(order("fixed"), ["delete-replaced", "replace", "create-replacement"]);
        assert.deepStrictEqual(order("encrypted"), ["same"]);

        const rotated = await keys.outputs();
        assert.notStrictEqual(rotated.rotatingId, first.rotatingId);
        assert.notStrictEqual(rotated.fixedId, first.fixedId);
        assert.notStrictEqual(rotated.rotatingName, first.rotatingName);
        assert.notStrictEqual(rotated.rotatingPublicKey, first.rotatingPublicKey);
        assert.ok(Date.parse(rotated.rotatingRotatesAt) > Date.now(), "the new pair's deadline lies ahead");
        // The old pairs are gone from state.
        const state = JSON.parse((await keys.pulumi(["stack", "export"])).stdout);
        const ids = state.deployment.resources
            .filter((r: { type: string }) => r.type.endsWith(":KeyPair"))
            .map((r: { id: string }) => r.id);
        assert.deepStrictEqual(ids.sort(), [rotated.rotatingId, rotated.fixedId, rotated.encryptedId].sort());
        // The next run before the new deadline changes nothing again.
        await keys.pulumi(["preview", "--expect-no-changes"]);

        await consumer.up();
        assert.strictEqual((await consumer.outputs()).deployPublicKey, rotated.rotatingPublicKey);
    });

    it("in the ens backend the pair rotates the same way, ENS keeps only the new pair, and its key is encrypted", async () => {
        await sleep(Math.max(0, Date.parse(ensFirst.rotatesAt) - Date.now() + 1000));
        const steps = await ens.up();
        assert.deepStrictEqual(steps, ["create-replacement agent", "replace agent", "delete-replaced agent"]);
        const rotated = await ens.outputs();
        assert.notStrictEqual(rotated.name, ensFirst.name);
        assert.deepStrictEqual(
            server.listKeyPairs().map((p) => [p.keyPairId, p.keyPairName]),
            [[rotated.id, rotated.name]],
        );
        await withTempDir((dir) => {
            assert.deepStrictEqual(sshKeygenPublic(dir, rotated.privateKeyOpenssh, passphrase1), { status: 0, line: rotated.publicKey });
            plainKeys.push(sshKeygenDecrypt(dir, rotated.privateKeyOpenssh, passphrase1));
        });
    });

    it("keeps the passphrase secret in inputs and outputs, and no piece of it or of the unencrypted keys in state", async () => {
        const exported = (await keys.pulumi(["stack", "export"])).stdout;
        const encrypted = JSON.parse(exported).deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::encrypted"));
        for (const side of ["inputs", "outputs"]) {
            const value = encrypted[side].privateKeyPassphrase;
            assert.strictEqual(value?.["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", `${side}: not a secret`);
            assert.ok(typeof value.ciphertext === "string", `${side}: no ciphertext`);
        }
        const text = [exported, (await ens.pulumi(["stack", "export"])).stdout, backendText(project)].join("\n");
        for (const passphrase of [passphrase1, passphrase2]) {
            assert.deepStrictEqual(piecesIn(text, passphrase), [], "the state holds a piece of a passphrase");
        }
        assert.strictEqual(plainKeys.length, 3);
        const publicText = `${first.encryptedPublicKey}\n${(await ens.outputs()).publicKey}`;
        for (const key of plainKeys) {
            assert.strictEqual(leakedPiece(text, key, publicText), undefined, "the state holds a piece of an unencrypted key");
        }
    });
});

describe("end to end: the rotation example, rotated with a RandomId's keepers", function () {
    this.timeout(300_000);
    let example: CliProgram;

    before(async () => {
        ensureEngine();
        const dir = path.join(e2eRoot, project, "example");
        fs.mkdirSync(backendDir(project), { recursive: true });
        // A copy inside the repository: it finds @pulumi/random and this package in the repository's node_modules.
        fs.cpSync(path.join(repoRoot, "examples", "rotation"), dir, {
            recursive: true,
            filter: (source) => !source.includes("node_modules") && !/Pulumi\.[^/]+\.yaml$/.test(source),
        });
        example = new CliProgram(dir);
        await example.pulumi(["stack", "init", "test"]);
        await example.pulumi(["config", "set", "rotation", "2026-12"]);
    });

    after(async () => {
        await example?.pulumi(["destroy", "--yes", "--skip-preview"], { allowFailure: true });
    });

    it("a new rotation value makes a new deploy key under a new name, created before the old one is deleted", async () => {
        await example.up();
        const first = await example.outputs();
        assert.match(first.deployKeyPairName, /^deploy-[0-9a-f]{8}$/);
        await example.pulumi(["preview", "--expect-no-changes"]);

        await example.pulumi(["config", "set", "rotation", "2027-01"]);
        const steps = await example.up();
        const order = (name: string) => steps.filter((step) => step.endsWith(` ${name}`)).map((step) => step.split(" ")[0]);
        assert.deepStrictEqual(order("deploy-suffix"), ["create-replacement", "replace", "delete-replaced"]);
        assert.deepStrictEqual(order("deploy"), ["create-replacement", "replace", "delete-replaced"]);
        assert.deepStrictEqual(order("agent"), ["same"]);
        const rotated = await example.outputs();
        assert.match(rotated.deployKeyPairName, /^deploy-[0-9a-f]{8}$/);
        assert.notStrictEqual(rotated.deployKeyPairName, first.deployKeyPairName);
        assert.notStrictEqual(rotated.deployPublicKey, first.deployPublicKey);
        assert.strictEqual(rotated.agentKeyPairName, first.agentKeyPairName);
        assert.strictEqual(rotated.agentPublicKey, first.agentPublicKey);
    });
});
