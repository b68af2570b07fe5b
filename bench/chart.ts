/**
 * bench/up-time.svg: `up` (create) CPU time per resource against N (of the CLI and every process it starts), for KeyPair, @pulumi/tls
 * PrivateKey and the floor, written by hand as SVG (a chart library would be a dependency for one
 * figure). Both axes are logarithmic: per-resource time falls by orders of magnitude as the fixed
 * cost spreads over more resources. Points are medians, bars the min–max.
 */
import * as fs from "fs";
import { ConfigResult } from "./engine";
import { VariantId, variants } from "./programs";
import { BenchResults } from "./results";
import { stat } from "./stats";

type Series = Exclude<VariantId, "inlineEd25519">;
const shortLabels: Record<Series, string> = {
    rsa: "KeyPair RSA 2048",
    ed25519: "KeyPair Ed25519",
    tlsRsa: "PrivateKey RSA 2048",
    tlsEd25519: "PrivateKey ED25519",
    floor: "floor: do-nothing dynamic",
};
const colors: Record<Series, string> = { rsa: "#d62728", ed25519: "#1f77b4", tlsRsa: "#ff7f0e", tlsEd25519: "#2ca02c", floor: "#7f7f7f" };
const dashes: Record<Series, string> = { rsa: "", ed25519: "", tlsRsa: "6 3", tlsEd25519: "6 3", floor: "2 3" };

const width = 760;
const height = 440;
const margin = { left: 70, right: 230, top: 40, bottom: 60 };
const plotW = width - margin.left - margin.right;
const plotH = height - margin.top - margin.bottom;

function esc(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderChart(results: BenchResults): string {
    const configs = results.engine.configs;
    const ns = [...new Set(configs.map((c) => c.n))].sort((a, b) => a - b);
    const series = (Object.keys(shortLabels) as Series[])
        .map((id) => ({
            id,
            points: ns
                .map((n) => configs.find((c: ConfigResult) => c.variant === id && c.n === n))
                .filter((c): c is ConfigResult => c !== undefined && c.samples.up.length > 0)
                .map((c) => ({ n: c.n, s: stat(c.samples.up.map((u) => (u.cpuMs ?? u.ms) / 1000 / c.n)) })),
        }))
        .filter((s) => s.points.length > 0);
    const values = series.flatMap((s) => s.points.flatMap((p) => [p.s.min, p.s.max]));
    const lo = 10 ** Math.floor(Math.log10(Math.min(...values, 1)));
    const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, 1)));
    const minN = Math.min(...ns, 1);
    const maxN = Math.max(...ns, 10);
    const x = (n: number) => margin.left + ((Math.log10(n) - Math.log10(minN)) / (Math.log10(maxN) - Math.log10(minN) || 1)) * plotW;
    const y = (s: number) => margin.top + plotH - ((Math.log10(s) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1)) * plotH;
    const seconds = (v: number) => (v >= 1 ? `${v} s` : `${Number((v * 1000).toPrecision(3))} ms`);

    const parts: string[] = [];
    parts.push(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    );
    parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
    parts.push(
        `<text x="${margin.left}" y="22" font-size="15" font-weight="bold">pulumi up (create): CPU time per resource against N</text>`,
    );
    for (let v = lo; v <= hi * 1.0001; v *= 10) {
        parts.push(
            `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`,
        );
        parts.push(`<text x="${margin.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${seconds(v)}</text>`);
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
        `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">CPU time of the up / N (log scale; bars: min–max)</text>`,
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
                `<circle cx="${px.toFixed(1)}" cy="${y(p.s.median).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(variants[s.id].label)}, N=${p.n}: ${seconds(Number(p.s.median.toPrecision(3)))} per resource</title></circle>`,
            );
        }
        const ly = margin.top + 14 + i * 22;
        const lx = margin.left + plotW + 16;
        parts.push(
            `<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2" stroke-dasharray="${dashes[s.id]}"/>`,
        );
        parts.push(`<text x="${lx + 32}" y="${ly + 4}">${esc(shortLabels[s.id])}</text>`);
    });
    const m = results.machine;
    parts.push(
        `<text x="${margin.left}" y="${height - 2}" font-size="10" fill="#666">${esc(`${m.cores} cores, Node ${m.node}, pulumi ${m.engine}, ${m.date.slice(0, 10)}`)}</text>`,
    );
    parts.push("</svg>");
    return parts.join("\n") + "\n";
}

export function writeChart(results: BenchResults, file: string): void {
    fs.writeFileSync(file, renderChart(results));
}
