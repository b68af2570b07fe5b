/**
 * The Pulumi engine for this repository's own tooling (the end-to-end tests, the benchmarks): the
 * CLI, language host and resource plugins that `scripts/ensure-plugins` provides, and, for tools
 * that run their programs inline, stacks on a local file backend driven through the Automation
 * API (the SDK serves the language runtime in-process).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ConfigMap, LocalWorkspace, PulumiFn, Stack } from "@pulumi/pulumi/automation";
import { repoRoot } from "./paths";

/** The folder `pulumi` is in, once provided, by the plugins asked for. */
const provided = new Map<string, string>();

/** Runs a provisioning script and puts the folder it prints last first on PATH; returns that folder. */
function provide(script: string, args: string[] = []): string {
    const out = execFileSync(path.join(repoRoot, "scripts", script), args, {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
    });
    const dir = out.trim().split("\n").pop() ?? "";
    process.env.PATH = `${dir}${path.delimiter}${process.env.PATH ?? ""}`;
    process.env.PULUMI_SKIP_UPDATE_CHECK = "true";
    return dir;
}

/**
 * Makes the engine available with the random plugin registered (the tests' and examples' programs
 * use it), and `others` too (the benchmark's tls), and puts it first on PATH; returns the folder
 * holding `pulumi`.
 */
export function ensureEngine(others: "tls"[] = []): string {
    const plugins = ["random", ...others];
    const key = plugins.join(" ");
    const dir = provided.get(key) ?? provide("ensure-plugins", plugins);
    provided.set(key, dir);
    return dir;
}

/** A language whose host `scripts/ensure-pulumi` adds beside `pulumi` on request. */
export type ProgramLanguage = "go" | "python" | "yaml" | "java";

/**
 * Makes the engine available with the language host of `language` beside it (built the first
 * time, see `scripts/ensure-pulumi`), and puts it first on PATH; returns the folder holding `pulumi`.
 */
export function ensureLanguageHost(language: ProgramLanguage): string {
    return provide("ensure-pulumi", [language]);
}

export interface StackOptions {
    stackName: string;
    projectName: string;
    program: PulumiFn;
    /** Folder of the file backend that keeps the state. */
    backendDir: string;
    /**
     * The program's folder. It must lie inside a project that depends on this package (this
     * repository qualifies), since the dynamic provider loads the package by name from there.
     * A `Pulumi.yaml` is written unless one is there.
     */
    workDir: string;
    passphrase: string;
    config?: ConfigMap;
    envVars?: Record<string, string>;
}

/** Creates or selects a stack whose state lives in `backendDir`, encrypted with a passphrase. */
export async function openStack(options: StackOptions): Promise<Stack> {
    ensureEngine();
    fs.mkdirSync(options.backendDir, { recursive: true });
    fs.mkdirSync(options.workDir, { recursive: true });
    const hasProject = fs.existsSync(path.join(options.workDir, "Pulumi.yaml"));
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: options.stackName, projectName: options.projectName, program: options.program },
        {
            workDir: options.workDir,
            projectSettings: hasProject ? undefined : { name: options.projectName, runtime: "nodejs" },
            secretsProvider: "passphrase",
            envVars: {
                PULUMI_BACKEND_URL: `file://${path.resolve(options.backendDir)}`,
                PULUMI_CONFIG_PASSPHRASE: options.passphrase,
                PULUMI_SKIP_UPDATE_CHECK: "true",
                ...options.envVars,
            },
        },
    );
    if (options.config) {
        await stack.setAllConfig(options.config);
    }
    return stack;
}

/** Runs the `pulumi` CLI against a stack's backend, as a user would at a shell. */
export function pulumiCli(stack: Stack, args: string[]): string {
    return execFileSync("pulumi", [...args, "--stack", stack.name, "--non-interactive"], {
        cwd: stack.workspace.workDir,
        encoding: "utf8",
        env: { ...process.env, ...(stack.workspace as LocalWorkspace).envVars },
        maxBuffer: 64 * 1024 * 1024,
    });
}
