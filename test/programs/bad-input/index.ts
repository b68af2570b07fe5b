// A name ENS refuses: preview must fail with ENS's error, before anything is created.
import { KeyPair } from "pulumi-ens-keypair";

new KeyPair("bad", { keyPairName: "http://not-a-name" });
