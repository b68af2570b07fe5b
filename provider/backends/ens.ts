/** The ENS backend (being written). */
import { ProviderConfig } from "../config";
import { Backend } from "./backend";

export function ensBackend(_config: ProviderConfig): Backend {
    throw new Error("the ens backend is not implemented yet");
}
