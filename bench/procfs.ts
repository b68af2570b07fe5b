/**
 * What /proc says about the machine's processes, for the benchmarks' memory figures: who runs
 * (pid, parent, command line) and how much memory each holds. Linux only, as the benchmarks are.
 */
import * as fs from "fs";

/** One running process. */
export interface ProcessInfo {
    pid: number;
    ppid: number;
    /** The command line, its arguments joined by spaces. */
    cmdline: string;
}

/** A file of /proc, or "" when the process ended between listing and reading (or is not ours to read). */
function readOr(file: string): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return "";
    }
}

/** Every process running now. */
export function processes(): ProcessInfo[] {
    return fs
        .readdirSync("/proc")
        .filter((name) => /^\d+$/.test(name))
        .map((name) => {
            const stat = readOr(`/proc/${name}/stat`);
            // The command name in parentheses may hold spaces; the parent is the second field after it.
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            return { pid: Number(name), ppid, cmdline: readOr(`/proc/${name}/cmdline`).split("\0").join(" ").trim() };
        })
        .filter((p) => Number.isFinite(p.ppid));
}

/** A process's working folder, or "" when it ended (or is not ours to read). */
export function cwdOf(pid: number): string {
    try {
        return fs.readlinkSync(`/proc/${pid}/cwd`);
    } catch {
        return "";
    }
}

/** A process's peak resident memory so far (VmHWM), KiB; NaN once it has ended. VmHWM only grows, so a late look still sees an earlier peak. */
export function peakRssKiB(pid: number): number {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readOr(`/proc/${pid}/status`))?.[1] ?? NaN);
}

/**
 * A process's proportional set size, KiB (NaN once it has ended): its resident memory with each
 * page shared with other processes counted in equal parts, so that the PSS of a group of
 * processes sharing memory (a database server's) adds up to what the group holds.
 */
export function pssKiB(pid: number): number {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readOr(`/proc/${pid}/smaps_rollup`))?.[1] ?? NaN);
}
