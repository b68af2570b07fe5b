// The orphans command on exports of both doors and of provider instances, against ENS-compatible
// servers over HTTP: which holders and accounts it finds, which pairs it lists, that it deletes
// only with --delete, only what it listed and only once confirmed, and that it never prints a
// credential. The command under the real engine, after an interrupted `pulumi up`, is in
// e2e.ens.test.ts (the dynamic KeyPair) and e2e.orphans.test.ts (the package).
import * as assert from "assert";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { CommandIo, main } from "../provider/cli/command";
import { accountsOf, holdingsOf } from "../provider/cli/orphans";
import { DoorName, doors, packageProviderType } from "../provider/doors";
import { EnsClient } from "../provider/ens/client";
import { defaultAccessKey, EnsServer, startEnsServer } from "../ens-server/server";
import { sharedKey } from "./helpers/keys";

/** A provider's input in the export: plain, a secret `--show-secrets` revealed, or a secret it did not. */
type Input = string | { secret: string } | { encrypted: true };
/** A package provider in the export, by name. */
interface ProviderDoc {
    name: string;
    inputs: Record<string, Input>;
}
/** A KeyPair in the export: held (with an id), or an interrupted create (`pending`); a package one names its provider. */
interface PairDoc {
    door: DoorName;
    name: string;
    id?: string;
    provider?: string;
    pending?: boolean;
}

const secretSignature = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };

/** A `pulumi stack export --show-secrets` document, shaped as the CLI writes one. */
function stackExport(pairs: PairDoc[], providers: ProviderDoc[] = []): string {
    const urn = (type: string, name: string) => `urn:pulumi:dev::keys::${type}::${name}`;
    const providerReference = (name: string) => `${urn(packageProviderType, name)}::id-of-${name}`;
    const value = (input: Input) =>
        typeof input === "string"
            ? input
            : "secret" in input
              ? { ...secretSignature, plaintext: JSON.stringify(input.secret) }
              : { ...secretSignature, ciphertext: "v1:bm90IHJlYWQ=" };
    const resource = (pair: PairDoc) => ({
        urn: urn(doors[pair.door].resourceType, pair.name),
        custom: true,
        type: doors[pair.door].resourceType,
        ...(pair.id === undefined ? {} : { id: pair.id }),
        inputs: { keyPairName: pair.name },
        ...(pair.id === undefined ? {} : { outputs: { keyPairId: pair.id, keyPairName: pair.name } }),
        ...(pair.provider === undefined ? {} : { provider: providerReference(pair.provider) }),
    });
    return JSON.stringify({
        version: 3,
        deployment: {
            manifest: { time: "2026-11-29T08:00:00Z", magic: "", version: "v3.248.0" },
            resources: [
                { urn: "urn:pulumi:dev::keys::pulumi:pulumi:Stack::keys-dev", custom: false, type: "pulumi:pulumi:Stack" },
                ...providers.map((provider) => {
                    const inputs = Object.fromEntries(Object.entries(provider.inputs).map(([key, input]) => [key, value(input)]));
                    return {
                        urn: urn(packageProviderType, provider.name),
                        custom: true,
                        id: `id-of-${provider.name}`,
                        type: packageProviderType,
                        inputs,
                        outputs: inputs,
                    };
                }),
                ...pairs.filter((pair) => !pair.pending).map(resource),
            ],
            pending_operations: pairs.filter((pair) => pair.pending).map((pair) => ({ resource: resource(pair), type: "creating" })),
        },
    });
}

describe("the orphans command", function () {
    const keys = { a: ["orphans-key-a", "orphans-secret-a-71c3"], b: ["orphans-key-b", "orphans-secret-b-e90d"] } as const;
    let servers: Record<"a" | "b", EnsServer>;
    let clients: Record<"a" | "b", EnsClient>;
    let dir: string;
    const saved: Record<string, string | undefined> = {};

    /** A provider of the package on one of the servers, with its access key as secrets. */
    const onServer = (name: string, server: "a" | "b"): ProviderDoc => ({
        name,
        inputs: {
            backend: "ens",
            endpoint: servers[server].url,
            accessKeyId: { secret: keys[server][0] },
            accessKeySecret: { secret: keys[server][1] },
        },
    });

    /** Runs the command in-process with `answer` for a question; its exit code, what it printed (and as errors) and what it asked. */
    async function run(
        argv: string[],
        answer?: () => Promise<string>,
    ): Promise<{ code: number; lines: string[]; errors: string[]; asked: string[] }> {
        const lines: string[] = [];
        const errors: string[] = [];
        const asked: string[] = [];
        const io: CommandIo = {
            command: doors.dynamic.command,
            out: (line) => lines.push(line),
            err: (line) => errors.push(line),
            ask:
                answer === undefined
                    ? undefined
                    : async (question) => {
                          asked.push(question);
                          return answer();
                      },
        };
        const code = await main(argv, io);
        return { code, lines, errors, asked };
    }

    /** Writes an export to a file of this suite's folder; its path. */
    function stateFile(name: string, text: string): string {
        const file = join(dir, name);
        writeFileSync(file, text);
        return file;
    }

    const names = (server: EnsServer) =>
        server
            .listKeyPairs()
            .map((p) => p.keyPairName)
            .sort();

    before(async () => {
        servers = {
            a: await startEnsServer({ accessKeys: { [keys.a[0]]: keys.a[1], [defaultAccessKey.id]: defaultAccessKey.secret } }),
            b: await startEnsServer({ accessKeys: { [keys.b[0]]: keys.b[1] } }),
        };
        clients = {
            a: new EnsClient({ endpoint: servers.a.url, accessKeyId: keys.a[0], accessKeySecret: keys.a[1] }),
            b: new EnsClient({ endpoint: servers.b.url, accessKeyId: keys.b[0], accessKeySecret: keys.b[1] }),
        };
        dir = mkdtempSync(join(tmpdir(), "ens-orphans-"));
        // The environment the dynamic KeyPairs of a `--state` export reach ENS with: server a.
        const env = {
            ENS_KEYPAIR_BACKEND: "ens",
            ENS_KEYPAIR_ENDPOINT: servers.a.url,
            ALIBABA_CLOUD_ACCESS_KEY_ID: defaultAccessKey.id,
            ALIBABA_CLOUD_ACCESS_KEY_SECRET: defaultAccessKey.secret,
        };
        for (const [key, value] of Object.entries(env)) {
            saved[key] = process.env[key];
            process.env[key] = value;
        }
    });

    afterEach(async () => {
        for (const side of ["a", "b"] as const) {
            for (const pair of servers[side].listKeyPairs()) {
                await clients[side].deleteKeyPairs({ keyPairId: pair.keyPairId });
            }
        }
    });

    after(async () => {
        for (const [key, value] of Object.entries(saved)) {
            if (value === undefined) {
                delete process.env[key];
            } else {
                process.env[key] = value;
            }
        }
        rmSync(dir, { recursive: true, force: true });
        await servers?.a.close();
        await servers?.b.close();
    });

    it("reads every id of the state and who holds each KeyPair and interrupted create, from exports of both doors and of provider instances", () => {
        const holdings = holdingsOf(
            stackExport(
                [
                    { door: "dynamic", name: "dyn-held", id: "ssh-dyn" },
                    { door: "dynamic", name: "dyn-left", pending: true },
                    { door: "package", name: "pkg-default", id: "ssh-default", provider: "default_0_1_0" },
                    { door: "package", name: "pkg-b", id: "ssh-b", provider: "b" },
                    { door: "package", name: "pkg-b-left", provider: "b", pending: true },
                    { door: "package", name: "pkg-gone-left", provider: "gone", pending: true },
                    { door: "package", name: "pkg-sealed", id: "ssh-sealed", provider: "sealed" },
                ],
                [
                    { name: "default_0_1_0", inputs: { backend: "ens", endpoint: "http://a.example", version: "0.1.0" } },
                    {
                        name: "b",
                        inputs: {
                            backend: "ens",
                            endpoint: "http://b.example",
                            accessKeyId: { secret: "id-b" },
                            accessKeySecret: { secret: "s-b" },
                        },
                    },
                    { name: "sealed", inputs: { backend: "ens", accessKeyId: { encrypted: true }, accessKeySecret: { encrypted: true } } },
                ],
            ),
        );
        // The providers' ids are in the state too: the filter is every id, whatever its type.
        assert.deepStrictEqual([...holdings.ids].sort(), [
            "id-of-b",
            "id-of-default_0_1_0",
            "id-of-sealed",
            "ssh-b",
            "ssh-default",
            "ssh-dyn",
            "ssh-sealed",
        ]);
        assert.deepStrictEqual(
            holdings.holders.map(({ label, held, pendingNames, settings }) => ({ label, held, pendingNames, from: settings.from })),
            [
                { label: "the dynamic KeyPairs", held: 1, pendingNames: ["dyn-left"], from: "stack" },
                { label: 'provider "default_0_1_0"', held: 1, pendingNames: [], from: "state" },
                { label: 'provider "b"', held: 1, pendingNames: ["pkg-b-left"], from: "state" },
                { label: 'provider "sealed"', held: 1, pendingNames: [], from: "state" },
                { label: 'provider "gone"', held: 0, pendingNames: ["pkg-gone-left"], from: "missing" },
            ],
        );
        assert.deepStrictEqual(holdings.holders[2].settings, {
            from: "state",
            values: { backend: "ens", endpoint: "http://b.example", accessKeyId: "id-b", accessKeySecret: "s-b" },
            encrypted: [],
        });
        assert.deepStrictEqual(holdings.holders[3].settings, {
            from: "state",
            values: { backend: "ens" },
            encrypted: ["accessKeyId", "accessKeySecret"],
        });
        assert.throws(() => holdingsOf("not json"), /pulumi stack export --show-secrets/);
        assert.throws(() => holdingsOf("{}"), /no deployment/);
    });

    it("groups holders by endpoint, region and access key, falls back on the environment as the provider does, and sets aside those it cannot judge", () => {
        const { holders } = holdingsOf(
            stackExport(
                [
                    { door: "dynamic", name: "dyn", id: "ssh-1" },
                    { door: "package", name: "same-as-stack", id: "ssh-2", provider: "default" },
                    { door: "package", name: "same-key-elsewhere", id: "ssh-3", provider: "region", pending: true },
                    { door: "package", name: "from-env", id: "ssh-4", provider: "bare" },
                    { door: "package", name: "kept-locally", provider: "local", pending: true },
                    { door: "package", name: "typo", id: "ssh-6", provider: "typo" },
                    { door: "package", name: "sealed", provider: "sealed", pending: true },
                    { door: "package", name: "orphaned", provider: "gone", pending: true },
                ],
                [
                    {
                        name: "default",
                        inputs: {
                            backend: "ens",
                            endpoint: "http://a.example",
                            accessKeyId: { secret: "id-a" },
                            accessKeySecret: { secret: "s-a" },
                        },
                    },
                    {
                        name: "region",
                        inputs: {
                            backend: "ens",
                            endpoint: "http://a.example",
                            regionId: "cn-x",
                            accessKeyId: { secret: "id-a" },
                            accessKeySecret: { secret: "s-a" },
                        },
                    },
                    { name: "bare", inputs: {} },
                    { name: "local", inputs: { backend: "local" } },
                    { name: "typo", inputs: { backend: "enss" } },
                    { name: "sealed", inputs: { backend: "ens", accessKeySecret: { encrypted: true } } },
                ],
            ),
        );
        const stackConfig: Record<string, string> = {
            backend: "ens",
            endpoint: "http://a.example",
            accessKeyId: "id-a",
            accessKeySecret: "s-a",
        };
        const env = { ENS_KEYPAIR_BACKEND: "ens", ENS_KEYPAIR_ENDPOINT: "http://env.example" };
        const { accounts, notLooked } = accountsOf(holders, (key) => stackConfig[key], env);
        assert.deepStrictEqual(
            accounts.map(({ config, holders, pendingNames }) => ({
                endpoint: config.endpoint,
                region: config.regionId,
                id: config.accessKeyId,
                holders,
                pendingNames,
            })),
            [
                {
                    endpoint: "http://a.example",
                    region: undefined,
                    id: "id-a",
                    holders: ["the dynamic KeyPairs", 'provider "default"'],
                    pendingNames: [],
                },
                // No key in its configuration: the environment's endpoint and credential chain, as its provider would.
                { endpoint: "http://env.example", region: undefined, id: undefined, holders: ['provider "bare"'], pendingNames: [] },
                {
                    endpoint: "http://a.example",
                    region: "cn-x",
                    id: "id-a",
                    holders: ['provider "region"'],
                    pendingNames: ["same-key-elsewhere"],
                },
            ],
        );
        assert.deepStrictEqual(
            notLooked.map(({ holder, refused, pendingNames }) => ({ holder, refused, pendingNames })),
            [
                { holder: 'provider "typo"', refused: true, pendingNames: [] },
                { holder: 'provider "local"', refused: false, pendingNames: ["kept-locally"] },
                { holder: 'provider "sealed"', refused: true, pendingNames: ["sealed"] },
                { holder: 'provider "gone"', refused: true, pendingNames: ["orphaned"] },
            ],
        );
        assert.match(notLooked[0].reason, /ens-keypair:backend must be "local" or "ens"/);
        assert.match(notLooked[1].reason, /local backend.*nothing in ENS to look for/);
        assert.match(notLooked[2].reason, /accessKeySecret is encrypted in the state.*--show-secrets/);
        assert.match(notLooked[3].reason, /not in the state/);

        // A stack whose pairs all have providers of their own: its configuration is not read.
        const packageOnly = holdingsOf(
            stackExport(
                [{ door: "package", name: "p", id: "ssh-p", provider: "default" }],
                [{ name: "default", inputs: { backend: "local" } }],
            ),
        );
        accountsOf(packageOnly.holders, (key) => assert.fail(`the stack's configuration was read for ${key}`), env);
    });

    it("a package stack: looks in each provider's own account for its own interrupted creates, and never lists a pair the state holds under any provider", async () => {
        const heldOnA = await clients.a.createKeyPair("app-held-a");
        const heldOnB = await clients.b.createKeyPair("app-held-b");
        const leftOnB = await clients.b.createKeyPair("app-left-b");
        await clients.a.createKeyPair("app-left-b"); // b's interrupted create, made by someone else in a: not b's to judge
        await clients.a.createKeyPair("app-stray-a");
        await clients.b.createKeyPair("app-stray-b");
        const state = stateFile(
            "package.json",
            stackExport(
                [
                    { door: "package", name: "held-a", id: heldOnA.keyPairId, provider: "default_0_1_0" },
                    { door: "package", name: "held-b", id: heldOnB.keyPairId, provider: "b" },
                    { door: "package", name: "app-left-b", provider: "b", pending: true },
                ],
                [onServer("default_0_1_0", "a"), onServer("b", "b")],
            ),
        );

        const pending = await run(["orphans", "--state", state]);
        assert.strictEqual(pending.code, 0, pending.lines.join("\n"));
        assert.deepStrictEqual(pending.lines.slice(0, 3), [
            `Key pairs in ENS that the stack does not hold (1):`,
            `  in ENS at ${servers.b.url}, the account of provider "b":`,
            pending.lines[2],
        ]);
        assert.ok(
            pending.lines[2].includes(leftOnB.keyPairId) && pending.lines[2].includes("(an interrupted create in the stack)"),
            pending.lines[2],
        );
        assert.strictEqual(servers.a.stats().calls.DescribeKeyPairs ?? 0, 0, "a, with no interrupted create, is not listed");

        const byPrefix = await run(["orphans", "--state", state, "--prefix", "app-"]);
        assert.strictEqual(byPrefix.code, 0, byPrefix.lines.join("\n"));
        const text = byPrefix.lines.join("\n");
        assert.match(byPrefix.lines[0], /does not hold \(4\):/);
        for (const [server, name] of [
            ["a", "app-left-b"],
            ["a", "app-stray-a"],
            ["b", "app-left-b"],
            ["b", "app-stray-b"],
        ] as const) {
            const section = text.split(`  in ENS at ${servers[server].url}`)[1]?.split("  in ENS at")[0] ?? "";
            assert.ok(section.includes(` ${name} `), `${name} is listed under ${server}:\n${text}`);
        }
        assert.ok(!text.includes(heldOnA.keyPairId) && !text.includes(heldOnB.keyPairId), `a held pair is listed:\n${text}`);
        for (const credential of [...keys.a, ...keys.b]) {
            assert.ok(!text.includes(credential), "the list quotes a credential");
        }
        assert.match(text, /app-left-b .*\(name starts with "app-"\)/, "in a, b's interrupted create is only a name that matches");

        // The same ids held under another provider, and under the other door: listed nowhere.
        const strayOnB = (await clients.b.describeKeyPairs({ keyPairName: "app-stray-b" })).keyPairs[0];
        const crossHeld = stateFile(
            "cross.json",
            stackExport(
                [
                    { door: "package", name: "x", id: leftOnB.keyPairId, provider: "default_0_1_0" },
                    { door: "dynamic", name: "y", id: strayOnB.keyPairId },
                    { door: "package", name: "z", id: heldOnB.keyPairId, provider: "b" },
                ],
                [onServer("default_0_1_0", "a"), onServer("b", "b")],
            ),
        );
        const cross = (await run(["orphans", "--state", crossHeld, "--prefix", "app-"])).lines.join("\n");
        for (const id of [leftOnB.keyPairId, strayOnB.keyPairId, heldOnB.keyPairId]) {
            assert.ok(!cross.includes(id), `${id}, which the state holds, is listed:\n${cross}`);
        }
        assert.match(cross, /app-stray-a/);
    });

    it("--delete deletes exactly the pairs listed, by id, once confirmed: not one made while the question waited, nothing on another answer", async () => {
        const held = await clients.b.createKeyPair("del-held");
        const left = await clients.b.createKeyPair("del-left");
        await clients.b.importKeyPair("del-stray", (await sharedKey({ keyType: "rsa" })).publicKeyOpenssh);
        const stray = (await clients.b.describeKeyPairs({ keyPairName: "del-stray" })).keyPairs[0];
        const state = stateFile(
            "delete.json",
            stackExport(
                [
                    { door: "package", name: "held", id: held.keyPairId, provider: "b" },
                    { door: "package", name: "del-left", provider: "b", pending: true },
                ],
                [onServer("b", "b")],
            ),
        );

        const declined = await run(["orphans", "--state", state, "--prefix", "del-", "--delete"], async () => "no");
        assert.strictEqual(declined.code, 1);
        assert.deepStrictEqual(declined.asked, ["Delete these 2 key pairs from ENS? Type yes to delete them: "]);
        assert.strictEqual(declined.lines.at(-1), "Nothing was deleted.");
        assert.deepStrictEqual(names(servers.b), ["del-held", "del-left", "del-stray"]);

        const listed = await run(["orphans", "--state", state, "--prefix", "del-"]);
        assert.match(listed.lines.at(-1) ?? "", /Nothing was deleted\..*--delete/);
        assert.deepStrictEqual(names(servers.b), ["del-held", "del-left", "del-stray"], "listing deletes nothing");

        const deleted = await run(["orphans", "--state", state, "--prefix", "del-", "--delete"], async () => {
            // Appears after the list was shown: the user never saw it, so it stays.
            await clients.b.createKeyPair("del-late");
            return "yes";
        });
        assert.strictEqual(deleted.code, 0, deleted.lines.join("\n"));
        assert.match(deleted.lines[0], /does not hold \(2\):/, "the list is shown before the question");
        assert.deepStrictEqual(
            deleted.lines.filter((l) => l.startsWith("deleted ")),
            [`deleted ${left.keyPairId} (del-left)`, `deleted ${stray.keyPairId} (del-stray)`],
        );
        assert.deepStrictEqual(names(servers.b), ["del-held", "del-late"]);

        const scripted = await run(["orphans", "--state", state, "--prefix", "del-", "--delete", "--yes"]);
        assert.strictEqual(scripted.code, 0);
        assert.deepStrictEqual(scripted.asked, []);
        assert.deepStrictEqual(names(servers.b), ["del-held"]);
        const again = await run(["orphans", "--state", state, "--prefix", "del-"]);
        assert.match(again.lines.join("\n"), /No key pair in ENS is an orphan of the stack/);
    });

    it('refuses --prefix "", --yes without --delete and --delete with nobody to confirm, before reading any state', async () => {
        const missing = join(dir, "no-such-state.json");
        for (const [argv, message] of [
            [["--prefix", ""], /--prefix "" would pick every pair/],
            [["--yes"], /--yes confirms --delete/],
            [["--prefix", "x-", "--delete"], /--delete asks you to type yes on a terminal, and there is none; add --yes/],
        ] as const) {
            const result = await run(["orphans", "--state", missing, ...argv]);
            assert.strictEqual(result.code, 2, result.errors.join("\n"));
            assert.match(result.errors.join("\n"), message);
        }
    });

    it("says which holders it did not look under and why, and fails when it could not judge one", async () => {
        const state = stateFile(
            "unjudged.json",
            stackExport(
                [
                    { door: "package", name: "local-left", provider: "local", pending: true },
                    { door: "package", name: "gone-left", provider: "gone", pending: true },
                ],
                [{ name: "local", inputs: { backend: "local" } }],
            ),
        );
        const result = await run(["orphans", "--state", state]);
        assert.strictEqual(result.code, 1);
        assert.deepStrictEqual(result.lines, [
            'Not looked for under provider "local": it uses the local backend, which keeps key pairs only in the state: there is nothing in ENS to look for.',
            `Not looked for under provider "gone": its configuration is not in the state (no provider urn:pulumi:dev::keys::${packageProviderType}::gone::id-of-gone). Unchecked: its interrupted creates of "gone-left".`,
        ]);
    });

    it("never prints a credential read from the state, even when ENS's error quotes it", async () => {
        // The right access key id with a wrong secret: the server's SignatureDoesNotMatch quotes the string it signed, the id included.
        const wrongSecret = "orphans-wrong-secret-5a0f";
        const state = stateFile(
            "credentials.json",
            stackExport(
                [{ door: "package", name: "cred-left", provider: "b", pending: true }],
                [
                    {
                        name: "b",
                        inputs: {
                            backend: "ens",
                            endpoint: servers.b.url,
                            accessKeyId: { secret: keys.b[0] },
                            accessKeySecret: { secret: wrongSecret },
                        },
                    },
                ],
            ),
        );
        const result = await run(["orphans", "--state", state, "--prefix", "cred-", "--delete", "--yes"]);
        const printed = [...result.lines, ...result.errors].join("\n");
        assert.strictEqual(result.code, 1, printed);
        assert.match(printed, /SignatureDoesNotMatch/);
        for (const credential of [keys.b[0], wrongSecret]) {
            assert.ok(!printed.includes(credential), `the output quotes a credential:\n${printed}`);
        }
    });

    it("dynamic KeyPairs: lists interrupted creates and pairs picked by prefix or name that the stack does not hold, deleting only with --delete", async () => {
        const held = await clients.a.createKeyPair("app-held");
        await clients.a.createKeyPair("app-left");
        await clients.a.importKeyPair("app-by-prefix", (await sharedKey({ keyType: "rsa" })).publicKeyOpenssh);
        await clients.a.createKeyPair("by-name");
        await clients.a.createKeyPair("someone-else");
        const state = stateFile(
            "dynamic.json",
            stackExport([
                { door: "dynamic", name: "app-held", id: held.keyPairId },
                { door: "dynamic", name: "app-left", pending: true },
                { door: "dynamic", name: "never-created", pending: true },
            ]),
        );

        const listed = await run(["orphans", "--state", state, "--prefix", "app-", "--name", "by-name"]);
        assert.strictEqual(listed.code, 0, listed.lines.join("\n"));
        assert.match(listed.lines[0], /does not hold \(3\):/);
        assert.strictEqual(listed.lines[1], `  in ENS at ${servers.a.url}, the account of the dynamic KeyPairs:`);
        const rows = listed.lines.slice(2, 5).join("\n");
        for (const part of [
            "app-left",
            "(an interrupted create in the stack)",
            "app-by-prefix",
            '(name starts with "app-")',
            "by-name",
            "(named on the command line)",
        ]) {
            assert.ok(rows.includes(part), `the list shows ${part}:\n${rows}`);
        }
        assert.ok(!rows.includes("app-held") && !rows.includes("someone-else"), rows);
        assert.deepStrictEqual(
            names(servers.a),
            ["app-by-prefix", "app-held", "app-left", "by-name", "someone-else"],
            "listing deletes nothing",
        );

        const deleted = await run(["orphans", "--state", state, "--prefix", "app-", "--name", "by-name", "--delete", "--yes"]);
        assert.strictEqual(deleted.code, 0, deleted.lines.join("\n"));
        assert.strictEqual(deleted.lines.filter((l) => l.startsWith("deleted ssh-")).length, 3);
        assert.deepStrictEqual(names(servers.a), ["app-held", "someone-else"]);
    });

    it("says there is nothing to look for when the state has no interrupted create and no name is given, or no key pair", async () => {
        const result = await run(["orphans", "--state", stateFile("clean.json", stackExport([]))]);
        assert.strictEqual(result.code, 0);
        assert.match(result.lines.join("\n"), /records no interrupted create.*--prefix or --name/);
        // Names to look for, but no KeyPair, so no account the stack uses: none is consulted.
        const byName = await run(["orphans", "--state", stateFile("empty.json", stackExport([])), "--prefix", "app-"]);
        assert.strictEqual(byName.code, 0);
        assert.deepStrictEqual(byName.lines, ["The state of the stack holds no key pair, so no ENS account of its own to look in."]);
    });
});
