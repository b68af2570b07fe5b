/**
 * Property values as the engine sends them over the provider protocol and as the provider
 * implementation takes them. The engine wraps a secret in an object tagged with Pulumi's
 * signature key; the implementation works on plain values, and the plugin wraps secrets again on
 * the way out, so that state keeps them encrypted.
 */
import { Struct, Value } from "google-protobuf/google/protobuf/struct_pb";
import { quote } from "../quote";

/** The key that marks an object as one of Pulumi's special values. */
const signatureKey = "4dabf18193072939515e22adb298388d";
/** The signature of a secret. */
const secretSignature = "1b47061264138c4ac30d75fd1eb44270";

/** Plain property values keyed by name. */
export type Properties = Record<string, unknown>;

/** Properties with their secrets unwrapped, and the names of those that held a secret (anywhere inside). */
export interface Unwrapped {
    values: Properties;
    secret: Set<string>;
}

function isSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[signatureKey] === secretSignature;
}

/** `value` with every secret inside it replaced by what it holds; `found` is called when there was one. */
function reveal(value: unknown, found: () => void): unknown {
    if (isSecret(value)) {
        found();
        return reveal(value.value, found);
    }
    if (Array.isArray(value)) {
        return value.map((item) => reveal(item, found));
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reveal(item, found)]));
    }
    return value;
}

/** A property's value as JavaScript; the protocol has no value of no kind, which a client may still send. */
function plain(key: string, value: Value): unknown {
    try {
        return value.toJavaScript();
    } catch {
        // google-protobuf throws only for a value (here or inside it) whose kind is not set.
        throw new Error(`The property ${quote(key)} holds a protobuf Value with no kind set, which the provider protocol does not allow.`);
    }
}

/** The properties of a request, secrets unwrapped; an absent struct is no properties. */
export function unwrap(struct: Struct | undefined): Unwrapped {
    const secret = new Set<string>();
    const entries: [string, unknown][] = [];
    struct?.getFieldsMap().forEach((value, key) => entries.push([key, reveal(plain(key, value), () => secret.add(key))]));
    return { values: Object.fromEntries(entries), secret };
}

/** A value as a secret. */
export function secretValue(value: unknown): Properties {
    return { [signatureKey]: secretSignature, value };
}

/**
 * The struct for a response: absent values dropped (a struct cannot hold `undefined`), and each
 * property named in `secret` wrapped as a secret.
 */
export function wrap(values: Properties, secret: Iterable<string>): Struct {
    const secrets = new Set(secret);
    const present = Object.entries(values).filter(([, value]) => value !== undefined);
    return Struct.fromJavaScript(
        Object.fromEntries(present.map(([key, value]) => [key, secrets.has(key) ? secretValue(value) : value])) as Parameters<
            typeof Struct.fromJavaScript
        >[0],
    );
}
