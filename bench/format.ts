/** How the report shows figures: medians, units, ranges and Markdown tables. */

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
