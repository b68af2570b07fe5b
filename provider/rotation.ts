/**
 * Scheduled rotation: `rotateAfter`'s duration grammar, and the `rotatesAt` deadline that `check`
 * keeps with the inputs. The deadline lives in the inputs because `check` only sees the previous
 * inputs: that is where it finds the deadline, and decides whether this run makes a new pair.
 * Pure functions; the clock is the caller's.
 */
import { invalidParameter } from "./ens/errors";
import { keyPairFields } from "./fields";
import { ensTimestamp } from "./ens/timestamps";

const unitSeconds = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
/** `<n>d`, `<n>h`, `<n>m`, `<n>s`, each at most once and in that order. */
const durationPattern = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
/** The longest `rotateAfter`: 100 years, far beyond any key's useful life, and within what a Date holds. */
export const maxRotateAfterSeconds = 36_500 * unitSeconds.d;

/** A duration in seconds, or `undefined` when `text` breaks the grammar or the bounds. */
function durationSeconds(text: unknown): number | undefined {
    const match = typeof text === "string" ? durationPattern.exec(text) : null;
    const seconds = match ? Object.values(unitSeconds).reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * unit, 0) : Number.NaN;
    return seconds >= 1 && seconds <= maxRotateAfterSeconds ? seconds : undefined;
}

/**
 * Parses a `rotateAfter` duration: whole numbers of days, hours, minutes and seconds, in that
 * order, such as `90d`, `12h`, `1d12h`, `30m` or `45s`.
 * @returns the duration in seconds.
 * @throws EnsError `InvalidParameter.RotateAfter` naming `rotateAfter` and the grammar.
 */
export function parseDuration(text: unknown): number {
    const seconds = durationSeconds(text);
    if (seconds === undefined) {
        throw invalidParameter(
            keyPairFields.rotateAfter.ensParameter,
            'rotateAfter must be a duration of whole days, hours, minutes and seconds in that order, such as "90d", "12h", "1d12h", "30m" or "45s", from 1s to 36500d',
            { value: text },
        );
    }
    return seconds;
}

/** The rotation fields as `check` keeps them with the inputs. */
interface RotationInputs {
    rotateAfter?: string;
    rotatesAt?: string;
}

/** When a rotation clock started (its deadline less its duration); `undefined` without one, or while either is unknown. */
function clockStart(state: RotationInputs): number | undefined {
    const after = durationSeconds(state.rotateAfter);
    const deadline = Date.parse(state.rotatesAt ?? "");
    return after === undefined || Number.isNaN(deadline) ? undefined : deadline - after * 1000;
}

/** What `check` decides about rotation. */
interface RotationPlan {
    /** The deadline to keep with the inputs; absent without `rotateAfter`. */
    rotatesAt?: string;
    /** The deadline has passed: this run replaces the pair with a new one (so a prefix makes a new name). */
    due: boolean;
}

/**
 * The deadline for `rotateAfter` given the previous inputs, at `now`. The clock keeps running from
 * when it started, so a changed `rotateAfter` moves the deadline rather than restarting it; it
 * starts now for a new pair (the engine checks a replacement as a new pair, without previous
 * inputs), a pair that gains `rotateAfter`, and a pair whose deadline has passed, which is then due.
 */
export function planRotation(olds: RotationInputs, rotateAfter: string | undefined, now: Date): RotationPlan {
    if (rotateAfter === undefined) {
        return { due: false };
    }
    const after = parseDuration(rotateAfter) * 1000;
    const started = clockStart(olds);
    if (started !== undefined && now.getTime() < started + after) {
        return { rotatesAt: ensTimestamp(new Date(started + after)), due: false };
    }
    return { rotatesAt: ensTimestamp(new Date(now.getTime() + after)), due: started !== undefined };
}

/**
 * Whether the inputs `check` resolved rotate the stored pair: their clock started once the stored
 * pair's deadline (under the new `rotateAfter`) had passed. A deadline moved by a new
 * `rotateAfter` keeps its start, so it is not a rotation.
 * @returns the deadline that passed, or `undefined` when this is no rotation.
 */
export function passedDeadline(stored: RotationInputs, news: RotationInputs): string | undefined {
    const before = clockStart(stored);
    const after = clockStart(news);
    const deadline = before === undefined ? Number.NaN : before + (durationSeconds(news.rotateAfter) ?? Number.NaN) * 1000;
    return after !== undefined && after >= deadline ? ensTimestamp(new Date(deadline)) : undefined;
}
