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
import { checkedInputNames, conditionallyReplacingInputs, replacingInputNames, secretFieldNames, unechoedInputNames } from "./fields";
import { checkInputs, CheckOptions, InputFailure, InputProblem, KeyPairInputs } from "./inputs";
import { EnsError } from "./ens/errors";
import { BackendName, KeyPairOutputs } from "./state";
import { passedDeadline } from "./rotation";
import { redacted } from "./quote";
import { shownId, shownName } from "./pairNames";

/** What one call runs with, given by the door that makes it. */
export interface CallContext {
    /** The configuration of the provider the resource belongs to. */
    config: ProviderConfig;
    /**
     * The inputs that arrived secret, beyond those the field table keeps secret: a program may
     * make any input secret. No failure names one of them as its property, nor quotes its value.
     */
    secretInputs: ReadonlySet<string>;
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

type Raw = Record<string, unknown>;

/** Whether an input's value may be secret: the field table says it may, or it arrived secret. */
function mayBeSecret(property: string, ctx: CallContext): boolean {
    return (unechoedInputNames as readonly string[]).includes(property) || ctx.secretInputs.has(property);
}

/** The error of a problem, without the value it quotes where that value may be secret. */
function errorOf({ property, error }: InputProblem, ctx: CallContext): EnsError {
    return mayBeSecret(property, ctx) ? error.withoutValue() : error;
}

/**
 * The engine prints a failure that names a property as `property <name> value {<value>} has a
 * problem: <reason>`, the value raw, secret or not; one that names none as `resource '<name>' has a
 * problem: <reason>`. Our reasons name the field and quote the value, so a failure names its
 * property only where that raw echo is harmless: never for an input whose value may be secret
 * (whose value the reason does not quote either), nor for a value with control characters (a line
 * break would print as one).
 */
function forEngine(problem: InputProblem, news: Raw, ctx: CallContext): InputFailure {
    const value = news[problem.property];
    const unreadable = typeof value === "string" && /\p{Cc}/u.test(value);
    const named = !mayBeSecret(problem.property, ctx) && !unreadable;
    return { property: named ? problem.property : "", reason: errorOf(problem, ctx).message };
}

/** The rules the inputs break: the common ones, then (where those hold) the backend's. */
function problemsOf(olds: Raw, news: Raw, backend: Backend | undefined, options: CheckOptions = {}) {
    const { inputs, problems } = checkInputs(olds, news, options);
    if (problems.length === 0 && backend !== undefined) {
        problems.push(...backend.checkInputs(inputs));
    }
    return { inputs, problems };
}

/**
 * The inputs as a check resolves them: `create` and `update` take the inputs a check resolved,
 * but the plugin serves any client, and a create sent to it without a check must make nothing a
 * check would refuse (a 512-bit key, a name ENS refuses), and record what it made (the key type
 * and size of a default, which such inputs may leave out).
 * @param backend the backend whose rules apply too, for a create.
 * @throws EnsError the first rule broken, as check would report it.
 */
function rechecked(inputs: Raw, ctx: CallContext, backend?: Backend): KeyPairInputs {
    const { inputs: resolved, problems } = problemsOf({}, inputs, backend, { resolved: true });
    if (problems.length > 0) {
        throw errorOf(problems[0], ctx);
    }
    return resolved;
}

/**
 * Runs a method so that nothing it says shows a secret value: its error, what it tells the user
 * and its check failures, with each value of a secret field or of an input that arrived secret
 * in `props` replaced by `[secret]`. The messages are written never to quote such a value at all;
 * this holds where a message quotes one all the same, as a runtime error names the pair by its
 * `keyPairName`.
 */
async function unsaid<R>(
    ctx: CallContext,
    props: Raw[],
    method: (ctx: CallContext, scrub: (text: string) => string) => Promise<R>,
): Promise<R> {
    const names = [...secretFieldNames, ...ctx.secretInputs];
    const secrets = props.flatMap((values) => names.flatMap((name) => [values[name]].flat()));
    const scrub = (text: string) => redacted(text, secrets);
    try {
        return await method({ ...ctx, inform: (message) => ctx.inform(scrub(message)) }, scrub);
    } catch (err) {
        if (!(err instanceof Error)) {
            throw new Error(scrub(String(err)));
        }
        err.message = scrub(err.message);
        err.stack &&= scrub(err.stack);
        throw err;
    }
}

export function check(olds: Raw, news: Raw, ctx: CallContext): Promise<pulumi.dynamic.CheckResult> {
    return unsaid(ctx, [news], async (ctx, scrub) => {
        const { inputs, problems } = problemsOf(olds, news, backendFor(ctx.config.backend, ctx));
        const failures = problems.map((problem) => forEngine(problem, news, ctx));
        return { inputs, failures: failures.map(({ property, reason }) => ({ property, reason: scrub(reason) })) };
    });
}

export function diff(_id: string, olds: KeyPairOutputs, news: KeyPairInputs, ctx: CallContext) {
    return unsaid(ctx, [olds, news], async (ctx) => decide(olds, news, ctx));
}

async function decide(olds: KeyPairOutputs, news: KeyPairInputs, ctx: CallContext) {
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
            `KeyPair "${shownName(olds.keyPairName)}" (${shownId(olds.keyPairId)}) is due for rotation: rotatesAt ${deadline} has passed (rotateAfter ${news.rotateAfter}). ${order}`,
        );
    }
    if (unsealable.length > 0) {
        const names = unsealable.map(({ name }) => name).join(" and ");
        ctx.inform(
            `KeyPair "${shownName(olds.keyPairName)}" (${shownId(olds.keyPairId)}) is replaced because ${names} changed: with sealedOnly the provider no longer holds its private key, ` +
                `so it cannot seal that key again. A new pair is made, sealed to the current privateKeyRecipients. ${order}`,
        );
    }
    return { changes: changed.length > 0 || replaces.length > 0, replaces, deleteBeforeReplace };
}

export function create(inputs: KeyPairInputs, ctx: CallContext): Promise<pulumi.dynamic.CreateResult> {
    return unsaid(ctx, [inputs], async (ctx) => {
        const backend = backendFor(ctx.config.backend, ctx);
        const checked = rechecked(inputs, ctx, backend);
        // Whichever backend made the pair, its private key is encrypted and sealed before it becomes an output.
        const outs = await withSealedKey(await withPassphrase(await backend.create(pick(checked))));
        return { id: outs.keyPairId, outs };
    });
}

/**
 * Applies the inputs that change without replacing the pair: `rotateAfter` with its deadline, the
 * passphrase, which re-encrypts the same private key, and the recipients, which seal it again.
 * Nothing changes in the backend.
 */
export function update(_id: string, olds: KeyPairOutputs, news: KeyPairInputs, ctx: CallContext): Promise<pulumi.dynamic.UpdateResult> {
    return unsaid(ctx, [olds, news], async (ctx) => {
        const checked = rechecked(news, ctx);
        const made = Object.entries(olds).filter(([key]) => !(checkedInputNames as string[]).includes(key));
        const outs = { ...Object.fromEntries(made), ...pick(checked) } as KeyPairOutputs;
        return { outs: await withSealedKey(await withPassphrase(outs, olds.privateKeyPassphrase), olds) };
    });
}

export function read(id: string, props: Partial<KeyPairOutputs>, ctx: CallContext): Promise<pulumi.dynamic.ReadResult> {
    return unsaid(ctx, [props], async (ctx) => {
        // With no pair in state (`KeyPair.get`, an import), it is looked up where the provider keeps its pairs now.
        const stored = props.keyPairId === undefined ? undefined : (props as KeyPairOutputs);
        const outs = await backendFor(stored ? storedBackend(stored) : ctx.config.backend, ctx).read(id, stored);
        // No id tells the engine the pair is gone, so refresh drops it from state.
        return outs === undefined ? {} : { id: outs.keyPairId, props: outs };
    });
}

function remove(id: string, props: KeyPairOutputs, ctx: CallContext): Promise<void> {
    return unsaid(ctx, [props], (ctx) => backendFor(storedBackend(props), ctx).delete(id, props));
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
