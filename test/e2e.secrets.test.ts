// Secrets under the real engine: no private key material in state or in `pulumi stack export`,
// `--show-secrets` gives back working keys, and OpenSSH's sshd accepts exactly those keys.
// Secrets as a pipeline sees them, through the pulumi CLI in a program folder: no private key
// material in the state files or `pulumi stack export`, `stack output --show-secrets` gives back
// working keys, and OpenSSH's sshd accepts exactly those keys.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProgramStack } from "./helpers/programStack";
import { startSshd, Sshd } from "./helpers/sshd";
import { leakedPiece, pemBody } from "./helpers/leaks";

describe("end to end: secrets and a real SSH login", function () {
    this.timeout(300_000);
    let stack: ProgramStack;
    let revealed: Record<string, string>;
    let upOutput: string;

    before(() => {
        stack = ProgramStack.create({ program: "secrets", scenario: "secrets" });
        upOutput = stack.up("--skip-preview").output;
        revealed = Object.fromEntries(Object.entries(stack.outputs()).map(([name, value]) => [name, String(value)]));
    });

    it("masks every private key output unless asked to show secrets", () => {
        assert.deepStrictEqual(stack.secretOutputNames().sort(), [
            "ed25519PrivateKeyBody",
            "ed25519PrivateKeyOpenssh",
            "rsaPrivateKeyBody",
            "rsaPrivateKeyOpenssh",
        ]);
    });

    it("keeps every piece of every private key out of the state files, `pulumi stack export` and `up`'s output", () => {
        const exported = stack.exportText();
        const stateFiles = stack.backendText();
        const publicText = `${revealed.rsaPublicKey}\n${revealed.ed25519PublicKey}`;
        assert.match(exported, /"ciphertext"/, "the export should hold the private keys as ciphertext");
        for (const name of ["rsaPrivateKeyOpenssh", "rsaPrivateKeyBody", "ed25519PrivateKeyOpenssh", "ed25519PrivateKeyBody"]) {
            assert.ok(pemBody(revealed[name]).length > 60, `${name} should have been revealed`);
            for (const [where, text] of [
                ["stack export", exported],
                ["state files", stateFiles],
                ["output of up", upOutput],
            ]) {
                assert.ok(!text.includes(revealed[name]), `${name} appears whole in the ${where}`);
                assert.strictEqual(leakedPiece(text, revealed[name], publicText), undefined, `a piece of ${name} appears in the ${where}`);
            }
        }
    });

    it("`stack output --show-secrets` gives back keys that OpenSSH accepts", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-e2e-"));
        try {
            for (const kind of ["rsa", "ed25519"]) {
                const keyFile = path.join(dir, kind);
                fs.writeFileSync(keyFile, revealed[`${kind}PrivateKeyOpenssh`] + "\n", { mode: 0o600 });
                const derived = execFileSync("ssh-keygen", ["-y", "-f", keyFile], { encoding: "utf8" }).trim();
                assert.strictEqual(derived.split(" ").slice(0, 2).join(" "), revealed[`${kind}PublicKey`]);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    describe("a login to sshd on 127.0.0.1", () => {
        let sshd: Sshd;
        before(async () => {
            sshd = await startSshd([revealed.rsaPublicKey, revealed.ed25519PublicKey]);
        });
        after(() => sshd?.stop());

        for (const kind of ["rsa", "ed25519"]) {
            it(`succeeds with the ${kind} private key and runs a command`, () => {
                const marker = `hello-from-${kind}-${process.pid}`;
                const result = sshd.login(revealed[`${kind}PrivateKeyOpenssh`] + "\n", `echo ${marker}`);
                assert.strictEqual(result.status, 0, result.stderr);
                assert.strictEqual(result.stdout.trim(), marker);
            });
        }

        it("refuses a key that is not authorized", async () => {
            const stranger = await import("../provider").then((m) => m.generateKeyMaterial({ keyType: "ed25519" }));
            const result = sshd.login(stranger.privateKeyOpenssh, "echo should-not-run");
            assert.notStrictEqual(result.status, 0);
            assert.match(result.stderr, /Permission denied/);
            assert.doesNotMatch(result.stdout, /should-not-run/);
        });
    });
});
