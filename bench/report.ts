/**
 * Fills BENCHMARKS.md in from a run's results (and docs/teams.md from the soak's). The prose is
 * written in those files; the figures sit between `<!-- bench:NAME -->` and `<!-- /bench -->`, and
 * each run replaces what is between them with the output of the renderer of that name below (a
 * table, or a figure inline); the soak's renderers are in bench/soak/report.ts. The charts, drawn
 * from the same results, are bench/charts.ts's.
 */
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../test/helpers/paths";
import { outputNames } from "../provider/fields";
import { Op, Sample } from "./cli";
import { ensModes } from "./ens";
import { methodLabels, Method } from "./keygen";
import { Results, VariantId, variants } from "./results";
import { kib, median, mib, ms, range, ratio, table, unit } from "./format";
import { writeCharts, ScalingPoint } from "./charts";
import { soakRenderers } from "./soak/report";
import { SoakResults } from "./soak/soak";

const opLabels: Partial<Record<Op, string>> = {
    up: "up (create)",
    preview: "preview, no change",
    upNoop: "up, no change",
    refresh: "refresh",
    destroy: "destroy",
};
const lifecycle = Object.keys(opLabels) as Op[];
const scale = ["ed25519", "tlsEd25519", "floor"] as const;

/** Medians and ratios over a run's samples; times are CPU time unless named wall. */
class View {
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

type Target = [target: string, measured: string, goal: string, ok: boolean | undefined];

function targets(v: View): Target[] {
    const t: Target[] = [];
    /** A figure that must stay at or below a bound. */
    const add = (target: string, value: number, bound: number, show = ratio, detail = "") =>
        t.push([target, show(value) + (detail && ` (${detail})`), `≤ ${show(bound)}`, Number.isFinite(value) ? value <= bound : undefined]);
    const [own, big, batch] = [v.own(), v.largest(), v.r.bareRsaBatch];
    for (const [op, bound] of [
        ["up", 1.1],
        ["preview", 1.05],
    ] as const) {
        const each = v.paired("ed25519", "floor", own, op);
        add(
            `KeyPair Ed25519 / floor, ${opLabels[op]}, N = ${own}, median of ${each.length} repetitions`,
            median(each),
            bound,
            ratio,
            `each ${range(each, ratio)}`,
        );
    }
    // RSA's up is judged against its key generation below.
    const pairs = lifecycle.flatMap((op) =>
        (op === "up" ? (["ed25519"] as const) : (["ed25519", "rsa"] as const)).map((id) => [id, op] as const),
    );
    for (const [id, op] of pairs) {
        const each = v
            .ns(id)
            .map((n) => [n, v.ratio(id, "floor", n, op)])
            .filter(([, x]) => Number.isFinite(x));
        const detail = each.map(([n, x]) => `N=${n}: ${ratio(x)}`).join(", ");
        add(`${variants[id].label} / floor, ${opLabels[op]}, every N`, Math.max(...each.map(([, x]) => x)), 1.1, ratio, detail);
    }
    if (batch) {
        const [rsa, floor] = [v.wall("rsa", batch.keys, "up"), v.wall("floor", batch.keys, "up")];
        const detail = `${ms(rsa)} / (${ms(floor)} + ${ms(batch.ms)})`;
        add(
            `up of ${batch.keys} KeyPairs RSA 2048 / (floor up + as many bare RSA keys at once), wall time`,
            rsa / (floor + batch.ms),
            1.1,
            ratio,
            detail,
        );
    }
    for (const op of ["up", "preview"] as const) {
        const [mine, peer] = [v.slope("ed25519", op, 100, big), v.slope("tlsEd25519", op, 100, big)];
        add(`cost of one more resource, ${opLabels[op]}, N = 100 → ${big}: KeyPair Ed25519 / PrivateKey ED25519`, mine / peer, 1);
        add(
            `KeyPair Ed25519, ${opLabels[op]}, N = ${big} / N = 100 (linear: ${big / 100}x)`,
            v.cpu("ed25519", big, op) / v.cpu("ed25519", 100, op),
            big / 100,
        );
    }
    add(`KeyPair Ed25519 state per resource, N = ${big} / N = 100`, v.perResource("ed25519", big) / v.perResource("ed25519", 100), 1);
    add(`KeyPair's provider process, peak memory, N = ${big}`, v.peak("ed25519", big, "provider"), 300 * 1024, mib);
    add("KeyPair's provider process, peak memory, 100 RSA 2048", v.peak("rsa", 100, "provider"), 200 * 1024, mib);
    const exported = (id: VariantId, n: number) => `${kib(v.state(id, n)?.exportBytesPerResource ?? NaN)} in \`pulumi stack export\``;
    add("state per KeyPair RSA 2048, N = 100, stored", v.perResource("rsa", 100), 12 * 1024, kib, exported("rsa", 100));
    add("serialized provider per KeyPair (`__provider`)", v.state("rsa", 100)?.providerBytes ?? NaN, 4 * 1024, kib);
    for (const n of v.ns("plugin")) {
        add(`plugin: state per RSA pair, N = ${n}, stored`, v.perResource("plugin", n), 7 * 1024, kib, exported("plugin", n));
    }
    add("plugin: destroy of one pair / PrivateKey RSA 2048", v.ratio("plugin", "tlsRsa", 1, "destroy"), 1.5);
    for (const { mode, n, up, destroy, error } of v.r.ens.filter((x) => x.mode !== "local")) {
        const [made, left] = [up?.server, destroy?.server];
        const measured = `${made?.pairs} pairs (${made?.names} names) after up, ${left?.pairs} after destroy`;
        t.push([
            `${ensModes[mode]}, ${n} RSA KeyPairs: each made once, none left`,
            measured,
            "0 orphans, 0 duplicates",
            !error && made?.pairs === n && made.names === n && left?.pairs === 0,
        ]);
    }
    for (const id of ["ed25519", "rsa", "plugin"] as const) {
        // The probe counts the keys made in the dynamic provider; the bundled plugin's show in state only.
        const runs = v.r.samples.filter((s) => s.variant === id && (s.op === "preview" || s.op === "upNoop"));
        const keys = id === "plugin" ? 0 : runs.reduce((sum, s) => sum + s.probe.keygens, 0);
        const same = v.r.states.filter((s) => s.variant === id && s.unchanged !== undefined).every((s) => s.unchanged);
        const measured = `${id === "plugin" ? "" : `${keys} keys in ${runs.length} runs; `}ids and public keys ${same ? "unchanged" : "CHANGED"}`;
        t.push([
            `${variants[id].label}: keys made by no-change preview and up`,
            measured,
            "0",
            runs.length ? keys === 0 && same : undefined,
        ]);
    }
    const ed = v.r.keygen.find((k) => k.label === "Ed25519");
    const tool = ed ? Math.min(median(ed.perKeyMs.openssl), median(ed.perKeyMs.sshKeygen)) : NaN;
    for (const k of v.r.keygen) {
        const [bare, encode] = [median(k.perKeyMs.bare), median(k.encodeMs)];
        if (k.label.startsWith("RSA")) {
            add(`${k.label}: generateKeyMaterial / bare crypto.generateKeyPair`, (bare + encode) / bare, 1.1);
            add(
                `${k.label}: what generateKeyMaterial adds / a tool process's start`,
                encode / tool,
                1,
                ratio,
                `${ms(encode)} / ${ms(tool)}`,
            );
        } else {
            add(`${k.label}: generateKeyMaterial per key, every encoding and fingerprint`, median(k.perKeyMs.material), 0.5, ms);
        }
    }
    return t;
}

function engineTable(v: View, n: number): string {
    const ids = (Object.keys(variants) as VariantId[]).filter((id) => v.has(id, n));
    const pairs = (
        [
            ["ed25519", "floor"],
            ["ed25519", "tlsEd25519"],
            ["rsa", "floor"],
            ["rsa", "tlsRsa"],
            ["plugin", "tlsRsa"],
        ] as const
    ).filter(([a, b]) => v.has(a, n) && v.has(b, n));
    return table(
        [`N = ${n}`, ...ids.map((id) => variants[id].label), ...pairs.map(([a, b]) => `${variants[a].label} / ${variants[b].label}`)],
        lifecycle.map((op) => [
            opLabels[op] as string,
            ...ids.map((id) => `${ms(v.cpu(id, n, op))} (${ms(v.wall(id, n, op))})`),
            ...pairs.map(([a, b]) => `${ratio(v.ratio(a, b, n, op))} (${ratio(v.wall(a, n, op) / v.wall(b, n, op))})`),
        ]),
    );
}

function ownCost(v: View): string {
    const n = v.own();
    const rows = (["up", "preview", "destroy"] as const).map((op) => {
        const cells = (["ed25519", "ed25519Traced", "floor"] as const).map((id) => ms(v.cpu(id, n, op)));
        const [mine, traced] = [v.paired("ed25519", "floor", n, op), v.paired("ed25519Traced", "floor", n, op)];
        return [opLabels[op] as string, ...cells, ratio(median(mine)), range(mine, ratio), ratio(median(traced)), range(traced, ratio)];
    });
    const ratios = ["KeyPair / floor", "range", "with stack traces / floor", "range"];
    return table(
        [`N = ${n}: medians of CPU time, and of each repetition's ratio`, "KeyPair", "with the SDK's stack traces", "floor", ...ratios],
        rows,
    );
}

function fixedCost(v: View): string {
    const ids = (["ed25519", "plugin", "tlsEd25519", "floor"] as const).filter((id) => v.has(id, 1));
    const load = (s: Sample, label: string, role: "program" | "provider" = "program") => s.probe[role]?.loads[label] ?? NaN;
    const pkg = (s: Sample) => load(s, "keypair") || load(s, "tls") || 0;
    const rows: [string, (s: Sample) => number][] = [
        ["CLI and language host start, until the program's node process starts", (s) => s.probe.program?.startMs ?? NaN],
        ["program: node start-up", (s) => (s.probe.program?.preloadMs ?? NaN) - (s.probe.program?.startMs ?? NaN)],
        ["program: @pulumi/pulumi load", (s) => load(s, "main")],
        ["program: TypeScript and ts-node load", (s) => load(s, "typescript") + (load(s, "ts-node") || 0)],
        ["program: compile (type check) and run, less the package's load", (s) => load(s, "program") - pkg(s)],
        ["program: the resource's package load (pulumi-ens-keypair or @pulumi/tls)", pkg],
        ["dynamic provider: TypeScript load (by @pulumi/pulumi)", (s) => load(s, "typescript", "provider")],
        ["dynamic provider: pulumi-ens-keypair/provider load", (s) => load(s, "keypair", "provider")],
        ["from the program's exit to the operation's end", (s) => s.ms - (s.probe.program?.exitMs ?? NaN)],
    ];
    return table(
        ["up, N = 1, wall time", ...ids.map((id) => variants[id].label)],
        [
            ...rows.map(([label, f]) => [label, ...ids.map((id) => ms(v.of(id, 1, "up", f)))]),
            ["the whole up: CPU (wall)", ...ids.map((id) => `${ms(v.cpu(id, 1, "up"))} (${ms(v.wall(id, 1, "up"))})`)],
        ],
    );
}

function largestUp(v: View): string {
    const n = v.largest();
    const at = (f: (s: Sample) => number | undefined) => (id: VariantId) => ms(v.of(id, n, "up", f));
    const rows: [string, (id: VariantId) => string][] = [
        ["wall time", (id) => ms(v.wall(id, n, "up"))],
        ["CPU time, all processes", (id) => ms(v.cpu(id, n, "up"))],
        ["program process started", at((s) => s.probe.program?.startMs)],
        ["program compiled and its body run", at((s) => s.probe.program?.loads.program)],
        ["program process exited", at((s) => s.probe.program?.exitMs)],
        ["dynamic provider: first call", at((s) => s.probe.firstRpcMs)],
        ["dynamic provider: busy with calls (union of calls in flight)", at((s) => s.probe.busyMs || undefined)],
        ["dynamic provider: create calls, summed", at((s) => s.probe.rpc.create?.totalMs)],
        ["key generation in flight", at((s) => s.probe.keygenBusyMs || undefined)],
        ["after the program's exit", at((s) => s.ms - (s.probe.program?.exitMs ?? NaN))],
        ["program process, peak memory", (id) => mib(v.peak(id, n, "program"))],
        ["provider process, peak memory", (id) => mib(v.peak(id, n, "provider"))],
    ];
    const ids = scale.filter((id) => v.has(id, n));
    return table(
        [`up, N = ${n}`, ...ids.map((id) => variants[id].label)],
        rows.map(([label, f]) => [label, ...ids.map(f)]),
    );
}

function profile(v: View): string {
    const ps = v.r.profiles;
    const parts = Object.keys(Object.assign({}, ...ps.map((p) => p.summary.parts)) as object);
    parts.sort((a, b) => (ps[0].summary.parts[b] ?? 0) - (ps[0].summary.parts[a] ?? 0));
    const row = (label: string, f: (p: (typeof ps)[number]) => number) => [label, ...ps.map((p) => ms(f(p) / p.n))];
    return table(
        [`program CPU per resource, no-change preview, N = ${ps[0]?.n}`, ...ps.map((p) => variants[p.variant].label)],
        [...parts.map((part) => row(part, (p) => p.summary.parts[part] ?? 0)), row("all CPU (idle excluded)", (p) => p.summary.cpuMs)],
    );
}

function ens(v: View): string {
    const local = v.r.ens.find((x) => x.mode === "local");
    const calls = (c: Record<string, number>) =>
        Object.entries(c)
            .filter(([, k]) => k > 0)
            .map(([a, k]) => `${a} ${k}`)
            .join(", ");
    const rows = v.r.ens.map((x) => {
        const [up, down] = [x.up?.server, x.destroy?.server];
        const vsLocal = (op: "up" | "destroy") => [ms(x[op]?.ms ?? NaN), ratio((x[op]?.ms ?? NaN) / (local?.[op]?.ms ?? NaN))];
        const server =
            x.mode !== "local" && up && down
                ? [
                      `${unit(up.requests / x.n, 2, "")} / ${unit(down.requests / x.n, 2, "")}`,
                      `${calls(up.calls)}; ${calls(down.calls)}`,
                      String(up.throttled + down.throttled),
                      `${up.pairs} (${up.names} names) / ${down.pairs}`,
                  ]
                : ["–", "–", "–", "–"];
        return [ensModes[x.mode], ...vsLocal("up"), ...vsLocal("destroy"), ...server];
    });
    const header = ["up", "vs local", "destroy", "vs local", "requests per pair (up / destroy)", "calls (up; destroy)", "throttled"];
    return table([`${local?.n} KeyPairs RSA 2048`, ...header, "pairs after up / after destroy"], rows);
}

const renderers: Record<string, (v: View) => string> = {
    run: (v) =>
        table(
            ["", ""],
            [...Object.entries(v.r.machine), ...Object.entries(v.r.minutes).map(([k, x]) => [`minutes, ${k}`, unit(x, 1, "")])],
        ),
    targets: (v) => {
        const t = targets(v);
        const count = (ok: boolean | undefined) => t.filter((x) => x[3] === ok).length;
        const verdict = (ok: boolean | undefined) => (ok === undefined ? "not measured" : ok ? "**met**" : "**missed**");
        const rows = t.map(([target, measured, goal, ok]) => [target, measured, goal, verdict(ok)]);
        return `${count(true)} met, ${count(false)} missed, ${count(undefined)} not measured.\n\n${table(["target", "measured", "target value", "verdict"], rows)}`;
    },
    "own.n": (v) => String(v.own()),
    "own.up": (v) => ratio(median(v.paired("ed25519", "floor", v.own(), "up"))),
    "own.preview": (v) => ratio(median(v.paired("ed25519", "floor", v.own(), "preview"))),
    "own.reps": (v) => String(v.samples("ed25519", v.own(), "up").length),
    "own.traced.up": (v) => ratio(median(v.paired("ed25519Traced", "floor", v.own(), "up"))),
    "own.traced.preview": (v) => ratio(median(v.paired("ed25519Traced", "floor", v.own(), "preview"))),
    "own.properties": () => String(outputNames.length),
    /** What the SDK's stack traces cost a no-change preview, per KeyPair and registered property. */
    "own.stacksPerProperty": (v) =>
        ms(median(v.paired("ed25519Traced", "ed25519", v.own(), "preview", (x, y) => x - y)) / v.own() / outputNames.length),
    /** The program's CPU per resource in the profiled no-change preview, by variant. */
    "own.programCpu": (v) => {
        const cpu = (id: VariantId) => ms(v.programCpu(id));
        return `${cpu("ed25519")} per KeyPair, ${cpu("floor")} per floor resource and ${cpu("tlsEd25519")} per PrivateKey`;
    },
    /** KeyPair's program CPU above a floor resource's, shared out over its registered properties. */
    "own.perProperty": (v) => ms((v.programCpu("ed25519") - v.programCpu("floor")) / outputNames.length),
    own: ownCost,
    plugin: (v) => {
        const rows = v
            .ns("plugin")
            .flatMap((n) =>
                lifecycle.map((op) => [
                    String(n),
                    opLabels[op] as string,
                    ...(["plugin", "rsa", "floor"] as const).map((id) => ratio(v.ratio(id, "tlsRsa", n, op))),
                ]),
            );
        return table(["N", "CPU time against PrivateKey RSA 2048", "plugin", "dynamic KeyPair", "floor"], rows);
    },
    starts: (v) => {
        const label = { floor: "dynamic provider", plugin: "ens-keypair plugin", tlsRsa: "@pulumi/tls plugin" } as Record<
            VariantId,
            string
        >;
        const rows = Object.entries(v.r.starts).map(([id, xs]) => [
            label[id as VariantId],
            ms(median(xs)),
            range(xs, ms),
            String(xs.length),
        ]);
        return table(["provider", "launch to serving, median", "range", "launches"], rows);
    },
    "engine.1": (v) => engineTable(v, 1),
    "engine.100": (v) => engineTable(v, 100),
    "engine.largest": (v) => engineTable(v, v.largest()),
    slope: (v) => {
        const big = v.largest();
        const rows = lifecycle.map((op) => {
            const [mine, peer, floor] = scale.map((id) => v.slope(id, op, 100, big));
            return [opLabels[op] as string, ms(mine), ms(peer), ms(floor), ratio(mine / peer), ratio(mine / floor)];
        });
        return table([`N = 100 → ${big}`, ...scale.map((id) => variants[id].label), "KeyPair / PrivateKey", "KeyPair / floor"], rows);
    },
    "fixed-cost": fixedCost,
    "largest-up": largestUp,
    profile,
    "profile-files": (v) => {
        const files = v.r.profiles.find((x) => x.variant === "ed25519")?.summary.files ?? [];
        return table(
            ["file, KeyPair Ed25519", "self time"],
            files.map(([file, t]) => [`\`${file}\``, ms(t)]),
        );
    },
    checkpoints: (v) => {
        const rows = v.r.samples
            .filter((s) => s.op === "upCheckpoints")
            .map((s) => {
                const [id, without] = [s.variant as VariantId, v.cpu(s.variant as VariantId, s.n, "up")];
                return [
                    `${variants[id].label}, N = ${s.n}`,
                    ms(without),
                    ms(s.cpuMs),
                    ms((s.cpuMs - without) / s.n),
                    kib(v.perResource(id, s.n)),
                ];
            });
        return table(["up, CPU time", "without checkpoints", "with", "difference per resource", "state per resource"], rows);
    },
    state: (v) => {
        const rows = v.r.states
            .filter((s) => v.samples(s.variant, s.n, "upNoop").length)
            .map((s) => [
                String(s.n),
                variants[s.variant].label,
                kib(s.bytesPerResource),
                kib(s.exportBytesPerResource),
                String(s.outputProperties),
                s.providerBytes ? kib(s.providerBytes) : "–",
                mib(v.peak(s.variant, s.n, "provider")),
                mib(v.peak(s.variant, s.n, "program")),
            ]);
        const header = [
            "N",
            "variant",
            "state per resource, stored",
            "in `pulumi stack export`",
            "output properties",
            "serialized provider",
        ];
        return table([...header, "provider peak", "program peak"], rows);
    },
    ens,
    keygen: (v) => {
        const rows = v.r.keygen.flatMap((k) =>
            (Object.keys(methodLabels) as Method[]).map((m) => {
                const [xs, rate] = [k.perKeyMs[m], k.keysPerSecond[m]];
                const perKey = `${ms(median(xs))} (${range(xs, ms)}, ${xs.length})`;
                const encode = m === "material" ? ms(median(k.encodeMs)) : "";
                return [
                    k.label,
                    methodLabels[m],
                    perKey,
                    ratio(median(xs) / median(k.perKeyMs.bare)),
                    encode,
                    rate ? `${Number(rate.toPrecision(2))} keys/s` : "",
                ];
            }),
        );
        return table(["key", "method", "per key, median (range, keys)", "vs bare", "encodings + fingerprints", "50 in flight"], rows);
    },
    errors: (v) => (v.r.errors.length ? v.r.errors.map((e) => `- ${e.split("\n")[0]}`).join("\n") : "None."),
};

/** What a report is filled in from: the benchmark's results, the soak's, or both. */
export interface Reported {
    bench?: Results;
    soak?: SoakResults;
}

/** The files whose `<!-- bench:… -->` blocks the report fills in. */
const reportFiles = ["BENCHMARKS.md", path.join("docs", "teams.md")];

/**
 * Fills in every block of the report's files whose results are given (the soak's blocks are named
 * `soak.…`), leaving the others as they are, and draws the charts of those results.
 */
export async function writeReport(reported: Reported): Promise<void> {
    const view = reported.bench && new View(reported.bench);
    const render = (name: string): string | undefined => {
        if (name.startsWith("soak.")) {
            const renderSoak = soakRenderers[name.slice("soak.".length)];
            if (!renderSoak) {
                throw new Error(`a report file names a soak figure bench/soak/report.ts does not know: ${name}`);
            }
            return reported.soak && renderSoak(reported.soak);
        }
        const renderBench = renderers[name];
        if (!renderBench) {
            throw new Error(`a report file names a figure bench/report.ts does not know: ${name}`);
        }
        return view && renderBench(view);
    };
    for (const relative of reportFiles) {
        const file = path.join(repoRoot, relative);
        const text = fs
            .readFileSync(file, "utf8")
            .replace(/<!-- bench:([\w.-]+) -->([\s\S]*?)<!-- \/bench -->/g, (block: string, name: string, old: string) => {
                const figure = render(name);
                if (figure === undefined) {
                    return block;
                }
                return old.includes("\n")
                    ? `<!-- bench:${name} -->\n\n${figure}\n\n<!-- /bench -->`
                    : `<!-- bench:${name} -->${figure}<!-- /bench -->`;
            });
        fs.writeFileSync(file, text);
    }
    await writeCharts({ scaling: view && { points: scalingPoints(view), date: view.r.machine.date }, soak: reported.soak });
}

/** Each operation's median CPU time at each N, of every variant measured at more than one N. */
function scalingPoints(v: View): ScalingPoint[] {
    const ids = (Object.keys(variants) as VariantId[]).filter((id) => v.ns(id).length > 1);
    return ids.flatMap((id) =>
        lifecycle.flatMap((op) =>
            v
                .ns(id)
                .map((n) => ({ variant: variants[id].label, op: opLabels[op] as string, n, seconds: v.cpu(id, n, op) / 1000 }))
                .filter((point) => Number.isFinite(point.seconds)),
        ),
    );
}
