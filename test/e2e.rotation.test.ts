// Rotation and passphrase-protected keys as users run them: `pulumi up` and `pulumi preview` with
// the Pulumi CLI in program folders, on throwaway file backends. A pair is left alone before its
// deadline and updated in place by a new rotateAfter or passphrase; a pair past its deadline is
// replaced, in the engine's order for each kind of name, and a StackReference consumer follows; in
// the ens backend against the ENS-compatible server, a rotateAfter whose deadline has already
// passed rotates the pair; the rotation example's RandomId keepers; and no passphrase or unencrypted
// key in state.
//
// No test waits for a deadline: one that must pass is a second after the pair was made (`1s`), and
// has passed by the time the `up` that made it returns; one that must not is an hour away. Each
// scenario has a stack of its own, set up in its `before`, so each case runs alone
// (`npx mocha test/e2e.rotation.test.ts -g '<title>'`).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { e2eRoot, repoRoot } from "./helpers/paths";
import { EnsServer, startEnsServer } from "../ens-server/server";
import { encryptedPkcs8Label } from "../provider/keys/pkcs8";
import { ProgramStack, StreamedCommandResult } from "./helpers/programStack";
import { decryptedWithSshKeygen, opensslDecrypted, sshPublicKey } from "./helpers/encryptedKeys";
import { leakedPiece } from "./helpers/leaks";
import { assertArmour } from "./helpers/pem";
import { startSshd } from "./helpers/sshd";
import { withTempDir } from "./helpers/tempDir";

const accessKeyId = "e2e-rotation-access-key-id";
const accessKeySecret = "e2e-rotation-access-key-secret-5f0e2b";
/** Passphrases of 40 characters, so that any 16 of them in a row are a finding. */
const passphrase1 = "e2e first passphrase: 7b1f3c9a52e04d68ab";
const passphrase2 = "e2e second passphrase: c4a9e01b7d3f8256";
const hourMs = 3_600_000;

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

/**
 * Resolves once `rotatesAt` has passed on this machine's clock, which the provider reads too. A
 * `1s` deadline has passed by the time the `up` that set it returns, so this rarely waits at all.
 */
async function past(rotatesAt: string): Promise<void> {
    const wait = Date.parse(rotatesAt) + 1000 - Date.now();
    assert.ok(wait < 5000, `rotatesAt ${rotatesAt} lies more than a moment ahead`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
}

/** A moment written as the README documents rotatesAt: `yyyy-MM-ddTHH:mm:ssZ`, UTC. */
function timestamp(ms: number): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

describe("end to end: rotation and passphrases with the Pulumi CLI", function () {
    this.timeout(600_000);

    describe("before the deadline, and changes that keep the pair", () => {
        const program = `
import * as pulumi from "@pulumi/pulumi";
import { KeyPair } from "pulumi-ens-keypair";

const agent = new KeyPair("agent", { keyPairNamePrefix: "e2e-agent-", keyType: "ed25519", rotateAfter: new pulumi.Config().require("rotateAfter") });
// A plain string, as a program may pass one: the resource keeps it secret.
const encrypted = new KeyPair("encrypted", { keyPairNamePrefix: "e2e-enc-", privateKeyPassphrase: process.env.E2E_KEY_PASSPHRASE });

export const agentId = agent.keyPairId;
export const agentCreationTime = agent.creationTime;
export const agentRotatesAt = agent.rotatesAt;
export const encryptedId = encrypted.keyPairId;
export const encryptedFingerprint = encrypted.fingerprintSha256;
export const encryptedPublicKey = encrypted.publicKeyOpenssh;
export const encryptedPrivateKeyOpenssh = encrypted.privateKeyOpenssh;
export const encryptedPrivateKeyBody = encrypted.privateKeyBody;
`;
        let stack: ProgramStack;
        let madeSteps: string[];
        let first: Record<string, string>;

        before(async () => {
            stack = ProgramStack.create({ scenario: "rotation-in-place", programText: program, config: { rotateAfter: "1h" } });
            // The shell the program runs in: the passphrase reaches it as a plain string.
            stack.env.E2E_KEY_PASSPHRASE = passphrase1;
            madeSteps = await up(stack);
            first = await outputs(stack);
        });

        after(async () => {
            await stack?.runAsync(["destroy", "--yes", "--skip-preview"]);
        });

        it("up makes the pairs: rotatesAt an hour after the clock started, the private key encrypted", () => {
            assert.deepStrictEqual(madeSteps.sort(), ["create agent", "create encrypted"]);
            // check starts the clock, a moment before create stamps creationTime.
            const startedBeforeCreation = Date.parse(first.agentCreationTime) - (Date.parse(first.agentRotatesAt) - hourMs);
            assert.ok(startedBeforeCreation >= 0 && startedBeforeCreation < 120_000, `rotatesAt is ${first.agentRotatesAt}`);
            assertArmour(first.encryptedPrivateKeyBody, encryptedPkcs8Label);
        });

        it("before the deadline, preview and up change nothing", async () => {
            // --expect-no-changes fails the command on any change; up without --skip-preview previews first.
            await pulumi(stack, ["up", "--yes", "--expect-no-changes"]);
            await pulumi(stack, ["preview", "--expect-no-changes"]);
            const again = await outputs(stack);
            assert.deepStrictEqual(
                [
                    again.agentId,
                    again.encryptedId,
                    again.agentRotatesAt,
                    again.encryptedPrivateKeyOpenssh === first.encryptedPrivateKeyOpenssh,
                ],
                [first.agentId, first.encryptedId, first.agentRotatesAt, true],
            );
        });

        describe("a new passphrase and a longer rotateAfter", () => {
            let steps: string[];
            let updated: Record<string, string>;

            before(async () => {
                await pulumi(stack, ["config", "set", "rotateAfter", "2h"]);
                stack.env.E2E_KEY_PASSPHRASE = passphrase2;
                steps = await up(stack);
                updated = await outputs(stack);
            });

            it("update the pairs in place: the same keys, rotatesAt moved with the clock's start kept", () => {
                assert.deepStrictEqual(steps.sort(), ["update agent", "update encrypted"]);
                assert.deepStrictEqual(
                    [updated.agentId, updated.encryptedId, updated.encryptedFingerprint],
                    [first.agentId, first.encryptedId, first.encryptedFingerprint],
                );
                assert.strictEqual(updated.agentRotatesAt, timestamp(Date.parse(first.agentRotatesAt) + hourMs));
                assert.notStrictEqual(updated.encryptedPrivateKeyOpenssh, first.encryptedPrivateKeyOpenssh);
            });

            it("the key opens with the new passphrase only, in ssh-keygen -y -P and openssl pkey -passin, and logs in to sshd once decrypted", async () => {
                await withTempDir(async (dir) => {
                    const openssh = updated.encryptedPrivateKeyOpenssh;
                    const body = updated.encryptedPrivateKeyBody;
                    assert.deepStrictEqual(sshPublicKey(dir, openssh, passphrase2), { status: 0, line: first.encryptedPublicKey });
                    assert.notStrictEqual(sshPublicKey(dir, openssh, passphrase1).status, 0, "the old passphrase opens it");
                    assert.notStrictEqual(sshPublicKey(dir, openssh, "").status, 0, "it opens without a passphrase");
                    assert.strictEqual(opensslDecrypted(dir, body, passphrase2).status, 0);
                    assert.notStrictEqual(opensslDecrypted(dir, body, passphrase1).status, 0, "the old passphrase opens privateKeyBody");
                    assert.notStrictEqual(opensslDecrypted(dir, body, "").status, 0, "privateKeyBody opens without a passphrase");

                    const sshd = await startSshd([first.encryptedPublicKey]);
                    try {
                        const login = sshd.login(decryptedWithSshKeygen(dir, openssh, passphrase2), "echo logged-in");
                        assert.strictEqual(login.status, 0, login.stderr);
                        assert.strictEqual(login.stdout.trim(), "logged-in");
                    } finally {
                        await sshd.stop();
                    }
                });
            });

            it("keeps the passphrase secret in inputs and outputs, and no piece of it or of the unencrypted key in state", async () => {
                const exported = (await pulumi(stack, ["stack", "export"])).stdout;
                const encrypted = JSON.parse(exported).deployment.resources.find((r: { urn: string }) => r.urn.endsWith("::encrypted"));
                for (const side of ["inputs", "outputs"]) {
                    const value = encrypted[side].privateKeyPassphrase;
                    assert.strictEqual(
                        value?.["4dabf18193072939515e22adb298388d"],
                        "1b47061264138c4ac30d75fd1eb44270",
                        `${side}: not a secret`,
                    );
                    assert.ok(typeof value.ciphertext === "string", `${side}: no ciphertext`);
                }
                const text = `${exported}\n${stack.backendText()}`;
                for (const passphrase of [passphrase1, passphrase2]) {
                    assert.deepStrictEqual(piecesIn(text, passphrase), [], "the state holds a piece of a passphrase");
                }
                await withTempDir((dir) => {
                    const plain = [
                        decryptedWithSshKeygen(dir, updated.encryptedPrivateKeyOpenssh, passphrase2),
                        opensslDecrypted(dir, updated.encryptedPrivateKeyBody, passphrase2).pem,
                    ];
                    for (const key of plain) {
                        const leak = leakedPiece(text, key, first.encryptedPublicKey);
                        assert.strictEqual(leak, undefined, `the state holds a piece of the unencrypted key: ${leak}`);
                    }
                });
            });
        });
    });

    describe("past the deadline (local backend)", () => {
        const program = `
import * as pulumi from "@pulumi/pulumi";
import { KeyPair } from "pulumi-ens-keypair";

const rotateAfter = new pulumi.Config().require("rotateAfter");
const rotating = new KeyPair("rotating", { keyPairNamePrefix: "e2e-rot-", keyType: "ed25519", rotateAfter });
const fixed = new KeyPair("fixed", { keyPairName: "e2e-rot-fixed", keyType: "ed25519", rotateAfter });

export const rotatingId = rotating.keyPairId;
export const rotatingName = rotating.keyPairName;
export const rotatingPublicKey = rotating.publicKeyOpenssh;
export const rotatingRotatesAt = rotating.rotatesAt;
export const fixedId = fixed.keyPairId;
export const fixedRotatesAt = fixed.rotatesAt;
`;
        const consumerProgram = `
import * as pulumi from "@pulumi/pulumi";

const keys = new pulumi.StackReference("organization/rotation-due/test");
export const deployPublicKey = keys.requireOutput("rotatingPublicKey");
`;
        let keys: ProgramStack;
        let consumer: ProgramStack;
        let first: Record<string, string>;

        before(async () => {
            keys = ProgramStack.create({ scenario: "rotation-due", programText: program, config: { rotateAfter: "1s" } });
            consumer = ProgramStack.create({ scenario: "rotation-consumer", programText: consumerProgram, backendOf: keys });
            await up(keys);
            first = await outputs(keys);
            await up(consumer);
            await past(first.fixedRotatesAt);
            await past(first.rotatingRotatesAt);
        });

        after(async () => {
            for (const stack of [consumer, keys]) {
                await stack?.runAsync(["destroy", "--yes", "--skip-preview"]);
            }
        });

        it("preview shows both replacements and says why", async () => {
            const preview = await pulumi(keys, ["preview"]);
            assert.match(
                preview.stdout,
                /\+- pulumi-nodejs:dynamic\/ens-keypair:KeyPair rotating replace \[diff: ~keyPairName,rotatesAt\]/,
            );
            assert.match(preview.stdout, /\+- pulumi-nodejs:dynamic\/ens-keypair:KeyPair fixed replace \[diff: ~rotatesAt\]/);
            assert.match(preview.stdout, /\+-2 to replace\n\s+1 unchanged/);
            const why = (rotatesAt: string) => `is due for rotation: rotatesAt ${rotatesAt} has passed (rotateAfter 1s)`;
            assert.ok(
                preview.stdout.includes(`KeyPair "${first.rotatingName}" (${first.rotatingId}) ${why(first.rotatingRotatesAt)}`),
                preview.stdout,
            );
            assert.ok(preview.stdout.includes(`KeyPair "e2e-rot-fixed" (${first.fixedId}) ${why(first.fixedRotatesAt)}`), preview.stdout);
        });

        it("up replaces them: the prefixed pair is created before the old one is deleted, the fixed name is deleted first; the consumer follows", async () => {
            assert.strictEqual((await outputs(consumer)).deployPublicKey, first.rotatingPublicKey);
            const steps = await up(keys);
            assert.deepStrictEqual(stepsOf(steps, "rotating"), ["create-replacement", "replace", "delete-replaced"]);
            assert.deepStrictEqual(stepsOf(steps, "fixed"), ["delete-replaced", "replace", "create-replacement"]);

            const rotated = await outputs(keys);
            assert.notStrictEqual(rotated.rotatingId, first.rotatingId);
            assert.notStrictEqual(rotated.fixedId, first.fixedId);
            assert.notStrictEqual(rotated.rotatingName, first.rotatingName);
            assert.notStrictEqual(rotated.rotatingPublicKey, first.rotatingPublicKey);
            // Each new pair's clock starts when it is made.
            assert.ok(Date.parse(rotated.rotatingRotatesAt) > Date.parse(first.rotatingRotatesAt), rotated.rotatingRotatesAt);
            assert.ok(Date.parse(rotated.fixedRotatesAt) > Date.parse(first.fixedRotatesAt), rotated.fixedRotatesAt);
            // The old pairs are gone from state.
            const ids = (keys.exportState().deployment.resources ?? []).filter((r) => r.type.endsWith(":KeyPair")).map((r) => r.id);
            assert.deepStrictEqual(ids.sort(), [rotated.rotatingId, rotated.fixedId].sort());

            await up(consumer);
            assert.strictEqual((await outputs(consumer)).deployPublicKey, rotated.rotatingPublicKey);
        });
    });

    describe("in the ens backend", () => {
        const program = `
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
        let server: EnsServer;
        let stack: ProgramStack;
        let first: Record<string, string>;

        before(async () => {
            fs.mkdirSync(e2eRoot, { recursive: true });
            server = await startEnsServer({
                dbPath: path.join(e2eRoot, "rotation-ens.db"),
                accessKeys: { [accessKeyId]: accessKeySecret },
            });
            stack = ProgramStack.create({
                scenario: "rotation-ens",
                programText: program,
                config: {
                    rotateAfter: "1h",
                    "ens-keypair:backend": "ens",
                    "ens-keypair:endpoint": server.url,
                    "ens-keypair:accessKeyId": { value: accessKeyId, secret: true },
                    "ens-keypair:accessKeySecret": { value: accessKeySecret, secret: true },
                },
            });
            stack.env.E2E_KEY_PASSPHRASE = passphrase1;
            await up(stack);
            first = await outputs(stack);
        });

        after(async () => {
            await stack?.runAsync(["destroy", "--yes", "--skip-preview"]);
            await server?.close();
        });

        it("before the deadline, preview changes nothing", async () => {
            await pulumi(stack, ["preview", "--expect-no-changes"]);
            assert.deepStrictEqual(
                server.listKeyPairs().map((p) => p.keyPairId),
                [first.id],
            );
        });

        it("a rotateAfter whose deadline has passed already rotates the pair in that up: ENS keeps only the new pair, its key encrypted", async () => {
            // The clock started over a second ago, so a 1s rotateAfter puts the deadline behind us.
            await past(timestamp(Date.parse(first.rotatesAt) - hourMs + 1000));
            await pulumi(stack, ["config", "set", "rotateAfter", "1s"]);
            const steps = await up(stack);
            assert.deepStrictEqual(steps, ["create-replacement agent", "replace agent", "delete-replaced agent"]);
            const rotated = await outputs(stack);
            assert.notStrictEqual(rotated.name, first.name);
            assert.deepStrictEqual(
                server.listKeyPairs().map((p) => [p.keyPairId, p.keyPairName]),
                [[rotated.id, rotated.name]],
            );
            const state = `${(await pulumi(stack, ["stack", "export"])).stdout}\n${stack.backendText()}`;
            assert.deepStrictEqual(piecesIn(state, passphrase1), [], "the state holds a piece of the passphrase");
            await withTempDir((dir) => {
                assert.deepStrictEqual(sshPublicKey(dir, rotated.privateKeyOpenssh, passphrase1), { status: 0, line: rotated.publicKey });
                const plain = decryptedWithSshKeygen(dir, rotated.privateKeyOpenssh, passphrase1);
                assert.strictEqual(
                    leakedPiece(state, plain, rotated.publicKey),
                    undefined,
                    "the state holds a piece of the unencrypted key",
                );
            });
        });
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
