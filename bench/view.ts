/**
 * Reading a benchmark run's results: medians and ratios over its samples (View), and how the report
 * and the charts show figures (units, tables, the operations' labels).
 */
import { Op, Sample } from "./cli";
import { Results, VariantId } from "./results";

export const opLabels: Partial<Record<Op, string>> = {
    up: "up (create)",
    preview: "preview, no change",
    upNoop: "up, no change",
    refresh: "refresh",
    destroy: "destroy",
};
export const lifecycle = Object.keys(opLabels) as Op[];
export const scale = ["ed25519", "tlsEd25519", "floor"] as const;

export const median = (xs: number[]) => {
    const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
    return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** A figure with its unit, or a dash where there is none. */
export const unit = (x: number, digits: number, suffix: string) => (Number.isFinite(x) ? `${x.toFixed(digits)}${suffix}` : "–");
export const ms = (x: number) => (x >= 10_000 ? unit(x / 1000, 1, " s") : unit(x, x >= 100 ? 0 : x >= 1 ? 1 : 3, " ms"));
export const ratio = (x: number) => unit(x, 2, "x");
export const kib = (bytes: number) => unit(bytes / 1024, 2, " KiB");
export const mib = (k: number) => unit(k / 1024, 0, " MiB");
export const range = (xs: number[], show: (x: number) => string) => `${show(Math.min(...xs))} – ${show(Math.max(...xs))}`;
export const table = (header: string[], rows: string[][]) =>
    [header, header.map(() => "---"), ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");

/** Medians and ratios over a run's samples; times are CPU time unless named wall. */
export class View {
    constructor(readonly r: Results) {}
    samples = (id: VariantId, n: number, op: Op) => this.r.samples.filter((s) => s.variant === id && s.n === n && s.op === op);
    of = (id: VariantId, n: number, op: Op, f: (s: Sample) => number | undefined) =>
        median(this.samples(id, n, op).map((s) => f(s) ?? NaN));
    cpu = (id: VariantId, n: number, op: Op) => this.of(id, n, op, (s) => s.cpuMs);
    wall = (id: VariantId, n: number, op: Op) => this.of(id, n, op, (s) => s.ms);
    ratio = (a: VariantId, b: VariantId, n: number, op: Op) => this.cpu(a, n, op) / this.cpu(b, n, op);
    has = (id: VariantId, n: number) => this.samples(id, n, "up").length > 0;
    ns = (id: VariantId) => [...new Set(this.r.samples.filter((s) => s.variant === id).map((s) => s.n))].sort((a, b) => a - b);
    state = (id: VariantId, n: number) => this.r.states.find((s) => s.variant === id && s.n === n);
    perResource = (id: VariantId, n: number) => this.state(id, n)?.bytesPerResource ?? NaN;
    peak = (id: VariantId, n: number, role: "program" | "provider") =>
        Math.max(...lifecycle.flatMap((op) => this.samples(id, n, op).map((s) => s.peakKiB[role] ?? -Infinity)));
    slope = (id: VariantId, op: Op, from: number, to: number) => (this.cpu(id, to, op) - this.cpu(id, from, op)) / (to - from);
    /** The program's CPU per resource in its profiled no-change preview. */
    programCpu = (id: VariantId) => this.r.profiles.filter((p) => p.variant === id).map((p) => p.summary.cpuMs / p.n)[0] ?? NaN;
    /** Two variants' CPU time compared in each repetition, where they ran side by side: their ratio unless told. */
    paired = (a: VariantId, b: VariantId, n: number, op: Op, compare = (x: number, y: number) => x / y) =>
        this.samples(a, n, op).map((s) => compare(s.cpuMs, this.samples(b, n, op).find((x) => x.rep === s.rep)?.cpuMs ?? NaN));
    /** The N of KeyPair's own cost against the floor: the one measured in repetitions. */
    own = () => this.ns("ed25519").find((n) => this.samples("ed25519", n, "up").length > 1) ?? NaN;
    /** The largest N of a whole lifecycle. */
    largest = () => Math.max(...this.r.samples.filter((s) => s.variant === "ed25519" && s.op === "upNoop").map((s) => s.n));
}
