/**
 * `npm run release`: every artifact of a release, written afresh into `dist/`, all at the version
 * package.json says, and their checksums (`dist/SHA256SUMS`):
 *
 * - the plugin's archives, one per platform (`scripts/build-plugin.ts`);
 * - the npm package, `pulumi-ens-keypair-<version>.tgz`, which carries the plugin too;
 * - the SDKs that `pulumi package gen-sdk` generates from the schema, each built into its
 *   language's package: the Node.js SDK's npm tarball, the Python SDK's wheel and sdist (built by
 *   `python -m build` in a virtualenv of its own), the Go SDK's module, laid out under `dist/go/`
 *   as a Go module proxy serves a tagged version (`GOPROXY=file://…/dist/go` installs it), and the
 *   Java SDK's jar and pom, built by Maven and laid out under `dist/maven/` as a Maven repository
 *   holds them (where `mvn install` puts an artifact in the local one).
 *
 * CONTRIBUTING.md says what goes where when a release is published.
 */
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { goModulePath, packageName, pluginDownloadURL, repositoryURL, sdkNames } from "../provider/doors";
import { buildPlugin, distDir, Platform, pluginVersion } from "./build-plugin";
import { pack } from "./pack";
import { schemaPath } from "./schema";

const repoRoot = path.resolve(__dirname, "..");

/** Where each artifact of a release is, relative to `dist/`. */
export interface Release {
    version: string;
    dist: string;
    pluginArchives: Record<Platform, string>;
    npmPackage: string;
    nodejsSdk: string;
    pythonWheel: string;
    pythonSdist: string;
    /** The folder to give Go as `GOPROXY=file://<dist>/<goProxy>`. */
    goProxy: string;
    /** The Maven repository folder, and the Java SDK's coordinates in it. */
    maven: { repository: string; groupId: string; artifactId: string };
    /** Every file SHA256SUMS lists, sorted. */
    files: string[];
}

/** Runs a command, its output shown only when it fails. */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
    try {
        return execFileSync(command, args, {
            ...options,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            maxBuffer: 64 * 1024 * 1024,
        });
    } catch (err) {
        const e = err as { stdout?: string; stderr?: string; message: string };
        throw new Error(`${command} ${args.join(" ")} failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
    }
}

/** `pulumi package gen-sdk` of the committed schema for `language`, into `out/<language>`; returns that folder. */
function generateSdk(language: "nodejs" | "python" | "go" | "java", out: string): string {
    run("pulumi", ["package", "gen-sdk", schemaPath, "--language", language, "--out", out]);
    return path.join(out, language);
}

/** The Node.js SDK, compiled with this repository's TypeScript and packed as npm would publish it; returns the tarball's name. */
function nodejsSdk(sdk: string, dist: string): string {
    fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(sdk, "node_modules"));
    run(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", sdk]);
    // The package is bin/ with its manifest, README and licence, as Pulumi's own SDKs are published.
    for (const file of ["package.json", "README.md"]) {
        fs.copyFileSync(path.join(sdk, file), path.join(sdk, "bin", file));
    }
    fs.copyFileSync(path.join(repoRoot, "LICENSE"), path.join(sdk, "bin", "LICENSE"));
    const [packed] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dist], { cwd: path.join(sdk, "bin") }));
    return packed.filename as string;
}

/** The Python SDK's wheel and sdist, built by `python -m build` without network access; returns their names. */
function pythonSdk(sdk: string, dist: string): { wheel: string; sdist: string } {
    const venvBin = run(path.join(repoRoot, "scripts", "ensure-python-build"), [])
        .trim()
        .split("\n")
        .pop() as string;
    fs.copyFileSync(path.join(repoRoot, "LICENSE"), path.join(sdk, "LICENSE"));
    // pyproject.toml names README.md beside it; the generator writes it into the module.
    fs.copyFileSync(path.join(sdk, sdkNames.python.packageName, "README.md"), path.join(sdk, "README.md"));
    const out = path.join(sdk, "dist");
    // --no-isolation: the virtualenv already has the backend, so the build downloads nothing.
    run(path.join(venvBin, "python"), ["-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", out, sdk]);
    const built = fs.readdirSync(out);
    const wheel = built.find((f) => f.endsWith(".whl"));
    const sdist = built.find((f) => f.endsWith(".tar.gz"));
    if (wheel === undefined || sdist === undefined) {
        throw new Error(`python -m build made ${built.join(", ")}, not a wheel and an sdist`);
    }
    for (const file of [wheel, sdist]) {
        fs.copyFileSync(path.join(out, file), path.join(dist, file));
    }
    return { wheel, sdist };
}

/**
 * The Go SDK's module at `v<version>`, as a Go module proxy serves it
 * (`<module>/@v/list`, `.info`, `.mod`, `.zip`): what the tag `sdk/go/v<version>` of the
 * repository will be. Returns the proxy folder, relative to `dist`.
 */
function goSdk(sdk: string, dist: string, version: string): string {
    const goMod = fs.readFileSync(path.join(sdk, "go.mod"), "utf8");
    const declared = /^module\s+(\S+)/m.exec(goMod)?.[1];
    if (declared !== goModulePath) {
        throw new Error(`the generated Go SDK is module ${declared}, not ${goModulePath}`);
    }
    const proxy = "go";
    // Module paths here are lower case, which the proxy protocol spells as they are.
    const versions = path.join(dist, proxy, goModulePath, "@v");
    fs.mkdirSync(versions, { recursive: true });
    const tag = `v${version}`;
    fs.writeFileSync(path.join(versions, "list"), `${tag}\n`);
    fs.writeFileSync(path.join(versions, `${tag}.info`), JSON.stringify({ Version: tag, Time: "1970-01-01T00:00:00Z" }));
    fs.writeFileSync(path.join(versions, `${tag}.mod`), goMod);
    fs.copyFileSync(path.join(repoRoot, "LICENSE"), path.join(sdk, "LICENSE"));
    // A module zip: every file under the module's root, prefixed `<module>@<version>/`, in a fixed order and date.
    const files = (fs.readdirSync(sdk, { recursive: true }) as string[])
        .filter((f) => fs.statSync(path.join(sdk, f)).isFile())
        .map((f) => f.split(path.sep).join("/"))
        .sort();
    const script = `
import sys, zipfile
root, prefix, out, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for f in files:
        info = zipfile.ZipInfo(prefix + f, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with open(root + "/" + f, "rb") as src:
            z.writestr(info, src.read())
`;
    run("python3", ["-c", script, sdk, `${goModulePath}@${tag}/`, path.join(versions, `${tag}.zip`), ...files]);
    return proxy;
}

/**
 * The Pulumi Java SDK the Java SDK is built against: the newest that Maven Central serves at or
 * below the generator's version (pulumi-language-java 1.22.0); it has nothing from 1.21 to 1.35.
 */
const pulumiJavaVersion = "1.20.0";

/**
 * The Java SDK: the generated sources compiled by Maven against the Pulumi Java SDK into a jar,
 * with the resources the generated Gradle build would add (`version.txt`, which the SDK reads, and
 * `plugin.json`, which tells the Java runtime which plugin the program needs and where the release
 * is), beside its pom in a Maven repository's layout. Returns the repository folder, relative to `dist`.
 */
function javaSdk(sdk: string, dist: string, version: string): Release["maven"] {
    const groupId = sdkNames.java.basePackage;
    const artifactId = packageName;
    const resources = path.join(sdk, "src", "main", "resources", ...groupId.split("."), artifactId);
    fs.mkdirSync(resources, { recursive: true });
    fs.writeFileSync(path.join(resources, "version.txt"), version);
    fs.writeFileSync(
        path.join(resources, "plugin.json"),
        JSON.stringify({ resource: true, name: packageName, version, server: pluginDownloadURL }, null, 2),
    );
    fs.copyFileSync(path.join(repoRoot, "LICENSE"), path.join(resources, "LICENSE"));
    // Every Maven plugin at a fixed version, so that once downloaded Maven never looks them up again.
    const plugin = (artifact: string, pluginVersion: string) =>
        `<plugin><groupId>org.apache.maven.plugins</groupId><artifactId>${artifact}</artifactId><version>${pluginVersion}</version></plugin>`;
    const dependency = (group: string, artifact: string, dependencyVersion: string) =>
        `<dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${dependencyVersion}</version></dependency>`;
    const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 http://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>${groupId}</groupId>
  <artifactId>${artifactId}</artifactId>
  <version>${version}</version>
  <packaging>jar</packaging>
  <name>${artifactId}</name>
  <description>${JSON.parse(fs.readFileSync(schemaPath, "utf8")).description}</description>
  <url>${repositoryURL}</url>
  <licenses><license><name>The Apache License, Version 2.0</name><url>http://www.apache.org/licenses/LICENSE-2.0.txt</url></license></licenses>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <maven.compiler.release>11</maven.compiler.release>
  </properties>
  <dependencies>
    ${dependency("com.pulumi", "pulumi", pulumiJavaVersion)}
    ${dependency("com.google.code.gson", "gson", "2.10")}
    ${dependency("com.google.code.findbugs", "jsr305", "3.0.2")}
  </dependencies>
  <build>
    <plugins>
      ${plugin("maven-resources-plugin", "3.3.1")}
      ${plugin("maven-compiler-plugin", "3.13.0")}
      ${plugin("maven-surefire-plugin", "3.5.2")}
      ${plugin("maven-jar-plugin", "3.4.2")}
    </plugins>
  </build>
</project>
`;
    fs.writeFileSync(path.join(sdk, "pom.xml"), pom);
    run("mvn", ["--batch-mode", "--quiet", "-Dmaven.test.skip=true", "package"], { cwd: sdk });
    const repository = "maven";
    const folder = path.join(dist, repository, ...groupId.split("."), artifactId, version);
    fs.mkdirSync(folder, { recursive: true });
    fs.copyFileSync(path.join(sdk, "target", `${artifactId}-${version}.jar`), path.join(folder, `${artifactId}-${version}.jar`));
    fs.writeFileSync(path.join(folder, `${artifactId}-${version}.pom`), pom);
    return { repository, groupId, artifactId };
}

/** `sha256sum`'s format: the hex digest, two spaces, the path; `sha256sum -c SHA256SUMS` in `dist/` checks them. */
function writeChecksums(dist: string, files: string[]): void {
    const lines = files.map(
        (file) =>
            `${createHash("sha256")
                .update(fs.readFileSync(path.join(dist, file)))
                .digest("hex")}  ${file}`,
    );
    fs.writeFileSync(path.join(dist, "SHA256SUMS"), `${lines.join("\n")}\n`);
}

/** Builds every artifact into `dist` (default: this checkout's `dist/`), which is emptied first. */
export async function release(dist = distDir): Promise<Release> {
    const version = pluginVersion;
    const schemaVersion = JSON.parse(fs.readFileSync(schemaPath, "utf8")).version;
    if (schemaVersion !== version) {
        throw new Error(`provider/plugin/schema.json is version ${schemaVersion}, package.json ${version}: run npm run schema`);
    }
    fs.rmSync(dist, { recursive: true, force: true });
    fs.mkdirSync(dist, { recursive: true });
    const rel = (file: string) => path.relative(dist, file).split(path.sep).join("/");

    const archives = await buildPlugin({ dist });
    const pluginArchives = Object.fromEntries(Object.entries(archives).map(([p, file]) => [p, rel(file)])) as Record<Platform, string>;
    const npmPackage = pack(dist).filename;

    // The CLI generates each SDK through its language's host (Node.js's is always beside it), and
    // Java's brings JDK and Maven; the script prints the folder that holds them all last.
    const engine = run(path.join(repoRoot, "scripts", "ensure-pulumi"), ["go", "python", "java"])
        .trim()
        .split("\n")
        .pop() as string;
    process.env.PATH = `${engine}${path.delimiter}${process.env.PATH ?? ""}`;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "ens-keypair-release-"));
    try {
        const nodejs = nodejsSdk(generateSdk("nodejs", work), dist);
        const python = pythonSdk(generateSdk("python", work), dist);
        const goProxy = goSdk(generateSdk("go", work), dist, version);
        const maven = javaSdk(generateSdk("java", work), dist, version);

        const filesUnder = (folder: string) =>
            (fs.readdirSync(path.join(dist, folder), { recursive: true }) as string[])
                .filter((f) => fs.statSync(path.join(dist, folder, f)).isFile())
                .map((f) => rel(path.join(dist, folder, f)));
        const files = [
            ...Object.values(pluginArchives),
            npmPackage,
            nodejs,
            python.wheel,
            python.sdist,
            ...filesUnder(goProxy),
            ...filesUnder(maven.repository),
        ].sort();
        writeChecksums(dist, files);
        return {
            version,
            dist,
            pluginArchives,
            npmPackage,
            nodejsSdk: nodejs,
            pythonWheel: python.wheel,
            pythonSdist: python.sdist,
            goProxy,
            maven,
            files,
        };
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

if (require.main === module) {
    const started = process.hrtime.bigint();
    release().then(
        (built) => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            console.log(`release ${built.version} in ${path.relative(process.cwd(), built.dist)}/ (${seconds.toFixed(1)} s):`);
            for (const file of [...built.files, "SHA256SUMS"]) {
                console.log(`  ${String(fs.statSync(path.join(built.dist, file)).size).padStart(9)}  ${file}`);
            }
        },
        (err: unknown) => {
            console.error(err instanceof Error ? err.message : err);
            process.exit(1);
        },
    );
}
