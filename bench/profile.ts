/**
 * Where a program process spends its CPU: the V8 CPU profile bench/probe.js writes, its samples
 * summed into parts by what they were done for, and by source file.
 */
import * as fs from "fs";

interface Frame {
    functionName: string;
    url: string;
}

interface CpuProfile {
    nodes: { id: number; callFrame: Frame; children?: number[] }[];
    samples: number[];
    timeDeltas: number[];
}

export interface ProfileSummary {
    /** CPU time the profile saw, idle excluded, ms. */
    cpuMs: number;
    /** Self time by part, ms. */
    parts: Record<string, number>;
    /** The source files with the most self time, ms. */
    files: [string, number][];
}

/** A sample belongs to the first part whose pattern any frame on its stack matches... */
const callerParts: [RegExp, string][] = [
    [/@pulumi\/pulumi\/runtime\/debuggable\.js$/, "SDK: a stack trace per Output promise (debuggable.js), source-mapped"],
    [/source-map-support/, "other stack traces, source-mapped"],
    [/\/(typescript|ts-node)\//, "TypeScript compile (ts-node)"],
];
/** ...or else to the part of the innermost frame with a source file (Node's internals count for their caller). */
const fileParts: [RegExp, string][] = [
    [/@pulumi\/pulumi\/output\.js$/, "SDK: Output objects"],
    [/@pulumi\/pulumi\/runtime\/(rpc|resource)\.js$/, "SDK: resource registration and property serialization"],
    [/@pulumi\/pulumi\/runtime\/closure\//, "SDK: provider closure serialization"],
    [/@pulumi\/pulumi\//, "SDK: other"],
    [/@grpc\/|google-protobuf|protobufjs/, "gRPC and protobuf"],
    [/@pulumi\/tls\/|pulumi-ens-keypair\/|\/bin\/[^/]+\.js$|\/bench\/work\//, "the program and the resource's package"],
    [/./, "other modules"],
];

function partOf(stack: Frame[]): string | undefined {
    const leaf = stack[0]?.functionName;
    if (leaf === undefined || leaf === "(idle)") {
        return undefined;
    }
    if (leaf === "(garbage collector)") {
        return "garbage collection";
    }
    const caller = callerParts.find(([pattern]) => stack.some((f) => pattern.test(f.url)));
    const owner = stack.find((f) => f.url !== "" && !f.url.startsWith("node:"));
    return caller?.[1] ?? (owner ? fileParts.find(([pattern]) => pattern.test(owner.url))?.[1] : "Node.js and native code");
}

export function summarizeProfile(file: string): ProfileSummary {
    const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const parent = new Map(profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id] as const)));
    const partById = new Map<number, string | undefined>();
    const summary: ProfileSummary = { cpuMs: 0, parts: {}, files: [] };
    const files: Record<string, number> = {};
    profile.samples.forEach((id, i) => {
        if (!partById.has(id)) {
            const stack: Frame[] = [];
            for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
                stack.push(frames.get(at) as Frame);
            }
            partById.set(id, partOf(stack));
        }
        const part = partById.get(id);
        // A sample's delta is the time since the previous one: the time this frame was on top.
        const ms = (profile.timeDeltas[i] ?? 0) / 1000;
        const frame = frames.get(id) as Frame;
        if (part) {
            summary.cpuMs += ms;
            summary.parts[part] = (summary.parts[part] ?? 0) + ms;
            const name = frame.url ? frame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\//, "") : frame.functionName;
            files[name] = (files[name] ?? 0) + ms;
        }
    });
    summary.files = Object.entries(files)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10);
    return summary;
}
