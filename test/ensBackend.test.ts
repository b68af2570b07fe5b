// The provider in ens mode, driven through provider.ts as the engine drives it, against the
// ENS-compatible server over HTTP: creates and imports, taken names, lost answers, refresh after
// an out-of-band delete, adoption, deletes, credentials, and a fault run.
import * as assert from "assert";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import * as pulumi from "@pulumi/pulumi";
import { ensBackend } from "../provider/backends/ens";
import { KeyPairFilter } from "../provider/ens/api";
import { EnsClient, EnsClientOptions, EnsTransportError } from "../provider/ens/client";
import { defaultRetryPolicy } from "../provider/ens/retry";
import { EngineLifetime } from "../provider/lifetime";
import { EnsError } from "../provider/ens/errors";
import { keyPairProvider } from "../provider/dynamic/serializedProvider";
import { KeyPairInputs } from "../provider/inputs";
import { KeyPairOutputs } from "../provider/state";
import { verifyOutputs } from "../provider/stateIntegrity";
import { resolveConfig } from "../provider/config";
import * as provider from "../provider/dynamic/implementation";
import { defaultAccessKey, EnsServer, FaultOptions, startEnsServer } from "../ens-server/server";
import { rejectsWithEnsError } from "./helpers/ensErrors";
import { checkAndCreate, configRequest, configWith } from "./helpers/provider";
import { sharedKey } from "./helpers/keys";
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
    let server: EnsServer;
    let client: EnsClient;
    let home: string;
    const savedEnv: Record<string, string | undefined> = {};
    let seq = 0;
    const name = (label: string) => `ens-${label}-${++seq}`;

    const configured = (overrides: Record<string, string> = {}) =>
        configWith({ backend: "ens", endpoint: server.url, accessKeyId: defaultAccessKey.id, accessKeySecret: secret, ...overrides });
    const create = (news: Record<string, unknown>) => checkAndCreate(provider, news);
    const pairsNamed = (n: string) => server.listKeyPairs().filter((p) => p.keyPairName === n);
    const calls = (action: string) => server.stats().calls[action] ?? 0;

    /** A backend whose client is made by `make`, configured as the tests' provider is. */
    function backendWith(
        make: (options: EnsClientOptions) => EnsClient,
        generation: "provider" | "ens" = "provider",
        lifetime?: EngineLifetime,
    ) {
        return ensBackend(
            { ...resolveConfig(() => undefined), backend: "ens", endpoint: server.url, generation },
            {
                connect: async (_config, options) =>
                    make({ endpoint: server.url, accessKeyId: defaultAccessKey.id, accessKeySecret: secret, ...options }),
                lifetime,
            },
        );
    }

    async function checked(news: Record<string, unknown>): Promise<KeyPairInputs> {
        return (await provider.check({}, news)).inputs as KeyPairInputs;
    }

    /**
     * Makes clients that never really wait: each backoff is drawn at its longest and recorded
     * in `delays`, then `onSleep` is told how many waits there have been.
     */
    function recordingClients(delays: number[], onSleep: (waits: number) => unknown = () => undefined) {
        return (options: EnsClientOptions) =>
            new EnsClient({
                ...options,
                retry: {
                    random: () => 0.99999,
                    sleep: async (ms) => {
                        delays.push(ms);
                        onSleep(delays.length);
                    },
                },
            });
    }

    /** The longest backoff of a call that makes `attempts` attempts. */
    const longestBackoffMs = (attempts: number) =>
        Array.from({ length: attempts - 1 }, (_, i) =>
            Math.min(defaultRetryPolicy.maxDelayMs, defaultRetryPolicy.baseDelayMs * 2 ** i),
        ).reduce((a, b) => a + b, 0);
    /** A call's attempts, and those of the lookup that settles a create (three times as many). */
    const callAttempts = defaultRetryPolicy.maxAttempts;
    const lookupAttempts = 3 * callAttempts;
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

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
            const imported = (await sharedKey({ keyType: "rsa" })).publicKeyOpenssh;
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
            const ed25519 = (await sharedKey({ keyType: "ed25519" })).publicKeyOpenssh;
            const { failures } = await provider.check({}, { keyPairName: name("check"), publicKey: ed25519 });
            // publicKey may hold a pasted private key, so its failures name no property for the engine to echo.
            assert.strictEqual(failures?.[0].property, "");
            assert.match(failures[0].reason, /^InvalidParameter\.PublicKeyBody: .*publicKey.*accepts only ssh-rsa/);
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

        it("refuses plain http:// to another host at preview, unless ens-keypair:insecureHttp is true", async () => {
            const remote = { backend: "ens", endpoint: "http://ens.example.com", accessKeyId: "a", accessKeySecret: "b" };
            await provider.configure(configWith(remote));
            await assert.rejects(provider.check({}, { keyPairName: name("http") }), /may use plain http:\/\/ only for this machine/);
            await provider.configure(configWith({ ...remote, insecureHttp: "true" }));
            assert.deepStrictEqual((await provider.check({}, { keyPairName: name("http") })).failures, []);
            await assert.rejects(
                provider.configure(configWith({ ...remote, insecureHttp: "yes" })),
                /insecureHttp must be "true" or "false"; got "yes"/,
            );
        });
    });

    describe("create", () => {
        it("generates a 2048-bit RSA pair in the provider and registers it with ImportKeyPair, by default", async () => {
            const [creates, imports] = [calls("CreateKeyPair"), calls("ImportKeyPair")];
            const n = name("created");
            const { id, outs } = await create({ keyPairName: n });
            assert.deepStrictEqual([calls("CreateKeyPair") - creates, calls("ImportKeyPair") - imports], [0, 1]);
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
            assert.strictEqual(outs.creationTime, stored.creationTime);
            assert.match(outs.requestId, /^[0-9A-F-]{36}$/);
        });

        it('with generation "ens", makes a 2048-bit pair with CreateKeyPair and derives every encoding from ENS\'s private key', async () => {
            await provider.configure(configured({ generation: "ens" }));
            const [creates, imports] = [calls("CreateKeyPair"), calls("ImportKeyPair")];
            const n = name("ens-made");
            const { outs } = await create({ keyPairName: n });
            assert.deepStrictEqual([calls("CreateKeyPair") - creates, calls("ImportKeyPair") - imports], [1, 0]);
            const [stored] = pairsNamed(n);
            assert.deepStrictEqual([stored.keyPairId, stored.publicKey], [outs.keyPairId, outs.publicKeyOpenssh]);
            assertArmour(outs.privateKeyOpenssh, "OPENSSH PRIVATE KEY");
            verifyOutputs(outs);
            assert.ok(Math.abs(Date.parse(outs.creationTime) - Date.parse(stored.creationTime)) <= 1000);
            // ENS makes only 2048-bit keys: other sizes are still generated by the provider.
            await create({ keyPairName: name("ens-3072"), rsaBits: 3072 });
            assert.deepStrictEqual([calls("CreateKeyPair") - creates, calls("ImportKeyPair") - imports], [1, 1]);
        });

        it("refuses an unknown generation, naming the key", async () => {
            await assert.rejects(
                provider.configure(configured({ generation: "server" })),
                /ens-keypair:generation must be "provider" or "ens"/,
            );
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
            const key = await sharedKey({ keyType: "rsa" });
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

        it("fails with PubKeyNameExisted on a taken name, naming the pair and what to do, and leaves it alone", async () => {
            const n = name("taken");
            const theirs = await client.createKeyPair(n);
            const [stored] = pairsNamed(n);
            const theirKey = await sharedKey({ keyType: "rsa" });
            for (const [generation, news] of [
                ["provider", { keyPairName: n }],
                ["ens", { keyPairName: n }],
                // A size ENS does not make: generated in the provider although ENS would generate.
                ["ens", { keyPairName: n, rsaBits: 3072 }],
                ["provider", { keyPairName: n, publicKey: theirKey.publicKeyOpenssh }],
            ] as const) {
                await provider.configure(configured({ generation }));
                await rejectsWithEnsError(create(news), {
                    code: "PubKeyNameExisted",
                    mentions: [theirs.keyPairId, stored.creationTime, "nothing was created", "npx pulumi-ens-keypair orphans", "--delete"],
                    omits: [secret],
                });
            }
            assert.deepStrictEqual(
                pairsNamed(n).map((p) => [p.keyPairId, p.keyPairFingerPrint]),
                [[theirs.keyPairId, theirs.keyPairFingerPrint]],
            );
        });

        it("never adopts a pair that holds the same given public key but that this create did not make", async () => {
            const key = await sharedKey({ keyType: "rsa" });
            const n = name("same-key");
            await client.importKeyPair(n, key.publicKeyOpenssh);
            await assert.rejects(create({ keyPairName: n, publicKey: key.publicKeyOpenssh }), /PubKeyNameExisted/);
        });

        it("adopts an import committed then dropped: its fingerprint proves it is ours", async () => {
            server.setFaults({ dropAfterCommit: 1, actions: ["ImportKeyPair"], maxFaults: 1 });
            const [imports, deletes] = [calls("ImportKeyPair"), calls("DeleteKeyPairs")];
            const n = name("dropped-import");
            const { outs } = await create({ keyPairName: n });
            assert.deepStrictEqual([calls("ImportKeyPair") - imports, calls("DeleteKeyPairs") - deletes], [1, 0]);
            assert.deepStrictEqual(
                pairsNamed(n).map((p) => p.keyPairId),
                [outs.keyPairId],
            );
            verifyOutputs(outs);
        });

        it("sends once more after a server error that ran nothing, leaving exactly one pair", async () => {
            for (const generation of ["provider", "ens"] as const) {
                await provider.configure(configured({ generation }));
                const action = generation === "ens" ? "CreateKeyPair" : "ImportKeyPair";
                server.setFaults({ rate: 1, errors: ["InternalError", "ServiceUnavailable"], actions: [action], maxFaults: 1 });
                const before = calls(action);
                const n = name(`ise-${generation}`);
                const { outs } = await create({ keyPairName: n });
                assert.strictEqual(calls(action) - before, 2);
                assert.deepStrictEqual(
                    pairsNamed(n).map((p) => p.keyPairId),
                    [outs.keyPairId],
                );
            }
        });

        it('with generation "ens", a create committed then dropped fails naming the pair, which it neither adopts nor deletes', async () => {
            await provider.configure(configured({ generation: "ens" }));
            server.setFaults({ dropAfterCommit: 1, actions: ["CreateKeyPair"], maxFaults: 1 });
            const deletes = calls("DeleteKeyPairs");
            const n = name("dropped-create");
            await assert.rejects(create({ keyPairName: n }), (err: Error) => {
                const [left] = pairsNamed(n);
                for (const part of [left.keyPairId, left.creationTime, "neither adopted nor deleted", "npx pulumi-ens-keypair orphans"]) {
                    assert.ok(err.message.includes(part), `the message names ${part}: ${err.message}`);
                }
                return true;
            });
            assert.strictEqual(calls("DeleteKeyPairs"), deletes);
            assert.strictEqual(pairsNamed(n).length, 1);
        });

        it("says what may remain when every import fails with an unknown outcome", async () => {
            server.setFaults({ rate: 1, errors: ["InternalError"], actions: ["ImportKeyPair"] });
            const n = name("never");
            await assert.rejects(create({ keyPairName: n }), (err: unknown) => {
                assert.ok(err instanceof EnsError && err.code === "InternalError", String(err));
                assert.match(err.message, /no usable answer in 2 sends/);
                assert.match(err.message, /may still complete in ENS and leave a pair named "ens-never-\d+" with fingerprint [0-9a-f]{32}/);
                assert.match(err.message, /npx pulumi-ens-keypair orphans/);
                return true;
            });
            assert.deepStrictEqual(pairsNamed(n), []);
        });

        it("says that nothing was created when ENS refuses the call", async () => {
            await provider.configure(configured({ accessKeySecret: "not-the-secret" }));
            await assert.rejects(create({ keyPairName: name("refused") }), /SignatureDoesNotMatch: [\s\S]*Nothing was created in ENS\./);
        });
    });

    describe("lost answers and concurrent creators", () => {
        for (const generation of ["provider", "ens"] as const) {
            it(`generation "${generation}": a 500 while another caller takes the name never deletes their pair`, async () => {
                const n = name(`race-${generation}`);
                const ourAction = generation === "ens" ? "CreateKeyPair" : "ImportKeyPair";
                server.setFaults({ rate: 1, errors: ["InternalError"], actions: [ourAction], maxFaults: 1 });
                const theirKey = await sharedKey({ keyType: "rsa" });
                let theirId: string | undefined;
                /** The other stack creates the name just before our request, which ENS fails with a 500. */
                class Racing extends EnsClient {
                    private async theyCreate(): Promise<void> {
                        if (theirId === undefined) {
                            theirId =
                                generation === "ens"
                                    ? (await client.importKeyPair(n, theirKey.publicKeyOpenssh), pairsNamed(n)[0].keyPairId)
                                    : (await client.createKeyPair(n)).keyPairId;
                        }
                    }
                    override async importKeyPair(keyPairName: string, publicKeyBody: string) {
                        await this.theyCreate();
                        return super.importKeyPair(keyPairName, publicKeyBody);
                    }
                    override async createKeyPair(keyPairName: string) {
                        await this.theyCreate();
                        return super.createKeyPair(keyPairName);
                    }
                }
                const deletes = calls("DeleteKeyPairs");
                await assert.rejects(
                    backendWith((o) => new Racing(o), generation).create(await checked({ keyPairName: n })),
                    (err: unknown) => {
                        assert.ok(theirId && err instanceof Error && err.message.includes(theirId), String(err));
                        return true;
                    },
                );
                assert.strictEqual(server.stats().faultsInjected.InternalError > 0, true);
                assert.strictEqual(calls("DeleteKeyPairs"), deletes, "nothing was deleted");
                assert.deepStrictEqual(
                    pairsNamed(n).map((p) => p.keyPairId),
                    [theirId],
                );
            });
        }

        for (const commitBefore of ["import", "lookup"] as const) {
            it(`adopts a timed-out import that ENS commits late (found by ${commitBefore === "import" ? "PubKeyNameExisted" : "a lookup"}), deleting nothing`, async () => {
                let pending: (() => Promise<unknown>) | undefined;
                let lookups = 0;
                const commitPending = async () => {
                    const commit = pending;
                    pending = undefined;
                    await commit?.();
                };
                class LateCommitting extends EnsClient {
                    override async importKeyPair(keyPairName: string, publicKeyBody: string) {
                        if (pending === undefined && lookups === 0) {
                            pending = () => super.importKeyPair(keyPairName, publicKeyBody);
                            throw new EnsTransportError("ImportKeyPair", "timeout", true);
                        }
                        if (commitBefore === "import") {
                            await commitPending();
                        }
                        return super.importKeyPair(keyPairName, publicKeyBody);
                    }
                    override async describeKeyPairs(filter?: KeyPairFilter) {
                        if (commitBefore === "lookup" && ++lookups === 1) {
                            await commitPending();
                        } else if (commitBefore === "import") {
                            lookups++;
                        }
                        return super.describeKeyPairs(filter);
                    }
                }
                const n = name(`late-${commitBefore}`);
                const deletes = calls("DeleteKeyPairs");
                const outs = await backendWith((o) => new LateCommitting(o)).create(await checked({ keyPairName: n }));
                assert.deepStrictEqual(
                    pairsNamed(n).map((p) => [p.keyPairId, p.keyPairFingerPrint]),
                    [[outs.keyPairId, outs.keyPairFingerPrint]],
                );
                assert.strictEqual(calls("DeleteKeyPairs"), deletes);
                verifyOutputs(outs);
            });
        }

        it("says the pair may be left when the lookup after a lost answer fails", async () => {
            class LookupRefused extends EnsClient {
                override async importKeyPair(keyPairName: string, publicKeyBody: string): Promise<never> {
                    await super.importKeyPair(keyPairName, publicKeyBody);
                    throw new EnsTransportError("ImportKeyPair", "ECONNRESET", true);
                }
                override async describeKeyPairs(): Promise<never> {
                    throw new EnsError("NoPermission", "Permission denied.");
                }
            }
            const n = name("lookup-refused");
            await assert.rejects(backendWith((o) => new LookupRefused(o)).create(await checked({ keyPairName: n })), (err: Error) => {
                assert.match(err.message, /^NoPermission: /);
                assert.ok(
                    err.message.includes(`a pair of that name with fingerprint ${pairsNamed(n)[0].keyPairFingerPrint} may be in ENS`),
                    err.message,
                );
                assert.match(err.message, /npx pulumi-ens-keypair orphans/);
                return true;
            });
        });

        it("the retry bound: against a server that answers every call with a 5xx, one create makes 22 requests and waits at most 54.2 s, for either generation", async () => {
            assert.deepStrictEqual(
                [callAttempts, lookupAttempts, longestBackoffMs(callAttempts), longestBackoffMs(lookupAttempts)],
                [7, 21, 9400, 54_200],
            );
            for (const generation of ["provider", "ens"] as const) {
                const n = name(`all-5xx-${generation}`);
                const inputs = await checked({ keyPairName: n });
                const delays: number[] = [];
                server.setFaults({ rate: 1, errors: ["InternalError", "ServiceUnavailable"] });
                const before = server.stats();
                await assert.rejects(backendWith(recordingClients(delays), generation).create(inputs), (err: Error) => {
                    assert.match(err.message, /^(InternalError|ServiceUnavailable): /);
                    assert.match(err.message, /may (be|still complete) in ENS/);
                    assert.match(err.message, /npx pulumi-ens-keypair orphans/);
                    return true;
                });
                const after = server.stats();
                server.setFaults({});
                // One send, whose 5xx is not retried (it may have run), then one lookup using all its attempts.
                assert.strictEqual(after.requests - before.requests, 1 + lookupAttempts, generation);
                assert.strictEqual((after.calls.DescribeKeyPairs ?? 0) - (before.calls.DescribeKeyPairs ?? 0), lookupAttempts);
                assert.strictEqual(delays.length, lookupAttempts - 1);
                const longest = longestBackoffMs(lookupAttempts);
                assert.ok(sum(delays) <= longest && sum(delays) > longest - 30, `backoff ${sum(delays)} ms`);
                assert.deepStrictEqual(pairsNamed(n), []);
            }
        });

        it("the retry bound: in the worst case, every call failing until its last attempt, one create makes two sends and two lookups: 56 requests and at most 127.2 s of backoff", async () => {
            const n = name("worst-case");
            const inputs = await checked({ keyPairName: n });
            const throttleImports: FaultOptions = { rate: 1, errors: ["Throttling"], actions: ["ImportKeyPair"] };
            const failEverything: FaultOptions = { rate: 1, errors: ["InternalError"] };
            // The server's answers, switched as the client waits: each send is throttled until its last
            // attempt, which gets a 500 (outcome unknown); the first lookup finds nothing on its last
            // attempt, so the import is sent once more; the second lookup never gets an answer.
            const sendWaits = callAttempts - 1;
            const lookupWaits = lookupAttempts - 1;
            const script = new Map([
                [sendWaits, failEverything],
                [sendWaits + lookupWaits, throttleImports],
                [2 * sendWaits + lookupWaits, failEverything],
            ]);
            const delays: number[] = [];
            server.setFaults(throttleImports);
            const before = server.stats();
            const clients = recordingClients(delays, (waits) => script.has(waits) && server.setFaults(script.get(waits) ?? {}));
            await assert.rejects(backendWith(clients).create(inputs), (err: Error) => {
                assert.match(err.message, /^InternalError: /);
                assert.ok(
                    err.message.includes("a pair of that name with fingerprint") && err.message.includes("may be in ENS"),
                    err.message,
                );
                return true;
            });
            const after = server.stats();
            server.setFaults({});
            const delta = (action: string) => (after.calls[action] ?? 0) - (before.calls[action] ?? 0);
            assert.deepStrictEqual([delta("ImportKeyPair"), delta("DescribeKeyPairs")], [2 * callAttempts, 2 * lookupAttempts]);
            assert.strictEqual(after.requests - before.requests, 56);
            assert.strictEqual(delays.length, 2 * sendWaits + 2 * lookupWaits);
            const longest = 2 * longestBackoffMs(callAttempts) + 2 * longestBackoffMs(lookupAttempts);
            assert.strictEqual(longest, 127_200);
            assert.ok(sum(delays) <= longest, `backoff ${sum(delays)} ms`);
            assert.deepStrictEqual(pairsNamed(n), []);
        });

        it("once the engine is gone, a throttled create stops retrying at once and says that nothing was created", async () => {
            const n = name("engine-gone");
            const inputs = await checked({ keyPairName: n });
            // The engine dies during the second wait; the lifetime's check before the next request finds out.
            let engineAlive = true;
            const gone = new AbortController();
            const lifetime: EngineLifetime = {
                signal: gone.signal,
                hold: (work) => work(),
                check: async () => void (engineAlive || gone.abort(new Error("The engine is gone (test)."))),
            };
            server.setFaults({ rate: 1, errors: ["Throttling"], actions: ["ImportKeyPair"] });
            const imports = calls("ImportKeyPair");
            const clients = recordingClients([], (waits) => waits === 2 && (engineAlive = false));
            await assert.rejects(backendWith(clients, "provider", lifetime).create(inputs), (err: Error) => {
                assert.strictEqual(err.message, "The engine is gone (test). Nothing was created in ENS.");
                return true;
            });
            assert.strictEqual(calls("ImportKeyPair") - imports, 2, "no request after the engine went");
            server.setFaults({});
            assert.deepStrictEqual(pairsNamed(n), []);
        });

        it("once the engine is gone after a lost answer, a create looks nothing up and says what may remain", async () => {
            const n = name("engine-gone-in-doubt");
            const inputs = await checked({ keyPairName: n });
            const gone = new AbortController();
            const lifetime: EngineLifetime = { signal: gone.signal, hold: (work) => work(), check: async () => undefined };
            class GoneAfterImport extends EnsClient {
                override async describeKeyPairs(filter?: KeyPairFilter) {
                    gone.abort(new Error("The engine is gone (test)."));
                    return super.describeKeyPairs(filter);
                }
            }
            server.setFaults({ dropAfterCommit: 1, actions: ["ImportKeyPair"], maxFaults: 1 });
            const lookups = calls("DescribeKeyPairs");
            await assert.rejects(backendWith((o) => new GoneAfterImport(o), "provider", lifetime).create(inputs), (err: Error) => {
                assert.ok(err.message.startsWith("The engine is gone (test)."), err.message);
                const left = pairsNamed(n)[0].keyPairFingerPrint;
                assert.ok(err.message.includes(`a pair of that name with fingerprint ${left} may be in ENS`), err.message);
                return true;
            });
            assert.strictEqual(calls("DescribeKeyPairs"), lookups, "no lookup was sent");
            await client.deleteKeyPairs({ keyPairName: n });
        });

        it("says the pair stays in ENS and in the stack when a delete fails", async () => {
            const { id, outs } = await create({ keyPairName: name("undeletable") });
            class DeleteRefused extends EnsClient {
                override async deleteKeyPairs(): Promise<never> {
                    throw new EnsError("InternalError", "The request processing has failed due to some unknown error.", {
                        httpStatus: 500,
                    });
                }
            }
            await assert.rejects(backendWith((o) => new DeleteRefused(o)).delete(id, outs), (err: Error) => {
                assert.ok(err.message.includes(`Key pair ${id} may still be in ENS, and stays in the stack's state`), err.message);
                return true;
            });
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
            const other = await sharedKey({ keyType: "rsa" });
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
        it("creates then deletes 10 pairs under a 20% fault rate and dropped creates, converging with no orphans or duplicates", async () => {
            const backend = backendWith(recordingClients([]));
            const prefix = name("fault");
            // Each create generates a key; 10 pairs make at least 20 calls, so a run with no fault
            // at all comes about once in ten thousand.
            const names = Array.from({ length: 10 }, (_, i) => `${prefix}-${i}`);
            const inputs = await Promise.all(names.map((n) => checked({ keyPairName: n })));
            const maxRuns = 4;
            /** Creates a pair as repeated `pulumi up`s would: a failed create must leave nothing that the next one trips on. */
            const converge = async (checkedInputs: KeyPairInputs) => {
                for (let run = 1; ; run++) {
                    try {
                        const outs = await backend.create(checkedInputs);
                        return { id: outs.keyPairId, outs };
                    } catch (err) {
                        assert.doesNotMatch(String(err), /PubKeyNameExisted/, "a failed create left a pair behind");
                        assert.match(String(err), /Nothing was created in ENS|may (be|still complete) in ENS/, "it says what may remain");
                        assert.ok(run < maxRuns, `no convergence in ${maxRuns} creates: ${String(err)}`);
                    }
                }
            };
            server.setFaults({ rate: 0.2, dropAfterCommit: 0.2 });
            const created = await Promise.all(inputs.map(converge));
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
            await Promise.all(created.map(({ id, outs }) => backend.delete(id, outs)));
            assert.deepStrictEqual(ours(), []);
            const stats = server.stats();
            const faults = Object.values(stats.faultsInjected).reduce((a, b) => a + b, 0);
            assert.ok(faults + stats.droppedAfterCommit > 0, "faults were injected");
        });
    });
});
