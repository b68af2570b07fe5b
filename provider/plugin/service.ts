/**
 * The provider service of the `ens-keypair` plugin: each method of the engine's provider protocol
 * on the provider implementation that the dynamic `KeyPair` runs (`../provider.ts`). A plugin
 * process serves one provider, default or explicit, and keeps the configuration its `Configure`
 * gave, which every call passes to the implementation. Secrets arrive wrapped and leave wrapped;
 * nothing here logs a property or quotes one in an error.
 */
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import * as plugin from "@pulumi/pulumi/proto/plugin_pb";
import * as rpc from "@pulumi/pulumi/proto/provider_pb";
import { ConfigError, configKeys, configNamespace, ProviderConfig, resolveConfig, secretConfigKeys } from "../config";
import { inputNames, secretFieldNames } from "../fields";
import { InputFailure, KeyPairInputs, unknownValue } from "../inputs";
import * as implementation from "../provider";
import { KeyPairOutputs } from "../state";
import { Properties, unwrap, Unwrapped, wrap } from "./properties";
import { doors } from "../doors";
import { quote } from "../quote";

/** Properties of a provider's inputs that the engine adds itself, not configuration keys. */
const engineConfigKeys = ["version", "pluginDownloadURL"];

/** What the service needs from the process that runs it. */
export interface ServiceOptions {
    /** The package's schema, as `pulumi package get-schema` prints it. */
    schema: string;
    /** The plugin's version. */
    version: string;
    /** Shows a message with the run's diagnostics, on the resource `urn`. */
    inform(urn: string, message: string): void;
}

/** One method of the service: a request of the protocol in, its response out. */
type Method<Req, Res> = (request: Req) => Promise<Res>;

/** The methods that work on a resource, as opposed to the provider's own (its configuration, schema, version). */
export const resourceMethods = ["check", "diff", "create", "read", "update", "delete"] as const;

/** The methods of the engine's provider protocol that this plugin implements; the engine treats the others as unimplemented. */
export interface ProviderService {
    getPluginInfo: Method<Empty, plugin.PluginInfo>;
    getSchema: Method<rpc.GetSchemaRequest, rpc.GetSchemaResponse>;
    checkConfig: Method<rpc.CheckRequest, rpc.CheckResponse>;
    diffConfig: Method<rpc.DiffRequest, rpc.DiffResponse>;
    configure: Method<rpc.ConfigureRequest, rpc.ConfigureResponse>;
    check: Method<rpc.CheckRequest, rpc.CheckResponse>;
    diff: Method<rpc.DiffRequest, rpc.DiffResponse>;
    create: Method<rpc.CreateRequest, rpc.CreateResponse>;
    read: Method<rpc.ReadRequest, rpc.ReadResponse>;
    update: Method<rpc.UpdateRequest, rpc.UpdateResponse>;
    delete: Method<rpc.DeleteRequest, Empty>;
    cancel: Method<Empty, Empty>;
}

/**
 * The resource's type, from its URN (`urn:pulumi:<stack>::<project>::<type>::<name>`), where the
 * type of a child follows its parents' (`my:index:Component$ens-keypair:index:KeyPair`).
 */
function typeOf(urn: string): string {
    return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}

function expectKeyPair(urn: string): void {
    if (typeOf(urn) !== doors.package.resourceType) {
        throw new Error(
            `The ens-keypair provider has one resource type, ${doors.package.resourceType}; it was asked for ${quote(typeOf(urn))}.`,
        );
    }
}

/** The names of the properties to return as secrets: the field table's secret fields, and whatever arrived secret. */
function secretsOf(...arrived: Unwrapped[]): Set<string> {
    return new Set([...secretFieldNames, ...arrived.flatMap((props) => [...props.secret])]);
}

function failuresOf(failures: InputFailure[] | undefined): rpc.CheckFailure[] {
    return (failures ?? []).map((failure) => new rpc.CheckFailure().setProperty(failure.property).setReason(failure.reason));
}

/**
 * A configuration value as `resolveConfig` reads it: one not known until deployment counts as not
 * given, and a boolean (a program's `insecureHttp: true`) as its text.
 */
function configReader(values: Properties): (key: string) => string | undefined {
    return (key) => {
        const value = values[key];
        if (typeof value === "boolean") {
            return String(value);
        }
        return typeof value === "string" && value !== unknownValue ? value : undefined;
    };
}

/**
 * The inputs of a pair the engine imports: those a program gives, as the read found them. The
 * engine stores them as the imported resource's inputs, and `pulumi import` prints a program
 * that gives them, so that the next `pulumi up` of that program changes nothing.
 */
function importedInputs(outputs: Properties): Properties {
    return Object.fromEntries(inputNames.filter((name) => outputs[name] !== undefined).map((name) => [name, outputs[name]]));
}

/** The provider service, with no configuration until the engine calls `configure`. */
export function providerService(options: ServiceOptions): ProviderService {
    let config: ProviderConfig | undefined;
    /** The context of a call on the resource `urn`, whose request's properties are `arrived`. */
    const context = (urn: string, ...arrived: Unwrapped[]): implementation.CallContext => ({
        // Until `configure` (which the engine skips while configuration is unknown in a preview), the environment's.
        config: config ?? resolveConfig(() => undefined),
        secretInputs: new Set(arrived.flatMap((props) => [...props.secret])),
        inform: (message) => options.inform(urn, message),
    });

    /** A diff's or an update's stored outputs and new inputs, and the implementation's arguments for it. */
    const change = (req: rpc.DiffRequest | rpc.UpdateRequest) => {
        expectKeyPair(req.getUrn());
        const olds = unwrap(req.getOlds());
        const news = unwrap(req.getNews());
        const ctx = context(req.getUrn(), olds, news);
        return { olds, news, args: [req.getId(), olds.values as KeyPairOutputs, news.values as KeyPairInputs, ctx] as const };
    };

    return {
        getPluginInfo: async () => new plugin.PluginInfo().setVersion(options.version),

        getSchema: async () => new rpc.GetSchemaResponse().setSchema(options.schema),

        async checkConfig(req) {
            const news = unwrap(req.getNews());
            const failures: rpc.CheckFailure[] = [];
            const unknown = Object.keys(news.values).filter(
                (key) => !(configKeys as readonly string[]).includes(key) && !engineConfigKeys.includes(key),
            );
            for (const key of unknown) {
                // Its value may be a mistyped secret: the failure names no property, which the engine would print.
                failures.push(
                    new rpc.CheckFailure().setReason(
                        `${configNamespace}:${key} is not a configuration key of ens-keypair; the keys are ${configKeys.join(", ")}.`,
                    ),
                );
            }
            try {
                resolveConfig(configReader(news.values), process.env, news.secret);
            } catch (err) {
                if (!(err instanceof ConfigError)) {
                    throw err;
                }
                failures.push(new rpc.CheckFailure().setReason(err.message));
            }
            // Credentials stay secret in the provider's state, even when given as plain text.
            return new rpc.CheckResponse().setInputs(wrap(news.values, [...news.secret, ...secretConfigKeys])).setFailuresList(failures);
        },

        async diffConfig(req) {
            const olds = unwrap(req.getOldInputs() ?? req.getOlds()).values;
            const news = unwrap(req.getNews()).values;
            const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((key) => !engineConfigKeys.includes(key));
            const changed = keys.filter((key) => JSON.stringify(olds[key]) !== JSON.stringify(news[key]));
            // A new configuration never replaces the provider, which would replace every pair it holds:
            // each pair's own diff decides (a new backend replaces it, as in the dynamic provider).
            return new rpc.DiffResponse()
                .setChanges(changed.length > 0 ? rpc.DiffResponse.DiffChanges.DIFF_SOME : rpc.DiffResponse.DiffChanges.DIFF_NONE)
                .setDiffsList(changed);
        },

        async configure(req) {
            const args = unwrap(req.getArgs());
            config = resolveConfig(configReader(args.values), process.env, args.secret);
            return new rpc.ConfigureResponse().setAcceptsecrets(true).setSupportspreview(false).setAcceptresources(false);
        },

        async check(req) {
            expectKeyPair(req.getUrn());
            const news = unwrap(req.getNews());
            const result = await implementation.check(unwrap(req.getOlds()).values, news.values, context(req.getUrn(), news));
            return new rpc.CheckResponse()
                .setInputs(wrap(result.inputs ?? {}, secretsOf(news)))
                .setFailuresList(failuresOf(result.failures));
        },

        async diff(req) {
            const result = await implementation.diff(...change(req).args);
            return new rpc.DiffResponse()
                .setChanges(result.changes ? rpc.DiffResponse.DiffChanges.DIFF_SOME : rpc.DiffResponse.DiffChanges.DIFF_NONE)
                .setReplacesList(result.replaces)
                .setDeletebeforereplace(result.deleteBeforeReplace);
        },

        async create(req) {
            expectKeyPair(req.getUrn());
            const inputs = unwrap(req.getProperties());
            const result = await implementation.create(inputs.values as KeyPairInputs, context(req.getUrn(), inputs));
            return new rpc.CreateResponse().setId(result.id).setProperties(wrap(result.outs, secretsOf(inputs)));
        },

        async read(req) {
            expectKeyPair(req.getUrn());
            const stored = unwrap(req.getProperties());
            const inputs = unwrap(req.getInputs());
            const result = await implementation.read(req.getId(), stored.values, context(req.getUrn(), stored, inputs));
            if (result.id === undefined || result.props === undefined) {
                // No id: the pair is gone, and refresh drops it from state.
                return new rpc.ReadResponse();
            }
            // An import sends no properties and no inputs: the pair's inputs are then what the read found.
            const imported = Object.keys(inputs.values).length === 0;
            return new rpc.ReadResponse()
                .setId(result.id)
                .setProperties(wrap(result.props, secretsOf(stored, inputs)))
                .setInputs(imported ? wrap(importedInputs(result.props), secretFieldNames) : wrap(inputs.values, secretsOf(inputs)));
        },

        async update(req) {
            const { olds, news, args } = change(req);
            const result = await implementation.update(...args);
            return new rpc.UpdateResponse().setProperties(wrap(result.outs, secretsOf(olds, news)));
        },

        async delete(req) {
            expectKeyPair(req.getUrn());
            const stored = unwrap(req.getProperties());
            await implementation.delete(req.getId(), stored.values as KeyPairOutputs, context(req.getUrn(), stored));
            return new Empty();
        },

        cancel: async () => new Empty(),
    };
}
