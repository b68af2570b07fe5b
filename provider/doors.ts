/**
 * The facts about the two doors onto KeyPair, in one place: the dynamic `KeyPair` of TypeScript
 * programs and the `ens-keypair` package (its plugin and the SDKs generated from its schema).
 * The provider, the `orphans` command, the tests of the docs and the benchmark read them here.
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
