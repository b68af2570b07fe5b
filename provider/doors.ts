/**
 * The facts about the two doors onto KeyPair, in one place: the dynamic `KeyPair` of TypeScript
 * programs and the `ens-keypair` package (its plugin and the SDKs generated from its schema), and
 * where the package is published under which names. The provider, the `orphans` and `plugin`
 * commands, the schema generator, the release, the tests of the docs and the benchmark read them here.
 */

/** The npm package's name, which programs import and which the serialized provider loads. */
export const npmPackageName = "pulumi-ens-keypair";
/** The Pulumi package's name: its schema's `name`, its configuration namespace and its plugin's. */
export const packageName = "ens-keypair";

export interface Door {
    /** The KeyPair's type token, as state and URNs name it. */
    resourceType: string;
    /** A pattern (POSIX extended, for `pgrep -f`) that matches the command line of the door's provider process. */
    providerProcess: string;
    /** How its users run the `orphans` command: from what they installed for the door, offline. */
    command: string;
}

export const doors = {
    /** Pulumi's dynamic provider host runs the dynamic `KeyPair`, and names the type after the module it gives. */
    dynamic: {
        resourceType: `pulumi-nodejs:dynamic/${packageName}:KeyPair`,
        providerProcess: "cmd/dynamic-provider",
        // The npm package's bin, in the project's node_modules.
        command: `npx ${npmPackageName}`,
    },
    /** The engine runs the package's plugin, `pulumi-resource-<package>`, once per provider. */
    package: {
        resourceType: `${packageName}:index:KeyPair`,
        providerProcess: `pulumi-resource-${packageName}`,
        // The installed plugin itself, which takes `orphans` where the engine gives its address.
        command: `pulumi plugin run --kind resource ${packageName} --`,
    },
} as const satisfies Record<string, Door>;

export type DoorName = keyof typeof doors;

/**
 * The package's plugin server and every module it loads, bundled into one file beside the plugin's
 * executable, which runs it.
 */
export const pluginServerBundle = `pulumi-resource-${packageName}.js`;

/**
 * The input through which the dynamic `KeyPair` tells its provider which inputs the program made
 * secret (beyond those it always keeps secret): a list of their names. The engine sends a dynamic
 * provider every value in the clear and marks none secret, since its host does not accept
 * secrets, so without the list the provider could not tell which values to keep out of its
 * messages. The provider keeps it with the inputs and outputs in state, where the next method
 * finds it; the plugin is told by the engine and never sees it.
 */
export const secretInputsProperty = "__secretInputs";

/** The type of the package's providers in state, default and explicit alike. */
export const packageProviderType = `pulumi:providers:${packageName}`;

/** The door a resource type belongs to, if it is a KeyPair's. */
export function doorOf(resourceType: string | undefined): DoorName | undefined {
    return (Object.keys(doors) as DoorName[]).find((name) => doors[name].resourceType === resourceType);
}

/** One `pgrep -af` pattern for the provider processes of both doors. */
export const providerProcesses = Object.values(doors)
    .map((door) => door.providerProcess)
    .join("|");

/** The project's home: the organization and repository whose releases hold the plugin's archives. */
const organization = "ens-keypair";
const repository = `pulumi-${packageName}`;

/** The plugin's executable, as the engine looks it up: `pulumi-resource-<package>`. */
export const pluginExecutable = doors.package.providerProcess;

/**
 * Where the engine downloads the plugin from when a program's SDK needs it and no plugin of that
 * version is installed: the release tagged `v<version>` of the repository, whose assets are the
 * archives `pulumi-resource-ens-keypair-v<version>-<os>-<arch>.tar.gz`. Every SDK carries it.
 */
export const pluginDownloadURL = `github://api.github.com/${organization}/${repository}`;

/** The repository's web address, which the schema records (and the Go generator reads). */
export const repositoryURL = `https://github.com/${organization}/${repository}`;

/** The Go module of the Go SDK: the repository's `sdk/go` folder, tagged `sdk/go/v<version>`. */
export const goModulePath = `github.com/${organization}/${repository}/sdk/go`;

/**
 * The package's SDK in each language, as the schema's `language` section names it: the npm
 * package, the Go import path, the Python module (and, with `_` as `-`, its distribution on the
 * Python package index), the Java package prefix (the SDK's package is `<basePackage>.enskeypair`),
 * and the .NET namespace prefix. None is the generator's default, which names Pulumi's own
 * namespaces (`@pulumi/…`, `com.pulumi`) or `example.com`.
 */
export const sdkNames = {
    nodejs: { packageName: `@${organization}/pulumi` },
    go: { importBasePath: `${goModulePath}/enskeypair` },
    python: { packageName: "pulumi_ens_keypair" },
    java: { basePackage: "io.github.enskeypair" },
    csharp: { rootNamespace: "EnsKeypair" },
} as const;
