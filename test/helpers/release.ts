/**
 * The release (`npm run release`), built once per test run into this run's folder and served
 * over HTTP on 127.0.0.1 as a release page serves its assets, for the suites that install from
 * it as users do; and the environment of such a user: a fresh folder outside the repository, a
 * fresh PULUMI_HOME, and only the Pulumi CLI on PATH.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pluginDownloadURL } from "../../provider/doors";
import { Release, release } from "../../scripts/release";
import { FileServer, serveFolder } from "./fileServer";
import { ProgramStack } from "./programStack";
import { userEnvironment } from "./readmeSteps";
import { e2eRoot } from "./paths";

let built: Promise<Release> | undefined;

/** The release of this checkout, built the first time a suite of this run asks for it. */
export function releaseOnce(): Promise<Release> {
    built ??= release(path.join(e2eRoot, "release", "dist"));
    return built;
}

/**
 * `PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES`, the CLI's comma-separated `regexp=URL` list: the
 * download URL every SDK names (the project's release page) redirected to `url`, so the engine
 * downloads the plugin from there as it would from the release.
 */
export function downloadOverride(url: string): string {
    return `^${pluginDownloadURL.replace(/[.]/g, "\\.")}$=${url}`;
}

/** A user's machine: a folder outside the repository, and the environment its commands run in. */
export interface FreshUser {
    /** The user's folder, with `program/` for the program and `home/` as PULUMI_HOME. */
    root: string;
    program: string;
    pulumiHome: string;
    /** The folder of the stack's file backend. */
    backendDir: string;
    passphrase: string;
    env: NodeJS.ProcessEnv;
}

/**
 * A fresh user folder under the system's temporary folder (outside any clone of this repository),
 * with a fresh PULUMI_HOME and a file backend, the engine (with `languageEngine`'s hosts) on PATH,
 * and `registry` as the Pulumi API, whose package registry the CLI would ask for a package by
 * name: the tests serve nothing there and check that nothing asked.
 */
export function freshUser(name: string, registry: FileServer): FreshUser {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), `ens-keypair-user-${name}-`));
    const program = path.join(root, "program");
    const pulumiHome = path.join(root, "home");
    const backendDir = path.join(root, "state");
    for (const dir of [program, pulumiHome, backendDir]) {
        fs.mkdirSync(dir);
    }
    const passphrase = "release-test-passphrase";
    const env: NodeJS.ProcessEnv = {
        ...userEnvironment(),
        PULUMI_HOME: pulumiHome,
        PULUMI_BACKEND_URL: `file://${backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: passphrase,
        PULUMI_API: registry.url,
    };
    return { root, program, pulumiHome, backendDir, passphrase, env };
}

/** The stack `dev` of the user's program, for the tests' checks, with `env` added to the user's. */
export function userStack(who: FreshUser, engine: string, env: NodeJS.ProcessEnv = {}): ProgramStack {
    return ProgramStack.attach({
        dir: who.program,
        name: "dev",
        backendDir: who.backendDir,
        passphrase: who.passphrase,
        engine,
        env: { ...who.env, ...env },
    });
}

/** Serves `dist` as the release page and an empty folder as the package registry; both closed by `close`. */
export async function servedRelease(dist: string): Promise<{ page: FileServer; registry: FileServer; close(): Promise<void> }> {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-registry-"));
    const page = await serveFolder(dist);
    const registry = await serveFolder(empty);
    return {
        page,
        registry,
        close: async () => {
            await page.close();
            await registry.close();
            fs.rmSync(empty, { recursive: true, force: true });
        },
    };
}
