/**
 * The dynamic door fuzzed: its check, diff, create and read given thousands of generated inputs
 * and states (test/helpers/fuzz.ts says what they hold), in the local backend and, for check,
 * the ens one. Whatever they are given, they answer with failures that name the field (or no
 * property where the value may be secret), or with an error for the user, never a TypeError; and
 * nothing they say quotes a value that arrived secret, a pasted private key or an age identity.
 * The plugin's side, over gRPC, is test/integration.fuzz.test.ts.
 */
import * as assert from "assert";
import fc from "fast-check";
import { defaultAccessKey, EnsServer, startEnsServer } from "../ens-server/server";
import { secretInputsProperty } from "../provider/doors";
import * as provider from "../provider/dynamic/implementation";
import { checkedInputNames, inputNames, keyPairFields, outputNames } from "../provider/fields";
import { checkInputs, KeyPairInputs } from "../provider/inputs";
import { parsePublicKey } from "../provider/keys/importedKey";
import { KeyPairOutputs } from "../provider/state";
import {
    assertFailures,
    assertQuotesNoSecret,
    assertUserError,
    fuzz,
    FuzzMaterial,
    fuzzMaterial,
    junk,
    mutated,
    pairKinds,
    rawInputs,
    withSecrets,
} from "./helpers/fuzz";
import { configRequest, configWith } from "./helpers/provider";

type Raw = Record<string, unknown>;

/** What a check, diff, create or read of the dynamic door says besides its result: what it writes to stderr. */
async function saying<T>(run: () => Promise<T>): Promise<{ result?: T; error?: unknown; said: string }> {
    const said: string[] = [];
    const write = console.error;
    console.error = (...args: unknown[]) => void said.push(args.map(String).join(" "));
    try {
        return { result: await run(), said: said.join("\n") };
    } catch (error) {
        return { error, said: said.join("\n") };
    } finally {
        console.error = write;
    }
}

/** The id the engine sends with the stored pair's properties: always a string. */
function idOf(stored: Raw): string {
    return typeof stored.keyPairId === "string" ? stored.keyPairId : "ssh-fuzz";
}

describe("the dynamic door, fuzzed", function () {
    this.timeout(300_000);
    let material: FuzzMaterial;
    /** Pairs as a check and a create leave them, one of each kind. */
    let stored: (KeyPairOutputs & Raw)[];
    let checked: Raw[];
    let server: EnsServer;

    before(async () => {
        material = await fuzzMaterial();
        await provider.configure(configRequest("local"));
        const kinds: Raw[] = [
            ...pairKinds(material),
            { keyPairName: "fuzz-secret", keyType: "ed25519", [secretInputsProperty]: ["keyPairName"] },
        ];
        checked = [];
        stored = [];
        for (const news of kinds) {
            const result = await provider.check({}, news);
            assert.deepStrictEqual(result.failures, []);
            checked.push(result.inputs);
            stored.push((await provider.create(result.inputs as KeyPairInputs)).outs);
        }
        server = await startEnsServer();
    });

    after(async () => {
        await provider.configure(configRequest("local"));
        await server?.close();
    });

    /** The checks every answer of check passes, and those of a clean check. */
    async function checkOnce(olds: Raw, values: Raw, secret: string[]): Promise<void> {
        const news = { ...values, [secretInputsProperty]: secret };
        const { result, error, said } = await saying(() => provider.check(olds, news));
        assert.strictEqual(error, undefined, `check threw: ${String(error)}`);
        const failures = result?.failures ?? [];
        assertFailures(failures, secret);
        assertQuotesNoSecret([...failures.map((f) => f.reason), said].join("\n"), material);
        const unknown = Object.values(values).some((value) => JSON.stringify(value)?.includes("04da6b54"));
        if (failures.length === 0 && !unknown) {
            // What a check accepts, a create takes without a second thought.
            const again = checkInputs({}, result?.inputs as Raw, { resolved: true }).problems;
            assert.deepStrictEqual(
                again.map((p) => p.error.message.slice(0, 200)),
                [],
                "a create would refuse what check accepted",
            );
        }
    }

    const olds = () => fc.oneof(fc.constant({}), fc.constantFrom(...checked), mutated(checked, [...checkedInputNames, "rotatesAt"]));

    it("check, in the local backend, answers every input with failures that name the field, or none", async () => {
        await fuzz("dynamic check (local)", fc.tuple(olds(), withSecrets(rawInputs(material))), 2000, ([previous, { values, secret }]) =>
            checkOnce(previous, values, secret),
        );
    });

    it("check, in the ens backend, the same", async () => {
        const { id, secret } = defaultAccessKey;
        await provider.configure(configWith({ backend: "ens", endpoint: server.url, accessKeyId: id, accessKeySecret: secret }));
        try {
            await fuzz(
                "dynamic check (ens)",
                fc.tuple(olds(), withSecrets(rawInputs(material))),
                800,
                ([previous, { values, secret: made }]) => checkOnce(previous, values, made),
            );
        } finally {
            await provider.configure(configRequest("local"));
        }
    });

    it("diff answers any stored pair and new inputs with a decision, and says nothing secret", async () => {
        const keys = [...outputNames, ...inputNames, "backend", secretInputsProperty];
        const arbitrary = fc.tuple(withSecrets(mutated(stored, keys)), withSecrets(fc.oneof(rawInputs(material), mutated(checked, keys))));
        await fuzz("dynamic diff", arbitrary, 2000, async ([olds, news]) => {
            const { result, error, said } = await saying(() =>
                provider.diff(
                    idOf(olds.values),
                    { ...olds.values, [secretInputsProperty]: olds.secret } as never,
                    { ...news.values, [secretInputsProperty]: news.secret } as never,
                ),
            );
            if (error !== undefined) {
                assertQuotesNoSecret(assertUserError(error).message, material);
            } else {
                assert.ok(typeof result?.changes === "boolean" && typeof result.deleteBeforeReplace === "boolean");
                assert.ok(result.replaces.every((name: unknown) => typeof name === "string"));
            }
            assertQuotesNoSecret(said, material);
        });
    });

    it("create makes a key only from inputs a check accepts, and refuses the rest naming the rule", async () => {
        const keys = [...checkedInputNames, "rotatesAt"];
        const arbitrary = withSecrets(fc.oneof(rawInputs(material, "rarely"), mutated(checked, keys)));
        await fuzz("dynamic create", arbitrary, 300, async ({ values, secret }) => {
            const inputs = { ...values, [secretInputsProperty]: secret };
            const { result, error, said } = await saying(() => provider.create(inputs as never));
            assertQuotesNoSecret(said, material);
            if (error !== undefined) {
                assertQuotesNoSecret(assertUserError(error).message, material);
                return;
            }
            const outs = result?.outs as KeyPairOutputs;
            // Nothing a check would refuse was made: no key of another size, type or curve.
            assert.ok((keyPairFields.keyType.choices as readonly unknown[]).includes(outs.keyType), String(outs.keyType));
            const key = parsePublicKey(outs.publicKeyOpenssh);
            // The outputs say what was made, defaults included.
            assert.strictEqual(key.keyType, outs.keyType);
            assert.strictEqual(outs.rsaBits, key.rsaBits);
            assert.strictEqual(outs.ecdsaCurve, key.ecdsaCurve);
            if (values.publicKey === undefined) {
                assert.ok(
                    key.rsaBits === undefined || (keyPairFields.rsaBits.choices as readonly number[]).includes(key.rsaBits),
                    String(key.rsaBits),
                );
            }
            assert.strictEqual(typeof outs.keyPairName, "string");
        });
    });

    it("read answers any stored state with the pair, or with a message that names what is corrupt", async () => {
        const keys = [...outputNames, ...inputNames, "backend", "rotatesAt"];
        await fuzz("dynamic read", withSecrets(mutated(stored, keys)), 600, async ({ values, secret }) => {
            const props = { ...values, [secretInputsProperty]: secret };
            const { error, said } = await saying(() => provider.read(idOf(values), props as never));
            if (error !== undefined) {
                assertQuotesNoSecret(assertUserError(error).message, material);
            }
            assertQuotesNoSecret(said, material);
        });
    });

    it("junk in place of a whole request, an id or a property struct, never a TypeError", async () => {
        const record = fc.dictionary(fc.string({ maxLength: 12 }), junk, { maxKeys: 4, noNullPrototype: true });
        await fuzz(
            "dynamic junk requests",
            fc.tuple(record, record, fc.string({ unit: "binary", maxLength: 30 })),
            1000,
            async ([a, b, id]) => {
                const runs: (() => Promise<unknown>)[] = [
                    () => provider.check(a, b),
                    () => provider.diff(id, a as never, b as never),
                    () => provider.create(b as never),
                    () => provider.read(id, a),
                    () => provider.delete(id, a as never),
                ];
                for (const run of runs) {
                    const { error } = await saying(run);
                    if (error !== undefined) {
                        assertUserError(error);
                    }
                }
            },
        );
    });
});
