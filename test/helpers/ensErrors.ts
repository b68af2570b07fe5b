/** Assertions on ENS errors, whichever way they reach a test. */
import * as assert from "assert";
import { inspect } from "util";
import { EnsError } from "../../provider/ens/errors";
import { documentedStatus } from "./ensApiDoc";

/** ENS's `RequestId`: an upper-case UUID. */
export const requestIdShape = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/** An ENS error as a test sees it: an `EnsError`, the official SDK's error or an HTTP answer, in the same terms. */
export interface SeenEnsError {
    code: string;
    httpStatus: number;
    message: string;
    /** The `RequestId` ENS answered with; checked for ENS's shape whenever it is not `undefined`. */
    requestId?: unknown;
}

/** What an ENS error must be. */
export interface ExpectedEnsError {
    code: string;
    /** The status `docs/ens-api.md` gives `code` unless given. */
    httpStatus?: number;
    /** Fragments the message contains (strings literally, regular expressions by match). */
    mentions?: (string | RegExp)[];
    /** Strings the message must not contain, such as a secret. */
    omits?: string[];
    /** The error answers a call ENS received, so it carries the call's `RequestId`. */
    answered?: boolean;
}

/** Asserts that `seen` is the expected ENS error. */
export function assertEnsError(seen: SeenEnsError, expected: ExpectedEnsError): void {
    const context = `${seen.code} (HTTP ${seen.httpStatus}): ${seen.message}`;
    assert.strictEqual(seen.code, expected.code, context);
    assert.strictEqual(seen.httpStatus, expected.httpStatus ?? documentedStatus(expected.code), context);
    if (seen.requestId !== undefined || expected.answered) {
        assert.match(String(seen.requestId), requestIdShape, context);
    }
    assertMentions(seen.message, ...(expected.mentions ?? []));
    for (const omitted of expected.omits ?? []) {
        assert.ok(!seen.message.includes(omitted), `the message of ${seen.code} holds something it must not`);
    }
}

/** The thrown value as an `EnsError` of the expected code whose message reads "code: ENS message …". */
function checkedEnsError(thrown: unknown, expected: ExpectedEnsError): EnsError {
    assert.ok(thrown !== undefined, `expected an EnsError ${expected.code}, but nothing was thrown`);
    assert.ok(thrown instanceof EnsError, `expected an EnsError ${expected.code}, got ${inspect(thrown)}`);
    assertEnsError(thrown, expected);
    assert.ok(thrown.message.startsWith(`${thrown.code}: ${thrown.ensMessage}`), thrown.message);
    if (thrown.requestId !== undefined) {
        assert.ok(thrown.message.includes(thrown.requestId), "the message names the RequestId");
    }
    return thrown;
}

/**
 * Asserts that `fn` throws an `EnsError` with `code` (and the status `docs/ens-api.md` gives it)
 * whose message contains every fragment.
 * @returns the error, for further checks.
 */
export function expectEnsError(fn: () => unknown, code: string, ...fragments: (string | RegExp)[]): EnsError {
    let thrown: unknown;
    try {
        fn();
    } catch (err) {
        thrown = err;
    }
    return checkedEnsError(thrown, { code, mentions: fragments });
}

/** As {@link expectEnsError}, for a promise that must reject. */
export async function rejectsWithEnsError(promise: Promise<unknown>, expected: ExpectedEnsError): Promise<EnsError> {
    let thrown: unknown;
    try {
        await promise;
    } catch (err) {
        thrown = err;
    }
    return checkedEnsError(thrown, expected);
}

/** Asserts that `text` contains every fragment (strings literally, regular expressions by match). */
export function assertMentions(text: string, ...fragments: (string | RegExp)[]): void {
    for (const fragment of fragments) {
        if (typeof fragment === "string") {
            assert.ok(text.includes(fragment), `expected ${JSON.stringify(text)} to mention ${JSON.stringify(fragment)}`);
        } else {
            assert.match(text, fragment);
        }
    }
}
