// Rotation and passphrase-protected keys as users run them: `pulumi up` and `pulumi preview` with
// the Pulumi CLI in program folders, on a throwaway file backend. A short rotateAfter is left
// alone before its deadline and replaced after it, in the engine's order for each kind of name;
// a StackReference consumer follows; the ens backend against the ENS-compatible server; the
// rotation example's RandomId keepers; and no passphrase or unencrypted key in state.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../scripts/engine";
import { EnsServer, startEnsServer } from "../ens-server/server";
import { encryptedPkcs8Label } from "../provider/keys/passphrase";
import { ProgramStack, StreamedCommandResult } from "./helpers/programStack";
import { decryptedWithSshKeygen, opensslDecrypted, sshPublicKey } from "./helpers/encryptedKeys";
import { leakedPiece } from "./helpers/leaks";
import { assertArmour } from "./helpers/pem";
import { startSshd } from "./helpers/sshd";
import { backendText, e2eRoot } from "./helpers/stacks";
import { withTempDir } from "./helpers/tempDir";

const accessKeyId = "e2e-rotation-access-key-id";
const accessKeySecret = "e2e-rotation-access-key-secret-5f0e2b";
/** Passphrases of 40 characters, so that any 16 of them in a row are a finding. */
const passphrase1 = "e2e first passphrase: 7b1f3c9a52e04d68ab";
const passphrase2 = "e2e second passphrase: c4a9e01b7d3f8256";

/** Runs `pulumi <args>` on the stack and fails on a non-zero exit, withholding output that holds secrets. */
async function pulumi(stack: ProgramStack, args: string[]): Promise<StreamedCommandResult> {
    const result = await stack.runAsync(args);
    if (result.status !== 0) {
        // `--json` streams the SDK's debug messages, which print every output, secrets included.
        const shown = args.includes("--json") || args.includes("--show-secrets") ? "(output withheld: it holds secrets)" : result.output;
        throw new Error(`pulumi ${args.join(" ")} exited with ${result.status}:\n${shown}`);
    }
    return result;
}

/** `pulumi up`, returning the engine's resource steps in order as `<op> <name>` (from `--json`'s event stream). */
async function up(stack: ProgramStack): Promise<string[]> {
    const { stdout } = await pulumi(stack, ["up", "--yes", "--skip-preview", "--json"]);
    return stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line).resourcePreEvent?.metadata)
        .filter((meta) => meta && !meta.type.startsWith("pulumi:"))
        .map((meta) => `${meta.op} ${meta.urn.split("::").pop()}`);
}

/** The stack's outputs, secrets shown. */
async function outputs(stack: ProgramStack): Promise<Record<string, string>> {
    return JSON.parse((await pulumi(stack, ["stack", "output", "--json", "--show-secrets"])).stdout);
}

/** The steps of one resource, in order. */
function stepsOf(steps: string[], name: string): string[] {
    return steps.filter((step) => step.endsWith(` ${name}`)).map((step) => step.split(" ")[0]);
}

const keysProgram = `
import * as pulumi from "@pulumi/pulumi";
import { KeyPair } from "pulumi-ens-keypair";

const config = new pulumi.Config();
const rotateAfter = config.require("rotateAfter");
// A plain string, as a program may pass one: the resource keeps it secret.
const privateKeyPassphrase = process.env.E2E_KEY_PASSPHRASE;
const rotating = new KeyPair("rotating", { keyPairNamePrefix: "e2e-rot-", keyType: "ed25519", rotateAfter });
const fixed = new KeyPair("fixed", { keyPairName: "e2e-rot-fixed", keyType: "ed25519", rotateAfter });
const encrypted = new KeyPair("encrypted", { keyPairNamePrefix: "e2e-enc-", privateKeyPassphrase });

export const rotatingId = rotating.keyPairId;
export const rotatingName = rotating.keyPairName;
export const rotatingPublicKey = rotating.publicKeyOpenssh;
export const rotatingRotatesAt = rotating.rotatesAt;
export const fixedId = fixed.keyPairId;
export const fixedRotatesAt = fixed.rotatesAt;
export const encryptedId = encrypted.keyPairId;
export const encryptedFingerprint = encrypted.fingerprintSha256;
export const encryptedPublicKey = encrypted.publicKeyOpenssh;
export const encryptedPrivateKeyOpenssh = encrypted.privateKeyOpenssh;
export const encryptedPrivateKeyBody = encrypted.privateKeyBody;
`;

const consumerProgram = `
import * as pulumi from "@pulumi/pulumi";

const keys = new pulumi.StackReference("organization/rotation-keys/test");
export const deployPublicKey = keys.requireOutput("rotatingPublicKey");
`;

const ensProgram = `
import * as pulumi from "@pulumi/pulumi";
import { KeyPair } from "pulumi-ens-keypair";

const pair = new KeyPair("agent", {
    keyPairNamePrefix: "e2e-ens-rot-",
    rotateAfter: new pulumi.Config().require("rotateAfter"),
    privateKeyPassphrase: process.env.E2E_KEY_PASSPHRASE,
});
export const id = pair.keyPairId;
export const name = pair.keyPairName;
export const rotatesAt = pair.rotatesAt;
export const publicKey = pair.publicKeyOpenssh;
export const privateKeyOpenssh = pair.privateKeyOpenssh;
`;

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
    let keys: ProgramStack;
    let consumer: ProgramStack;
    let ens: ProgramStack;
    let first: Record<string, string>;
    let updated: Record<string, string>;
    let ensFirst: Record<string, string>;
    /** What the encrypted pairs' keys are, decrypted by OpenSSH and OpenSSL: none of it may be in state. */
    const plainKeys: string[] = [];

    before(async () => {
        fs.mkdirSync(e2eRoot, { recursive: true });
        server = await startEnsServer({ dbPath: path.join(e2eRoot, "rotation-ens.db"), accessKeys: { [accessKeyId]: accessKeySecret } });
        keys = ProgramStack.create({ scenario: "rotation-keys", programText: keysProgram, config: { rotateAfter: { value: "1h" } } });
        consumer = ProgramStack.create({ scenario: "rotation-consumer", programText: consumerProgram, backendOf: keys });
        ens = ProgramStack.create({
            scenario: "rotation-ens",
            programText: ensProgram,
            config: {
                rotateAfter: { value: "120s" },
                "ens-keypair:backend": { value: "ens" },
                "ens-keypair:endpoint": { value: server.url },
                "ens-keypair:accessKeyId": { value: accessKeyId, secret: true },
                "ens-keypair:accessKeySecret": { value: accessKeySecret, secret: true },
            },
        });
        // The shells the programs run in: the passphrase reaches them as a plain string.
        keys.env.E2E_KEY_PASSPHRASE = passphrase1;
        ens.env.E2E_KEY_PASSPHRASE = passphrase1;
    });

    after(async () => {
        for (const stack of [consumer, ens, keys]) {
            await stack?.runAsync(["destroy", "--yes", "--skip-preview"]);
        }
        await server?.close();
    });

    it("up makes the pairs, and a consumer stack reads the rotating pair's public key through a StackReference", async () => {
        const steps = await up(keys);
        assert.deepStrictEqual(steps.sort(), ["create encrypted", "create fixed", "create rotating"]);
        first = await outputs(keys);
        assert.match(first.rotatingName, /^e2e-rot-[a-z0-9]{8}$/);
        const rotatesIn = Date.parse(first.rotatingRotatesAt) - Date.now();
        assert.ok(rotatesIn > 3_500_000 && rotatesIn <= 3_600_000, `rotatesAt is ${first.rotatingRotatesAt}`);
        assertArmour(first.encryptedPrivateKeyBody, encryptedPkcs8Label);

        await up(consumer);
        assert.strictEqual((await outputs(consumer)).deployPublicKey, first.rotatingPublicKey);

        await up(ens);
        ensFirst = await outputs(ens);
        assert.deepStrictEqual(
            server.listKeyPairs().map((p) => p.keyPairId),
            [ensFirst.id],
        );
    });

    it("before the deadline, preview and up change nothing", async () => {
        // --expect-no-changes fails the command on any change; up without --skip-preview previews first.
        await pulumi(keys, ["up", "--yes", "--expect-no-changes"]);
        await pulumi(ens, ["preview", "--expect-no-changes"]);
        const again = await outputs(keys);
        assert.deepStrictEqual(
            [again.rotatingId, again.fixedId, again.encryptedId, again.encryptedPrivateKeyOpenssh === first.encryptedPrivateKeyOpenssh],
            [first.rotatingId, first.fixedId, first.encryptedId, true],
        );
    });

    it("a new passphrase and a shorter rotateAfter update the pairs in place: the same keys, rotatesAt moved", async () => {
        // A deadline 25 s ahead of now, whatever time the runs so far took.
        const started = Date.parse(first.rotatingRotatesAt) - 3_600_000;
        const seconds = Math.ceil((Date.now() - started) / 1000) + 25;
        await pulumi(keys, ["config", "set", "rotateAfter", `${seconds}s`]);
        keys.env.E2E_KEY_PASSPHRASE = passphrase2;
        const steps = await up(keys);
        assert.deepStrictEqual(steps.sort(), ["update encrypted", "update fixed", "update rotating"]);
        updated = await outputs(keys);
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
            assert.deepStrictEqual(sshPublicKey(dir, openssh, passphrase2), { status: 0, line: first.encryptedPublicKey });
            assert.notStrictEqual(sshPublicKey(dir, openssh, passphrase1).status, 0, "the old passphrase opens it");
            assert.notStrictEqual(sshPublicKey(dir, openssh, "").status, 0, "it opens without a passphrase");
            const decrypted = opensslDecrypted(dir, body, passphrase2);
            assert.strictEqual(decrypted.status, 0);
            assert.notStrictEqual(opensslDecrypted(dir, body, passphrase1).status, 0, "the old passphrase opens privateKeyBody");
            assert.notStrictEqual(opensslDecrypted(dir, body, "").status, 0, "privateKeyBody opens without a passphrase");
            const plain = decryptedWithSshKeygen(dir, openssh, passphrase2);
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
        const preview = await pulumi(keys, ["preview"]);
        assert.match(preview.stdout, /\+- pulumi-nodejs:dynamic\/ens-keypair:KeyPair rotating replace \[diff: ~keyPairName,rotatesAt\]/);
        assert.match(preview.stdout, /\+- pulumi-nodejs:dynamic\/ens-keypair:KeyPair fixed replace \[diff: ~rotatesAt\]/);
        assert.match(preview.stdout, /\+-2 to replace\n\s+2 unchanged/);
        const why = `is due for rotation: rotatesAt ${updated.rotatingRotatesAt} has passed`;
        assert.ok(preview.stdout.includes(`KeyPair "${first.rotatingName}" (${first.rotatingId}) ${why}`), preview.stdout);
        assert.ok(preview.stdout.includes(`KeyPair "e2e-rot-fixed" (${first.fixedId}) ${why}`), preview.stdout);
    });

    it("up replaces them: the prefixed pair is created before the old one is deleted, the fixed name is deleted first", async () => {
        const steps = await up(keys);
        assert.deepStrictEqual(stepsOf(steps, "rotating"), ["create-replacement", "replace", "delete-replaced"]);
        assert.deepStrictEqual(stepsOf(steps, "fixed"), ["delete-replaced", "replace", "create-replacement"]);
        assert.deepStrictEqual(stepsOf(steps, "encrypted"), ["same"]);

        const rotated = await outputs(keys);
        assert.notStrictEqual(rotated.rotatingId, first.rotatingId);
        assert.notStrictEqual(rotated.fixedId, first.fixedId);
        assert.notStrictEqual(rotated.rotatingName, first.rotatingName);
        assert.notStrictEqual(rotated.rotatingPublicKey, first.rotatingPublicKey);
        assert.ok(Date.parse(rotated.rotatingRotatesAt) > Date.now(), "the new pair's deadline lies ahead");
        // The old pairs are gone from state.
        const state = keys.exportState();
        const ids = (state.deployment.resources ?? []).filter((r) => r.type.endsWith(":KeyPair")).map((r) => r.id);
        assert.deepStrictEqual(ids.sort(), [rotated.rotatingId, rotated.fixedId, rotated.encryptedId].sort());
        // The next run before the new deadline changes nothing again.
        await pulumi(keys, ["preview", "--expect-no-changes"]);

        await up(consumer);
        assert.strictEqual((await outputs(consumer)).deployPublicKey, rotated.rotatingPublicKey);
    });

    it("in the ens backend the pair rotates the same way, ENS keeps only the new pair, and its key is encrypted", async () => {
        await sleep(Math.max(0, Date.parse(ensFirst.rotatesAt) - Date.now() + 1000));
        const steps = await up(ens);
        assert.deepStrictEqual(steps, ["create-replacement agent", "replace agent", "delete-replaced agent"]);
        const rotated = await outputs(ens);
        assert.notStrictEqual(rotated.name, ensFirst.name);
        assert.deepStrictEqual(
            server.listKeyPairs().map((p) => [p.keyPairId, p.keyPairName]),
            [[rotated.id, rotated.name]],
        );
        await withTempDir((dir) => {
            assert.deepStrictEqual(sshPublicKey(dir, rotated.privateKeyOpenssh, passphrase1), { status: 0, line: rotated.publicKey });
            plainKeys.push(decryptedWithSshKeygen(dir, rotated.privateKeyOpenssh, passphrase1));
        });
    });

    it("keeps the passphrase secret in inputs and outputs, and no piece of it or of the unencrypted keys in state", async () => {
        const exported = (await pulumi(keys, ["stack", "export"])).stdout;
        const encrypted = JSON.parse(exported).deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::encrypted"));
        for (const side of ["inputs", "outputs"]) {
            const value = encrypted[side].privateKeyPassphrase;
            assert.strictEqual(value?.["4dabf18193072939515e22adb298388d"], "1b47061264138c4ac30d75fd1eb44270", `${side}: not a secret`);
            assert.ok(typeof value.ciphertext === "string", `${side}: no ciphertext`);
        }
        const text = [
            exported,
            (await pulumi(ens, ["stack", "export"])).stdout,
            backendText("rotation-keys"),
            backendText("rotation-ens"),
        ].join("\n");
        for (const passphrase of [passphrase1, passphrase2]) {
            assert.deepStrictEqual(piecesIn(text, passphrase), [], "the state holds a piece of a passphrase");
        }
        assert.strictEqual(plainKeys.length, 3);
        const publicText = `${first.encryptedPublicKey}\n${(await outputs(ens)).publicKey}`;
        for (const key of plainKeys) {
            assert.strictEqual(leakedPiece(text, key, publicText), undefined, "the state holds a piece of an unencrypted key");
        }
    });
});

describe("end to end: the rotation example, rotated with a RandomId's keepers", function () {
    this.timeout(300_000);
    let example: ProgramStack;

    before(async () => {
        example = ProgramStack.create({
            scenario: "rotation-example",
            programText: fs.readFileSync(path.join(repoRoot, "examples", "rotation", "index.ts"), "utf8"),
            config: { rotation: { value: "2026-12" } },
        });
    });

    after(async () => {
        await example?.runAsync(["destroy", "--yes", "--skip-preview"]);
    });

    it("a new rotation value makes a new deploy key under a new name, created before the old one is deleted", async () => {
        await up(example);
        const first = await outputs(example);
        assert.match(first.deployKeyPairName, /^deploy-[0-9a-f]{8}$/);
        await pulumi(example, ["preview", "--expect-no-changes"]);

        await pulumi(example, ["config", "set", "rotation", "2027-01"]);
        const steps = await up(example);
        assert.deepStrictEqual(stepsOf(steps, "deploy-suffix"), ["create-replacement", "replace", "delete-replaced"]);
        assert.deepStrictEqual(stepsOf(steps, "deploy"), ["create-replacement", "replace", "delete-replaced"]);
        assert.deepStrictEqual(stepsOf(steps, "agent"), ["same"]);
        const rotated = await outputs(example);
        assert.match(rotated.deployKeyPairName, /^deploy-[0-9a-f]{8}$/);
        assert.notStrictEqual(rotated.deployKeyPairName, first.deployKeyPairName);
        assert.notStrictEqual(rotated.deployPublicKey, first.deployPublicKey);
        assert.strictEqual(rotated.agentKeyPairName, first.agentKeyPairName);
        assert.strictEqual(rotated.agentPublicKey, first.agentPublicKey);
    });
});
