/**
 * In the test process, the package's own name resolves to its source: `pulumi-ens-keypair` to
 * `provider/index.ts`, and `pulumi-ens-keypair/provider`, which the serialized `keyPairProvider`
 * loads, to `provider/dynamic/implementation.ts`. The suites that run the provider in this process therefore test
 * the code they import, and need no build. The programs that `pulumi` runs are other processes:
 * they load the package's build in `bin/`, as users' programs do (`test/e2e.*.test.ts`).
 */
import Module = require("module");
import * as path from "path";

const sourceDir = path.join(__dirname, "..", "..", "provider");
const sources = new Map([
    ["pulumi-ens-keypair", path.join(sourceDir, "index.ts")],
    ["pulumi-ens-keypair/provider", path.join(sourceDir, "dynamic", "implementation.ts")],
]);

/** Node's resolver, which `require` calls with each specifier; not in Node's typings. */
const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return sources.get(request) ?? resolve.call(this, request, ...rest);
};
