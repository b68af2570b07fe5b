/**
 * How a message names a pair from state by its id and its name. The state may be corrupt, or be
 * no state at all (a request sent straight to the plugin), so each is shown only when it has the
 * shape of an id or of a name: a value of another shape could hold anything, a private key pasted
 * into it included, and it could be of a type that does not even turn into text.
 */
import { validateKeyPairName } from "./ens/names";

/** Whether `id` has the shape of a key pair id, which a message (and a shell command) may hold. */
export function isShownId(id: unknown): id is string {
    return typeof id === "string" && /^[A-Za-z0-9-]{1,64}$/.test(id);
}

/** The pair's id as a message shows it. */
export function shownId(id: unknown): string {
    return isShownId(id) ? id : "<keyPairId not shown: not an id>";
}

/** The pair's name as a message shows it, unquoted. */
export function shownName(name: unknown): string {
    try {
        validateKeyPairName(name);
        return name as string;
    } catch {
        return "<keyPairName not shown: not a valid name>";
    }
}
