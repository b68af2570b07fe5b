/**
 * Throwaway stacks for the end-to-end tests: each test file gets its own file backend and work
 * folder under `.pulumi-test/` (inside the repository, so the dynamic provider resolves this
 * package by name), removed when the run ends.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigMap, EngineEvent, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { openStack, repoRoot } from "../../scripts/engine";

/** This run's folder; the process id keeps concurrent runs apart. */
export const e2eRoot = path.join(repoRoot, ".pulumi-test", `run-${process.pid}`);
export const testPassphrase = "e2e-throwaway-passphrase";

/** The backend folder of a test project. */
export function backendDir(project: string): string {
    return path.join(e2eRoot, project, "state");
}

export interface TestStackOptions {
    project: string;
    program: PulumiFn;
    config?: ConfigMap;
    envVars?: Record<string, string>;
    /** The project whose backend to share, so that StackReferences between projects resolve. */
    backendOf?: string;
}

/** Opens the stack `test` of a project on its own file backend (or another project's). */
export function testStack(options: TestStackOptions): Promise<Stack> {
    return openStack({
        stackName: "test",
        projectName: options.project,
        program: options.program,
        backendDir: backendDir(options.backendOf ?? options.project),
        workDir: path.join(e2eRoot, options.project, "work"),
        passphrase: testPassphrase,
        config: options.config,
        envVars: options.envVars,
    });
}

/** Every file the backend of a project holds (state, backups, history), as one string. */
export function backendText(project: string): string {
    const texts: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else {
                texts.push(fs.readFileSync(full, "utf8"));
            }
        }
    };
    walk(backendDir(project));
    return texts.join("\n");
}

/** Collects `<op> <type>` of every resource step the engine reports, in order. */
export function stepRecorder(): { steps: string[]; onEvent: (event: EngineEvent) => void } {
    const steps: string[] = [];
    return {
        steps,
        onEvent: (event) => {
            const meta = event.resourcePreEvent?.metadata;
            if (meta && meta.type !== "pulumi:pulumi:Stack") {
                steps.push(`${meta.op} ${meta.urn.split("::").pop()}`);
            }
        },
    };
}

/** Removes this run's folders; called once after all tests. */
export function removeTestRoot(): void {
    fs.rmSync(e2eRoot, { recursive: true, force: true });
}
