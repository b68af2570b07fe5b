// Sealed private keys as a pipeline deploys them, through the pulumi CLI in a program folder: the
// seal is a plain output that Debian's age opens with a recipient's identity (and no other) into
// the key that ssh-keygen reads and sshd accepts; with sealedOnly, no piece of the private key is
// in the state files, `stack export --show-secrets`, `stack output --show-secrets` or the CLI's
// output; new recipients seal the same key again beside its plain key, and replace a sealed-only
// pair, which preview explains.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AgeIdentity, ageIdentity, assertNotOpenedBy, openSealed } from "./helpers/age";
import { sshPublicKey } from "./helpers/encryptedKeys";
import { leakedPiece } from "./helpers/leaks";
import { assertSameKey } from "./helpers/pem";
import { ProgramStack } from "./helpers/programStack";
import { startSshd } from "./helpers/sshd";

describe("end to end: sealed private keys", function () {
    this.timeout(600_000);
    let dir: string;
    let runner: AgeIdentity;
    let laptop: AgeIdentity;
    let stranger: AgeIdentity;
    let stack: ProgramStack;
    let upOutput: string;
    let outputs: Record<string, unknown>;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-e2e-sealed-"));
        [runner, laptop, stranger] = ["runner", "laptop", "stranger"].map((name) => ageIdentity(dir, name));
        stack = ProgramStack.create({ program: "sealed", scenario: "sealed", config: { recipients: JSON.stringify([runner.recipient]) } });
        upOutput = stack.up("--skip-preview").output;
        outputs = stack.outputs();
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** What `ssh-keygen -y` derives from a key file. */
    function publicKeyOf(keyFile: string): string {
        const derived = sshPublicKey(dir, keyFile, "");
        assert.strictEqual(derived.status, 0, "ssh-keygen -y did not read the opened key");
        return derived.line;
    }

    /**
     * Asserts that no 16-character piece of `key` is in any of `texts`, but those of its public half
     * and of the OpenSSH format itself: the other pair's key, revealed by --show-secrets, starts
     * with the same format header.
     */
    function assertNowhere(key: string, publicKey: string, texts: Record<string, string>): void {
        const notSecret = `${publicKey}\n${String(outputs.besidePrivateKeyOpenssh)}`;
        for (const [where, text] of Object.entries(texts)) {
            assert.strictEqual(leakedPiece(text, key, notSecret), undefined, `a piece of the sealed-only key is in ${where}`);
        }
    }

    /** Every text a user or a pipeline sees of the stack, secrets shown. */
    function everything(cliOutput: string): Record<string, string> {
        return {
            "the state files": stack.backendText(),
            "pulumi stack export --show-secrets": stack.pulumi(["stack", "export", "--show-secrets"]),
            "pulumi stack output --show-secrets": stack.pulumi(["stack", "output", "--json", "--show-secrets"]),
            "the CLI's output": cliOutput,
        };
    }

    it("outputs the seal as plain text, and with sealedOnly no plain private key", () => {
        assert.deepStrictEqual(stack.secretOutputNames(), ["besidePrivateKeyOpenssh"]);
        assert.strictEqual(outputs.onlyPrivateKeyOpenssh, undefined);
        assert.strictEqual(outputs.onlyPrivateKeyBody, undefined);
        // `pulumi stack output` prints the seal without --show-secrets, ready for age.
        assert.strictEqual(stack.pulumi(["stack", "output", "onlySealed"]).trim(), String(outputs.onlySealed).trim());
    });

    it("age opens each seal with the recipient's identity into the pair's key, and refuses another identity", () => {
        assertSameKey(
            openSealed(dir, outputs.besideSealed, runner),
            outputs.besidePrivateKeyOpenssh,
            "the key sealed beside the plain one",
        );
        assert.strictEqual(publicKeyOf(openSealed(dir, outputs.onlySealed, runner)), outputs.onlyPublicKey);
        assertNotOpenedBy(dir, outputs.onlySealed, stranger);
        assertNotOpenedBy(dir, outputs.besideSealed, stranger);
    });

    it("the key opened from a sealed-only pair logs in to sshd", async () => {
        const sshd = await startSshd([String(outputs.onlyPublicKey)]);
        try {
            const login = sshd.login(openSealed(dir, outputs.onlySealed, runner), "echo sealed-login");
            assert.strictEqual(login.status, 0, login.stderr);
            assert.strictEqual(login.stdout.trim(), "sealed-login");
        } finally {
            await sshd.stop();
        }
    });

    it("with sealedOnly, no piece of the private key is in the state, the exports, the outputs or the CLI's output", () => {
        const key = openSealed(dir, outputs.onlySealed, runner);
        const texts = everything(upOutput);
        assertNowhere(key, String(outputs.onlyPublicKey), texts);
        // The same scan finds the key kept beside its seal, which --show-secrets reveals.
        const plain = String(outputs.besidePrivateKeyOpenssh);
        assert.notStrictEqual(leakedPiece(texts["pulumi stack export --show-secrets"], plain, String(outputs.besidePublicKey)), undefined);
    });

    it("new recipients seal the same key again beside its plain key, and replace a sealed-only pair, as preview says", () => {
        stack.setConfig("recipients", JSON.stringify([laptop.recipient]));
        const preview = stack.preview();
        assert.deepStrictEqual(preview.changes, { update: 1, replace: 1, same: 1 });
        assert.match(
            preview.output.replace(/\s+/g, " "),
            /KeyPair "e2e-sealed-only" \(ssh-[a-z0-9]{23}\) is replaced because privateKeyRecipients changed: with sealedOnly the provider no longer holds its private key/,
        );
        const up = stack.up();
        const after = stack.outputs();
        assert.strictEqual(after.besidePublicKey, outputs.besidePublicKey, "the pair beside its plain key is the same pair");
        assertSameKey(openSealed(dir, after.besideSealed, laptop), outputs.besidePrivateKeyOpenssh, "the same key, sealed again");
        assertNotOpenedBy(dir, after.besideSealed, runner);
        assert.notStrictEqual(after.onlyPublicKey, outputs.onlyPublicKey, "the sealed-only pair is a new one");
        const key = openSealed(dir, after.onlySealed, laptop);
        assert.strictEqual(publicKeyOf(key), after.onlyPublicKey);
        assertNotOpenedBy(dir, after.onlySealed, runner);
        assertNowhere(key, String(after.onlyPublicKey), everything(`${preview.output}\n${up.output}`));
    });
});
