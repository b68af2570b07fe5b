// The plugin's property values: secrets as the engine wraps them, unwrapped for the provider.
import * as assert from "assert";
import { secretValue, unwrap, wrap } from "../provider/plugin/properties";

describe("the plugin's properties", () => {
    it("unwraps secrets nested in a property and marks the property secret", () => {
        const struct = wrap({ list: ["a", secretValue("b")], plain: "c" }, []);
        assert.deepStrictEqual(unwrap(struct), { values: { list: ["a", "b"], plain: "c" }, secret: new Set(["list"]) });
    });
});
