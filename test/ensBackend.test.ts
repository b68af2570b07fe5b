// The provider in ens mode, driven through provider.ts as the engine drives it, against the
// ENS-compatible server over HTTP: creates and imports, taken names, lost answers, refresh after
// an out-of-band delete, adoption, deletes, credentials, and a fault run.
import * as assert from "assert";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as pulumi from "@pulumi/pulumi";
import { ensBackend } from "../src/backends/ens";
import { KeyPairFilter } from "../src/ensApi";
import { EnsClient, EnsTransportError, KeyPairListing } from "../src/ensClient";
import { fingerprints } from "../src/fingerprints";
import { generateKeyMaterial } from "../src/keyMaterial";
import { keyPairProvider } from "../src/providerStub";
import { KeyPairInputs } from "../src/inputs";
import { KeyPairOutputs, verifyOutputs } from "../src/outputs";
import * as provider from "../src/provider";
import { defaultAccessKey, EnsServer, startEnsServer } from "../ens-server/server";
import { rejectsWithEnsError } from "./helpers/ensErrors";
import { checkAndCreate, configRequest, configWith } from "./helpers/provider";
import { assertArmour, assertNoKey } from "./helpers/pem";

const secret = defaultAccessKey.secret;

/** The environment variables these tests control; everything Alibaba Cloud's credential chain reads. */
const controlledEnv = [
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALIBABA_CLOUD_PROFILE",
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
    "ALIBABA_CLOUD_ECS_METADATA",
    "ALIBABA_CLOUD_ECS_METADATA_DISABLED",
    "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
    "ALIBABA_CLOUD_CREDENTIALS_URI",
    "ENS_KEYPAIR_BACKEND",
    "ENS_KEYPAIR_ENDPOINT",
    "HOME",
];

describe("the provider in ens mode, against the ENS-compatible server", function () {
    this.timeout(60_000);
    let server: EnsServer;
    let client: EnsClient;
    let home: string;
    const savedEnv: Record<string, string | undefined> = {};
    let seq = 0;
    const name = (label: string) => `ens-${label}-${++seq}`;

    const configured = () =>
        configWith({ backend: "ens", endpoint: server.url, accessKeyId: defaultAccessKey.id, accessKeySecret: secret });
    const create = (news: Record<string, unknown>) => checkAndCreate(provider, news);
    const pairsNamed = (n: string) => server.listKeyPairs().filter((p) => p.keyPairName === n);
    const calls = (action: string) => server.stats().calls[action] ?? 0;

    before(async () => {
        for (const key of controlledEnv) {
            savedEnv[key] = process.env[key];
            delete process.env[key];
        }
        // No credentials anywhere unless a test puts them there, and no probing of ECS's metadata service.
        home = mkdtempSync(join(tmpdir(), "ens-keypair-home-"));
        process.env.HOME = home;
        process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true";
        server = await startEnsServer();
        client = new EnsClient({ endpoint: server.url, accessKeyId: defaultAccessKey.id, accessKeySecret: secret });
    });

    after(async () => {
        await provider.configure(configRequest("local"));
        await server?.close();
        for (const key of controlledEnv) {
            if (savedEnv[key] === undefined) {
                delete process.env[key];
            } else {
                process.env[key] = savedEnv[key];
            }
        }
        rmSync(home, { recursive: true, force: true });
    });

    beforeEach(async () => {
        server.setFaults({});
        await provider.configure(configured());
    });

    describe("check", () => {
        it("accepts RSA keys of every size, generated or imported", async () => {
            const imported = (await generateKeyMaterial({ keyType: "rsa" })).publicKeyOpenssh;
            for (const news of [{}, { rsaBits: 3072 }, { rsaBits: 4096 }, { publicKey: imported }]) {
                const { failures } = await provider.check({}, { keyPairName: name("check"), ...news });
                assert.deepStrictEqual(failures, [], JSON.stringify(news));
            }
        });

        it("refuses Ed25519 and ECDSA keys, naming the field and the rule", async () => {
            for (const keyType of ["ed25519", "ecdsa"]) {
                const { failures } = await provider.check({}, { keyPairName: name("check"), keyType });
                assert.strictEqual(failures?.length, 1);
                assert.strictEqual(failures[0].property, "keyType");
                assert.match(failures[0].reason, /^InvalidParameter\.KeyType: .*ENS holds only RSA key pairs/);
            }
            const ed25519 = (await generateKeyMaterial({ keyType: "ed25519" })).publicKeyOpenssh;
            const { failures } = await provider.check({}, { keyPairName: name("check"), publicKey: ed25519 });
            assert.strictEqual(failures?.[0].property, "publicKey");
            assert.match(failures[0].reason, /^InvalidParameter\.PublicKeyBody: .*accepts only ssh-rsa/);
        });

        it("fails at preview without credentials, naming what to set", async () => {
            await provider.configure(configWith({ backend: "ens", endpoint: server.url }));
            await rejectsWithEnsError(provider.check({}, { keyPairName: name("nocreds") }), {
                code: "MissingParameter",
                mentions: [
                    "ens-keypair:accessKeyId",
                    "ens-keypair:accessKeySecret",
                    "ALIBABA_CLOUD_ACCESS_KEY_ID",
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                    "~/.alibabacloud/credentials",
                ],
            });
        });

        it("names the missing half of an access key given in config, without quoting the other", async () => {
            await provider.configure(configWith({ backend: "ens", endpoint: server.url, accessKeyId: "only-the-id" }));
            await assert.rejects(provider.check({}, { keyPairName: name("half") }), (err: Error) => {
                assert.match(err.message, /ens-keypair:accessKeySecret is not set/);
                assert.ok(!err.message.includes("only-the-id"));
                return true;
            });
        });

        it("refuses a malformed endpoint at preview", async () => {
            await provider.configure(
                configWith({ backend: "ens", endpoint: "http://127.0.0.1:1/some/path", accessKeyId: "a", accessKeySecret: "b" }),
            );
            await assert.rejects(provider.check({}, { keyPairName: name("endpoint") }), /InvalidParameter\.Endpoint/);
        });
    });

    describe("create", () => {
        it("makes a 2048-bit RSA pair with CreateKeyPair and derives every encoding from ENS's private key", async () => {
            const creates = calls("CreateKeyPair");
            const n = name("created");
            const { id, outs } = await create({ keyPairName: n });
            assert.strictEqual(calls("CreateKeyPair") - creates, 1);
            assert.strictEqual(outs.backend, "ens");
            assert.strictEqual(id, outs.keyPairId);
            assert.deepStrictEqual([outs.keyType, outs.rsaBits], ["rsa", 2048]);
            const [stored] = pairsNamed(n);
            assert.deepStrictEqual(
                [stored.keyPairId, stored.keyPairFingerPrint, stored.publicKey],
                [outs.keyPairId, outs.keyPairFingerPrint, outs.publicKeyOpenssh],
            );
            assertArmour(outs.privateKeyBody, "PRIVATE KEY");
            assertArmour(outs.privateKeyOpenssh, "OPENSSH PRIVATE KEY");
            verifyOutputs(outs);
            assert.ok(Math.abs(Date.parse(outs.creationTime) - Date.parse(stored.creationTime)) <= 1000);
            assert.match(outs.requestId, /^[0-9A-F-]{36}$/);
        });

        it("generates 3072 and 4096-bit keys locally and registers them with ImportKeyPair", async () => {
            for (const rsaBits of [3072, 4096]) {
                const [creates, imports] = [calls("CreateKeyPair"), calls("ImportKeyPair")];
                const n = name(`rsa${rsaBits}`);
                const { outs } = await create({ keyPairName: n, rsaBits });
                assert.deepStrictEqual([calls("CreateKeyPair") - creates, calls("ImportKeyPair") - imports], [0, 1]);
                assert.strictEqual(outs.rsaBits, rsaBits);
                assert.strictEqual(pairsNamed(n)[0].publicKey, outs.publicKeyOpenssh);
                assert.strictEqual(pairsNamed(n)[0].keyPairId, outs.keyPairId);
                assert.ok(outs.privateKeyBody && outs.privateKeyOpenssh);
                verifyOutputs(outs);
            }
        });

        it("imports a given ssh-rsa public key, with no private key outputs", async () => {
            const key = await generateKeyMaterial({ keyType: "rsa" });
            const n = name("imported");
            const { outs } = await create({ keyPairName: n, publicKey: `${key.publicKeyOpenssh} me@host` });
            assert.strictEqual(outs.publicKeyOpenssh, key.publicKeyOpenssh);
            assert.strictEqual(outs.keyPairFingerPrint, key.keyPairFingerPrint);
            assertNoKey(outs.privateKeyBody, "privateKeyBody");
            assertNoKey(outs.privateKeyOpenssh, "privateKeyOpenssh");
            assert.deepStrictEqual(
                pairsNamed(n).map((p) => p.keyPairId),
                [outs.keyPairId],
            );
        });

        it("fails with PubKeyNameExisted on a taken name and leaves that pair alone", async () => {
            const n = name("taken");
            const theirs = await client.createKeyPair(n);
            for (const news of [{ keyPairName: n }, { keyPairName: n, rsaBits: 4096 }]) {
                await rejectsWithEnsError(create(news), { code: "PubKeyNameExisted", omits: [secret] });
            }
            assert.deepStrictEqual(
                pairsNamed(n).map((p) => [p.keyPairId, p.keyPairFingerPrint]),
                [[theirs.keyPairId, theirs.keyPairFingerPrint]],
            );
        });

        it("recovers from a create committed then dropped: deletes the keyless pair and creates again", async () => {
            server.setFaults({ dropAfterCommit: 1, actions: ["CreateKeyPair"], maxFaults: 1 });
            const [creates, deletes, drops] = [calls("CreateKeyPair"), calls("DeleteKeyPairs"), server.stats().droppedAfterCommit];
            const n = name("dropped");
            const { outs } = await create({ keyPairName: n });
            assert.strictEqual(server.stats().droppedAfterCommit - drops, 1);
            assert.deepStrictEqual([calls("CreateKeyPair") - creates, calls("DeleteKeyPairs") - deletes], [2, 1]);
            const left = pairsNamed(n);
            assert.deepStrictEqual(
                left.map((p) => p.keyPairId),
                [outs.keyPairId],
                "only the pair whose private key we hold remains",
            );
            assert.strictEqual(left[0].keyPairFingerPrint, fingerprints(outs.publicKeyOpenssh).keyPairFingerPrint);
            verifyOutputs(outs);
        });

        it("keeps an import committed then dropped: it holds the key that was sent", async () => {
            server.setFaults({ dropAfterCommit: 1, actions: ["ImportKeyPair"], maxFaults: 1 });
            const [imports, deletes] = [calls("ImportKeyPair"), calls("DeleteKeyPairs")];
            const n = name("dropped-import");
            const { outs } = await create({ keyPairName: n, rsaBits: 3072 });
            assert.deepStrictEqual([calls("ImportKeyPair") - imports, calls("DeleteKeyPairs") - deletes], [1, 0]);
            assert.deepStrictEqual(
                pairsNamed(n).map((p) => p.keyPairId),
                [outs.keyPairId],
            );
            verifyOutputs(outs);
        });

        it("recovers from server errors on create, leaving exactly one pair", async () => {
            server.setFaults({ rate: 1, errors: ["InternalError", "ServiceUnavailable"], actions: ["CreateKeyPair"], maxFaults: 2 });
            const creates = calls("CreateKeyPair");
            const n = name("ise");
            const { outs } = await create({ keyPairName: n });
            assert.strictEqual(calls("CreateKeyPair") - creates, 3);
            assert.deepStrictEqual(
                pairsNamed(n).map((p) => p.keyPairId),
                [outs.keyPairId],
            );
        });
    });

    describe("lost answers that ENS completes late", () => {
        /**
         * A client whose first CreateKeyPair times out on its side while ENS completes it later:
         * just before the next CreateKeyPair, or just before the third lookup by name.
         */
        function lateCommitting(commitBefore: "create" | "lookup") {
            let pending: (() => Promise<unknown>) | undefined;
            let first = true;
            let lookups = 0;
            const commitPending = async () => {
                const commit = pending;
                pending = undefined;
                await commit?.();
            };
            class LateCommitting extends EnsClient {
                override async createKeyPair(keyPairName: string) {
                    if (first) {
                        first = false;
                        pending = () => super.createKeyPair(keyPairName);
                        throw new EnsTransportError("CreateKeyPair", "timeout", true);
                    }
                    if (commitBefore === "create") {
                        await commitPending();
                    }
                    return super.createKeyPair(keyPairName);
                }
                override async describeKeyPairs(filter?: KeyPairFilter) {
                    if (commitBefore === "lookup" && ++lookups === 3) {
                        await commitPending();
                    }
                    return super.describeKeyPairs(filter);
                }
            }
            return async () => new LateCommitting({ endpoint: server.url, accessKeyId: defaultAccessKey.id, accessKeySecret: secret });
        }

        async function checked(news: Record<string, unknown>): Promise<KeyPairInputs> {
            return (await provider.check({}, news)).inputs as KeyPairInputs;
        }

        for (const commitBefore of ["create", "lookup"] as const) {
            it(`deletes the keyless pair of a timed-out create that ENS commits late (found by ${commitBefore === "create" ? "PubKeyNameExisted" : "a lookup"})`, async () => {
                const n = name(`late-${commitBefore}`);
                const [creates, deletes] = [calls("CreateKeyPair"), calls("DeleteKeyPairs")];
                const backend = ensBackend(provider.currentConfig(), lateCommitting(commitBefore));
                const outs = await backend.create(await checked({ keyPairName: n }));
                assert.deepStrictEqual(
                    pairsNamed(n).map((p) => p.keyPairId),
                    [outs.keyPairId],
                    "only the pair whose private key we hold remains",
                );
                assert.strictEqual(calls("DeleteKeyPairs") - deletes, 1, "the late pair was deleted");
                assert.ok(calls("CreateKeyPair") - creates >= 2);
                verifyOutputs(outs);
            });
        }

        it("never deletes a pair older than the first lookup that found the name free", async () => {
            const n = name("older");
            const theirs = await client.createKeyPair(n);
            let lookups = 0;
            /** Hides the pair from the first lookup and answers as if it came 10 s later: as a lagging listing would. */
            class LaggingListing extends EnsClient {
                override async describeKeyPairs(filter?: KeyPairFilter): Promise<KeyPairListing> {
                    const listing = await super.describeKeyPairs(filter);
                    return ++lookups > 1
                        ? listing
                        : {
                              ...listing,
                              keyPairs: [],
                              totalCount: 0,
                              serverTime: new Date(Date.parse(listing.serverTime) + 10_000).toISOString(),
                          };
                }
                override async createKeyPair(): Promise<never> {
                    throw new EnsTransportError("CreateKeyPair", "ECONNRESET", true);
                }
            }
            const deletes = calls("DeleteKeyPairs");
            const backend = ensBackend(
                provider.currentConfig(),
                async () => new LaggingListing({ endpoint: server.url, accessKeyId: defaultAccessKey.id, accessKeySecret: secret }),
            );
            await rejectsWithEnsError(backend.create(await checked({ keyPairName: n })), { code: "PubKeyNameExisted" });
            assert.strictEqual(calls("DeleteKeyPairs"), deletes);
            assert.deepStrictEqual(
                pairsNamed(n).map((p) => p.keyPairId),
                [theirs.keyPairId],
            );
        });
    });

    describe("read, diff and delete", () => {
        it("read of an unchanged pair returns the stored outputs; diff sees no change", async () => {
            const news = { keyPairName: name("read") };
            const { id, inputs, outs } = await create(news);
            const read = await provider.read(id, outs);
            assert.strictEqual(read.id, id);
            assert.deepStrictEqual(read.props, outs);
            const checked = await provider.check(inputs, news);
            const diff = await provider.diff(id, read.props, checked.inputs as never);
            assert.strictEqual(diff.changes, false);
        });

        it("read takes the name and fingerprint from ENS, and reports state whose key ENS does not hold as corrupt", async () => {
            const n = name("refresh");
            const { id, outs } = await create({ keyPairName: n });
            const renamed = await provider.read(id, { ...outs, keyPairName: "stale-name" });
            assert.strictEqual((renamed.props as KeyPairOutputs).keyPairName, n);
            const other = await generateKeyMaterial({ keyType: "rsa" });
            await assert.rejects(provider.read(id, { ...outs, ...other }), (err: Error) => {
                assert.match(err.message, /is corrupt: keyPairFingerPrint does not match the private key/);
                assert.ok(!err.message.includes("PRIVATE KEY-----"));
                return true;
            });
        });

        it("read reports a pair deleted outside Pulumi as gone, so refresh drops it", async () => {
            const { id, outs } = await create({ keyPairName: name("oob") });
            await client.deleteKeyPairs({ keyPairId: id });
            const read = await provider.read(id, outs);
            assert.strictEqual(read.id, undefined);
            assert.strictEqual(read.props, undefined);
        });

        it("KeyPair.get (read by id, no state) returns a pair made outside Pulumi: ENS's data, no private key, and no change against a default program", async () => {
            const n = name("adopt");
            const existing = await client.createKeyPair(n);
            const read = await provider.read(existing.keyPairId, {});
            const props = read.props as KeyPairOutputs;
            assert.strictEqual(read.id, existing.keyPairId);
            assert.strictEqual(props.keyPairName, n);
            assert.strictEqual(props.keyPairFingerPrint, existing.keyPairFingerPrint);
            assert.strictEqual(props.fingerprintMd5.replace(/:/g, ""), existing.keyPairFingerPrint);
            assert.deepStrictEqual(
                [props.keyType, props.rsaBits, props.publicKeyOpenssh, props.fingerprintSha256, props.backend],
                ["rsa", 2048, "", "", "ens"],
            );
            assertNoKey(props.privateKeyBody, "privateKeyBody");
            assertNoKey(props.privateKeyOpenssh, "privateKeyOpenssh");
            assert.strictEqual(props.creationTime, pairsNamed(n)[0].creationTime);
            const checked = await provider.check(props, { keyPairName: n });
            assert.strictEqual((await provider.diff(existing.keyPairId, props, checked.inputs as never)).changes, false);
            // Refreshing the adopted pair later works although there is no key to verify.
            assert.deepStrictEqual((await provider.read(existing.keyPairId, props)).props, props);
            await provider.delete(existing.keyPairId, props);
            assert.deepStrictEqual(pairsNamed(n), []);
        });

        it("diff replaces the pair when its key size changes, deleting first since the name stays", async () => {
            const news = { keyPairName: name("diff") };
            const { id, inputs, outs } = await create(news);
            const checked = await provider.check(inputs, { ...news, rsaBits: 4096 });
            const diff = await provider.diff(id, outs, checked.inputs as never);
            assert.deepStrictEqual(diff.replaces, ["rsaBits"]);
            assert.strictEqual(diff.deleteBeforeReplace, true);
        });

        it("delete removes the pair, and deleting a pair that is already gone succeeds", async () => {
            const n = name("delete");
            const { id, outs } = await create({ keyPairName: n });
            await provider.delete(id, outs);
            assert.deepStrictEqual(pairsNamed(n), []);
            await provider.delete(id, outs);
            assert.deepStrictEqual(pairsNamed(n), []);
        });
    });

    describe("configuration and credentials", () => {
        it("takes backend and endpoint from ENS_KEYPAIR_* and the access key from ALIBABA_CLOUD_* (the end-to-end setup)", async () => {
            process.env.ENS_KEYPAIR_BACKEND = "ens";
            process.env.ENS_KEYPAIR_ENDPOINT = server.url;
            process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = defaultAccessKey.id;
            process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = secret;
            try {
                await provider.configure(configWith({}));
                const n = name("env");
                const { outs } = await create({ keyPairName: n });
                assert.strictEqual(outs.backend, "ens");
                assert.deepStrictEqual(
                    pairsNamed(n).map((p) => p.keyPairId),
                    [outs.keyPairId],
                );
            } finally {
                for (const key of [
                    "ENS_KEYPAIR_BACKEND",
                    "ENS_KEYPAIR_ENDPOINT",
                    "ALIBABA_CLOUD_ACCESS_KEY_ID",
                    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                ]) {
                    delete process.env[key];
                }
            }
        });

        it("reads the access key from a credentials profile file", async () => {
            const file = join(home, "credentials.ini");
            writeFileSync(file, `[default]\ntype = access_key\naccess_key_id = ${defaultAccessKey.id}\naccess_key_secret = ${secret}\n`, {
                mode: 0o600,
            });
            process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = file;
            try {
                await provider.configure(configWith({ backend: "ens", endpoint: server.url }));
                const n = name("profile");
                const { outs } = await create({ keyPairName: n });
                assert.deepStrictEqual(
                    pairsNamed(n).map((p) => p.keyPairId),
                    [outs.keyPairId],
                );
            } finally {
                delete process.env.ALIBABA_CLOUD_CREDENTIALS_FILE;
            }
        });

        it("surfaces a rejected secret as SignatureDoesNotMatch, without quoting it", async () => {
            await provider.configure(
                configWith({
                    backend: "ens",
                    endpoint: server.url,
                    accessKeyId: defaultAccessKey.id,
                    accessKeySecret: "wrong-secret-value",
                }),
            );
            await rejectsWithEnsError(create({ keyPairName: name("badsecret") }), {
                code: "SignatureDoesNotMatch",
                omits: ["wrong-secret-value"],
            });
        });

        it("keeps credentials out of outputs and out of the serialized provider", async () => {
            const { outs } = await create({ keyPairName: name("nosecret") });
            const state = JSON.stringify(outs);
            assert.ok(!state.includes(secret) && !state.includes(defaultAccessKey.id));
            const serialized = await pulumi.runtime.serializeFunction(() => keyPairProvider, { allowSecrets: true });
            assert.match(serialized.text, /pulumi-ens-keypair\/provider/, "the serialized provider only loads the implementation");
            assert.ok(!serialized.text.includes(secret) && !serialized.text.includes(defaultAccessKey.id));
            assert.ok(!serialized.text.includes(server.url), "not even the endpoint is captured");
        });
    });

    describe("fault run", () => {
        it("creates then deletes 20 pairs under a 20% fault rate and dropped creates, converging with no orphans or duplicates", async () => {
            server.setFaults({ rate: 0.2, dropAfterCommit: 0.2 });
            const prefix = name("fault");
            const names = Array.from({ length: 20 }, (_, i) => `${prefix}-${i}`);
            const created = await Promise.all(names.map((n) => create({ keyPairName: n })));
            const ours = () => server.listKeyPairs().filter((p) => p.keyPairName.startsWith(`${prefix}-`));
            assert.deepStrictEqual(
                ours()
                    .map((p) => p.keyPairId)
                    .sort(),
                created.map((c) => c.outs.keyPairId).sort(),
                "exactly the pairs in the outputs, one per name",
            );
            for (const { outs } of created) {
                verifyOutputs(outs);
                assert.strictEqual(ours().find((p) => p.keyPairId === outs.keyPairId)?.keyPairFingerPrint, outs.keyPairFingerPrint);
            }
            await Promise.all(created.map(({ id, outs }) => provider.delete(id, outs)));
            assert.deepStrictEqual(ours(), []);
            const stats = server.stats();
            const faults = Object.values(stats.faultsInjected).reduce((a, b) => a + b, 0);
            assert.ok(faults + stats.droppedAfterCommit > 0, "faults were injected");
        });
    });
});
