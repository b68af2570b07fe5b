// The orphans command and the recovery docs/ens.md gives, for the ens-keypair package under the
// real engine: Pulumi YAML programs outside the repository (no node_modules) whose KeyPairs run in
// the plugin, installed from the build into a throwaway PULUMI_HOME, against two ENS-compatible
// servers; the command run as a package user runs it, from the installed plugin
// (`pulumi plugin run --kind resource ens-keypair -- orphans …`). Pairs under the default
// provider and under a provider instance; then `pulumi up` killed while ENS holds the answers of
// creates it has committed, and the documented recovery run as written.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EnsServer, startEnsServer } from "../ens-server/server";
import { doors, packageProviderType } from "../provider/doors";
import { EnsClient } from "../provider/ens/client";
import { buildPlugin, pluginDir, pluginVersion } from "../scripts/build-plugin";
import { ensureLanguageHost } from "./helpers/engine";
import { ProgramStack } from "./helpers/programStack";
import { killLeftovers, killWhen, runDocumented } from "./helpers/recovery";

const keys = { a: ["orphans-e2e-key-a", "orphans-e2e-secret-a-3b9e"], b: ["orphans-e2e-key-b", "orphans-e2e-secret-b-c14f"] } as const;
type Side = keyof typeof keys;

describe("end to end: orphans and the recovery of a package stack, in YAML", function () {
    this.timeout(900_000);
    let dir: string;
    let pulumiHome: string;
    let servers: Record<Side, EnsServer>;
    let clients: Record<Side, EnsClient>;

    before(async () => {
        await buildPlugin();
        const engine = ensureLanguageHost("yaml");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-orphans-"));
        pulumiHome = path.join(dir, "pulumi-home");
        execFileSync(path.join(engine, "pulumi"), ["plugin", "install", "resource", "ens-keypair", pluginVersion, "--file", pluginDir], {
            env: { ...process.env, PULUMI_HOME: pulumiHome, PULUMI_SKIP_UPDATE_CHECK: "true" },
            stdio: ["ignore", "ignore", "pipe"],
        });
        servers = {
            a: await startEnsServer({ accessKeys: { [keys.a[0]]: keys.a[1] } }),
            b: await startEnsServer({ accessKeys: { [keys.b[0]]: keys.b[1] } }),
        };
        clients = {
            a: new EnsClient({ endpoint: servers.a.url, accessKeyId: keys.a[0], accessKeySecret: keys.a[1] }),
            b: new EnsClient({ endpoint: servers.b.url, accessKeyId: keys.b[0], accessKeySecret: keys.b[1] }),
        };
    });

    after(async () => {
        await servers?.a.close();
        await servers?.b.close();
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    afterEach(() => {
        servers.a.setFaults({});
        servers.b.setFaults({});
    });

    /**
     * A YAML program's stack, outside the repository, finding the plugin in the throwaway
     * PULUMI_HOME: KeyPairs named `<prefix><i>`, those of `onB` through a provider instance on
     * server b; the stack's `ens-keypair` config names server a, as its user's would.
     */
    function yamlStack(scenario: string, prefix: string, pairs: { onA: number; onB: number }): ProgramStack {
        const program = path.join(dir, scenario);
        fs.mkdirSync(program);
        const keyPair = (name: string, provider?: string) =>
            `  ${name}:\n    type: ${doors.package.resourceType}\n    properties:\n      keyPairName: ${name}\n` +
            (provider ? `    options:\n      provider: \${${provider}}\n` : "");
        const onA = Array.from({ length: pairs.onA }, (_, i) => keyPair(`${prefix}a${i}`));
        const onB = Array.from({ length: pairs.onB }, (_, i) => keyPair(`${prefix}b${i}`, "b"));
        const instance =
            pairs.onB === 0
                ? []
                : [
                      `  b:\n    type: ${packageProviderType}\n    properties:\n      backend: ens\n      endpoint: \${bEndpoint}\n` +
                          `      accessKeyId: \${bKeyId}\n      accessKeySecret: \${bKeySecret}\n`,
                  ];
        fs.writeFileSync(
            path.join(program, "Pulumi.yaml"),
            `name: ${scenario}\nruntime: yaml\npackages:\n  ens-keypair: ens-keypair@${pluginVersion}\n` +
                `config:\n  bEndpoint:\n    type: string\n  bKeyId:\n    type: string\n  bKeySecret:\n    type: string\n` +
                `resources:\n${[...instance, ...onA, ...onB].join("")}`,
        );
        const stack = ProgramStack.create({
            scenario,
            workDir: program,
            config: {
                "ens-keypair:backend": "ens",
                "ens-keypair:endpoint": servers.a.url,
                "ens-keypair:accessKeyId": { value: keys.a[0], secret: true },
                "ens-keypair:accessKeySecret": { value: keys.a[1], secret: true },
                bEndpoint: servers.b.url,
                bKeyId: { value: keys.b[0], secret: true },
                bKeySecret: { value: keys.b[1], secret: true },
            },
        });
        stack.env.PULUMI_HOME = pulumiHome;
        return stack;
    }

    /** Runs a pulumi command asynchronously, so that this process goes on serving the servers; fails on a non-zero exit. */
    async function pulumi(stack: ProgramStack, ...args: string[]): Promise<string> {
        const result = await stack.runAsync(args);
        assert.strictEqual(result.status, 0, `pulumi ${args.join(" ")}:\n${result.output}`);
        return result.output;
    }

    /** `orphans --stack <stack> …` as a user of the package runs it, from the installed plugin; fails on a non-zero exit. */
    async function orphans(stack: ProgramStack, ...args: string[]): Promise<string> {
        const [command, ...pluginRun] = doors.package.command.split(" ");
        const result = await stack.exec(command, [...pluginRun, "orphans", "--stack", stack.name, ...args]);
        assert.strictEqual(result.status, 0, `orphans ${args.join(" ")}:\n${result.output}`);
        for (const credential of [...keys.a, ...keys.b]) {
            assert.ok(!result.output.includes(credential), `orphans printed a credential:\n${result.output}`);
        }
        return result.stdout;
    }

    const pairsOf = (side: Side, prefix: string) =>
        servers[side]
            .listKeyPairs()
            .filter((p) => p.keyPairName.startsWith(prefix))
            .map((p) => ({ name: p.keyPairName, id: p.keyPairId }))
            .sort((x, y) => x.name.localeCompare(y.name));
    const heldIds = (stack: ProgramStack) =>
        (stack.exportState().deployment.resources ?? [])
            .filter((r) => r.type === doors.package.resourceType)
            .map((r) => r.id as string)
            .sort();
    const describes = (side: Side) => servers[side].stats().calls.DescribeKeyPairs ?? 0;

    it("under the default provider: lists the stray pair alone, --delete --yes deletes only it, and the stack's pairs stay, refreshing with no change", async () => {
        const stack = yamlStack("orphans-default", "dflt-", { onA: 2, onB: 0 });
        await pulumi(stack, "up", "--yes", "--skip-preview");
        const held = pairsOf("a", "dflt-");
        assert.deepStrictEqual(
            held.map((p) => p.name),
            ["dflt-a0", "dflt-a1"],
        );
        const stray = await clients.a.createKeyPair("dflt-stray");

        const listed = await orphans(stack, "--prefix", "dflt-");
        assert.match(listed, /Key pairs in ENS that stack "test" does not hold \(1\):/);
        assert.ok(listed.includes(`in ENS at ${servers.a.url}, the account of provider "default`), listed);
        assert.match(listed, new RegExp(`${stray.keyPairId}\\s+dflt-stray .*\\(name starts with "dflt-"\\)`));
        assert.ok(
            held.every((p) => !listed.includes(p.id)),
            `a pair the stack holds is listed:\n${listed}`,
        );
        assert.strictEqual(pairsOf("a", "dflt-").length, 3, "listing deletes nothing");

        const deleted = await orphans(stack, "--prefix", "dflt-", "--delete", "--yes");
        assert.match(deleted, new RegExp(`^deleted ${stray.keyPairId} \\(dflt-stray\\)$`, "m"));
        assert.deepStrictEqual(pairsOf("a", "dflt-"), held, "the stack's own pairs are still there");
        assert.deepStrictEqual(heldIds(stack), held.map((p) => p.id).sort());
        await pulumi(stack, "refresh", "--yes", "--expect-no-changes");
    });

    it("under a provider instance on server b while the stack's config names server a: looks in b alone, and deletes b's stray alone", async () => {
        const stack = yamlStack("orphans-instance", "inst-", { onA: 0, onB: 2 });
        await pulumi(stack, "up", "--yes", "--skip-preview");
        const held = pairsOf("b", "inst-");
        assert.deepStrictEqual(
            held.map((p) => p.name),
            ["inst-b0", "inst-b1"],
        );
        assert.deepStrictEqual(
            stack.resourceTypes().filter((t) => t === packageProviderType),
            [packageProviderType],
            "one provider, the instance: the stack's config reached no default provider",
        );
        const stray = await clients.b.createKeyPair("inst-stray");
        // Someone else's, in the account the stack's config names, under a name the prefix matches.
        const others = await clients.a.createKeyPair("inst-others");
        const describedInA = describes("a");

        const listed = await orphans(stack, "--prefix", "inst-");
        assert.match(listed, /does not hold \(1\):/);
        assert.ok(listed.includes(`in ENS at ${servers.b.url}, the account of provider "b"`), listed);
        assert.ok(listed.includes(stray.keyPairId) && !listed.includes(others.keyPairId), listed);

        const deleted = await orphans(stack, "--prefix", "inst-", "--delete", "--yes");
        assert.match(deleted, new RegExp(`^deleted ${stray.keyPairId} \\(inst-stray\\)$`, "m"));
        assert.deepStrictEqual(pairsOf("b", "inst-"), held);
        assert.deepStrictEqual(
            pairsOf("a", "inst-").map((p) => p.id),
            [others.keyPairId],
        );
        assert.strictEqual(describes("a"), describedInA, "server a, which no KeyPair of the stack uses, was never asked");
        await pulumi(stack, "refresh", "--yes", "--expect-no-changes");
    });

    it("kill -9 of pulumi up while ENS holds the answers of creates it committed, under the default provider and a provider instance: the documented recovery, as written, ends with every pair in the state, 0 orphans and no change", async () => {
        const prefix = "kill-";
        const stack = yamlStack("orphans-kill", prefix, { onA: 2, onB: 2 });
        try {
            // Imports commit, then their answers wait: the window in which a killed run loses them.
            for (const side of ["a", "b"] as const) {
                servers[side].setFaults({ latencyAfterCommitMs: 120_000, actions: ["ImportKeyPair"] });
            }
            const up = stack.start(["up", "--yes", "--skip-preview"]);
            const killedAt = await killWhen(
                up,
                () => pairsOf("a", prefix).length + pairsOf("b", prefix).length === 4,
                "every create to commit in ENS",
            );
            const committed = [...pairsOf("a", prefix), ...pairsOf("b", prefix)];
            const state = stack.exportState().deployment;
            assert.deepStrictEqual(heldIds(stack), [], "the killed run recorded none of the pairs");
            assert.strictEqual(state.pending_operations?.length, 4, "it left their creates pending");
            for (const side of ["a", "b"] as const) {
                servers[side].setFaults({});
            }

            // The package's plugins of this run are those in its PULUMI_HOME.
            const { providerGoneMs, providersAtFirst, results } = await runDocumented(
                stack,
                "Recovering from an interrupted `pulumi up`",
                "package",
                killedAt,
                (line) => line.includes(`${pulumiHome}${path.sep}`),
            );
            // Both plugins (the default provider's and the instance's) wait on their answers, and the documented pgrep shows them.
            assert.strictEqual(providersAtFirst.length, 2, `pgrep showed the plugins of the killed run:\n${providersAtFirst.join("\n")}`);
            assert.ok(
                providersAtFirst.every((line) => /^\d+ node \S+\/pulumi-resource-ens-keypair \S+:\d+$/.test(line)),
                providersAtFirst.join("\n"),
            );
            const listing = results.find((r) => r.command.includes(" orphans "));
            assert.ok(listing, "the recovery ran orphans");
            assert.match(listing.output, /Type yes to delete them/);
            for (const pair of committed) {
                assert.ok(listing.output.includes(`deleted ${pair.id} (${pair.name})`), `${pair.name} was deleted:\n${listing.output}`);
            }
            for (const credential of [...keys.a, ...keys.b]) {
                assert.ok(!listing.output.includes(credential), "orphans printed a credential");
            }

            const inEns = [...pairsOf("a", prefix), ...pairsOf("b", prefix)];
            assert.deepStrictEqual(inEns.map((p) => p.name).sort(), ["kill-a0", "kill-a1", "kill-b0", "kill-b1"]);
            assert.deepStrictEqual(
                pairsOf("b", prefix).map((p) => p.name),
                ["kill-b0", "kill-b1"],
                "the instance's pairs are in its own server",
            );
            assert.deepStrictEqual(heldIds(stack), inEns.map((p) => p.id).sort(), "converged: the stack holds every pair ENS has");
            assert.strictEqual(stack.exportState().deployment.pending_operations?.length ?? 0, 0);
            assert.match(await orphans(stack, "--prefix", prefix), /No key pair in ENS is an orphan of stack "test"/);
            await pulumi(stack, "preview", "--expect-no-changes");
            console.log(
                `      killed up: ${committed.length} creates committed, unanswered; the plugins were gone ${(providerGoneMs / 1000).toFixed(1)} s after the CLI; recovered with 0 orphans`,
            );
        } finally {
            // The language host of a killed run is not the provider's to stop.
            killLeftovers(stack.dir);
        }
    });
});
