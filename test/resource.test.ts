/**
 * The KeyPair resource under `pulumi.runtime.setMocks`. The mocks act as the engine does for a
 * dynamic resource: they run the real provider's check and create and, as the engine does, make
 * the outputs named in the registration's `additionalSecretOutputs` secret.
 */
import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import type * as Age from "age-encryption";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { KeyPair } from "../provider/dynamic/keyPair";
import { keyPairProvider } from "../provider/dynamic/serializedProvider";
import { doors } from "../provider/doors";
import { secretOutputNames } from "../provider/fields";
import { secretInputsProperty } from "../provider/doors";
import * as implementation from "../provider/dynamic/implementation";
import { configRequest } from "./helpers/provider";
import { assertArmour } from "./helpers/pem";

const resourceType = doors.dynamic.resourceType;

/** What the program sent the engine for one resource. */
interface Registration {
    type: string;
    name: string;
    additionalSecretOutputs: string[];
    /** The inputs as sent to the engine, secrets still marked. */
    inputs: Record<string, unknown>;
}

/** The parts of a RegisterResourceRequest the tests read. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getAdditionalsecretoutputsList(): string[];
}

interface Monitor {
    registerResource(req: RegisterRequest, callback: (...args: unknown[]) => void): void;
}

const registrations = new Map<string, Registration>();
/** A credential planted in the provider's configuration and environment; it must never reach the serialized provider. */
const canary = "CANARY-access-key-secret-4f1c9e";

/**
 * The provider's text as the SDK's serializeProvider makes it (dynamic/index.js): the closure
 * `() => provider`, with that variable name, serialized with secrets allowed.
 */
function serializeProvider(provider: pulumi.dynamic.ResourceProvider): Promise<pulumi.runtime.SerializedFunction> {
    return pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
}

/** A value as the engine passes it to a provider that does not accept secrets. */
function unwrapSecret(value: unknown): unknown {
    const wrapped = value as Record<string, unknown> | undefined;
    return wrapped?.[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig ? wrapped.value : value;
}

/** The value of an output, once the mocks have resolved it. */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}

describe("KeyPair under setMocks", function () {
    const savedSecret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;

    after(async () => {
        if (savedSecret === undefined) {
            delete process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
        } else {
            process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = savedSecret;
        }
        await implementation.configure(configRequest("local"));
    });

    before(async () => {
        process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = canary;
        await implementation.configure({
            config: { get: (key: string) => ({ "ens-keypair:backend": "local", "ens-keypair:accessKeySecret": canary })[key] },
        } as unknown as pulumi.dynamic.ConfigureRequest);
        await pulumi.runtime.setMocks(
            {
                newResource: async (args) => {
                    const registration = registrations.get(args.name);
                    assert.ok(registration, `no registration recorded for ${args.name}`);
                    registration.inputs = args.inputs;
                    if (args.type !== resourceType) {
                        return { id: `${args.name}-id`, state: args.inputs };
                    }
                    // The dynamic provider does not accept secrets, so the engine sends it their plain values.
                    const plain = Object.fromEntries(Object.entries(args.inputs).map(([key, value]) => [key, unwrapSecret(value)]));
                    const { inputs, failures } = await implementation.check({}, plain);
                    if (failures && failures.length > 0) {
                        throw new Error(failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
                    }
                    const { id, outs } = await implementation.create(inputs);
                    const state: Record<string, unknown> = { ...outs, __provider: args.inputs.__provider };
                    for (const name of registration.additionalSecretOutputs) {
                        if (state[name] !== undefined) {
                            state[name] = pulumi.secret(state[name]);
                        }
                    }
                    return { id, state };
                },
                call: (args) => args.inputs,
            },
            "project",
            "stack",
            false,
        );
        // Record what each registration asks of the engine: the mocks' arguments leave the options out.
        const monitor = settings.getMonitor() as unknown as Monitor;
        const registerResource = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) => {
            registrations.set(req.getName(), {
                type: req.getType(),
                name: req.getName(),
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                inputs: {},
            });
            registerResource(req, callback);
        };
    });

    /** Creates a KeyPair and waits until the mocks have registered it. */
    async function created(name: string, args: ConstructorParameters<typeof KeyPair>[1], opts?: pulumi.CustomResourceOptions) {
        const pair = new KeyPair(name, args, opts);
        await valueOf(pair.id);
        const registration = registrations.get(name);
        assert.ok(registration, `${name} was not registered`);
        return { pair, registration };
    }

    /** Secret whatever the caller passes: the private keys, and the passphrase the provider keeps among the outputs. */
    const alwaysSecret = ["privateKeyBody", "privateKeyOpenssh", "privateKeyPassphrase"];

    const declaredOutputs = [
        "keyPairId",
        "keyPairName",
        "keyType",
        "rsaBits",
        "ecdsaCurve",
        "keyPairFingerPrint",
        "fingerprintMd5",
        "fingerprintSha256",
        "publicKeyOpenssh",
        "privateKeyBody",
        "privateKeyOpenssh",
        "privateKeySealed",
        "creationTime",
        "rotatesAt",
        "requestId",
    ] as const;

    it("registers a dynamic resource of type ens-keypair:KeyPair", async () => {
        const { registration } = await created("typed", { keyPairName: "typed", keyType: "ed25519" });
        assert.strictEqual(registration.type, resourceType);
    });

    it("has every declared output as an Output from construction on, even those the arguments leave out", async () => {
        const pair = new KeyPair("bare", { keyPairNamePrefix: "bare-" });
        // A program reads outputs right after construction (export const name = pair.keyPairName).
        for (const name of declaredOutputs) {
            assert.ok(pulumi.Output.isInstance(pair[name]), `${name} is not an Output right after construction`);
        }
        await valueOf(pair.id);
        assert.match(await valueOf(pair.keyPairName), /^bare-[a-z0-9]{8}$/);
        assert.strictEqual(await valueOf(pair.keyType), "rsa");
        assert.strictEqual(await valueOf(pair.rsaBits), 2048);
    });

    it("leaves Error.stackTraceLimit as it was, and an error the SDK throws points at the caller", () => {
        const limit = Error.stackTraceLimit;
        new KeyPair("limit", { keyPairName: "limit", keyType: "ed25519" });
        assert.strictEqual(Error.stackTraceLimit, limit);
        assert.throws(
            () => new KeyPair(undefined as unknown as string, { keyPairName: "nameless" }),
            (err: Error) => /Missing resource name/.test(err.message) && /resource\.test\.ts:\d+/.test(err.stack ?? ""),
        );
        assert.strictEqual(Error.stackTraceLimit, limit);
    });

    it("resolves the outputs of a generated pair", async () => {
        const { pair } = await created("generated", { keyPairName: "ci-deploy", keyType: "ecdsa", ecdsaCurve: "P384" });
        const id = await valueOf(pair.id);
        assert.match(id, /^ssh-[a-z0-9]{23}$/);
        assert.strictEqual(await valueOf(pair.keyPairId), id);
        assert.strictEqual(await valueOf(pair.keyPairName), "ci-deploy");
        assert.strictEqual(await valueOf(pair.keyType), "ecdsa");
        assert.strictEqual(await valueOf(pair.ecdsaCurve), "P384");
        assert.match(await valueOf(pair.keyPairFingerPrint), /^[0-9a-f]{32}$/);
        assert.match(await valueOf(pair.fingerprintMd5), /^[0-9a-f]{2}(:[0-9a-f]{2}){15}$/);
        assert.match(await valueOf(pair.fingerprintSha256), /^SHA256:[A-Za-z0-9+/]{43}$/);
        assert.match(await valueOf(pair.publicKeyOpenssh), /^ecdsa-sha2-nistp384 /);
        assertArmour(String(await valueOf(pair.privateKeyBody)), "PRIVATE KEY");
        assertArmour(String(await valueOf(pair.privateKeyOpenssh)), "OPENSSH PRIVATE KEY");
        assert.match(await valueOf(pair.creationTime), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        assert.match(await valueOf(pair.requestId), /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    });

    it("registers both private keys and the passphrase the outputs keep as additional secret outputs", async () => {
        const { pair, registration } = await created("secret", { keyPairName: "secret", keyType: "ed25519" });
        assert.deepStrictEqual([...registration.additionalSecretOutputs].sort(), alwaysSecret);
        assert.deepStrictEqual([...secretOutputNames].sort(), ["privateKeyBody", "privateKeyOpenssh"]);
        // With the engine's treatment of additionalSecretOutputs, the private keys come back secret.
        assert.strictEqual(await pulumi.isSecret(pair.privateKeyBody), true);
        assert.strictEqual(await pulumi.isSecret(pair.privateKeyOpenssh), true);
        assert.strictEqual(await pulumi.isSecret(pair.publicKeyOpenssh), false);
        assert.strictEqual(await pulumi.isSecret(pair.keyPairFingerPrint), false);
    });

    it("keeps the private keys secret whatever additionalSecretOutputs the caller passes", async () => {
        const cases: [string, string[] | undefined, string[]][] = [
            ["empty", [], alwaysSecret],
            ["undefined", undefined, alwaysSecret],
            ["own", ["publicKeyOpenssh"], [...alwaysSecret, "publicKeyOpenssh"]],
            ["overlapping", ["privateKeyBody", "fingerprintSha256"], ["fingerprintSha256", ...alwaysSecret]],
        ];
        for (const [title, given, expected] of cases) {
            const opts: pulumi.CustomResourceOptions = { additionalSecretOutputs: given };
            const { pair, registration } = await created(`opts-${title}`, { keyPairName: "ab", keyType: "ed25519" }, opts);
            assert.deepStrictEqual([...registration.additionalSecretOutputs].sort(), expected, title);
            assert.strictEqual(await pulumi.isSecret(pair.privateKeyOpenssh), true, title);
            assert.deepStrictEqual(opts.additionalSecretOutputs, given, "the caller's options are not changed");
        }
    });

    it("registers the private keys as secret for an imported key too, which has none", async () => {
        const source = await created("source", { keyPairName: "source", keyType: "ed25519" });
        const publicKey = await valueOf(source.pair.publicKeyOpenssh);
        const { pair, registration } = await created("imported", { keyPairName: "imported", publicKey });
        assert.deepStrictEqual([...registration.additionalSecretOutputs].sort(), alwaysSecret);
        assert.strictEqual(await valueOf(pair.publicKeyOpenssh), publicKey);
        assert.strictEqual(await valueOf(pair.privateKeyBody), undefined);
        assert.strictEqual(await valueOf(pair.privateKeyOpenssh), undefined);
        assert.strictEqual(await valueOf(pair.keyType), "ed25519");
    });

    it("takes recipients that are outputs of other resources, and resolves a plain privateKeySealed and no plain key with sealedOnly", async () => {
        const age = require("age-encryption") as typeof Age;
        const recipient = await age.identityToRecipient(await age.generateX25519Identity());
        const { pair, registration } = await created("sealed", {
            keyPairName: "sealed",
            keyType: "ed25519",
            privateKeyRecipients: [pulumi.output(recipient)],
            sealedOnly: true,
        });
        assert.deepStrictEqual(registration.inputs.privateKeyRecipients, [recipient]);
        assertArmour(String(await valueOf(pair.privateKeySealed)), "AGE ENCRYPTED FILE");
        assert.strictEqual(await pulumi.isSecret(pair.privateKeySealed), false);
        assert.strictEqual(await valueOf(pair.privateKeyOpenssh), undefined);
        assert.strictEqual(await valueOf(pair.privateKeyBody), undefined);
    });

    it("sends a passphrase given as a plain string to the engine as a secret", async () => {
        const passphrase = "plain-string-passphrase-0123456789";
        const { registration } = await created("passphrase", {
            keyPairName: "passphrase",
            keyType: "ed25519",
            privateKeyPassphrase: passphrase,
        });
        const sent = registration.inputs.privateKeyPassphrase as Record<string, unknown>;
        assert.strictEqual(sent?.[pulumi.runtime.specialSigKey], pulumi.runtime.specialSecretSig, "the passphrase is sent as a secret");
        assert.strictEqual(registration.inputs.keyPairName, "passphrase", "other inputs stay plain");
    });

    it("tells the provider which inputs the program made secret, which the engine would send it in the clear", async () => {
        const { registration } = await created("made-secret", {
            keyPairName: pulumi.secret("made-secret"),
            keyType: pulumi.output("ed25519"),
            rotateAfter: pulumi.output("90d").apply((d) => pulumi.secret(d)),
            // Always kept out of messages, so never listed.
            privateKeyPassphrase: "plain-string-passphrase-0123456789",
        });
        assert.deepStrictEqual(registration.inputs[secretInputsProperty], ["keyPairName", "rotateAfter"]);
    });

    it("sends only the user's inputs and a small serialized provider, without key material or credentials", async () => {
        const { registration } = await created("serialized", { keyPairName: "serialized", keyType: "ed25519" });
        const keys = Object.keys(registration.inputs).sort();
        assert.deepStrictEqual(keys, ["__provider", "keyPairName", "keyType"]);
        const sent = registration.inputs.__provider;
        assert.strictEqual(typeof sent, "string");

        const serialized = await serializeProvider(keyPairProvider);
        assert.strictEqual(serialized.text, sent);
        assert.strictEqual(serialized.containsSecrets, false);
        // The state of a program that uses the packed package holds the same: test/e2e.readme.test.ts.
        const size = Buffer.byteLength(serialized.text);
        assert.ok(size < 4096, `the serialized provider is ${size} bytes`);
        assert.ok(!serialized.text.includes("BEGIN"), "no PEM in the serialized provider");
        assert.ok(!serialized.text.includes(canary), "no credentials in the serialized provider");
        assert.ok(!/accessKey|ALIBABA_CLOUD/i.test(serialized.text), "no credential names in the serialized provider");
        assert.ok(serialized.text.includes('require("pulumi-ens-keypair/provider")'), "loads the implementation at run time");
        console.log(`      serialized provider: ${size} bytes per resource`);
    });
});
