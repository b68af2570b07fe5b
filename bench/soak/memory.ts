/**
 * Peak memory of what a soak runs, polled from /proc: the PostgreSQL server (its processes' PSS
 * added up, since they share their buffers) and each kind of provider process (the largest peak
 * RSS of any one process of the kind).
 */
import { DoorName, doors } from "../../provider/doors";
import { peakRssKiB, processes, pssKiB } from "../procfs";

/** Peaks in KiB, and how many processes of each kind were seen. */
export interface MemoryPeaks {
    /** The PostgreSQL server's processes together, the highest PSS sum seen. */
    postgresKiB: number;
    /** The largest peak RSS of one of its processes. */
    postgresProcessKiB: number;
    postgresProcesses: number;
    /** The dynamic provider's Node.js processes (`@pulumi/pulumi/cmd/dynamic-provider`). */
    dynamicProviderKiB: number;
    dynamicProviders: number;
    /** The `pulumi-resource-ens-keypair` plugin's processes. */
    pluginKiB: number;
    plugins: number;
}

/** Which door's provider process a command line is, if it is one run from under `root`. */
export function providerKind(cmdline: string, root: string): DoorName | undefined {
    if (!cmdline.includes(root) || /^\S*node -e /.test(cmdline)) {
        return undefined; // not this soak's, or the dynamic-provider shim's one-line path lookup
    }
    return (Object.keys(doors) as DoorName[]).find((door) => new RegExp(doors[door].providerProcess).test(cmdline));
}

/**
 * Polls every quarter second until the returned function is called, which returns the peaks.
 * @param postmaster the PostgreSQL server's pid.
 * @param root the folder the soak's programs and plugins run from.
 */
export function watchMemory(postmaster: number, root: string): () => MemoryPeaks {
    const peaks: MemoryPeaks = {
        postgresKiB: 0,
        postgresProcessKiB: 0,
        postgresProcesses: 0,
        dynamicProviderKiB: 0,
        dynamicProviders: 0,
        pluginKiB: 0,
        plugins: 0,
    };
    const seen = { postgres: new Set<number>(), dynamic: new Set<number>(), package: new Set<number>() };
    const poll = () => {
        let postgres = 0;
        for (const { pid, ppid, cmdline } of processes()) {
            const kind = pid === postmaster || ppid === postmaster ? "postgres" : providerKind(cmdline, root);
            const rss = kind ? peakRssKiB(pid) : NaN;
            if (!kind || !Number.isFinite(rss)) {
                continue;
            }
            seen[kind].add(pid);
            if (kind === "postgres") {
                postgres += pssKiB(pid) || 0;
                peaks.postgresProcessKiB = Math.max(peaks.postgresProcessKiB, rss);
            } else if (kind === "dynamic") {
                peaks.dynamicProviderKiB = Math.max(peaks.dynamicProviderKiB, rss);
            } else {
                peaks.pluginKiB = Math.max(peaks.pluginKiB, rss);
            }
        }
        peaks.postgresKiB = Math.max(peaks.postgresKiB, postgres);
    };
    const timer = setInterval(poll, 250);
    poll();
    return () => {
        clearInterval(timer);
        poll();
        return { ...peaks, postgresProcesses: seen.postgres.size, dynamicProviders: seen.dynamic.size, plugins: seen.package.size };
    };
}
