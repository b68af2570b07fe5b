// ENS's rules as docs/ens-api.md states them, held against both sides that implement them on their
// own: the provider's validators and the ENS-compatible server (over HTTP). The examples are read
// from the document itself, so a rule written wrongly on either side, or a document that no
// longer says what the code does, fails here; OpenSSH's ssh-keygen is the third opinion on keys
// and fingerprints.
import * as assert from "assert";
import { generateKeyPairSync } from "crypto";
import { writeFileSync } from "fs";
import { join } from "path";
import { ensErrorStatus, ensErrorStatuses } from "../provider/ens/api";
import { EnsClient } from "../provider/ens/client";
import { EnsError } from "../provider/ens/errors";
import { newKeyPairId, newRequestId } from "../provider/ens/ids";
import { ensTimestamp } from "../provider/ens/timestamps";
import { validateKeyPairName } from "../provider/ens/names";
import { fingerprints } from "../provider/keys/fingerprints";
import { keyMaterialOf } from "../provider/keys/material";
import * as provider from "../provider/dynamic/implementation";
import { defaultAccessKey, EnsServer, startEnsServer } from "../ens-server/server";
import { assertStampedBetween } from "./helpers/clock";
import { documentedStatuses, section, tableRows } from "./helpers/ensApiDoc";
import { requestIdShape } from "./helpers/ensErrors";
import { sshKeygenPublicKey } from "./helpers/keys";
import { configRequest, configWith } from "./helpers/provider";
import { run } from "./helpers/run";
import { withTempDir } from "./helpers/tempDir";
import { assertArmour } from "./helpers/pem";

/** A cell's value: `text`, `text` × n (n copies), or (empty). */
function cellValue(cell: string): string {
    if (cell === "(empty)") {
        return "";
    }
    const repeated = /^`([^`]+)` × (\d+)$/.exec(cell);
    if (repeated) {
        return repeated[1].repeat(Number(repeated[2]));
    }
    const literal = /^`([^`]+)`$/.exec(cell);
    assert.ok(literal, `a cell of the examples is \`text\`, \`text\` × n or (empty): ${cell}`);
    return literal[1];
}

/** What a call did, in the document's terms: "valid", or the code of the EnsError it failed with. */
async function verdictOf(attempt: () => unknown): Promise<string> {
    try {
        await attempt();
        return "valid";
    } catch (err) {
        assert.ok(err instanceof EnsError, `an EnsError, not ${String(err)}`);
        return err.code;
    }
}

/** The public keys the PublicKeyBody table describes, made with OpenSSH where it can make them. */
const publicKeyBodies: Record<string, () => Promise<string>> = {
    "an RSA key of 2048 bits": () => sshKeygenPublicKey(["-t", "rsa", "-b", "2048"], ""),
    "an RSA key of 4096 bits, with a comment": () => sshKeygenPublicKey(["-t", "rsa", "-b", "4096"], "deploy@ci"),
    "an RSA key of 1024 bits": () => sshKeygenPublicKey(["-t", "rsa", "-b", "1024"]),
    "an Ed25519 key": () => sshKeygenPublicKey(["-t", "ed25519"]),
    "an ECDSA P-256 key": () => sshKeygenPublicKey(["-t", "ecdsa", "-b", "256"]),
    "an RSA key whose base64 is cut short": async () => (await sshKeygenPublicKey(["-t", "rsa", "-b", "2048"], "")).slice(0, -40),
    "`ssh-rsa` followed by text that is not base64": async () => "ssh-rsa not-base64!",
    "an RSA private key in PEM": async () =>
        generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string,
    "(empty)": async () => "",
};

describe("ENS's documented rules, on both sides (docs/ens-api.md)", function () {
    let server: EnsServer;
    let client: EnsClient;
    let seq = 0;
    const unique = () => `rules-${++seq}`;

    before(async () => {
        server = await startEnsServer();
        client = new EnsClient({
            endpoint: server.url,
            accessKeyId: defaultAccessKey.id,
            accessKeySecret: defaultAccessKey.secret,
            retry: { maxAttempts: 1 },
        });
    });

    after(async () => {
        await provider.configure(configRequest("local"));
        await server?.close();
    });

    it("KeyPairName: every example gets the documented verdict from the provider's validator and from the server", async () => {
        const rows = tableRows(section("KeyPairName"), "name");
        assert.ok(rows.length >= 10, "the document gives examples");
        const publicKey = await sshKeygenPublicKey(["-t", "rsa", "-b", "2048"], "");
        for (const [cell, verdict, why] of rows) {
            const name = cellValue(cell);
            const label = `${cell} (${why})`;
            assert.strictEqual(await verdictOf(() => validateKeyPairName(name, "KeyPairName")), verdict, `provider, ${label}`);
            assert.strictEqual(await verdictOf(() => client.createKeyPair(name)), verdict, `server's CreateKeyPair, ${label}`);
            if (verdict === "valid") {
                await client.deleteKeyPairs({ keyPairName: name });
            }
            assert.strictEqual(await verdictOf(() => client.importKeyPair(name, publicKey)), verdict, `server's ImportKeyPair, ${label}`);
            if (verdict === "valid") {
                await client.deleteKeyPairs({ keyPairName: name });
            }
        }
    });

    it("KeyPairName: names are unique and compared exactly", async () => {
        await client.createKeyPair("CaseMatters");
        assert.strictEqual(await verdictOf(() => client.createKeyPair("CaseMatters")), "PubKeyNameExisted");
        assert.strictEqual(await verdictOf(() => client.createKeyPair("casematters")), "valid");
    });

    it("PublicKeyBody: every example gets the documented verdict from the provider's check in ens mode and from the server", async () => {
        const rows = tableRows(section("PublicKeyBody"), "PublicKeyBody");
        await provider.configure(
            configWith({
                backend: "ens",
                endpoint: server.url,
                accessKeyId: defaultAccessKey.id,
                accessKeySecret: defaultAccessKey.secret,
            }),
        );
        const bodies = await Promise.all(
            rows.map(([description]) => {
                const make = publicKeyBodies[description];
                assert.ok(make, `the test knows how to make "${description}"`);
                return make();
            }),
        );
        for (const [i, [description, verdict]] of rows.entries()) {
            const body = bodies[i];
            assert.strictEqual(await verdictOf(() => client.importKeyPair(unique(), body)), verdict, `server, ${description}`);
            if (body === "") {
                // An empty publicKey is no ENS parameter: the provider imports only a key it was given.
                continue;
            }
            const { failures } = await provider.check({}, { keyPairName: unique(), publicKey: body });
            const refusal = failures?.[0]?.reason;
            assert.strictEqual(refusal === undefined ? "valid" : refusal.split(":")[0], verdict, `provider, ${description}: ${refusal}`);
        }
    });

    it("KeyPairFingerPrint: the document's example is what the provider, the server and ssh-keygen compute", async () => {
        const text = section("KeyPairFingerPrint");
        const line = /```text\n(ssh-rsa \S+)\n```/.exec(text)?.[1];
        const expected = /has the fingerprint `([0-9a-f]{32})` \(`MD5:([0-9a-f:]+)`\)/.exec(text);
        assert.ok(line && expected, "the section gives a key and its fingerprint");
        assert.strictEqual(expected[2].replace(/:/g, ""), expected[1], "both spellings are one digest");
        assert.strictEqual(fingerprints(line).keyPairFingerPrint, expected[1], "provider");
        assert.strictEqual((await client.importKeyPair(unique(), line)).keyPairFingerPrint, expected[1], "server");
        const printed = await withTempDir((dir) => {
            writeFileSync(join(dir, "key.pub"), `${line}\n`);
            return run("ssh-keygen", ["-l", "-E", "md5", "-f", join(dir, "key.pub")]).stdout;
        });
        assert.match(printed, new RegExp(`^2048 MD5:${expected[2]} `), "ssh-keygen");
    });

    it("PrivateKeyBody: the server's CreateKeyPair makes a 2048-bit PKCS#8 key whose fingerprint, by ssh-keygen and by the provider, is the one answered", async () => {
        const created = await client.createKeyPair(unique());
        assertArmour(created.privateKeyBody, "PRIVATE KEY");
        assert.ok(created.privateKeyBody.trimEnd().endsWith("\n-----END PRIVATE KEY-----"), "ends with its armour");
        assert.strictEqual(keyMaterialOf(created.privateKeyBody).keyPairFingerPrint, created.keyPairFingerPrint, "provider");
        const printed = await withTempDir((dir) => {
            const file = join(dir, "key");
            writeFileSync(file, created.privateKeyBody, { mode: 0o600 });
            writeFileSync(`${file}.pub`, run("ssh-keygen", ["-y", "-f", file]).stdout);
            return run("ssh-keygen", ["-l", "-E", "md5", "-f", `${file}.pub`]).stdout;
        });
        assert.match(printed, new RegExp(`^2048 MD5:${created.keyPairFingerPrint.replace(/(..)(?!$)/g, "$1:")} `), "ssh-keygen");
    });

    it("Errors: the contract both sides share gives each code the document's HTTP status, and lists no other code", () => {
        const sorted = (entries: Iterable<[string, number]>) => Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b)));
        const contract: [string, number][] = [
            ...Object.entries(ensErrorStatuses),
            ["InvalidParameter.<Field>", ensErrorStatus("InvalidParameter.KeyPairName")],
        ];
        assert.deepStrictEqual(sorted(contract), sorted(documentedStatuses));
    });

    it("identifiers and timestamps: the server's answers and the provider's own (local backend) have the documented shapes", async () => {
        const idShape = /^ssh-[a-z0-9]{23}$/;
        const timeShape = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
        const name = unique();
        const before = Date.now();
        const created = await client.createKeyPair(name);
        const after = Date.now();
        const [listed] = (await client.describeKeyPairs({ keyPairName: name })).keyPairs;
        assert.match(created.keyPairId, idShape, "server KeyPairId");
        assert.match(created.requestId, requestIdShape, "server RequestId");
        assert.match(listed.creationTime, timeShape, "server CreationTime");
        assertStampedBetween(listed.creationTime, before, after, "server CreationTime is now, in UTC");
        assert.match(newKeyPairId(), idShape, "provider KeyPairId");
        assert.match(newRequestId(), requestIdShape, "provider RequestId");
        assert.strictEqual(ensTimestamp(new Date(Date.UTC(2026, 10, 29, 8, 0, 0, 123))), "2026-11-29T08:00:00Z", "provider timestamp");
    });
});
