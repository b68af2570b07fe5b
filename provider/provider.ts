/**
 * The provider implementation both doors run: check, diff, create, update, read and delete of a
 * KeyPair, each told by its caller which provider's configuration it runs under. The dynamic
 * door (`dynamic/implementation.ts`) passes the one configuration of its stack, the plugin
 * (`plugin/service.ts`) each provider instance's own; nothing here keeps state between calls.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Backend } from "./backends/backend";
import { localBackend } from "./backends/local";
import { ProviderConfig } from "./config";
import { withPassphrase } from "./keys/passphrase";
import { withSealedKey } from "./keys/sealing";
import { checkedInputNames, conditionallyReplacingInputs, replacingInputNames, unechoedInputNames } from "./fields";
import { checkInputs, InputFailure, KeyPairInputs } from "./inputs";
import { BackendName, KeyPairOutputs } from "./state";
import { passedDeadline } from "./rotation";

/** What one call runs with, given by the door that makes it. */
export interface CallContext {
    /** The configuration of the provider the resource belongs to. */
    config: ProviderConfig;
    /** Tells the user something about the deployment, shown with the run's diagnostics. */
    inform(message: string): void;
}

function backendFor(name: BackendName, { config }: CallContext): Backend {
    if (name === "local") {
        return localBackend;
    }
    // Loaded on demand so that local use never loads the Alibaba Cloud clients.
    const { ensBackend } = require("./backends/ens") as typeof import("./backends/ens");
    return ensBackend(config);
}

/**
 * The backend holding a pair in state. Every release has stored it, so a state without one was
 * edited by hand; it counts as `local`, the backend that never calls ENS, for read, diff and delete
 * alike. Taking it for ENS could go wrong twice over: the provider never deletes or adopts a pair
 * in ENS it cannot prove is its own, and a refresh that looked for a local pair in ENS would find
 * nothing there and drop the pair from state.
 */
function storedBackend(stored: Partial<KeyPairOutputs>): BackendName {
    return stored.backend ?? "local";
}

/**
 * The engine prints a failure that names a property as `property <name> value {<value>} has a
 * problem: <reason>`, the value raw, secret or not; one that names none as `resource '<name>' has a
 * problem: <reason>`. Our reasons name the field and quote the value, so a failure names its
 * property only where that raw echo is harmless: never for an input that may hold secret material,
 * nor for a value with control characters (a line break would print as one).
 */
function forEngine(failure: InputFailure, news: Record<string, unknown>): InputFailure {
    const value = news[failure.property];
    const unsafe = (unechoedInputNames as readonly string[]).includes(failure.property);
    const unreadable = typeof value === "string" && [...value].some((c) => c < " " || c === "\u007f");
    return unsafe || unreadable ? { property: "", reason: failure.reason } : failure;
}

type Raw = Record<string, unknown>;

export async function check(olds: Raw, news: Raw, ctx: CallContext): Promise<pulumi.dynamic.CheckResult> {
    const { inputs, failures } = checkInputs(olds, news);
    if (failures.length === 0) {
        failures.push(...backendFor(ctx.config.backend, ctx).checkInputs(inputs));
    }
    return { inputs, failures: failures.map((failure) => forEngine(failure, news)) };
}

export async function diff(_id: string, olds: KeyPairOutputs, news: KeyPairInputs, ctx: CallContext) {
    const changed = checkedInputNames.filter((key) => !sameValue(olds[key], news[key]));
    const replaces: string[] = replacingInputNames.filter((key) => changed.includes(key));
    // What the stored pair no longer has the means to change in place (a sealed-only key) replaces it.
    const unsealable = conditionallyReplacingInputs.filter(({ name, when }) => changed.includes(name) && olds[when] === true);
    replaces.push(...unsealable.map(({ name }) => name));
    const deadline = passedDeadline(olds, news);
    if (deadline !== undefined) {
        replaces.push("rotatesAt");
    }
    if (storedBackend(olds) !== ctx.config.backend) {
        replaces.push("backend");
    }
    // ENS names are unique: a replacement that keeps the name must free it first.
    const deleteBeforeReplace = replaces.length > 0 && olds.keyPairName === news.keyPairName;
    const order = deleteBeforeReplace
        ? "It is deleted first, so that the new pair can take its name."
        : "A new pair, named from the prefix, is created before it is deleted.";
    // These say why the pair is replaced.
    if (deadline !== undefined) {
        ctx.inform(
            `KeyPair "${olds.keyPairName}" (${olds.keyPairId}) is due for rotation: rotatesAt ${deadline} has passed (rotateAfter ${news.rotateAfter}). ${order}`,
        );
    }
    if (unsealable.length > 0) {
        const names = unsealable.map(({ name }) => name).join(" and ");
        ctx.inform(
            `KeyPair "${olds.keyPairName}" (${olds.keyPairId}) is replaced because ${names} changed: with sealedOnly the provider no longer holds its private key, ` +
                `so it cannot seal that key again. A new pair is made, sealed to the current privateKeyRecipients. ${order}`,
        );
    }
    return { changes: changed.length > 0 || replaces.length > 0, replaces, deleteBeforeReplace };
}

export async function create(inputs: KeyPairInputs, ctx: CallContext): Promise<pulumi.dynamic.CreateResult> {
    // Whichever backend made the pair, its private key is encrypted and sealed before it becomes an output.
    const outs = await withSealedKey(withPassphrase(await backendFor(ctx.config.backend, ctx).create(pick(inputs))));
    return { id: outs.keyPairId, outs };
}

/**
 * Applies the inputs that change without replacing the pair: `rotateAfter` with its deadline, the
 * passphrase, which re-encrypts the same private key, and the recipients, which seal it again.
 * Nothing changes in the backend.
 */
export async function update(_id: string, olds: KeyPairOutputs, news: KeyPairInputs): Promise<pulumi.dynamic.UpdateResult> {
    const made = Object.entries(olds).filter(([key]) => !(checkedInputNames as string[]).includes(key));
    const outs = { ...Object.fromEntries(made), ...pick(news) } as KeyPairOutputs;
    return { outs: await withSealedKey(withPassphrase(outs, olds.privateKeyPassphrase), olds) };
}

export async function read(id: string, props: Partial<KeyPairOutputs>, ctx: CallContext): Promise<pulumi.dynamic.ReadResult> {
    // With no pair in state (`KeyPair.get`, an import), it is looked up where the provider keeps its pairs now.
    const stored = props.keyPairId === undefined ? undefined : (props as KeyPairOutputs);
    const outs = await backendFor(stored ? storedBackend(stored) : ctx.config.backend, ctx).read(id, stored);
    // No id tells the engine the pair is gone, so refresh drops it from state.
    return outs === undefined ? {} : { id: outs.keyPairId, props: outs };
}

async function remove(id: string, props: KeyPairOutputs, ctx: CallContext): Promise<void> {
    await backendFor(storedBackend(props), ctx).delete(id, props);
}
export { remove as delete };

/** Whether two input values are the same; lists (the recipients) by their items. */
function sameValue(a: unknown, b: unknown): boolean {
    return a === b || (Array.isArray(a) && Array.isArray(b) && JSON.stringify(a) === JSON.stringify(b));
}

/** The inputs proper, without the engine's own properties such as `__provider`. */
function pick(inputs: KeyPairInputs): KeyPairInputs {
    const given = checkedInputNames.filter((name) => inputs[name] !== undefined).map((name) => [name, inputs[name]]);
    return Object.fromEntries(given) as KeyPairInputs;
}
