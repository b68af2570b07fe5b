/**
 * `npm run soak`: the soak at full size (bench/soak/soak.ts), its figures kept in
 * bench/work/soak.json and filled into BENCHMARKS.md (and the docs that quote them) with the charts.
 * `npm run soak -- --size ci` runs the small size that `npm test` runs, without touching the report.
 * Exits non-zero when a check failed.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { writeReport } from "../report";
import { runSoak, sizes, soakResultsFile } from "./soak";

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { size: { type: "string", default: "full" } } });
    const size = values.size as keyof typeof sizes;
    if (!(size in sizes)) {
        throw new Error(`--size must be one of ${Object.keys(sizes).join(", ")}`);
    }
    const t0 = performance.now();
    const log = (line: string) => process.stderr.write(`[soak ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
    const results = await runSoak(sizes[size], log);
    const failed = results.checks.filter((c) => !c.ok);
    if (size === "full") {
        fs.mkdirSync(path.dirname(soakResultsFile), { recursive: true });
        fs.writeFileSync(soakResultsFile, JSON.stringify(results));
        await writeReport({ soak: results });
    }
    log(
        `${results.pairs} pairs in ${results.minutes.up.toFixed(1)} min (${results.pairsPerMinute.toFixed(0)} pairs/min), ` +
            `${results.server.up.requests} requests, ${results.kills.length} kills; whole soak ${results.minutes.total.toFixed(1)} min; ` +
            `${results.checks.length - failed.length} checks passed, ${failed.length} failed`,
    );
    return failed.length === 0 ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        process.stderr.write(`soak failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(1);
    },
);
