// The plugin's property values: secrets as the engine wraps them, unwrapped for the provider.
import * as assert from "assert";
import { Value } from "google-protobuf/google/protobuf/struct_pb";
import { secretValue, unwrap, wrap } from "../provider/plugin/properties";

describe("the plugin's properties", () => {
    it("unwraps secrets nested in a property and marks the property secret", () => {
        const struct = wrap({ list: ["a", secretValue("b")], plain: "c" }, []);
        assert.deepStrictEqual(unwrap(struct), { values: { list: ["a", "b"], plain: "c" }, secret: new Set(["list"]) });
    });

    it("refuses a value with no kind, naming its property, instead of failing inside the protobuf library", () => {
        const struct = wrap({ keyPairName: "a", keyType: "ed25519" }, []);
        const list = Value.fromJavaScript([1]);
        list.getListValue()?.addValues(new Value());
        struct.getFieldsMap().set("keyPairName", new Value()).set("keyType", list);
        assert.throws(() => unwrap(struct), /^Error: The property "(keyPairName|keyType)" holds a protobuf Value with no kind set/);
    });
});
