/**
 * sshpk, loaded on first use: it is most of the provider's start-up time (about 40 ms), and the
 * provider processes of most operations (previews, no-change updates of generated keys) never
 * parse or encrypt a key.
 */
import type * as Sshpk from "sshpk";

/** The sshpk module, loaded by the first call. */
export function sshpk(): typeof Sshpk {
    return require("sshpk") as typeof Sshpk;
}
