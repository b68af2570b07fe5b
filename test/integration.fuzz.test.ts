/**
 * The plugin fuzzed over real gRPC: the bundled plugin, launched as the engine launches it, is
 * sent thousands of generated Check, Diff, Create and Read requests (test/helpers/fuzz.ts says
 * what their properties hold), with inputs wrapped as secrets as the engine wraps them, property
 * structs damaged (values of no kind, secrets wrapped twice or around nothing, other special
 * values), URNs of other types, configurations of any shape, and bytes that are no request at
 * all. Each answer is a response or an error for the user, never a bug showing through; nothing
 * it says quotes a secret value, a pasted private key or an age identity; what arrived secret
 * leaves secret; and after every request the plugin still serves.
 */
import * as assert from "assert";
import fc from "fast-check";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct, Value } from "google-protobuf/google/protobuf/struct_pb";
import * as rpc from "@pulumi/pulumi/proto/provider_pb";
import { configKeys } from "../provider/config";
import { doors } from "../provider/doors";
import { checkedInputNames, inputNames, outputNames } from "../provider/fields";
import { secretValue, unwrap, wrap } from "../provider/plugin/properties";
import { buildPlugin } from "../scripts/build-plugin";
import {
    assertFailures,
    assertNoBugMessage,
    assertQuotesNoSecret,
    fuzz,
    FuzzMaterial,
    fuzzMaterial,
    junk,
    mutated,
    pairKinds,
    rawInputs,
    secretMarks,
    withSecrets,
} from "./helpers/fuzz";
import { call, configure, launch, Plugin, props, stop } from "./helpers/plugin";

type Raw = Record<string, unknown>;

const urn = `urn:pulumi:test::fuzz::${doors.package.resourceType}::pair`;
const signatureKey = "4dabf18193072939515e22adb298388d";

/** Ways to damage one property of a struct, as no engine would send it but a client might. */
const damages = [
    "no kind",
    "secret of nothing",
    "secret of a secret",
    "asset",
    "resource reference",
    "deep list",
    "secret of junk",
] as const;
type Damage = (typeof damages)[number];

function damaged(kind: Damage, value: unknown): Value {
    switch (kind) {
        case "no kind":
            return new Value();
        case "secret of nothing":
            return Value.fromJavaScript({ [signatureKey]: "1b47061264138c4ac30d75fd1eb44270" });
        case "secret of a secret":
            return Value.fromJavaScript(secretValue(secretValue(value ?? null)) as never);
        case "asset":
            return Value.fromJavaScript({ [signatureKey]: "c44067f5952c0a294b673a41bacd8c17", path: "/etc/passwd" });
        case "resource reference":
            return Value.fromJavaScript({ [signatureKey]: "5cf8f73096256a8f31e491e813e4eb8e", urn, id: "ssh-x" });
        case "deep list":
            return Value.fromJavaScript(JSON.parse(`${"[".repeat(60)}1${"]".repeat(60)}`) as never);
        case "secret of junk":
            return Value.fromJavaScript(secretValue({ nested: [value ?? null, { deeper: true }] }) as never);
    }
}

/** A request's struct: `values` with the `secret` ones wrapped as the engine wraps them, then some properties damaged. */
interface Sent {
    values: Raw;
    secret: string[];
    damage: [string, Damage][];
}

function structOf({ values, secret, damage }: Sent): Struct {
    const struct = wrap(values, secret);
    for (const [key, kind] of damage) {
        struct.getFieldsMap().set(key, damaged(kind, values[key]));
    }
    return struct;
}

/** Property structs built from `values`, a few of them damaged. */
function sent(values: fc.Arbitrary<Raw>, keys: readonly string[], secretNames: readonly string[] = inputNames): fc.Arbitrary<Sent> {
    const damage = fc.oneof(
        { weight: 4, arbitrary: fc.constant([] as [string, Damage][]) },
        { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom(...keys), fc.constantFrom(...damages)), { minLength: 1, maxLength: 2 }) },
    );
    return fc.tuple(withSecrets(values, secretNames), damage).map(([{ values: v, secret }, d]) => {
        // A damaged property arrives secret exactly when its last damage wraps a secret.
        const last = new Map(d);
        const kept = secret.filter((key) => !last.has(key));
        const wrapped = [...last].filter(([, kind]) => kind.startsWith("secret of")).map(([key]) => key);
        return { values: v, secret: [...kept, ...wrapped], damage: d };
    });
}

/** URNs: mostly a KeyPair's, sometimes of a child of a component, of another type, or no URN at all. */
const urns = fc.oneof(
    { weight: 8, arbitrary: fc.constant(urn) },
    { weight: 1, arbitrary: fc.constant(`urn:pulumi:test::fuzz::my:index:Keys$${doors.package.resourceType}::pair`) },
    {
        weight: 1,
        arbitrary: fc.oneof(fc.string({ unit: "binary", maxLength: 80 }), fc.constant("urn:pulumi:test::fuzz::ens-keypair:index:Other::x")),
    },
);

describe("the plugin over gRPC, fuzzed", function () {
    this.timeout(600_000);
    let plugin: Plugin;
    let material: FuzzMaterial;
    let stored: Raw[];
    let checked: Raw[];

    before(async () => {
        await buildPlugin();
        material = await fuzzMaterial();
        plugin = await launch();
        await configure(plugin, props({}));
        checked = [];
        stored = [];
        for (const news of pairKinds(material)) {
            const response = await call<rpc.CheckRequest, rpc.CheckResponse>(
                plugin.client,
                "check",
                new rpc.CheckRequest().setUrn(urn).setNews(props(news)),
            );
            assert.deepStrictEqual(response.getFailuresList(), []);
            const created = await call<rpc.CreateRequest, rpc.CreateResponse>(
                plugin.client,
                "create",
                new rpc.CreateRequest().setUrn(urn).setProperties(response.getInputs()),
            );
            checked.push(unwrap(response.getInputs()).values);
            stored.push(unwrap(created.getProperties()).values);
        }
    });

    after(async () => {
        if (plugin !== undefined) {
            assertQuotesNoSecret(plugin.stderr(), material);
            await stop(plugin);
        }
    });

    /** Sends a request; whatever comes back, the plugin must answer the next one. */
    async function answer<Res>(method: string, request: unknown): Promise<{ response?: Res; error?: grpc.ServiceError }> {
        let result: { response?: Res; error?: grpc.ServiceError };
        try {
            result = { response: await call<unknown, Res>(plugin.client, method, request) };
        } catch (error) {
            result = { error: error as grpc.ServiceError };
        }
        const info = await call<Empty, { getVersion(): string }>(plugin.client, "getPluginInfo", new Empty());
        assert.ok(info.getVersion(), "the plugin stopped serving");
        if (result.error !== undefined) {
            assertNoBugMessage(result.error.details);
            assertQuotesNoSecret(result.error.details, material);
        }
        return result;
    }

    /** Asserts that every property of `struct` named in `secret` is still wrapped as a secret. */
    function assertStillSecret(struct: Struct | undefined, secret: string[]): void {
        const back = unwrap(struct);
        for (const name of secret.filter((n) => back.values[n] !== undefined)) {
            assert.ok(back.secret.has(name), `${name} arrived secret and left in the clear`);
        }
    }

    const rawKeys = [...inputNames, "__provider", "rotatesAt"];

    it("Check answers any property struct with failures that name the field, or none, and keeps secrets secret", async () => {
        const olds = fc.oneof(fc.constant({}), fc.constantFrom(...checked));
        await fuzz("plugin Check", fc.tuple(urns, olds, sent(rawInputs(material), rawKeys)), 800, async ([to, previous, news]) => {
            const request = new rpc.CheckRequest().setUrn(to).setOlds(props(previous)).setNews(structOf(news));
            const { response } = await answer<rpc.CheckResponse>("check", request);
            if (response !== undefined) {
                const failures = response.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
                assertFailures(failures, news.secret);
                assertQuotesNoSecret(failures.map((f) => f.reason).join("\n"), material);
                assertStillSecret(response.getInputs(), news.secret);
            }
        });
    });

    it("Diff answers any stored pair and new inputs with a decision or an error for the user", async () => {
        const keys = [...outputNames, ...inputNames, "backend"];
        const arbitrary = fc.tuple(
            urns,
            sent(mutated(stored, keys), keys),
            sent(fc.oneof(rawInputs(material), mutated(checked, keys)), keys),
        );
        await fuzz("plugin Diff", arbitrary, 500, async ([to, olds, news]) => {
            const request = new rpc.DiffRequest().setUrn(to).setId("ssh-fuzz").setOlds(structOf(olds)).setNews(structOf(news));
            await answer<rpc.DiffResponse>("diff", request);
        });
    });

    it("Create makes a key only from inputs a check accepts, keeps secrets secret, and refuses the rest naming the rule", async () => {
        const keys = [...checkedInputNames, "rotatesAt"];
        const arbitrary = fc.tuple(urns, sent(fc.oneof(rawInputs(material, "rarely"), mutated(checked, keys)), keys));
        await fuzz("plugin Create", arbitrary, 200, async ([to, inputs]) => {
            const { response } = await answer<rpc.CreateResponse>(
                "create",
                new rpc.CreateRequest().setUrn(to).setProperties(structOf(inputs)),
            );
            if (response !== undefined) {
                const outs = unwrap(response.getProperties());
                assert.ok(
                    ["privateKeyBody", "privateKeyOpenssh"].every((name) => outs.values[name] === undefined || outs.secret.has(name)),
                );
                assertStillSecret(response.getProperties(), inputs.secret);
                assert.match(response.getId(), /^ssh-[a-z0-9]{23}$/);
            }
        });
    });

    it("Read answers any stored state with the pair, or with a message that names what is corrupt", async () => {
        const keys = [...outputNames, ...inputNames, "backend", "rotatesAt"];
        const arbitrary = fc.tuple(urns, sent(mutated(stored, keys), keys), sent(fc.oneof(fc.constant({}), mutated(checked, keys)), keys));
        await fuzz("plugin Read", arbitrary, 400, async ([to, state, inputs]) => {
            const id = typeof state.values.keyPairId === "string" ? state.values.keyPairId : "ssh-fuzz";
            const request = new rpc.ReadRequest().setUrn(to).setId(id).setProperties(structOf(state)).setInputs(structOf(inputs));
            const { response } = await answer<rpc.ReadResponse>("read", request);
            if (response?.getId()) {
                assertStillSecret(response.getProperties(), state.secret);
            }
        });
    });

    it("bytes that are no request, sent to each method, get an error, and the plugin serves on", async () => {
        const methods = ["Check", "Diff", "Create", "Read", "Update", "Delete", "CheckConfig", "DiffConfig"];
        const bytes = fc.oneof(
            fc.uint8Array({ maxLength: 200 }),
            // A valid request with its last bytes cut off or changed.
            fc.tuple(fc.constantFrom(...stored), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([values, at, byte]) => {
                const encoded = new rpc.CreateRequest().setUrn(urn).setProperties(props(values)).serializeBinary();
                const copy = Uint8Array.from(encoded.slice(0, 1 + (at % encoded.length)));
                copy[copy.length - 1] = byte;
                return copy;
            }),
        );
        await fuzz("plugin raw bytes", fc.tuple(fc.constantFrom(...methods), bytes), 300, async ([method, payload]) => {
            const error = await new Promise<grpc.ServiceError | null>((resolve) => {
                plugin.client.makeUnaryRequest(
                    `/pulumirpc.ResourceProvider/${method}`,
                    (b: Uint8Array) => Buffer.from(b),
                    (b: Buffer) => b,
                    payload,
                    (err) => resolve(err),
                );
            });
            if (error !== null) {
                assertNoBugMessage(error.details);
                assertQuotesNoSecret(error.details, material);
            }
            await answer("getPluginInfo", new Empty());
        });
    });

    it("CheckConfig and Configure answer any configuration struct; a plugin they configure serves on", async () => {
        const settings = fc.dictionary(
            fc.constantFrom(
                "backend",
                "endpoint",
                "insecureHttp",
                "regionId",
                "generation",
                "accessKeyId",
                "accessKeySecret",
                "version",
                "other",
            ),
            fc.oneof(junk, fc.constantFrom("local", "ens", "provider", "true", "false", "http://127.0.0.1:1")),
            { maxKeys: 5, noNullPrototype: true },
        );
        // An endpoint with a password, marked as a secret value so that a quoted password fails the scan.
        const endpoints = fc.option(fc.constant(`http://user:${secretMarks.join("pw")}@ens.example.com`), { nil: undefined });
        const configs = fc.tuple(settings, endpoints).map(([given, endpoint]) => (endpoint === undefined ? given : { ...given, endpoint }));
        const other = await launch();
        try {
            await fuzz(
                "plugin CheckConfig and Configure",
                sent(configs, ["backend", "endpoint", "accessKeySecret"], configKeys),
                300,
                async (config) => {
                    const news = structOf(config);
                    for (const [method, request] of [
                        [
                            "checkConfig",
                            new rpc.CheckRequest().setUrn("urn:pulumi:test::fuzz::pulumi:providers:ens-keypair::p").setNews(news),
                        ],
                        ["configure", new rpc.ConfigureRequest().setArgs(news).setAcceptsecrets(true)],
                    ] as const) {
                        let error: grpc.ServiceError | undefined;
                        await call(other.client, method, request).catch((err: grpc.ServiceError) => (error = err));
                        if (error !== undefined) {
                            assertNoBugMessage(error.details);
                            assertQuotesNoSecret(error.details, material);
                        }
                    }
                    await call(other.client, "getPluginInfo", new Empty());
                },
            );
        } finally {
            await stop(other);
        }
    });
});
