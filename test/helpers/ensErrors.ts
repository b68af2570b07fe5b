/** Assertions on the `EnsError`s the provider throws. */
import * as assert from "assert";
import { EnsError } from "../../src/errors";

/**
 * Asserts that `fn` throws an `EnsError` with `code` whose message contains every fragment.
 * @returns the error, for further checks.
 */
export function expectEnsError(fn: () => unknown, code: string, ...fragments: (string | RegExp)[]): EnsError {
    let thrown: unknown;
    try {
        fn();
    } catch (err) {
        thrown = err;
    }
    return checkEnsError(thrown, code, fragments);
}

/** As {@link expectEnsError}, for an async function. */
export async function expectEnsErrorAsync(fn: () => Promise<unknown>, code: string, ...fragments: (string | RegExp)[]): Promise<EnsError> {
    let thrown: unknown;
    try {
        await fn();
    } catch (err) {
        thrown = err;
    }
    return checkEnsError(thrown, code, fragments);
}

function checkEnsError(thrown: unknown, code: string, fragments: (string | RegExp)[]): EnsError {
    assert.ok(thrown !== undefined, `expected an EnsError ${code}, but nothing was thrown`);
    assert.ok(thrown instanceof EnsError, `expected an EnsError ${code}, got ${String(thrown)}`);
    assert.strictEqual(thrown.code, code, `wrong code; message: ${thrown.message}`);
    assert.strictEqual(thrown.httpStatus, 400);
    assert.ok(thrown.message.startsWith(`${code}: ${thrown.ensMessage}`), thrown.message);
    assertMentions(thrown.message, ...fragments);
    return thrown;
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
