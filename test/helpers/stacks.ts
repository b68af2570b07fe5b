/**
 * Throwaway stacks for the end-to-end tests: each gets its own file backend and work folder under
 * `.pulumi-test/` (inside the repository, so the dynamic provider resolves this package by name),
 * removed when the run ends. `testStack` runs a program inline through the Automation API;
 * `programStack.ts` has stacks driven by the `pulumi` command, as users run them.
 */
import * as fs from "fs";
import * as path from "path";
import { ConfigMap, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { openStack } from "./engine";
import { e2eRoot } from "./paths";

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
    return filesText(backendDir(project));
}

/** Every file under `dir`, as one string. */
export function filesText(dir: string): string {
    const texts: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (entry.isFile()) {
            texts.push(fs.readFileSync(path.join(entry.parentPath, entry.name), "utf8"));
        }
    }
    return texts.join("\n");
}
