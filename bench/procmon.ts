/**
 * Peak resident memory of the processes an operation starts (providers, the dynamic provider's
 * node process or a plugin binary, and the program's node process), watched from outside through
 * /proc. Only this process's descendants count: other people's test runs on the same machine
 * start processes of their own.
 */
import * as fs from "fs";

export interface ProcessPeak {
    pid: number;
    role: ProcessRole;
    command: string;
    /** VmHWM: the most resident memory the process ever had, in KiB. */
    peakRssKiB: number;
}

function readOr(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined; // the process ended between listing and reading
    }
}

/** Every live descendant of `root`, found through the parent pid in /proc/PID/stat. */
function descendants(root: number): number[] {
    const parent = new Map<number, number>();
    for (const name of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(name)) {
            continue;
        }
        const stat = readOr(`/proc/${name}/stat`);
        // The command name in parentheses may hold spaces: the fields after its closing one are fixed.
        const after = stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (after) {
            parent.set(Number(name), Number(after[1]));
        }
    }
    const found: number[] = [];
    for (const pid of parent.keys()) {
        for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
            if (p === root) {
                found.push(pid);
                break;
            }
        }
    }
    return found;
}

export type ProcessRole = "provider" | "program";

/** A provider (the nodejs dynamic provider or a plugin binary), the program, or neither. */
export function roleOf(command: string): ProcessRole | undefined {
    // The shims' one-line `node -e` scripts that only resolve a path.
    if (/^\S*node -e /.test(command)) {
        return undefined;
    }
    if (command.includes("dynamic-provider") || /pulumi-resource-(?!pulumi-nodejs)/.test(command)) {
        return "provider";
    }
    return /@pulumi[/\\]pulumi[/\\]cmd[/\\]run/.test(command) ? "program" : undefined;
}

/**
 * Polls every `intervalMs` until stopped; returns the highest VmHWM seen per process.
 * VmHWM only grows, so a poll that comes late still sees the earlier peak; only growth after the
 * last poll before the process ends can be missed (the probe's own readings cover that).
 */
export function watchProcesses(intervalMs = 100): { stop: () => ProcessPeak[] } {
    const peaks = new Map<number, ProcessPeak>();
    const poll = () => {
        for (const pid of descendants(process.pid)) {
            const command = (readOr(`/proc/${pid}/cmdline`) ?? "").split("\0").join(" ").trim();
            const role = roleOf(command);
            if (!role) {
                continue;
            }
            const match = /VmHWM:\s+(\d+) kB/.exec(readOr(`/proc/${pid}/status`) ?? "");
            if (match) {
                const kib = Number(match[1]);
                const seen = peaks.get(pid);
                if (!seen || seen.peakRssKiB < kib) {
                    peaks.set(pid, { pid, role, command, peakRssKiB: kib });
                }
            }
        }
    };
    const timer = setInterval(poll, intervalMs);
    return {
        stop: () => {
            clearInterval(timer);
            poll();
            return [...peaks.values()];
        },
    };
}
