/**
 * Not part of `npm run bench`: times the benchmark programs' resource construction alone, against
 * the SDK's mocks (no engine, no provider), to show what a resource's shape costs in the program.
 * Run it under the CPU profiler to see where that time goes:
 *
 *     node --cpu-prof --cpu-prof-dir=bench/work/prof -r ts-node/register bench/profile-program.ts
 *
 * The profile can be opened in Chrome's DevTools (Performance tab).
 */
import * as pulumi from "@pulumi/pulumi";
import { VariantId, variants } from "./programs";
import { median, nowMs } from "./stats";

pulumi.runtime.setMocks(
    {
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: (args) => args.inputs,
    },
    "profile",
    "profile",
    false,
);

async function main(): Promise<void> {
    const n = 100;
    const ids: VariantId[] = ["rsa", "shape", "floor"];
    const times: Record<string, number[]> = {};
    // The first round warms up (module loading, the provider's serialization, JIT).
    for (let round = 0; round < 4; round++) {
        for (const id of ids) {
            const start = nowMs();
            await variants[id].program(n)();
            if (round > 0) {
                (times[id] ??= []).push(nowMs() - start);
            }
        }
    }
    for (const id of ids) {
        const ms = median(times[id]);
        console.log(`${variants[id].label}: ${ms.toFixed(0)} ms for ${n} resources, ${(ms / n).toFixed(2)} ms each`);
    }
}

main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
