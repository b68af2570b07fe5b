// Errors as users see them: `pulumi preview`, `up` and `refresh` with the CLI in a project folder,
// on one bad program at a time (the engine stops at the first resource that fails its check). No
// run may print or store any piece of a private key.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { createPrivateKey, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ensureEngine } from "./helpers/engine";
import { repoRoot } from "./helpers/paths";
import { ageIdentity } from "./helpers/age";
import { sharedKey } from "./helpers/keys";
import { leakedPiece } from "./helpers/leaks";

/** The program: one KeyPair (or `KeyPair.get`) made from what the environment says. */
const program = `const fs = require("fs");
const pulumi = require("@pulumi/pulumi");
const { KeyPair } = require("pulumi-ens-keypair");
const args = JSON.parse(process.env.ERRORS_ARGS || "{}");
for (const name of (process.env.ERRORS_SECRET || "").split(",").filter(Boolean)) {
    args[name] = pulumi.secret(args[name]);
}
if (process.env.ERRORS_PASTE) {
    const pasted = fs.readFileSync(process.env.ERRORS_PASTE, "utf8");
    args.publicKey = process.env.ERRORS_WRAP === "secret" ? pulumi.secret(pasted) : pasted;
}
const pair = process.env.ERRORS_GET ? KeyPair.get("pair", process.env.ERRORS_GET) : new KeyPair("pair", args);
exports.privateKey = pair.privateKeyOpenssh;
`;

interface Run {
    status: number;
    output: string;
}

/** A line of a stack trace, into any file. */
const stackFrame = /^\s+at .*[\w.]+:\d+:\d+\)?$/m;

/** An SSH wire string: a length and the bytes. */
function wireString(bytes: Buffer): Buffer {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
}

describe("end to end: errors as the CLI prints them", function () {
    this.timeout(900_000);
    const dir = path.join(repoRoot, ".pulumi-test", `errors-${process.pid}`);
    const project = path.join(dir, "project");
    const keysDir = path.join(dir, "keys");
    const pasted: Record<string, { file: string; key: string }> = {};
    let publicText = "";
    let env: NodeJS.ProcessEnv;

    /** Runs the CLI in the project; what it printed on stdout and stderr, as one text. */
    function pulumi(args: string[], extra: Record<string, string> = {}): Run {
        const result = spawnSync("pulumi", [...args, "--stack", "test", "--non-interactive", "--color", "never"], {
            cwd: project,
            env: { ...env, ...extra },
            encoding: "utf8",
            timeout: 300_000,
        });
        assert.ok(!result.error, `pulumi ${args.join(" ")}: ${result.error}`);
        return { status: result.status ?? -1, output: `${result.stdout}\n${result.stderr}` };
    }

    /** Every file of the backend and project folders (state, backups, history, stack config). */
    function storedText(): string {
        const texts: string[] = [];
        for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
            if (entry.isFile() && !entry.parentPath.startsWith(keysDir)) {
                texts.push(fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8"));
            }
        }
        return texts.join("\n");
    }

    /** Asserts that `text` holds no piece of any pasted private key. */
    function assertNoPastedKey(text: string, where: string): void {
        assert.ok(!/-----BEGIN|-----END/.test(text), `${where} holds PEM armour`);
        for (const [format, { key }] of Object.entries(pasted)) {
            const leak = leakedPiece(text, key, publicText);
            assert.strictEqual(leak, undefined, `${where} quotes the ${format} key: ${leak}`);
        }
    }

    /** Previews a program that must fail its check; what it printed, scanned for key material. */
    function failingPreview(extra: Record<string, string>): string {
        const run = pulumi(["preview"], extra);
        assert.notStrictEqual(run.status, 0, "the preview should fail");
        assertNoPastedKey(run.output, "the preview's output");
        assert.doesNotMatch(run.output, stackFrame, "a stack trace is printed");
        return run.output;
    }

    before(async () => {
        env = { ...process.env, PATH: `${ensureEngine()}${path.delimiter}${process.env.PATH}` };
        for (const name of Object.keys(env)) {
            if (/^(ALIBABA_CLOUD_|ENS_KEYPAIR_|PULUMI_)/.test(name)) {
                delete env[name];
            }
        }
        Object.assign(env, {
            PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "errors-throwaway",
            PULUMI_SKIP_UPDATE_CHECK: "true",
        });
        fs.mkdirSync(path.join(dir, "state"), { recursive: true });
        fs.mkdirSync(project, { recursive: true });
        fs.mkdirSync(keysDir, { recursive: true, mode: 0o700 });
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: errors\nruntime: nodejs\n");
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "errors", private: true, main: "index.js" }));
        fs.writeFileSync(path.join(project, "index.js"), program);

        const ed = await sharedKey({ keyType: "ed25519" });
        const rsa = await sharedKey({ keyType: "rsa", rsaBits: 2048 });
        const formats: Record<string, string> = {
            OpenSSH: ed.privateKeyOpenssh,
            "PKCS#8": rsa.privateKeyBody,
            "PKCS#1": createPrivateKey(rsa.privateKeyBody).export({ type: "pkcs1", format: "pem" }) as string,
        };
        for (const [format, key] of Object.entries(formats)) {
            const file = path.join(keysDir, format.replace(/\W/g, ""));
            fs.writeFileSync(file, key, { mode: 0o600 });
            pasted[format] = { file, key };
            // The scan itself must find a key where there is one.
            assert.ok(leakedPiece(`x${key}x`, key) !== undefined, `the scan finds the ${format} key`);
        }
        publicText = `${ed.publicKeyOpenssh}\n${rsa.publicKeyOpenssh}`;
        const init = pulumi(["stack", "init"]);
        assert.strictEqual(init.status, 0, init.output);
    });

    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a private key pasted into publicKey (OpenSSH, PKCS#8, PKCS#1; plain or secret) is never printed by preview or up, nor stored", () => {
        for (const format of Object.keys(pasted)) {
            for (const wrap of ["plain", "secret"]) {
                for (const command of [["preview"], ["up", "--yes"]]) {
                    const what = `${command[0]} of a ${format} key (${wrap})`;
                    const run = pulumi(command, { ERRORS_PASTE: pasted[format].file, ERRORS_WRAP: wrap });
                    assert.notStrictEqual(run.status, 0, `${what} should fail`);
                    assert.ok(
                        run.output.includes("resource 'pair' has a problem: InvalidParameter.PublicKeyBody") &&
                            run.output.includes("publicKey holds a private key; give the public key line instead (ssh-keygen -y -f KEY)"),
                        `${what}: our message, on the resource`,
                    );
                    assert.ok(!run.output.includes("property publicKey"), `${what}: the engine names publicKey, so it prints its value`);
                    assertNoPastedKey(run.output, `the output of the ${what}`);
                }
            }
        }
        assertNoPastedKey(storedText(), "the state and project files");
    });

    it("reports keyPairNamePrefix errors against keyPairNamePrefix", () => {
        const digit = failingPreview({ ERRORS_ARGS: JSON.stringify({ keyPairNamePrefix: "1abc" }) });
        assert.ok(
            digit.includes(
                'property keyPairNamePrefix value {1abc} has a problem: InvalidParameter.KeyPairName: The specified field KeyPairName invalid. Please check it again. keyPairNamePrefix must start with a letter; got "1abc".',
            ),
            digit,
        );
        const long = failingPreview({ ERRORS_ARGS: JSON.stringify({ keyPairNamePrefix: "a".repeat(121) }) });
        assert.ok(
            long.includes("property keyPairNamePrefix value {aaaa") && long.includes("keyPairNamePrefix must be 1 to 120 characters long"),
            long,
        );
        const empty = failingPreview({ ERRORS_ARGS: JSON.stringify({ keyPairNamePrefix: "" }) });
        assert.ok(
            empty.includes("property keyPairNamePrefix value {} has a problem: MissingParameter") &&
                empty.includes("keyPairNamePrefix is required."),
            empty,
        );
        for (const output of [digit, long, empty]) {
            assert.ok(!output.includes("property keyPairName value"), output);
        }
    });

    it("says which key types and which form publicKey takes, for a security key or a key behind options", () => {
        const skBlob = Buffer.concat([
            wireString(Buffer.from("sk-ssh-ed25519@openssh.com")),
            wireString(randomBytes(32)),
            wireString(Buffer.from("ssh:")),
        ]).toString("base64");
        const sk = failingPreview({
            ERRORS_ARGS: JSON.stringify({ keyPairName: "sk-key", publicKey: `sk-ssh-ed25519@openssh.com ${skBlob} alice@yubikey` }),
        });
        assert.ok(
            sk.includes(
                "resource 'pair' has a problem: InvalidParameter.PublicKeyBody: The specified field PublicKeyBody invalid. Please check it again. publicKey is an sk-ssh-ed25519@openssh.com key; only RSA (ssh-rsa), Ed25519 (ssh-ed25519) and ECDSA (ecdsa-sha2-nistp256, -nistp384, -nistp521) keys are supported.",
            ),
            sk,
        );
        const line = `from="10.0.0.1",no-pty ${publicText.split("\n")[0]} alice`;
        const options = failingPreview({ ERRORS_ARGS: JSON.stringify({ keyPairName: "options-key", publicKey: line }) });
        assert.ok(
            options.includes(
                'publicKey starts with authorized_keys options; give the key alone, "<type> <base64 key> [comment]", without options such as from="…" or no-pty.',
            ),
            options,
        );
        assert.ok(!options.includes("10.0.0.1"), "the input is not echoed");
    });

    it("an age identity given as a recipient is never printed by preview; sealedOnly without recipients names its rule", () => {
        const identity = fs
            .readFileSync(ageIdentity(keysDir, "age-identity").file, "utf8")
            .split("\n")
            .find((line) => line.startsWith("AGE-SECRET-KEY-1")) as string;
        const output = failingPreview({ ERRORS_ARGS: JSON.stringify({ keyPairName: "sealed", privateKeyRecipients: [identity] }) });
        assert.ok(
            output.includes(
                "resource 'pair' has a problem: InvalidParameter.PrivateKeyRecipients: The specified field PrivateKeyRecipients invalid. Please check it again. privateKeyRecipients entry 1 is an age identity, which is secret: give its recipient instead",
            ),
            output,
        );
        assert.ok(!output.includes("property privateKeyRecipients"), "the engine names privateKeyRecipients, so it prints its value");
        assert.ok(!output.includes(identity.slice(16, 32)), "the identity is printed");
        const sealedOnly = failingPreview({ ERRORS_ARGS: JSON.stringify({ keyPairName: "sealed", sealedOnly: true }) });
        assert.ok(
            sealedOnly.includes(
                "property sealedOnly value {true} has a problem: InvalidParameter.SealedOnly: The specified field SealedOnly invalid. Please check it again. sealedOnly needs privateKeyRecipients: without them, no output would hold the private key.",
            ),
            sealedOnly,
        );
        assertNoPastedKey(storedText(), "the state and project files");
        assert.ok(!storedText().includes(identity.slice(16, 32)), "the identity is stored");
    });

    it("an input the program made secret is named by the failure's reason, and its value is printed nowhere", () => {
        const args = { keyPairName: "1-made-secret-name", keyType: "made-secret-type", rotateAfter: "made-secret-duration" };
        const plain = failingPreview({ ERRORS_ARGS: JSON.stringify(args) });
        assert.ok(plain.includes("property keyPairName value {1-made-secret-name} has a problem"), plain);
        const output = failingPreview({ ERRORS_ARGS: JSON.stringify(args), ERRORS_SECRET: "keyPairName,keyType,rotateAfter" });
        assert.ok(
            output.includes(
                "resource 'pair' has a problem: InvalidParameter.KeyPairName: The specified field KeyPairName invalid. Please check it again. keyPairName must start with a letter.",
            ) &&
                output.includes(
                    "resource 'pair' has a problem: InvalidParameter.KeyType: The specified field KeyType invalid. Please check it again. keyType must be one of",
                ),
            output,
        );
        assert.ok(!output.includes("made-secret"), output);
        assert.ok(!output.includes("property "), output);
    });

    it("shows a control character in a name as an escape, never as a raw line break", () => {
        const output = failingPreview({ ERRORS_ARGS: JSON.stringify({ keyPairName: "abc\n" }) });
        assert.ok(
            output.includes(
                'resource \'pair\' has a problem: InvalidParameter.KeyPairName: The specified field KeyPairName invalid. Please check it again. keyPairName may contain only letters, digits, colons (:), underscores (_) and hyphens (-), not "\\n"; got "abc\\n".',
            ),
            output,
        );
        assert.ok(!output.includes("abc\n"), "a raw line break after the name");
    });

    it("prints a run-time error of the provider once, without a stack trace: KeyPair.get in the local backend", () => {
        const run = pulumi(["preview"], { ERRORS_GET: "ssh-abcdefghijklmnopqrstuvw" });
        assert.notStrictEqual(run.status, 0);
        const message =
            "Cannot look up key pair ssh-abcdefghijklmnopqrstuvw: the local backend keeps key pairs only in Pulumi state, so there is nothing outside it to read.";
        assert.ok(run.output.includes(`Error: ${message}`), run.output);
        assert.ok(!run.output.includes(`${message}: Error: ${message}`), `the message is printed doubled ("X: Error: X"): ${run.output}`);
        assert.doesNotMatch(run.output, stackFrame, "a stack trace is printed");
    });

    it("prints a configuration error of the ens backend once, without a stack trace", () => {
        const output = failingPreview({ ENS_KEYPAIR_BACKEND: "ens", ERRORS_ARGS: JSON.stringify({ keyPairName: "ens-key" }) });
        assert.match(output, /EnsError: MissingParameter: /, output);
        assert.doesNotMatch(output, /MissingParameter: .*: EnsError: MissingParameter/, "the message is printed doubled");
    });

    it("on corrupt state, prints a command that replaces the pair, and that command repairs the stack", () => {
        const up = pulumi(["up", "--yes"], { ERRORS_ARGS: JSON.stringify({ keyPairName: "corrupted", keyType: "ed25519" }) });
        assert.strictEqual(up.status, 0, up.output);
        const privateKey = pulumi(["stack", "output", "privateKey", "--show-secrets"]).output.trim();
        assert.ok(privateKey.length > 100, "the private key was read back");
        const exported = JSON.parse(pulumi(["stack", "export"]).output);
        const resource = exported.deployment.resources.find((r: { type: string }) => r.type.endsWith(":KeyPair"));
        resource.outputs.keyPairFingerPrint = "0".repeat(32);
        const bad = path.join(dir, "corrupt.json");
        fs.writeFileSync(bad, JSON.stringify(exported));
        assert.strictEqual(pulumi(["stack", "import", "--file", bad]).status, 0);
        fs.rmSync(bad);

        const refresh = pulumi(["refresh", "--yes"], { ERRORS_ARGS: JSON.stringify({ keyPairName: "corrupted", keyType: "ed25519" }) });
        assert.notStrictEqual(refresh.status, 0);
        assert.strictEqual(
            leakedPiece(refresh.output, privateKey, resource.outputs.publicKeyOpenssh),
            undefined,
            "the refresh prints the private key",
        );
        assert.doesNotMatch(refresh.output, stackFrame, "a stack trace is printed");
        const command = `pulumi up --replace "$(pulumi stack export | jq -r '.deployment.resources[] | select(.id == "${resource.id}") | .urn')"`;
        assert.ok(
            refresh.output.includes(
                `The state of key pair ${resource.id} (corrupted) is corrupt: keyPairFingerPrint does not match the private key. Restore the state, or replace the pair: ${command}`,
            ),
            refresh.output,
        );

        const replace = spawnSync("bash", ["-c", `${command} --stack test --yes --non-interactive`], {
            cwd: project,
            env: { ...env, ERRORS_ARGS: JSON.stringify({ keyPairName: "corrupted", keyType: "ed25519" }) },
            encoding: "utf8",
            timeout: 300_000,
        });
        assert.strictEqual(replace.status, 0, replace.stderr);
        assert.match(replace.stdout, /1 replaced/);
        const again = pulumi(["refresh", "--yes"], { ERRORS_ARGS: JSON.stringify({ keyPairName: "corrupted", keyType: "ed25519" }) });
        assert.strictEqual(again.status, 0, again.output);
        assert.strictEqual(pulumi(["destroy", "--yes"]).status, 0);
    });
});
