/**
 * The report's charts, drawn from the results by Vega-Lite and rendered to SVG by Vega (bench/vega.mjs),
 * into bench/charts/, which BENCHMARKS.md shows: each operation's CPU time against N for every
 * variant measured at several N, and the soak's pairs over time and its load.
 */
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../test/helpers/paths";
import { outcomes } from "./soak/report";
import { SoakResults } from "./soak/soak";

export const chartsDir = path.join(repoRoot, "bench", "charts");

type Spec = Record<string, unknown>;

const { toSvg } = require("./vega.mjs") as { toSvg: (spec: Spec) => Promise<string> };

/** What every chart shares: a plain look, small text, a white background (GitHub's dark theme shows the SVG as it is). */
const config = {
    // No ARIA attributes: they would double the files' size.
    aria: false,
    background: "white",
    font: "sans-serif",
    axis: { labelFontSize: 10, titleFontSize: 11, grid: true, gridOpacity: 0.5 },
    legend: { labelFontSize: 10, titleFontSize: 11, labelLimit: 320 },
    header: { labelFontSize: 11 },
    title: { fontSize: 13, anchor: "start" },
};

/** One variant's median CPU time of one operation at one N. */
export interface ScalingPoint {
    variant: string;
    op: string;
    n: number;
    seconds: number;
}

/** Each operation's CPU time against N (on a log scale), one panel per operation, in the order of the points. */
export function scalingSpec(points: ScalingPoint[], date: string): Spec {
    const inOrder = (values: (string | number)[]) => [...new Set(values)];
    return {
        title: `CPU time of each operation against N (median, all processes), ${date.slice(0, 10)}`,
        data: { values: points },
        facet: { field: "op", type: "nominal", title: null, sort: inOrder(points.map((p) => p.op)) },
        columns: 3,
        spec: {
            width: 190,
            height: 150,
            // Lines without points: the N measured are the x axis's ticks.
            mark: { type: "line", strokeWidth: 1.5 },
            encoding: {
                x: {
                    field: "n",
                    type: "quantitative",
                    title: "N",
                    scale: { type: "log" },
                    axis: { values: inOrder(points.map((p) => p.n)).sort((a, b) => Number(a) - Number(b)), format: "~s" },
                },
                y: { field: "seconds", type: "quantitative", title: "CPU seconds", axis: { tickCount: 5 } },
                color: { field: "variant", type: "nominal", title: null, sort: inOrder(points.map((p) => p.variant)) },
            },
        },
        resolve: { scale: { y: "independent" } },
        config: { ...config, legend: { ...config.legend, orient: "bottom", columns: 2 } },
    };
}

/** Each stack's pairs in ENS over the soak's up phase, with its kills and recoveries marked. */
export function soakTimelineSpec(r: SoakResults): Spec {
    const stacks = r.pipelines.map((p) => p.stack);
    // Each line from nothing at the start to its last count at the end of the phase.
    const last = (stack: string) => r.timeline.filter((p) => p.stack === stack).pop()?.pairs ?? 0;
    const values = [
        ...stacks.map((stack) => ({ t: 0, stack, pairs: 0 })),
        ...r.timeline,
        ...stacks.map((stack) => ({ t: r.minutes.up * 60, stack, pairs: last(stack) })),
    ];
    return {
        title: `Pairs in ENS per stack during the up phase (${r.pipelines.length} pipelines at once; dashed: a kill, dotted: converged again)`,
        width: 620,
        height: 220,
        layer: [
            {
                data: { values },
                mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
                encoding: {
                    x: { field: "t", type: "quantitative", title: "seconds from the start of the up phase" },
                    y: { field: "pairs", type: "quantitative", title: "pairs in ENS" },
                    color: { field: "stack", type: "nominal", title: "stack", sort: stacks },
                },
            },
            {
                data: { values: r.marks.filter((m) => m.what !== "lock probe") },
                mark: { type: "rule", strokeWidth: 1.5 },
                encoding: {
                    x: { field: "t", type: "quantitative" },
                    color: { field: "stack", type: "nominal", sort: stacks },
                    strokeDash: {
                        field: "what",
                        type: "nominal",
                        title: null,
                        scale: {
                            domain: ["kill", "recovered"],
                            range: [
                                [6, 3],
                                [1, 2],
                            ],
                        },
                    },
                },
            },
        ],
        config,
    };
}

/** The soak's load: ENS's answers by phase and outcome, and the peak memory of the backend and the providers. */
export function soakLoadSpec(r: SoakResults): Spec {
    const phases = ["up", "check", "destroy"] as const;
    const answers = phases.flatMap((phase) =>
        Object.entries(outcomes(r.server[phase])).map(([outcome, n], rank) => ({ phase, outcome, n, rank })),
    );
    const order = Object.keys(outcomes(r.server.up));
    const memory = [
        { what: "PostgreSQL (all processes, PSS)", mib: r.memory.postgresKiB / 1024 },
        { what: "dynamic provider (one process)", mib: r.memory.dynamicProviderKiB / 1024 },
        { what: "ens-keypair plugin (one process)", mib: r.memory.pluginKiB / 1024 },
    ];
    return {
        hconcat: [
            {
                title: "Requests to ENS, by phase and outcome",
                data: { values: answers },
                width: 300,
                height: 160,
                mark: "bar",
                encoding: {
                    y: { field: "phase", type: "nominal", title: null, sort: [...phases] },
                    x: { field: "n", type: "quantitative", title: "requests" },
                    color: { field: "outcome", type: "nominal", title: null, sort: order, legend: { orient: "bottom", columns: 3 } },
                    order: { field: "rank", sort: "ascending" },
                },
            },
            {
                title: "Peak memory",
                data: { values: memory },
                width: 220,
                height: 160,
                mark: "bar",
                encoding: {
                    y: { field: "what", type: "nominal", title: null, sort: memory.map((m) => m.what), axis: { labelLimit: 300 } },
                    x: { field: "mib", type: "quantitative", title: "MiB" },
                },
            },
        ],
        config,
    };
}

/** Draws the charts of the results given into bench/charts/. */
export async function writeCharts(from: { scaling?: { points: ScalingPoint[]; date: string }; soak?: SoakResults }): Promise<void> {
    const charts: [string, Spec][] = [];
    if (from.scaling) {
        charts.push(["scaling.svg", scalingSpec(from.scaling.points, from.scaling.date)]);
    }
    if (from.soak) {
        charts.push(["soak-timeline.svg", soakTimelineSpec(from.soak)], ["soak-load.svg", soakLoadSpec(from.soak)]);
    }
    fs.mkdirSync(chartsDir, { recursive: true });
    for (const [file, spec] of charts) {
        // A tenth of a pixel is finer than any screen shows; Vega writes up to 15 digits.
        const svg = (await toSvg(spec)).replace(/(\d+\.\d)\d+/g, "$1");
        fs.writeFileSync(path.join(chartsDir, file), svg);
    }
}
