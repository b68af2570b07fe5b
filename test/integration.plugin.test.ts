/**
 * The bundled plugin (`npm run build:plugin`) as the engine drives it: launched as an executable,
 * its port read from stdout, each call of the provider protocol sent over gRPC with secrets
 * wrapped as the engine wraps them, against an ENS-compatible server. Configuration checks, the
 * configuration each process keeps, secrets in and out, and the property-less read of an import.
 */
import * as assert from "assert";
import { createHash } from "crypto";
import * as grpc from "@grpc/grpc-js";
import { spawn } from "child_process";
import { PluginAttach } from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as rpc from "@pulumi/pulumi/proto/provider_pb";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { EnsServer, startEnsServer } from "../ens-server/server";
import { unwrap } from "../provider/plugin/properties";
import { doors, pluginServerBundle } from "../provider/doors";
import { buildPlugin, pluginDir, pluginVersion } from "../scripts/build-plugin";
import { schemaPath } from "../scripts/schema";
import { leakedPiece } from "./helpers/leaks";
import { assertArmour } from "./helpers/pem";
import { Queue } from "./helpers/queue";
import { call, configure, launch, Plugin, props, stop } from "./helpers/plugin";

const accessKeyId = "plugin-test-key-id";
const accessKeySecret = "plugin-test-key-secret-0b8e7f";
const urn = `urn:pulumi:test::plugin::${doors.package.resourceType}::pair`;
const passphrase = "plugin-test-passphrase";

async function checkConfig(plugin: Plugin, news: Struct): Promise<rpc.CheckResponse> {
    return call(
        plugin.client,
        "checkConfig",
        new rpc.CheckRequest().setUrn("urn:pulumi:test::plugin::pulumi:providers:ens-keypair::p").setNews(news),
    );
}

describe("the plugin over the provider protocol", function () {
    let server: EnsServer;
    const plugins: Plugin[] = [];

    before(async () => {
        await buildPlugin();
        server = await startEnsServer({ accessKeys: { [accessKeyId]: accessKeySecret } });
    });

    after(async () => {
        await Promise.all(plugins.map(stop));
        await server?.close();
    });

    async function started(engineAddress?: string, dir?: string): Promise<Plugin> {
        const plugin = await launch(engineAddress, dir);
        plugins.push(plugin);
        return plugin;
    }

    const ensConfig = () =>
        props({ backend: "ens", endpoint: server.url, accessKeyId, accessKeySecret }, ["accessKeyId", "accessKeySecret"]);

    it("serves its version and the committed schema", async () => {
        const plugin = await started();
        const info = await call<Empty, { getVersion(): string }>(plugin.client, "getPluginInfo", new Empty());
        assert.strictEqual(info.getVersion(), pluginVersion);
        const schema = await call<rpc.GetSchemaRequest, rpc.GetSchemaResponse>(plugin.client, "getSchema", new rpc.GetSchemaRequest());
        assert.deepStrictEqual(JSON.parse(schema.getSchema()), JSON.parse(fs.readFileSync(schemaPath, "utf8")));
    });

    it("checks its configuration: unknown keys and bad values fail naming no property, and credentials stay secret", async () => {
        const plugin = await started();
        const bad = await checkConfig(plugin, props({ backend: "cloud", accessKeySecert: "typo-holding-a-secret", version: "0.1.0" }));
        const failures = bad.getFailuresList().map((f) => [f.getProperty(), f.getReason()]);
        assert.strictEqual(failures.length, 2, JSON.stringify(failures));
        assert.deepStrictEqual(
            failures.map(([property]) => property),
            ["", ""],
        );
        assert.match(
            failures[0][1],
            /ens-keypair:accessKeySecert is not a configuration key of ens-keypair; the keys are backend, endpoint/,
        );
        assert.ok(!failures[0][1].includes("typo-holding-a-secret"));
        assert.match(failures[1][1], /ens-keypair:backend must be "local" or "ens"; got "cloud"/);

        // Credentials given as plain text come back secret, so the provider's state encrypts them.
        const good = await checkConfig(plugin, props({ backend: "ens", endpoint: server.url, accessKeyId, accessKeySecret }));
        assert.deepStrictEqual(good.getFailuresList(), []);
        assert.deepStrictEqual([...unwrap(good.getInputs()).secret].sort(), ["accessKeyId", "accessKeySecret"]);
    });

    it("a new endpoint updates the provider without replacing it (each pair's own diff decides)", async () => {
        const plugin = await started();
        const diff = await call<rpc.DiffRequest, rpc.DiffResponse>(
            plugin.client,
            "diffConfig",
            new rpc.DiffRequest()
                .setOldInputs(props({ endpoint: "http://127.0.0.1:1" }))
                .setNews(props({ endpoint: "http://127.0.0.1:2" })),
        );
        assert.strictEqual(diff.getChanges(), rpc.DiffResponse.DiffChanges.DIFF_SOME);
        assert.deepStrictEqual(diff.getDiffsList(), ["endpoint"]);
        assert.deepStrictEqual(diff.getReplacesList(), []);
    });

    it("configured with secret credentials, creates in its server, returns the private keys and the passphrase as secrets", async () => {
        const plugin = await started();
        const configured = await configure(plugin, ensConfig());
        assert.strictEqual(configured.getAcceptsecrets(), true);

        const news = props({ keyPairName: "plugin-made", privateKeyPassphrase: passphrase }, ["privateKeyPassphrase"]);
        const checked = await call<rpc.CheckRequest, rpc.CheckResponse>(
            plugin.client,
            "check",
            new rpc.CheckRequest().setUrn(urn).setNews(news),
        );
        assert.deepStrictEqual(checked.getFailuresList(), []);
        const inputs = unwrap(checked.getInputs());
        assert.deepStrictEqual(inputs.values, {
            keyPairName: "plugin-made",
            keyType: "rsa",
            rsaBits: 2048,
            privateKeyPassphrase: passphrase,
        });
        assert.ok(inputs.secret.has("privateKeyPassphrase"), "the passphrase is secret in the checked inputs");

        const created = await call<rpc.CreateRequest, rpc.CreateResponse>(
            plugin.client,
            "create",
            new rpc.CreateRequest().setUrn(urn).setProperties(checked.getInputs()),
        );
        const outputs = unwrap(created.getProperties());
        assert.deepStrictEqual([...outputs.secret].sort(), ["privateKeyBody", "privateKeyOpenssh", "privateKeyPassphrase"]);
        assert.deepStrictEqual(
            server.listKeyPairs().map((p) => [p.keyPairId, p.keyPairName]),
            [[created.getId(), "plugin-made"]],
        );

        // A check failure on the passphrase names no property, which the engine would print.
        const failed = await call<rpc.CheckRequest, rpc.CheckResponse>(
            plugin.client,
            "check",
            new rpc.CheckRequest()
                .setUrn(urn)
                .setNews(props({ keyPairName: "plugin-made", privateKeyPassphrase: "", publicKey: "x" }, ["privateKeyPassphrase"])),
        );
        assert.ok(failed.getFailuresList().length > 0);
        for (const failure of failed.getFailuresList()) {
            assert.ok(!["privateKeyPassphrase", "publicKey"].includes(failure.getProperty()), failure.getProperty());
        }

        await call(
            plugin.client,
            "delete",
            new rpc.DeleteRequest().setUrn(urn).setId(created.getId()).setProperties(created.getProperties()),
        );
        assert.deepStrictEqual(server.listKeyPairs(), []);
        const printed = plugin.stderr();
        assert.ok(!printed.includes(accessKeySecret) && !printed.includes(passphrase), "a secret reached the plugin's stderr");
        assert.strictEqual(leakedPiece(printed, String(outputs.values.privateKeyOpenssh)), undefined);
    });

    it("names no input that arrived secret on a failure and quotes none, and shows [secret] for it in an error", async () => {
        const plugin = await started();
        await configure(plugin, ensConfig());
        const bad = { keyPairName: "1-made-secret-name", keyType: "made-secret-type" };
        const check = (secret: string[]) =>
            call<rpc.CheckRequest, rpc.CheckResponse>(
                plugin.client,
                "check",
                new rpc.CheckRequest().setUrn(urn).setNews(props(bad, secret)),
            );
        const plain = (await check([])).getFailuresList();
        assert.deepStrictEqual(plain.map((f) => f.getProperty()).sort(), ["keyPairName", "keyType"]);
        const secret = (await check(["keyPairName", "keyType"])).getFailuresList();
        assert.deepStrictEqual(
            secret.map((f) => f.getProperty()),
            ["", ""],
        );
        for (const reason of secret.map((f) => f.getReason())) {
            assert.ok(!reason.includes("made-secret") && !reason.includes("got "), reason);
        }

        const { EnsClient } = await import("../provider/ens/client");
        const client = new EnsClient({ endpoint: server.url, accessKeyId, accessKeySecret });
        const foreign = await client.createKeyPair("made-secret-taken");
        const inputs = props({ keyPairName: "made-secret-taken", keyType: "rsa", rsaBits: 2048 }, ["keyPairName"]);
        await assert.rejects(call(plugin.client, "create", new rpc.CreateRequest().setUrn(urn).setProperties(inputs)), (err: Error) => {
            assert.ok(err.message.includes("PubKeyNameExisted") && err.message.includes("[secret]"), err.message);
            assert.ok(!err.message.includes("made-secret-taken"), err.message);
            return true;
        });
        await client.deleteKeyPairs({ keyPairId: foreign.keyPairId });
        assert.ok(!plugin.stderr().includes("made-secret"), plugin.stderr());
    });

    it("refuses a create sent without a check that asks for a key the provider does not make: no 512-bit or million-bit RSA key", async () => {
        const plugin = await started();
        await configure(plugin, props({}));
        for (const rsaBits of [512, 1e6]) {
            const inputs = props({ keyPairName: "unchecked", keyType: "rsa", rsaBits });
            await assert.rejects(
                call(plugin.client, "create", new rpc.CreateRequest().setUrn(urn).setProperties(inputs)),
                /InvalidParameter\.RsaBits: .*rsaBits must be one of 2048, 3072, 4096/,
            );
        }
        assert.ok(await call(plugin.client, "getPluginInfo", new Empty()), "the plugin still serves");
    });

    it("diffs and updates as the dynamic provider does: a new key type replaces, deleting first; a new passphrase updates, still secret", async () => {
        const plugin = await started();
        await configure(plugin, props({}));
        const checked = await call<rpc.CheckRequest, rpc.CheckResponse>(
            plugin.client,
            "check",
            new rpc.CheckRequest().setUrn(urn).setNews(props({ keyPairName: "plugin-local", keyType: "ed25519" })),
        );
        const created = await call<rpc.CreateRequest, rpc.CreateResponse>(
            plugin.client,
            "create",
            new rpc.CreateRequest().setUrn(urn).setProperties(checked.getInputs()),
        );
        const diff = (news: Record<string, unknown>) =>
            call<rpc.DiffRequest, rpc.DiffResponse>(
                plugin.client,
                "diff",
                new rpc.DiffRequest()
                    .setUrn(urn)
                    .setId(created.getId())
                    .setOlds(created.getProperties())
                    .setNews(props(news, ["privateKeyPassphrase"])),
            );
        const same = await diff({ keyPairName: "plugin-local", keyType: "ed25519" });
        assert.strictEqual(same.getChanges(), rpc.DiffResponse.DiffChanges.DIFF_NONE);
        const retyped = await diff({ keyPairName: "plugin-local", keyType: "ecdsa", ecdsaCurve: "P256" });
        assert.strictEqual(retyped.getChanges(), rpc.DiffResponse.DiffChanges.DIFF_SOME);
        assert.deepStrictEqual(retyped.getReplacesList(), ["keyType", "ecdsaCurve"]);
        assert.strictEqual(retyped.getDeletebeforereplace(), true, "the name stays, so the old pair goes first");

        const news = { keyPairName: "plugin-local", keyType: "ed25519", privateKeyPassphrase: passphrase };
        const repassed = await diff(news);
        assert.strictEqual(repassed.getChanges(), rpc.DiffResponse.DiffChanges.DIFF_SOME);
        assert.deepStrictEqual(repassed.getReplacesList(), []);
        const updated = await call<rpc.UpdateRequest, rpc.UpdateResponse>(
            plugin.client,
            "update",
            new rpc.UpdateRequest()
                .setUrn(urn)
                .setId(created.getId())
                .setOlds(created.getProperties())
                .setNews(props(news, ["privateKeyPassphrase"])),
        );
        const outputs = unwrap(updated.getProperties());
        assert.deepStrictEqual([...outputs.secret].sort(), ["privateKeyBody", "privateKeyOpenssh", "privateKeyPassphrase"]);
        assert.strictEqual(outputs.values.keyPairId, created.getId());
        assertArmour(outputs.values.privateKeyOpenssh, "OPENSSH PRIVATE KEY");
        assert.notStrictEqual(outputs.values.privateKeyOpenssh, unwrap(created.getProperties()).values.privateKeyOpenssh, "re-encrypted");
    });

    it("seals the private key to age recipients: with sealedOnly, privateKeySealed alone holds it, and it opens to the key", async () => {
        const plugin = await started();
        await configure(plugin, props({}));
        const age = await import("age-encryption");
        const identity = await age.generateIdentity();
        const news = props({
            keyPairName: "plugin-sealed",
            keyType: "ed25519",
            privateKeyRecipients: [await age.identityToRecipient(identity)],
            sealedOnly: true,
        });
        const checked = await call<rpc.CheckRequest, rpc.CheckResponse>(
            plugin.client,
            "check",
            new rpc.CheckRequest().setUrn(urn).setNews(news),
        );
        assert.deepStrictEqual(checked.getFailuresList(), []);
        const created = await call<rpc.CreateRequest, rpc.CreateResponse>(
            plugin.client,
            "create",
            new rpc.CreateRequest().setUrn(urn).setProperties(checked.getInputs()),
        );
        const outputs = unwrap(created.getProperties()).values;
        assert.strictEqual(outputs.privateKeyOpenssh, undefined);
        assert.strictEqual(outputs.privateKeyBody, undefined);
        const decrypter = new age.Decrypter();
        decrypter.addIdentity(identity);
        const opened = await decrypter.decrypt(age.armor.decode(String(outputs.privateKeySealed)), "text");
        assertArmour(opened, "OPENSSH PRIVATE KEY");
    });

    it("reads a pair for an import from its id alone: ENS's name and fingerprint, the inputs a program gives, no private key", async () => {
        const plugin = await started();
        await configure(plugin, ensConfig());
        const { EnsClient } = await import("../provider/ens/client");
        const made = await new EnsClient({ endpoint: server.url, accessKeyId, accessKeySecret }).createKeyPair("plugin-console");
        // What `pulumi import` sends: an id, and neither properties nor inputs.
        const read = await call<rpc.ReadRequest, rpc.ReadResponse>(
            plugin.client,
            "read",
            new rpc.ReadRequest().setUrn(urn).setId(made.keyPairId),
        );
        assert.strictEqual(read.getId(), made.keyPairId);
        const outputs = unwrap(read.getProperties()).values;
        assert.strictEqual(outputs.keyPairName, "plugin-console");
        assert.strictEqual(outputs.keyPairFingerPrint, made.keyPairFingerPrint);
        assert.strictEqual(outputs.privateKeyOpenssh, undefined);
        assert.deepStrictEqual(unwrap(read.getInputs()).values, { keyPairName: "plugin-console", keyType: "rsa", rsaBits: 2048 });
        await new EnsClient({ endpoint: server.url, accessKeyId, accessKeySecret }).deleteKeyPairs({ keyPairId: made.keyPairId });
    });

    it("in the local backend, refuses an import and says why", async () => {
        const plugin = await started();
        await configure(plugin, props({}));
        await assert.rejects(
            call(plugin.client, "read", new rpc.ReadRequest().setUrn(urn).setId("ssh-abcdefghijklmnopqrstuvw")),
            /the local backend keeps key pairs only in Pulumi state, so there is nothing outside it to read/,
        );
    });

    it("serves a KeyPair inside a component, whose URN's type follows its parent's, and refuses other types", async () => {
        const plugin = await started();
        const check = (resourceUrn: string) =>
            call<rpc.CheckRequest, rpc.CheckResponse>(
                plugin.client,
                "check",
                new rpc.CheckRequest().setUrn(resourceUrn).setNews(props({ keyPairName: "in-a-component" })),
            );
        const checked = await check(`urn:pulumi:test::plugin::my:index:Keys$${doors.package.resourceType}::pair`);
        assert.deepStrictEqual(checked.getFailuresList(), []);
        await assert.rejects(check("urn:pulumi:test::plugin::ens-keypair:index:Other::x"), (err: grpc.ServiceError) => {
            assert.strictEqual(err.code, grpc.status.UNKNOWN);
            assert.match(
                err.details,
                new RegExp(`has one resource type, ${doors.package.resourceType}; it was asked for "ens-keypair:index:Other"`),
            );
            return true;
        });
    });

    it("answers UNIMPLEMENTED for the methods of the protocol it lacks, as the engine expects of a provider", async () => {
        const plugin = await started();
        const requests: [string, unknown][] = [
            ["attach", new PluginAttach()],
            ["getMapping", new rpc.GetMappingRequest()],
            ["construct", new rpc.ConstructRequest()],
        ];
        for (const [method, request] of requests) {
            await assert.rejects(call(plugin.client, method, request), (err: grpc.ServiceError) => {
                assert.strictEqual(err.code, grpc.status.UNIMPLEMENTED, `${method}: ${err.message}`);
                return true;
            });
        }
    });

    it("carries messages far larger than HTTP/2's frames and flow-control window, several at once on one connection", async () => {
        const plugin = await started();
        // 3 MiB each way: 48 times the initial window of 64 KiB, under grpc-js's 4 MiB limit on a message.
        const large = (i: number) => `${i}`.repeat(3 << 20);
        const answers = await Promise.all(
            [1, 2, 3].map((i) => checkConfig(plugin, props({ backend: "local", [`padding${i}`]: large(i) }))),
        );
        answers.forEach((checked, at) => {
            const i = at + 1;
            // checkConfig gives the configuration back as its inputs, the unknown key with it.
            assert.strictEqual(unwrap(checked.getInputs()).values[`padding${i}`], large(i));
            assert.match(checked.getFailuresList()[0].getReason(), new RegExp(`padding${i} is not a configuration key`));
        });
    });

    it("answers the engine's Cancel, and serves on after the engine cancels a call in flight", async () => {
        const plugin = await started();
        await configure(plugin, ensConfig());
        const inputs = props({ keyPairName: "cancelled-in-flight", keyType: "rsa", rsaBits: 2048 });
        // The create reaches ENS, and its answer waits there until the client has cancelled the call.
        let cancelled!: () => void;
        const clientCancelled = new Promise<void>((resolve) => (cancelled = resolve));
        let pending!: grpc.ClientUnaryCall;
        const removeListener = server.onCommit((commit) => {
            if (commit.action === "ImportKeyPair" || commit.action === "CreateKeyPair") {
                pending.cancel();
                return clientCancelled;
            }
            return undefined;
        });
        try {
            const outcome = new Promise<grpc.ServiceError | null>((resolve) => {
                pending = plugin.client.create(new rpc.CreateRequest().setUrn(urn).setProperties(inputs), (err) => {
                    cancelled();
                    resolve(err);
                });
            });
            const err = await outcome;
            assert.strictEqual(err?.code, grpc.status.CANCELLED, err?.message);
        } finally {
            removeListener();
        }
        // The plugin answers its next calls on the same connection, and is still running.
        await call(plugin.client, "cancel", new Empty());
        const info = await call<Empty, { getVersion(): string }>(plugin.client, "getPluginInfo", new Empty());
        assert.strictEqual(info.getVersion(), pluginVersion);
        assert.strictEqual(plugin.process.exitCode, null, plugin.stderr());
    });

    it("ends once the engine that started it is gone", async () => {
        // A stand-in for the engine's gRPC server, counting the plugin's checks that it is still there.
        const checks = new Queue<void>();
        const engine = net.createServer((socket) => {
            socket.destroy();
            checks.push();
        });
        await new Promise<void>((resolve) => engine.listen(0, "127.0.0.1", resolve));
        const plugin = await started(`127.0.0.1:${(engine.address() as net.AddressInfo).port}`);
        const exited = new Promise<number | null>((resolve) => plugin.process.once("exit", resolve));
        // Two checks, an interval apart, found the engine there: the plugin still serves.
        await checks.next();
        await checks.next();
        await call(plugin.client, "getPluginInfo", new Empty());
        assert.strictEqual(plugin.process.exitCode, null, "the plugin serves while its engine is there");
        await new Promise((resolve) => engine.close(resolve));
        await exited;
    });

    it("keeps V8's code cache of its bundle beside it, and serves with a cache V8 rejects or of another bundle", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-cache-"));
        try {
            fs.cpSync(pluginDir, dir, { recursive: true });
            const cacheFile = path.join(dir, `${pluginServerBundle}.cache`);
            fs.rmSync(cacheFile, { force: true });
            const stat = fs.statSync(path.join(dir, pluginServerBundle));
            const identity = `${stat.size} ${stat.mtimeMs}`;
            /** Runs a plugin from the folder to its first resource call; resolves with the cache it then writes. */
            const cacheWritten = async () => {
                const watcher = fs.watch(dir);
                try {
                    const renamed = new Promise<void>((resolve) =>
                        watcher.on("change", (_event, name) => String(name) === path.basename(cacheFile) && resolve()),
                    );
                    const plugin = await started(undefined, dir);
                    const checked = await call<rpc.CheckRequest, rpc.CheckResponse>(
                        plugin.client,
                        "check",
                        new rpc.CheckRequest().setUrn(urn).setNews(props({ keyPairName: "cached", keyType: "ed25519" })),
                    );
                    assert.deepStrictEqual(checked.getFailuresList(), []);
                    await renamed;
                    return fs.readFileSync(cacheFile);
                } finally {
                    watcher.close();
                }
            };
            // No cache: the first process writes one, headed by the bundle's size and time of change and a digest.
            const cache = await cacheWritten();
            const header = cache.subarray(0, cache.indexOf("\n") + 1);
            assert.ok(header.toString().startsWith(`${identity} `), header.toString());
            assert.match(header.toString(), /^\d+ [\d.]+ [0-9a-f]{64}\n$/);
            const data = cache.subarray(header.length);
            assert.ok(data.length > 1000, `a cache of ${data.length} bytes`);
            // Damaged (which would crash V8), of another bundle, or made by another V8 (its version's hash, bytes 4 to 8
            // of V8's header, changed, which V8 rejects): the plugin serves without it, and writes its own.
            const withDigest = (id: string, bytes: Buffer) =>
                Buffer.concat([Buffer.from(`${id} ${createHash("sha256").update(bytes).digest("hex")}\n`), bytes]);
            const flipped = (bytes: Buffer, hit: (i: number) => boolean) => Buffer.from(bytes.map((x, i) => (hit(i) ? x ^ 0x5a : x)));
            const damaged = Buffer.concat([header, flipped(data, (i) => i % 997 === 100)]);
            const otherBundle = withDigest("1 2", data);
            const otherV8 = withDigest(
                identity,
                flipped(data, (i) => i === 4),
            );
            for (const bad of [damaged, otherBundle, otherV8]) {
                fs.writeFileSync(cacheFile, bad);
                const rewritten = await cacheWritten();
                assert.ok(rewritten.toString("latin1", 0, identity.length + 1) === `${identity} `);
                assert.notDeepStrictEqual(rewritten, bad);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("run with orphans instead of an engine address, is the orphans command, which names the package's way to run it", async () => {
        // What \`pulumi plugin run --kind resource ens-keypair -- orphans …\` starts; e2e.orphans.test.ts runs it so.
        const command = (...args: string[]) =>
            new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
                // A session of its own, with no terminal, as in a script.
                const child = spawn(path.join(pluginDir, "pulumi-resource-ens-keypair"), ["orphans", ...args], {
                    stdio: ["ignore", "pipe", "pipe"],
                    detached: true,
                });
                let [stdout, stderr] = ["", ""];
                child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
                child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
                child.on("error", reject);
                child.on("close", (status) => resolve({ status, stdout, stderr }));
            });
        const help = await command("--help");
        assert.strictEqual(help.status, 0, help.stderr);
        assert.ok(help.stdout.startsWith(`Usage: ${doors.package.command} orphans`), help.stdout);
        const bare = await command();
        assert.strictEqual(bare.status, 2);
        assert.match(bare.stderr, /give --stack NAME/);
        // In a script, nobody can confirm a deletion.
        const unconfirmed = await command("--stack", "dev", "--delete");
        assert.strictEqual(unconfirmed.status, 2);
        assert.match(unconfirmed.stderr, /add --yes/);
    });
});
