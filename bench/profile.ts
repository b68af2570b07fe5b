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

/** Parts decided by any frame on the stack: what a sample was done for. */
const callerRules: [RegExp, string][] = [
    [/@pulumi\/pulumi\/runtime\/debuggable\.js$/, "SDK: a stack trace per Output promise (debuggable.js), mapped by source-map-support"],
    [/source-map-support/, "other stack traces mapped by source-map-support"],
    [/\/(typescript|ts-node)\//, "TypeScript compile (ts-node)"],
];

/** Parts decided by the innermost frame with a source file. */
const fileRules: [RegExp, string][] = [
    [/@pulumi\/pulumi\/output\.js$/, "SDK: Output objects"],
    [/@pulumi\/pulumi\/runtime\/(rpc|resource)\.js$/, "SDK: resource registration and property serialization"],
    [/@pulumi\/pulumi\/runtime\/closure\//, "SDK: provider closure serialization"],
    [/@pulumi\/pulumi\//, "SDK: other"],
    [/@grpc\/|google-protobuf|protobufjs/, "gRPC and protobuf"],
    [/@pulumi\/tls\/|pulumi-ens-keypair\/|\/bin\/[^/]+\.js$/, "the resource's package"],
    [/\/bench\/work\/programs\//, "the program"],
];

type Frame = { functionName: string; url: string };

/** The part a sample belongs to, from its stack (innermost frame first). */
function partOf(stack: Frame[]): string | undefined {
    const leaf = stack[0];
    if (!leaf || leaf.functionName === "(idle)") {
        return undefined;
    }
    if (leaf.functionName === "(garbage collector)") {
        return "garbage collection";
    }
    for (const [pattern, part] of callerRules) {
        if (stack.some((f) => pattern.test(f.url))) {
            return part;
        }
    }
    // Node's internals and native code count for the code that called them.
    const owner = stack.find((f) => f.url !== "" && !f.url.startsWith("node:"));
    for (const [pattern, part] of fileRules) {
        if (owner && pattern.test(owner.url)) {
            return part;
        }
    }
    return owner ? "other modules" : "Node.js and native code";
}

/** A file's path from its package on (`@pulumi/pulumi/output.js`), or as given. */
function shortFile(url: string): string {
    const match = /node_modules\/(.*)$/.exec(url);
    return match ? match[1] : url.replace(/^file:\/\//, "") || "(native)";
}

export function summarizeProfile(file: string): ProfileSummary {
    const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const parent = new Map(profile.nodes.flatMap((n) => (n.children ?? []).map((c) => [c, n.id] as const)));
    const stackOf = (id: number): Frame[] => {
        const stack: Frame[] = [];
        for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
            const frame = byId.get(at);
            if (frame) {
                stack.push(frame);
            }
        }
        return stack;
    };
    const partById = new Map<number, string | undefined>();
    const parts: Record<string, number> = {};
    const files: Record<string, number> = {};
    let cpuMs = 0;
    profile.samples.forEach((id, i) => {
        // A sample's delta is the time since the previous one: the time this frame was on top.
        const ms = (profile.timeDeltas[i] ?? 0) / 1000;
        const frame = byId.get(id);
        if (!partById.has(id)) {
            partById.set(id, partOf(stackOf(id)));
        }
        const part = partById.get(id);
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
