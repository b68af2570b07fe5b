/**
 * Scheduled rotation: the `rotateAfter` grammar, and the provider's decisions (check, then diff,
 * then create or update) on a clock the test sets, as the engine makes them on every run.
 */
import * as assert from "assert";
import { checkInputs, KeyPairInputs, unknownValue } from "../provider/inputs";
import { KeyPairOutputs } from "../provider/state";
import * as provider from "../provider/dynamic/implementation";
import { maxRotateAfterSeconds, parseDuration, planRotation } from "../provider/rotation";
import { expectEnsError } from "./helpers/ensErrors";
import { assertSameKey } from "./helpers/pem";
import { configRequest, useEnsServer } from "./helpers/provider";

type Raw = Record<string, unknown>;

const t0 = new Date("2026-11-29T08:00:00Z");
/** The clock `seconds` after {@link t0}. */
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe("rotation", () => {
    describe("the rotateAfter grammar", () => {
        const valid: [string, number][] = [
            ["90d", 90 * 86_400],
            ["12h", 12 * 3_600],
            ["30m", 30 * 60],
            ["45s", 45],
            ["1s", 1],
            ["1d12h", 36 * 3_600],
            ["1d2h3m4s", 86_400 + 7_200 + 180 + 4],
            ["2h30m", 9_000],
            ["90s", 90],
            ["007d", 7 * 86_400],
            ["36500d", maxRotateAfterSeconds],
        ];
        for (const [text, seconds] of valid) {
            it(`reads ${JSON.stringify(text)} as ${seconds} s`, () => {
                assert.strictEqual(parseDuration(text), seconds);
            });
        }

        const invalid: [unknown, string][] = [
            ["", "empty"],
            ["0s", "zero"],
            ["0d0h", "zero in parts"],
            ["36500d1s", "over 100 years"],
            ["1w", "weeks are not a unit"],
            ["1y", "years are not a unit"],
            ["1M", "nor months"],
            ["1.5h", "fractions"],
            ["12", "no unit"],
            ["h", "no number"],
            ["1h1d", "units out of order"],
            ["1d1d", "a unit twice"],
            ["1d 2h", "spaces"],
            [" 1d", "leading space"],
            ["-1d", "a sign"],
            ["P1D", "ISO 8601"],
            [90, "a number"],
            [null, "null"],
        ];
        for (const [value, why] of invalid) {
            it(`refuses ${JSON.stringify(value)} (${why}), naming rotateAfter and the grammar`, () => {
                expectEnsError(
                    () => parseDuration(value),
                    "InvalidParameter.RotateAfter",
                    "rotateAfter must be a duration",
                    '"90d"',
                    `got ${JSON.stringify(value)}`,
                );
            });
        }
    });

    describe("the deadline check keeps with the inputs", () => {
        it("starts the clock at a new pair and keeps it until the deadline", () => {
            const first = planRotation({}, "1h", t0);
            assert.deepStrictEqual(first, { rotatesAt: "2026-11-29T09:00:00Z", due: false });
            const olds = { rotateAfter: "1h", rotatesAt: first.rotatesAt };
            assert.deepStrictEqual(planRotation(olds, "1h", at(3599)), first);
        });

        it("is due from the deadline on, and starts a new clock", () => {
            const olds = { rotateAfter: "1h", rotatesAt: "2026-11-29T09:00:00Z" };
            assert.deepStrictEqual(planRotation(olds, "1h", at(3600)), { rotatesAt: "2026-11-29T10:00:00Z", due: true });
            assert.deepStrictEqual(planRotation(olds, "1h", at(7200 + 5)), { rotatesAt: "2026-11-29T11:00:05Z", due: true });
        });

        it("moves the deadline when rotateAfter changes, keeping when the clock started", () => {
            const olds = { rotateAfter: "1h", rotatesAt: "2026-11-29T09:00:00Z" };
            assert.deepStrictEqual(planRotation(olds, "3h", at(1800)), { rotatesAt: "2026-11-29T11:00:00Z", due: false });
            assert.deepStrictEqual(planRotation(olds, "45m", at(1800)), { rotatesAt: "2026-11-29T08:45:00Z", due: false });
            // Shortened below the pair's age: the new deadline has passed, so it rotates now.
            assert.deepStrictEqual(planRotation(olds, "20m", at(1800)), { rotatesAt: "2026-11-29T08:50:00Z", due: true });
        });

        it("starts the clock when rotateAfter is first set, and drops the deadline when it is removed", () => {
            assert.deepStrictEqual(planRotation({}, "10m", at(5000)), { rotatesAt: "2026-11-29T09:33:20Z", due: false });
            assert.deepStrictEqual(planRotation({ rotateAfter: "1h", rotatesAt: "2026-11-29T09:00:00Z" }, undefined, at(9999)), {
                due: false,
            });
        });
    });

    describe("the provider's decisions on a clock the test sets", function () {
        before(async () => {
            await provider.configure(configRequest("local"));
        });

        /** One deployment of a pair: its last inputs and outputs, as the engine keeps them in state. */
        interface Deployed {
            inputs: KeyPairInputs;
            outs: KeyPairOutputs;
        }

        function check(olds: Raw, news: Raw, now: Date): KeyPairInputs {
            const { inputs, problems } = checkInputs(olds, news, { now });
            assert.deepStrictEqual(problems, []);
            return inputs;
        }

        async function deploy(news: Raw, now: Date): Promise<Deployed> {
            const inputs = check({}, news, now);
            const { outs } = await provider.create(inputs);
            return { inputs, outs: outs as KeyPairOutputs };
        }

        /**
         * What the engine would do at `now` with the program's inputs `news`: check, then diff.
         * `said` is what the provider printed for the run's diagnostics.
         */
        async function plan(pair: Deployed, news: Raw, now: Date) {
            const inputs = check(pair.inputs, news, now);
            const said: string[] = [];
            const print = console.error;
            console.error = (message: unknown) => said.push(String(message));
            try {
                return { inputs, diff: await provider.diff(pair.outs.keyPairId, pair.outs, inputs), said };
            } finally {
                console.error = print;
            }
        }

        const prefixed = { keyPairNamePrefix: "deploy-", keyType: "ed25519", rotateAfter: "1h" };
        const fixed = { keyPairName: "deploy", keyType: "ed25519", rotateAfter: "1h" };

        it("gives a new pair rotatesAt = rotateAfter after the run that makes it", async () => {
            const pair = await deploy(prefixed, t0);
            assert.strictEqual(pair.outs.rotatesAt, "2026-11-29T09:00:00Z");
            assert.strictEqual(pair.outs.rotateAfter, "1h");
        });

        it("changes nothing before the deadline, for a prefix or a fixed name", async () => {
            for (const news of [prefixed, fixed]) {
                const pair = await deploy(news, t0);
                for (const seconds of [0, 60, 3599]) {
                    const { inputs, diff, said } = await plan(pair, news, at(seconds));
                    assert.deepStrictEqual(diff, { changes: false, replaces: [], deleteBeforeReplace: false }, `${seconds} s`);
                    assert.strictEqual(inputs.keyPairName, pair.outs.keyPairName);
                    assert.deepStrictEqual(said, []);
                }
            }
        });

        it("from the deadline on, replaces a prefixed pair with a newly named one, created before the old one is deleted", async () => {
            const pair = await deploy(prefixed, t0);
            for (const seconds of [3600, 86_400]) {
                const { inputs, diff, said } = await plan(pair, prefixed, at(seconds));
                assert.deepStrictEqual(diff, { changes: true, replaces: ["keyPairName", "rotatesAt"], deleteBeforeReplace: false });
                assert.deepStrictEqual(said, [
                    `KeyPair "${pair.outs.keyPairName}" (${pair.outs.keyPairId}) is due for rotation: rotatesAt 2026-11-29T09:00:00Z has passed (rotateAfter 1h). ` +
                        "A new pair, named from the prefix, is created before it is deleted.",
                ]);
                assert.notStrictEqual(inputs.keyPairName, pair.outs.keyPairName);
                assert.match(inputs.keyPairName, /^deploy-[a-z0-9]{8}$/);
                assert.strictEqual(inputs.rotatesAt, new Date(at(seconds).getTime() + 3_600_000).toISOString().replace(".000", ""));
            }
        });

        it("from the deadline on, replaces a pair with a fixed name, deleting it first", async () => {
            const pair = await deploy(fixed, t0);
            const { inputs, diff, said } = await plan(pair, fixed, at(3600));
            assert.deepStrictEqual(diff, { changes: true, replaces: ["rotatesAt"], deleteBeforeReplace: true });
            assert.deepStrictEqual(said, [
                `KeyPair "deploy" (${pair.outs.keyPairId}) is due for rotation: rotatesAt 2026-11-29T09:00:00Z has passed (rotateAfter 1h). ` +
                    "It is deleted first, so that the new pair can take its name.",
            ]);
            assert.strictEqual(inputs.keyPairName, "deploy");
        });

        it("the rotated pair is left alone until its own deadline", async () => {
            const pair = await deploy(prefixed, t0);
            const { inputs } = await plan(pair, prefixed, at(3700));
            const { outs } = await provider.create(inputs);
            const rotated = { inputs, outs: outs as KeyPairOutputs };
            assert.strictEqual(rotated.outs.rotatesAt, "2026-11-29T10:01:40Z");
            assert.strictEqual((await plan(rotated, prefixed, at(3700 + 3599))).diff.changes, false);
            assert.deepStrictEqual((await plan(rotated, prefixed, at(3700 + 3600))).diff.replaces, ["keyPairName", "rotatesAt"]);
        });

        it("changing only rotateAfter moves rotatesAt with an update that keeps the key", async () => {
            const pair = await deploy(fixed, t0);
            const news = { ...fixed, rotateAfter: "1d" };
            const { inputs, diff, said } = await plan(pair, news, at(1800));
            assert.deepStrictEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
            assert.deepStrictEqual(said, []);
            const { outs } = await provider.update(pair.outs.keyPairId, pair.outs, inputs);
            const updated = outs as KeyPairOutputs;
            assert.strictEqual(updated.rotatesAt, "2026-11-30T08:00:00Z");
            assert.strictEqual(updated.rotateAfter, "1d");
            assert.strictEqual(updated.keyPairId, pair.outs.keyPairId);
            assert.strictEqual(updated.creationTime, pair.outs.creationTime);
            assertSameKey(updated.privateKeyOpenssh, pair.outs.privateKeyOpenssh, "after the update");
            // The next run sees no change.
            assert.strictEqual((await plan({ inputs, outs: updated }, news, at(1801))).diff.changes, false);
        });

        it("shortening rotateAfter below the pair's age rotates it at this run", async () => {
            const pair = await deploy(prefixed, t0);
            const { diff, said } = await plan(pair, { ...prefixed, rotateAfter: "20m" }, at(1800));
            assert.deepStrictEqual(diff, { changes: true, replaces: ["keyPairName", "rotatesAt"], deleteBeforeReplace: false });
            assert.match(said.join("\n"), /rotatesAt 2026-11-29T08:20:00Z has passed \(rotateAfter 20m\)/);
        });

        it("adding rotateAfter to a pair starts its clock, and removing it drops rotatesAt, both without replacing", async () => {
            const plain = { keyPairName: fixed.keyPairName, keyType: fixed.keyType };
            const pair = await deploy(plain, t0);
            assert.strictEqual(pair.outs.rotatesAt, undefined);
            const added = await plan(pair, fixed, at(86_400));
            assert.deepStrictEqual(added.diff, { changes: true, replaces: [], deleteBeforeReplace: false });
            const withClock = (await provider.update(pair.outs.keyPairId, pair.outs, added.inputs)).outs as KeyPairOutputs;
            assert.strictEqual(withClock.rotatesAt, "2026-11-30T09:00:00Z");

            const removed = await plan({ inputs: added.inputs, outs: withClock }, plain, at(90_000));
            assert.deepStrictEqual(removed.diff, { changes: true, replaces: [], deleteBeforeReplace: false });
            const without = (await provider.update(pair.outs.keyPairId, withClock, removed.inputs)).outs as KeyPairOutputs;
            assert.strictEqual(without.rotatesAt, undefined);
            assert.strictEqual(without.rotateAfter, undefined);
            assertSameKey(without.privateKeyOpenssh, pair.outs.privateKeyOpenssh, "after adding and removing rotateAfter");
        });

        it("a pair replaced for another reason is not reported as a rotation, and its replacement gets a new clock", async () => {
            const pair = await deploy(fixed, t0);
            const news = { ...fixed, keyType: "rsa" };
            const { diff, said } = await plan(pair, news, at(600));
            assert.deepStrictEqual(diff, { changes: true, replaces: ["keyType", "rsaBits"], deleteBeforeReplace: true });
            assert.deepStrictEqual(said, []);
            // The engine checks a replacement again without the old inputs, as a new pair.
            assert.strictEqual(check({}, news, at(600)).rotatesAt, "2026-11-29T09:10:00Z");
        });

        it("a rotateAfter not known until deployment leaves rotatesAt unknown, without replacing", async () => {
            const pair = await deploy(fixed, t0);
            const { inputs, diff } = await plan(pair, { ...fixed, rotateAfter: unknownValue }, at(7200));
            assert.strictEqual(inputs.rotatesAt, unknownValue);
            assert.strictEqual(inputs.keyPairName, "deploy");
            assert.deepStrictEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
        });

        describe("in the ens backend", () => {
            const ensServer = useEnsServer(provider);

            const held = () =>
                ensServer()
                    .listKeyPairs()
                    .map((p) => p.keyPairName)
                    .sort();

            it("rotates a prefixed pair as the engine orders it: the new pair is in ENS before the old one is deleted", async () => {
                const news = { keyPairNamePrefix: "ens-rot-", rotateAfter: "1h" };
                const old = await deploy(news, t0);
                assert.strictEqual((await plan(old, news, at(3599))).diff.changes, false);
                const { inputs, diff } = await plan(old, news, at(3600));
                assert.deepStrictEqual(diff, { changes: true, replaces: ["keyPairName", "rotatesAt"], deleteBeforeReplace: false });
                const { id } = await provider.create(inputs);
                assert.deepStrictEqual(held(), [old.outs.keyPairName, inputs.keyPairName].sort(), "both pairs exist between the steps");
                await provider.delete(old.outs.keyPairId, old.outs);
                assert.deepStrictEqual(held(), [inputs.keyPairName]);
                assert.deepStrictEqual(
                    ensServer()
                        .listKeyPairs()
                        .map((p) => p.keyPairId),
                    [id],
                );
            });

            it("rotates a pair with a fixed name by deleting it first, freeing the name ENS keeps unique", async () => {
                const news = { keyPairName: "ens-rot-fixed", rotateAfter: "1h" };
                const old = await deploy(news, t0);
                const { inputs, diff } = await plan(old, news, at(3600));
                assert.deepStrictEqual(diff, { changes: true, replaces: ["rotatesAt"], deleteBeforeReplace: true });
                // In the other order ENS refuses the name.
                await assert.rejects(provider.create(inputs), /PubKeyNameExisted/);
                await provider.delete(old.outs.keyPairId, old.outs);
                const { id } = await provider.create(inputs);
                assert.notStrictEqual(id, old.outs.keyPairId);
                assert.deepStrictEqual(
                    ensServer()
                        .listKeyPairs()
                        .filter((p) => p.keyPairName === "ens-rot-fixed")
                        .map((p) => p.keyPairId),
                    [id],
                );
            });
        });

        it("refuses a bad rotateAfter at check, on the rotateAfter property", () => {
            const { problems } = checkInputs({}, { ...fixed, rotateAfter: "3 months" }, { now: t0 });
            assert.strictEqual(problems.length, 1);
            assert.strictEqual(problems[0].property, "rotateAfter");
            assert.match(problems[0].error.message, /^InvalidParameter\.RotateAfter: .*rotateAfter must be a duration .*got "3 months"/);
        });
    });
});
