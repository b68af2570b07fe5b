/**
 * The soak's figures in the report: the renderers of the `<!-- bench:soak.NAME -->` blocks of
 * BENCHMARKS.md and docs/teams.md (bench/report.ts fills them in), from `npm run soak`'s results.
 */
import { EnsServerStats } from "../../ens-server/server";
import { median, mib, table, unit } from "../format";
import { SoakResults } from "./soak";

const count = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const listed = (counts: Record<string, number>) =>
    Object.entries(counts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none";
const seconds = (x: number) => unit(x / 1000, 0, " s");
const minutes = (x: number) => unit(x, 1, " min");

/** The server's answers in a phase, by what became of them. */
export function outcomes(
    s: EnsServerStats,
): Record<"answered" | "5xx injected" | "throttled" | "dropped after commit" | "other errors", number> {
    const injected5xx = (s.faultsInjected.InternalError ?? 0) + (s.faultsInjected.ServiceUnavailable ?? 0);
    const throttled = s.faultsInjected.Throttling ?? 0;
    const errors = count(s.errors);
    return {
        answered: s.requests - errors - s.droppedAfterCommit,
        "5xx injected": injected5xx,
        throttled,
        "dropped after commit": s.droppedAfterCommit,
        "other errors": errors - injected5xx - throttled,
    };
}

/** The recovery time of the killed pipelines, as a range when there are several. */
const recovery = (r: SoakResults) => {
    const xs = r.kills.map((k) => k.recoveryMs);
    return xs.length === 0 ? "–" : xs.length === 1 ? seconds(xs[0]) : `${seconds(Math.min(...xs))} to ${seconds(Math.max(...xs))}`;
};

export const soakRenderers: Record<string, (r: SoakResults) => string> = {
    run: (r) =>
        table(
            ["", ""],
            [
                ["date", r.date],
                ["machine", r.machine],
                [
                    "stacks",
                    `${r.size.dynamic} with the dynamic KeyPair (TypeScript), ${r.size.package} with the package (YAML), ${r.size.pairs} RSA pairs each`,
                ],
                [
                    "faults",
                    `${unit((r.faults.rate ?? 0) * 100, 0, "%")} of calls answered ${r.faults.errors?.join(" or ")}; ` +
                        `${unit((r.faults.dropAfterCommit ?? 0) * 100, 0, "%")} of creates committed and their answer dropped; ` +
                        `after every ${r.faults.throttleBursts?.every} calls, ${r.faults.throttleBursts?.length} throttled; ` +
                        `answers to committed calls ${r.faults.latencyAfterCommitMs} ms late`,
                ],
                ...(["setup", "up", "check", "destroy", "total"] as const).map((phase) => [
                    `minutes, ${phase}`,
                    unit(r.minutes[phase], 1, ""),
                ]),
            ],
        ),
    figures: (r) => {
        const up = r.server.up;
        const o = outcomes(up);
        const ups = r.pipelines.map((p) => p.ups);
        return table(
            ["", ""],
            [
                ["pairs deployed", String(r.pairs)],
                ["pairs per minute, all pipelines, up phase", unit(r.pairsPerMinute, 1, "")],
                ["`pulumi up` runs per stack until converged (median, most)", `${median(ups)}, ${Math.max(...ups)}`],
                ["requests to ENS, up phase", `${up.requests} (${unit(up.requests / r.pairs, 1, "")} per pair)`],
                ["calls by action, up phase", listed(up.calls)],
                [
                    "faults, up phase",
                    `${o["5xx injected"]} 5xx, ${o.throttled} throttled, ${o["dropped after commit"]} answers dropped after commit`,
                ],
                ["pipelines killed (`kill -9` of the CLI's process group)", String(r.kills.length)],
                ["recovery, from the kill until the stack converged", recovery(r)],
                ["killed run's provider gone, after the kill", r.kills.map((k) => seconds(k.providerGoneMs)).join(", ") || "–"],
                ["orphans the recovery listed / deleted", r.kills.map((k) => `${k.orphansListed} / ${k.orphansDeleted}`).join(", ") || "–"],
                ["left running by the killed runs (ended by the soak)", r.leftAfterKills.join(", ") || "nothing"],
                ["second `pulumi up` on an updating stack", r.lock ? `exit ${r.lock.status}: ${r.lock.message.split(".")[0]}` : "–"],
                [
                    "PostgreSQL, peak memory",
                    `${mib(r.memory.postgresKiB)} PSS of its processes together (${r.memory.postgresProcesses} processes; the largest peaked at ${mib(r.memory.postgresProcessKiB)} RSS)`,
                ],
                [
                    "dynamic provider, peak RSS of one process",
                    `${mib(r.memory.dynamicProviderKiB)} (${r.memory.dynamicProviders} processes)`,
                ],
                ["ens-keypair plugin, peak RSS of one process", `${mib(r.memory.pluginKiB)} (${r.memory.plugins} processes)`],
                ["state backend after the up phase", `${r.backend.rows} rows, ${unit(r.backend.bytes / 2 ** 20, 1, " MiB")}`],
                [
                    "ENS after the up phase",
                    `${r.ens.inEns} pairs, ${r.ens.held} held by the stacks: ${r.ens.orphans} orphans, ${r.ens.missing} missing, ${r.ens.foreignDeletes} deleted from another stack`,
                ],
                ["ENS after destroy", `${r.ens.afterDestroy} pairs`],
            ],
        );
    },
    requests: (r) =>
        table(
            ["phase", "requests", ...Object.keys(outcomes(r.server.up)), "calls"],
            (["up", "check", "destroy"] as const).map((phase) => [
                phase,
                String(r.server[phase].requests),
                ...Object.values(outcomes(r.server[phase])).map(String),
                listed(r.server[phase].calls),
            ]),
        ),
    kills: (r) =>
        table(
            ["stack", "door", "its creates committed at the kill", "provider gone after", "orphans listed / deleted", "recovery", "ups"],
            r.kills.map((k) => [
                k.stack,
                k.door,
                String(k.committedAtKill),
                seconds(k.providerGoneMs),
                `${k.orphansListed} / ${k.orphansDeleted}`,
                seconds(k.recoveryMs),
                String(k.ups),
            ]),
        ),
    pipelines: (r) =>
        table(
            ["stack", "door", "`pulumi up` runs", "until converged", "killed"],
            r.pipelines.map((p) => [p.stack, p.door, String(p.ups), seconds(p.ms), p.killed ? "yes" : ""]),
        ),
    checks: (r) => r.checks.map((c) => `- ${c.ok ? "passed" : "**FAILED**"}: ${c.name}${c.detail ? ` (${c.detail})` : ""}`).join("\n"),
    // Inline figures, for prose.
    pairsPerMinute: (r) => unit(r.pairsPerMinute, 0, ""),
    stacks: (r) => String(r.pipelines.length),
    upsPerStack: (r) => {
        const ups = r.pipelines.filter((p) => !p.killed).map((p) => p.ups);
        return Math.min(...ups) === Math.max(...ups) ? String(ups[0]) : `${Math.min(...ups)} to ${Math.max(...ups)}`;
    },
    pairs: (r) => String(r.pairs),
    upMinutes: (r) => minutes(r.minutes.up),
    totalMinutes: (r) => minutes(r.minutes.total),
    recovery,
    postgres: (r) => mib(r.memory.postgresKiB),
    requestsPerPair: (r) => unit(r.server.up.requests / r.pairs, 1, ""),
    faults: (r) => {
        const o = outcomes(r.server.up);
        return `${o["5xx injected"]} 5xx, ${o.throttled} throttled answers and ${o["dropped after commit"]} dropped answers`;
    },
};
