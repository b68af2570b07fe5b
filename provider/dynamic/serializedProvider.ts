/**
 * The provider object that Pulumi serializes into the state of every KeyPair. Each method only
 * loads the implementation by package name and forwards to it: Pulumi stores the text of these
 * functions (not what they load) per resource, and a closure that captured the implementation
 * or any configuration would copy it, credentials included, into state.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as implementation from "./implementation";

type Implementation = typeof implementation;

/**
 * The `pulumi.dynamic.ResourceProvider` behind {@link KeyPair}; call it directly to use the provider
 * without the engine. It has every method a dynamic provider may have.
 */
export const keyPairProvider: Required<pulumi.dynamic.ResourceProvider> = {
    configure: (req) => (require("pulumi-ens-keypair/provider") as Implementation).configure(req),
    check: (olds, news) => (require("pulumi-ens-keypair/provider") as Implementation).check(olds, news),
    diff: (id, olds, news) => (require("pulumi-ens-keypair/provider") as Implementation).diff(id, olds, news),
    create: (inputs) => (require("pulumi-ens-keypair/provider") as Implementation).create(inputs),
    update: (id, olds, news) => (require("pulumi-ens-keypair/provider") as Implementation).update(id, olds, news),
    read: (id, props) => (require("pulumi-ens-keypair/provider") as Implementation).read(id, props ?? {}),
    delete: (id, props) => (require("pulumi-ens-keypair/provider") as Implementation).delete(id, props),
};
