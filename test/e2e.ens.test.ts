// The `ens` backend under the real engine, against the ENS-compatible server over real HTTP:
// the lifecycle, drift on refresh and no credentials in state; then, with the pulumi CLI in a
// program folder: two stacks racing for a name, an interrupted up and its recovery, a killed run
// whose provider must stop by itself (an up while ENS throttles, then a destroy) with the recovery
// docs/ens.md gives, and a run under heavy faults.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Stack } from "@pulumi/pulumi/automation";
import { KeyPair } from "../provider";
import { doors } from "../provider/doors";
import { EnsClient } from "../provider/ens/client";
import { EnsServer, startEnsServer } from "../ens-server/server";
import { pulumiCli } from "./helpers/engine";
import { e2eRoot, repoRoot } from "./helpers/paths";
import { backendText, testStack } from "./helpers/stacks";
import { assertArmour } from "./helpers/pem";
import { ProgramStack } from "./helpers/programStack";
import { linkCommand } from "./helpers/command";
import { killLeftovers, killWhen, runDocumented } from "./helpers/recovery";

const accessKeyId = "e2e-ens-access-key-id";
const accessKeySecret = "e2e-ens-access-key-secret-d41d8cd98f00b204";

/** Stack config that points the provider at the server, with the credentials as secret config. */
function ensConfig(server: EnsServer) {
    return {
        "ens-keypair:backend": { value: "ens" },
        "ens-keypair:endpoint": { value: server.url },
        "ens-keypair:accessKeyId": { value: accessKeyId, secret: true },
        "ens-keypair:accessKeySecret": { value: accessKeySecret, secret: true },
    };
}

function names(server: EnsServer): string[] {
    return server
        .listKeyPairs()
        .map((p) => p.keyPairName)
        .sort();
}

describe("end to end: the ens backend against the ENS-compatible server", function () {
    this.timeout(600_000);
    let server: EnsServer;
    /** When the server answered each request, with its log line (method, action, outcome, duration). */
    const answered: { at: number; line: string }[] = [];

    before(async () => {
        fs.mkdirSync(e2eRoot, { recursive: true });
        server = await startEnsServer({
            dbPath: path.join(e2eRoot, "ens.db"),
            accessKeys: { [accessKeyId]: accessKeySecret },
            log: (line) => {
                answered.push({ at: Date.now(), line });
                if (line.startsWith("ens-server:")) {
                    process.stderr.write(`${line}\n`);
                }
            },
        });
    });

    after(async () => {
        await server?.close();
    });

    describe("lifecycle", () => {
        let stack: Stack;
        const program = async () => {
            const made = new KeyPair("made", { keyPairName: "e2e-ens-made" });
            const imported = new KeyPair("imported", {
                keyPairName: "e2e-ens-imported",
                publicKey: new pulumi.Config().require("importKey"),
            });
            return {
                madeId: made.keyPairId,
                madeFingerPrint: made.keyPairFingerPrint,
                madePrivateKey: made.privateKeyOpenssh,
                importedId: imported.keyPairId,
            };
        };

        before(async () => {
            const { generateKeyMaterial } = await import("../provider");
            const importKey = (await generateKeyMaterial({ keyType: "rsa" })).publicKeyOpenssh;
            stack = await testStack({
                project: "ens-lifecycle",
                program,
                config: { ...ensConfig(server), importKey: { value: importKey } },
            });
        });

        after(async () => {
            await stack?.destroy();
        });

        it("up creates the pairs in ENS, with ENS's ids and fingerprints", async () => {
            const result = await stack.up();
            assert.strictEqual(result.summary.resourceChanges?.create, 3);
            assert.deepStrictEqual(names(server), ["e2e-ens-imported", "e2e-ens-made"]);
            const made = server.listKeyPairs().find((p) => p.keyPairName === "e2e-ens-made");
            assert.strictEqual(result.outputs.madeId.value, made?.keyPairId);
            assert.strictEqual(result.outputs.madeFingerPrint.value, made?.keyPairFingerPrint);
            assert.strictEqual(result.outputs.madePrivateKey.secret, true);
            assertArmour(String(result.outputs.madePrivateKey.value), "OPENSSH PRIVATE KEY");
        });

        it("a second up changes nothing and calls no create or import", async () => {
            const creates = () => (server.stats().calls.CreateKeyPair ?? 0) + (server.stats().calls.ImportKeyPair ?? 0);
            const before = creates();
            const again = await stack.up();
            assert.deepStrictEqual(again.summary.resourceChanges, { same: 3 });
            assert.strictEqual(creates(), before);
        });

        it("refresh drops a pair deleted outside Pulumi, and the next up creates it again", async () => {
            // Deleted with a real API call, as the console or another tool would.
            await new EnsClient({ endpoint: server.url, accessKeyId, accessKeySecret }).deleteKeyPairs({ keyPairName: "e2e-ens-made" });
            const refresh = await stack.refresh();
            assert.strictEqual(refresh.summary.resourceChanges?.delete, 1);
            const up = await stack.up();
            assert.strictEqual(up.summary.resourceChanges?.create, 1);
            assert.deepStrictEqual(names(server), ["e2e-ens-imported", "e2e-ens-made"]);
        });

        it("keeps the credentials out of the state and the serialized provider", () => {
            const exported = pulumiCli(stack, ["stack", "export"]);
            const providers = [...exported.matchAll(/"__provider": ("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]) as string);
            assert.strictEqual(providers.length, 4, "both KeyPairs should carry the serialized provider in inputs and outputs");
            for (const text of [...providers, exported, backendText("ens-lifecycle")]) {
                assert.ok(!text.includes(accessKeySecret), "the access key secret is in the state");
                assert.ok(!text.includes(accessKeyId), "the access key id is in the state");
            }
        });

        it("destroy leaves the server empty", async () => {
            await stack.destroy();
            assert.deepStrictEqual(names(server), []);
        });
    });

    it("reads a pair made outside Pulumi with KeyPair.get, without managing it", async () => {
        const client = new EnsClient({ endpoint: server.url, accessKeyId, accessKeySecret });
        const made = await client.createKeyPair("e2e-ens-existing");
        const stack = await testStack({
            project: "ens-get",
            program: async () => {
                const pair = KeyPair.get("existing", made.keyPairId);
                return { keyPairName: pair.keyPairName, keyPairFingerPrint: pair.keyPairFingerPrint, privateKeyBody: pair.privateKeyBody };
            },
            config: ensConfig(server),
        });
        const up = await stack.up();
        assert.strictEqual(up.outputs.keyPairName.value, "e2e-ens-existing");
        assert.strictEqual(up.outputs.keyPairFingerPrint.value, made.keyPairFingerPrint);
        assert.ok(!up.outputs.privateKeyBody?.value, "ENS never returns an existing pair's private key");
        await stack.destroy();
        assert.deepStrictEqual(names(server), ["e2e-ens-existing"], "destroy leaves a pair it only read");
        await client.deleteKeyPairs({ keyPairId: made.keyPairId });
    });

    describe("under the pulumi CLI, as pipelines run it", () => {
        const upArgs = ["up", "--yes", "--skip-preview"];

        /** Stack config for the CLI: the server, with the access key as secret config. */
        const cliConfig = (): Record<string, { value: string; secret?: boolean }> => ensConfig(server);

        /** A program declaring one KeyPair per name, exporting their ids and fingerprints. */
        const program = (names: string[]) =>
            [
                `import { KeyPair } from "pulumi-ens-keypair";`,
                `const pairs = ${JSON.stringify(names)}.map((keyPairName, i) => new KeyPair(\`pair\${i}\`, { keyPairName }));`,
                `export const ids = pairs.map((p) => p.keyPairId);`,
                `export const fingerPrints = pairs.map((p) => p.keyPairFingerPrint);`,
            ].join("\n");

        /** The ids of the KeyPairs a stack's state holds. */
        async function heldIds(stack: ProgramStack): Promise<string[]> {
            const state = stack.exportState();
            return (state.deployment.resources ?? [])
                .filter((r) => r.type === doors.dynamic.resourceType && r.id)
                .map((r) => r.id as string)
                .sort();
        }

        const pairsNamed = (prefix: string) => server.listKeyPairs().filter((p) => p.keyPairName.startsWith(prefix));
        const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

        /** Whether a line of the documented `pgrep` is a provider of this project (every test program runs from the repository's node_modules). */
        const ofThisProject = (line: string) => line.includes(`${path.join(repoRoot, "node_modules")}${path.sep}`);

        before(() => {
            linkCommand();
        });

        afterEach(() => {
            server.setFaults({});
        });

        it("the same name from two stacks at once, with a 500 on the first import: one owns the pair, the other fails naming it", async () => {
            const name = "e2e-race-shared";
            const stacks = ["ens-race-a", "ens-race-b"].map((scenario) =>
                ProgramStack.create({ scenario, programText: program([name]), config: cliConfig() }),
            );
            const before = server.stats();
            // The delay before processing lets both imports be in flight before either runs.
            server.setFaults({ latencyMs: 1000, rate: 1, errors: ["InternalError"], actions: ["ImportKeyPair"], maxFaults: 1 });
            const results = await Promise.all(stacks.map((stack) => stack.runAsync(upArgs)));
            server.setFaults({});
            const after = server.stats();
            assert.strictEqual((after.faultsInjected.InternalError ?? 0) - (before.faultsInjected.InternalError ?? 0), 1);

            const owner = results.findIndex((r) => r.status === 0);
            const other = 1 - owner;
            assert.ok(
                owner >= 0 && results[other].status !== 0,
                `exactly one up succeeds: ${results.map((r) => String(r.status)).join(", ")}`,
            );
            const [pair] = pairsNamed(name);
            assert.ok(pair, "the pair exists in ENS");
            assert.deepStrictEqual(await heldIds(stacks[owner]), [pair.keyPairId], "the owner holds the pair ENS has");
            const outputs = JSON.parse((await stacks[owner].runAsync(["stack", "output", "--json"])).stdout);
            assert.deepStrictEqual(outputs.fingerPrints, [pair.keyPairFingerPrint], "with its fingerprint");
            assert.deepStrictEqual(await heldIds(stacks[other]), [], "the other stack holds nothing");
            assert.match(results[other].output, /PubKeyNameExisted/);
            assert.ok(results[other].output.includes(pair.keyPairId), "the error names the pair that holds the name");
            assert.strictEqual(after.calls.DeleteKeyPairs ?? 0, before.calls.DeleteKeyPairs ?? 0, "nothing was deleted");
            console.log(
                `      race: stack ${"ab"[owner]} owns ${pair.keyPairId}; stack ${"ab"[other]} failed with PubKeyNameExisted naming it`,
            );

            for (const stack of stacks) {
                assert.strictEqual((await stack.runAsync(["destroy", "--yes"])).status, 0);
            }
            assert.deepStrictEqual(pairsNamed(name), []);
        });

        it("kill -9 of pulumi up while creates are committed but unanswered, then the documented recovery: converged, 0 orphans", async () => {
            const names = Array.from({ length: 5 }, (_, i) => `e2e-kill-${i}`);
            const stack = ProgramStack.create({ scenario: "ens-kill", programText: program(names), config: cliConfig() });
            // Imports commit, then their answers wait: the window in which a killed run loses them.
            server.setFaults({ latencyAfterCommitMs: 120_000, actions: ["ImportKeyPair"] });
            const up = stack.start(upArgs);
            try {
                const deadline = Date.now() + 120_000;
                while (pairsNamed("e2e-kill-").length < names.length) {
                    assert.ok(Date.now() < deadline, `only ${pairsNamed("e2e-kill-").length} creates committed in time`);
                    await new Promise((r) => setTimeout(r, 250));
                }
            } finally {
                process.kill(-(up.pid as number), "SIGKILL");
                killLeftovers(stack.dir);
                server.setFaults({});
            }
            const left = pairsNamed("e2e-kill-");
            assert.strictEqual(left.length, names.length);
            assert.deepStrictEqual(await heldIds(stack), [], "the killed run recorded none of them");

            // The recovery, exactly as the README gives it.
            assert.strictEqual((await stack.runAsync(["cancel", "--yes"])).status, 0);
            const stuck = await stack.runAsync(upArgs);
            assert.notStrictEqual(stuck.status, 0, "up meets the pairs the killed run left");
            assert.match(stuck.output, /PubKeyNameExisted/);
            assert.ok(stuck.output.includes(left[0].keyPairId) && stuck.output.includes("npx pulumi-ens-keypair orphans"), stuck.output);

            const orphans = ["pulumi-ens-keypair", "orphans", "--stack", stack.name];
            const listed = await stack.exec("npx", orphans);
            assert.strictEqual(listed.status, 0, listed.output);
            for (const pair of left) {
                assert.ok(listed.stdout.includes(pair.keyPairId), `the list shows ${pair.keyPairId}:\n${listed.stdout}`);
            }
            assert.strictEqual(pairsNamed("e2e-kill-").length, names.length, "listing deletes nothing");
            const deleted = await stack.exec("npx", [...orphans, "--delete", "--yes"]);
            assert.strictEqual(deleted.status, 0, deleted.output);
            assert.deepStrictEqual(pairsNamed("e2e-kill-"), []);
            assert.strictEqual((await stack.runAsync(["refresh", "--clear-pending-creates", "--yes"])).status, 0);
            const recovered = await stack.runAsync(upArgs);
            assert.strictEqual(recovered.status, 0, recovered.output);

            const inEns = pairsNamed("e2e-kill-")
                .map((p) => p.keyPairId)
                .sort();
            assert.strictEqual(inEns.length, names.length);
            assert.deepStrictEqual(await heldIds(stack), inEns, "converged: the stack holds exactly what ENS has");
            assert.strictEqual(stack.exportState().deployment.pending_operations?.length ?? 0, 0);
            const none = await stack.exec("npx", [...orphans, "--prefix", "e2e-kill-"]);
            assert.match(none.stdout, /No key pair in ENS is an orphan/);
            console.log(`      interrupt: ${left.length} pairs committed, unanswered and killed; recovered with 0 orphans`);

            assert.strictEqual((await stack.runAsync(["destroy", "--yes"])).status, 0);
            assert.deepStrictEqual(pairsNamed("e2e-kill-"), []);
        });

        it("kill -9 of pulumi up while ENS throttles every create: the provider stops, and the documented recovery ends with 0 orphans and no late pair; the same for a killed destroy", async () => {
            const prefix = "e2e-stop-";
            const names = Array.from({ length: 5 }, (_, i) => `${prefix}${i}`);
            const stack = ProgramStack.create({ scenario: "ens-stop", programText: program(names), config: cliConfig() });
            const imports = () => server.stats().calls.ImportKeyPair ?? 0;
            try {
                const importsBefore = imports();
                server.setFaults({ rate: 1, errors: ["Throttling"], actions: ["ImportKeyPair"] });
                const up = stack.start(upArgs);
                const killedAt = await killWhen(up, () => imports() - importsBefore >= names.length, "every create to reach ENS");
                // From now on ENS accepts every call: a provider still retrying would commit its pair.
                server.setFaults({});
                const { providerGoneMs, results } = await runDocumented(
                    stack,
                    "Recovering from an interrupted `pulumi up`",
                    "dynamic",
                    killedAt,
                    ofThisProject,
                );
                // What the killed run's provider sent from the kill until it ended (nothing else talked to ENS meanwhile).
                const sentAfterKill = answered.filter(
                    (a) => a.at > killedAt && a.at <= killedAt + providerGoneMs && a.line.includes(" ImportKeyPair "),
                );
                const committedAfterKill = sentAfterKill.filter((a) => a.line.includes(" 200 OK ")).length;
                assert.ok(
                    results.some((r) => r.command.includes(" orphans ")),
                    "the recovery looks for orphans",
                );
                const inEns = pairsNamed(prefix)
                    .map((p) => p.keyPairId)
                    .sort();
                assert.strictEqual(inEns.length, names.length);
                assert.deepStrictEqual(await heldIds(stack), inEns, "converged: the stack holds exactly what ENS has");
                assert.strictEqual(stack.exportState().deployment.pending_operations?.length ?? 0, 0);
                // Nothing of the killed run may land now: watch ENS for a while.
                const importsAfterRecovery = imports();
                for (const until = Date.now() + 15_000; Date.now() < until;) {
                    await new Promise((r) => setTimeout(r, 500));
                    assert.deepStrictEqual(
                        pairsNamed(prefix)
                            .map((p) => p.keyPairId)
                            .sort(),
                        inEns,
                        "no pair appears after the recovery",
                    );
                }
                assert.strictEqual(imports(), importsAfterRecovery, "no import reaches ENS after the recovery");
                const none = await stack.exec("npx", ["pulumi-ens-keypair", "orphans", "--stack", stack.name, "--prefix", prefix]);
                assert.match(none.stdout, /No key pair in ENS is an orphan/);
                console.log(
                    `      killed up: the provider was gone ${(providerGoneMs / 1000).toFixed(1)} s after the CLI; ` +
                        `${sentAfterKill.length} of its imports answered after the kill` +
                        (sentAfterKill.length > 0
                            ? ` (the last ${sentAfterKill[sentAfterKill.length - 1].at - killedAt} ms after it; ${committedAfterKill} committed)`
                            : "") +
                        `; recovered with 0 orphans, no late pair in 15 s`,
                );

                // A destroy killed while ENS has committed its deletes but not answered them.
                server.setFaults({ latencyAfterCommitMs: 120_000, actions: ["DeleteKeyPairs"] });
                const destroy = stack.start(["destroy", "--yes"]);
                const destroyKilledAt = await killWhen(destroy, () => pairsNamed(prefix).length < names.length, "a delete to commit");
                server.setFaults({});
                const destroyed = await runDocumented(
                    stack,
                    "Recovering from an interrupted `pulumi destroy`",
                    "dynamic",
                    destroyKilledAt,
                    ofThisProject,
                );
                assert.deepStrictEqual(pairsNamed(prefix), [], "the second destroy finished the job");
                assert.deepStrictEqual(await heldIds(stack), []);
                console.log(
                    `      killed destroy: its provider, waiting on a delete sent before the kill, was gone ${(destroyed.providerGoneMs / 1000).toFixed(1)} s after the CLI; destroy again left ENS empty`,
                );
            } finally {
                server.setFaults({});
                // The language host and the program of a killed run are not the provider's to stop.
                killLeftovers(stack.dir);
            }
        });

        it("30 pairs at fault rate 0.5 and drop-after-commit 0.5: repeated up converges, destroy leaves ENS empty", async () => {
            const names = Array.from({ length: 30 }, (_, i) => `e2e-fault-${i}`);
            const stack = ProgramStack.create({ scenario: "ens-faults", programText: program(names), config: cliConfig() });
            const maxRuns = 5;
            const before = server.stats();
            server.setFaults({ rate: 0.5, dropAfterCommit: 0.5 });
            const converge = async (args: string[]) => {
                for (let run = 1; ; run++) {
                    const result = await stack.runAsync(args);
                    if (result.status === 0) {
                        return run;
                    }
                    // Every failure says what it left behind; a pair left in ENS would block later runs.
                    assert.doesNotMatch(result.output, /PubKeyNameExisted/, "a run left an orphan");
                    assert.ok(run < maxRuns, `pulumi ${args[0]} did not converge in ${maxRuns} runs:\n${result.output.slice(-3000)}`);
                }
            };
            // A create makes one pass (two sends at most), so at this fault rate about one in six
            // fails; each run carries on with the others, as a pipeline retrying under faults would.
            const ups = await converge([...upArgs, "--continue-on-error"]);
            const inEns = pairsNamed("e2e-fault-")
                .map((p) => p.keyPairId)
                .sort();
            assert.strictEqual(inEns.length, names.length, "one pair per resource: no orphans, no duplicates");
            assert.deepStrictEqual(await heldIds(stack), inEns, "no stack holds an id that is not in ENS");
            const destroys = await converge(["destroy", "--yes"]);
            server.setFaults({});
            assert.deepStrictEqual(pairsNamed("e2e-fault-"), [], "destroy leaves ENS empty");
            const after = server.stats();
            const faults = total(after.faultsInjected) - total(before.faultsInjected);
            console.log(
                `      fault run: ${after.requests - before.requests} requests, ${faults} faults injected, ` +
                    `${after.droppedAfterCommit - before.droppedAfterCommit} answers dropped after commit; ` +
                    `converged in ${ups} up(s) and ${destroys} destroy(s); 0 orphans`,
            );
            assert.ok(faults > 0);
        });
    });
});
