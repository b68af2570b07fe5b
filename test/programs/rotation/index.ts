// A key rotated on demand: a new value of the `rotation` config renews the RandomId, which renames
// the pair, so the engine creates the new pair before it deletes the old one.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { KeyPair } from "pulumi-ens-keypair";

const config = new pulumi.Config();
const suffix = new random.RandomId("suffix", { byteLength: 4, keepers: { rotation: config.require("rotation") } });
const pair = new KeyPair("pair", { keyPairName: pulumi.interpolate`rotating-${suffix.hex}` });

export const keyPairId = pair.keyPairId;
export const keyPairName = pair.keyPairName;
