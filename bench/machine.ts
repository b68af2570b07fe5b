/** The machine and tool versions a run was made on, for the report's header. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";

export interface Machine {
    date: string;
    cores: number;
    cpuModel: string;
    memoryGiB: number;
    os: string;
    kernel: string;
    node: string;
    engine: string;
    openssl: string;
    sshKeygen: string;
    /** Load averages (1, 5 and 15 minutes) at the start, between phases and at the end of the run. */
    load: { at: string; atS: number; load: number[] }[];
}

/** The first line a command prints, on stdout or (as `ssh -V` does) on stderr. */
function tryRun(cmd: string, args: string[]): string {
    const run = spawnSync(cmd, args, { encoding: "utf8" });
    return `${run.stdout ?? ""}\n${run.stderr ?? ""}`.trim().split("\n")[0] || "unknown";
}

function osName(): string {
    try {
        const match = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(fs.readFileSync("/etc/os-release", "utf8"));
        return match ? match[1] : os.type();
    } catch {
        return os.type();
    }
}

export function describeMachine(): Machine {
    return {
        date: new Date().toISOString(),
        cores: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "unknown",
        memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        os: osName(),
        kernel: os.release(),
        node: process.version,
        engine: tryRun("pulumi", ["version"]),
        openssl: tryRun("openssl", ["version"]),
        sshKeygen: tryRun("ssh", ["-V"]),
        load: [],
    };
}
