/**
 * Where the `ens-keypair` package is published and what it is called there: the release page that
 * holds the plugin's archives, which every generated SDK names to the engine as its
 * `pluginDownloadURL`, and each language's package name. The schema's `language` section is made
 * from these (`scripts/schema.ts`), the release (`scripts/release.ts`) names its artifacts by
 * them, and `npx pulumi-ens-keypair plugin install` registers the plugin under them.
 */
import { configNamespace } from "./config";

/** The project's home: the organization and repository whose releases hold the plugin archives. */
const organization = "ens-keypair";
const repository = `pulumi-${configNamespace}`;

/** The plugin's executable, as the engine looks it up: `pulumi-resource-<package name>`. */
export const pluginExecutable = `pulumi-resource-${configNamespace}`;

/**
 * Where the engine downloads the plugin from when a program's SDK needs it and no plugin of that
 * version is installed: the release tagged `v<version>` of the repository, whose assets are the
 * archives `pulumi-resource-ens-keypair-v<version>-<os>-<arch>.tar.gz`.
 */
export const pluginDownloadURL = `github://api.github.com/${organization}/${repository}`;

/** The repository's web address, which the schema records (and the Go generator reads). */
export const repositoryURL = `https://github.com/${organization}/${repository}`;

/** The Go module of the Go SDK: the repository's `sdk/go` folder, tagged `sdk/go/v<version>`. */
export const goModulePath = `github.com/${organization}/${repository}/sdk/go`;

/**
 * The SDK of each language, as the schema's `language` section names it: the npm package, the Go
 * import path, the Python module (and, with `_` as `-`, its distribution on the Python package
 * index), the Java package prefix (the SDK's package is `<basePackage>.enskeypair`), and the .NET
 * namespace prefix.
 */
export const sdkNames = {
    nodejs: { packageName: `@${organization}/pulumi` },
    go: { importBasePath: `${goModulePath}/enskeypair` },
    python: { packageName: "pulumi_ens_keypair" },
    java: { basePackage: "io.github.enskeypair" },
    csharp: { rootNamespace: "EnsKeypair" },
} as const;
