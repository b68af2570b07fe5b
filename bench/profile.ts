/**
 * Where a program process spends its CPU: a V8 CPU profile (node --cpu-prof) summed by self time
 * into a few parts (the SDK's Output bookkeeping, its resource registration and serialization,
 * gRPC, TypeScript, the resource's own package, ...) and by source file.
 */
import * as fs from "fs";
import * as path from "path";

interface CpuProfile {
    nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
    samples: number[];
    timeDeltas: number[];
}

export interface ProfileSummary {
    /** CPU time the profile saw, idle excluded, ms. */
    cpuMs: number;
    /** Self time by part, ms. */
    parts: Record<string, number>;
    /** The source files with the most self time, ms. */
    files: { file: string; ms: number }[];
}

/** The parts of a program process's work, by where the code lives. */
function partOf(url: string, functionName: string): string | undefined {
    if (functionName === "(idle)") {
        return undefined;
    }
    if (functionName === "(garbage collector)") {
        return "garbage collection";
    }
    const rules: [RegExp, string][] = [
        [/@pulumi\/pulumi\/output\.js$/, "SDK: Output objects and their promises"],
        [/@pulumi\/pulumi\/runtime\/(rpc|resource)\.js$/, "SDK: resource registration and property serialization"],
        [/@pulumi\/pulumi\/runtime\/closure\//, "SDK: provider closure serialization"],
        [/@pulumi\/pulumi\/(resource|dynamic\/index)\.js$/, "SDK: resource constructors"],
        [/@pulumi\/pulumi\//, "SDK: other"],
        [/@grpc\/|google-protobuf|protobufjs/, "gRPC and protobuf"],
        [/\/(typescript|ts-node)\//, "TypeScript compile"],
        [/@pulumi\/tls\//, "the resource's package"],
        [/pulumi-ens-keypair\/|\/bin\/[^/]+\.js$/, "the resource's package"],
        [/\/bench\/work\/programs\//, "the program"],
    ];
    for (const [pattern, part] of rules) {
        if (pattern.test(url)) {
            return part;
        }
    }
    return url === "" || url.startsWith("node:") ? "Node.js internals and native code" : "other modules";
}

/** A file's path from its package on (`@pulumi/pulumi/output.js`), or as given. */
function shortFile(url: string): string {
    const match = /node_modules\/(.*)$/.exec(url);
    return match ? match[1] : url.replace(/^file:\/\//, "") || "(native)";
}

export function summarizeProfile(file: string): ProfileSummary {
    const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const parts: Record<string, number> = {};
    const files: Record<string, number> = {};
    let cpuMs = 0;
    profile.samples.forEach((id, i) => {
        // A sample's delta is the time since the previous one: the time this frame was on top.
        const ms = (profile.timeDeltas[i] ?? 0) / 1000;
        const frame = byId.get(id);
        const part = frame && partOf(frame.url, frame.functionName);
        if (!frame || !part) {
            return;
        }
        cpuMs += ms;
        parts[part] = (parts[part] ?? 0) + ms;
        const f = frame.url ? shortFile(frame.url) : frame.functionName;
        files[f] = (files[f] ?? 0) + ms;
    });
    const top = Object.entries(files)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([f, ms]) => ({ file: f, ms }));
    return { cpuMs, parts, files: top };
}

/** The profile bench/probe.js wrote for a program process, if any. */
export function profileOf(dir: string, pid: number): string | undefined {
    const file = path.join(dir, `program-${pid}.cpuprofile`);
    return fs.existsSync(file) ? file : undefined;
}
