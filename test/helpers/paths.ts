/** Where the tests find the repository and keep this run's throwaway folders. */
import * as fs from "fs";
import * as path from "path";

export const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * This run's folder for end-to-end stacks and work folders, under `.pulumi-test/` (inside the
 * repository, so the dynamic provider resolves this package by name); the process id keeps
 * concurrent runs apart.
 */
export const e2eRoot = path.join(repoRoot, ".pulumi-test", `run-${process.pid}`);

/** Removes this run's folders; called once after all tests. */
export function removeTestRoot(): void {
    fs.rmSync(e2eRoot, { recursive: true, force: true });
}
