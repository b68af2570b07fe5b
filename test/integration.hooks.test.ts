// The root hooks (test/hooks.ts) on a suite that leaks: mocha no longer exits by force, so the
// check that fails such a run, and ends it, is all that keeps a leak from hanging CI.
import * as assert from "assert";
import { spawnSync } from "child_process";
import { join } from "path";
import { repoRoot } from "./helpers/paths";

describe("the root hooks", function () {
    it("fail a run that leaves a server listening, name what it left, and end the process", () => {
        const mocha = spawnSync(
            process.execPath,
            [join(repoRoot, "node_modules", "mocha", "bin", "mocha.js"), "test/fixtures/leaks/leavesAServer.ts"],
            {
                cwd: repoRoot,
                encoding: "utf8",
                timeout: 240_000,
            },
        );
        assert.strictEqual(mocha.signal, null, "mocha ended by itself");
        assert.strictEqual(mocha.status, 1, mocha.stdout + mocha.stderr);
        assert.match(mocha.stdout, /1 passing/);
        assert.match(mocha.stdout, /the tests left TCPServerWrap keeping the process alive/);
    });
});
