/**
 * bench/up-time.svg: `up` (create) wall time against N for each variant, written by hand as SVG
 * (a chart library would be a dependency for one figure). N is on a log scale (1, 10, 100); time
 * is linear from zero, so the slopes compare directly. Points are medians, bars the min–max.
 */
import * as fs from "fs";
import { ConfigResult } from "./engine";
import { variants } from "./programs";
import { BenchResults } from "./results";
import { stat } from "./stats";

/** The chart's series: the variants of the issue (the profiling control runs at one N only). */
type Series = "rsa" | "ed25519" | "floor" | "tls";
const shortLabels: Record<Series, string> = {
    rsa: "KeyPair RSA 2048",
    ed25519: "KeyPair Ed25519",
    floor: "floor: do-nothing dynamic",
    tls: "@pulumi/tls PrivateKey",
};
const colors: Record<Series, string> = { rsa: "#d62728", ed25519: "#1f77b4", floor: "#7f7f7f", tls: "#2ca02c" };
const dashes: Record<Series, string> = { rsa: "", ed25519: "6 3", floor: "2 3", tls: "10 4" };

const width = 760;
const height = 440;
const margin = { left: 70, right: 240, top: 40, bottom: 60 };
const plotW = width - margin.left - margin.right;
const plotH = height - margin.top - margin.bottom;

function esc(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A round step for the time axis giving about five gridlines. */
function niceStep(max: number): number {
    const raw = max / 5;
    const pow = 10 ** Math.floor(Math.log10(raw));
    return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? raw;
}

export function renderChart(results: BenchResults): string {
    const configs = results.engine.configs;
    const ns = [...new Set(configs.map((c) => c.n))].sort((a, b) => a - b);
    const ids = (Object.keys(shortLabels) as Series[]).filter((id) => id !== "tls" || results.tls.available);
    const series = ids.map((id) => ({
        id,
        points: ns
            .map((n) => configs.find((c: ConfigResult) => c.variant === id && c.n === n))
            .filter((c): c is ConfigResult => c !== undefined && c.samples.up.length > 0)
            .map((c) => ({ n: c.n, s: stat(c.samples.up.map((u) => u.ms / 1000)) })),
    }));
    const maxS = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.s.max)));
    const step = niceStep(maxS);
    const top = Math.ceil(maxS / step) * step;
    const minN = Math.min(...ns, 1);
    const maxN = Math.max(...ns, 10);
    const x = (n: number) => margin.left + ((Math.log10(n) - Math.log10(minN)) / (Math.log10(maxN) - Math.log10(minN) || 1)) * plotW;
    const y = (s: number) => margin.top + plotH - (s / top) * plotH;

    const parts: string[] = [];
    parts.push(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    );
    parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
    parts.push(`<text x="${margin.left}" y="22" font-size="15" font-weight="bold">pulumi up (create): wall time against resources</text>`);
    for (let v = 0; v <= top + 1e-9; v += step) {
        parts.push(
            `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`,
        );
        parts.push(`<text x="${margin.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${Number(v.toFixed(3))} s</text>`);
    }
    for (const n of ns) {
        parts.push(
            `<line x1="${x(n).toFixed(1)}" x2="${x(n).toFixed(1)}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="#e0e0e0"/>`,
        );
        parts.push(`<text x="${x(n).toFixed(1)}" y="${margin.top + plotH + 18}" text-anchor="middle">${n}</text>`);
    }
    parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`);
    parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 18}" text-anchor="middle">N resources (log scale)</text>`);
    parts.push(
        `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">wall time, median of repetitions (bars: min–max)</text>`,
    );

    series.forEach((s, i) => {
        const color = colors[s.id];
        if (s.points.length > 1) {
            const d = s.points.map((p, j) => `${j === 0 ? "M" : "L"}${x(p.n).toFixed(1)},${y(p.s.median).toFixed(1)}`).join(" ");
            parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-dasharray="${dashes[s.id]}"/>`);
        }
        for (const p of s.points) {
            // Nudge series sideways a little so their bars do not hide one another.
            const px = x(p.n) + (i - (series.length - 1) / 2) * 4;
            parts.push(
                `<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${y(p.s.min).toFixed(1)}" y2="${y(p.s.max).toFixed(1)}" stroke="${color}" stroke-width="1.5"/>`,
            );
            parts.push(
                `<circle cx="${px.toFixed(1)}" cy="${y(p.s.median).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(variants[s.id].label)}, N=${p.n}: ${p.s.median.toFixed(2)} s</title></circle>`,
            );
        }
        const ly = margin.top + 14 + i * 22;
        const lx = margin.left + plotW + 16;
        parts.push(
            `<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2" stroke-dasharray="${dashes[s.id]}"/>`,
        );
        parts.push(`<text x="${lx + 32}" y="${ly + 4}">${esc(shortLabels[s.id])}</text>`);
    });
    if (!results.tls.available) {
        const ly = margin.top + 14 + series.length * 22;
        parts.push(`<text x="${margin.left + plotW + 16}" y="${ly + 4}" fill="#888">@pulumi/tls: not measured (plugin</text>`);
        parts.push(`<text x="${margin.left + plotW + 16}" y="${ly + 20}" fill="#888">could not be provisioned)</text>`);
    }
    const m = results.machine;
    parts.push(
        `<text x="${margin.left}" y="${height - 2}" font-size="10" fill="#666">${esc(`${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, pulumi ${m.engine}, ${m.date.slice(0, 10)}`)}</text>`,
    );
    parts.push("</svg>");
    return parts.join("\n") + "\n";
}

export function writeChart(results: BenchResults, file: string): void {
    fs.writeFileSync(file, renderChart(results));
}
