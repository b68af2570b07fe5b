/**
 * The package schema the plugin serves (`provider/plugin/schema.json`) is the one the field table
 * and the configuration generate (`npm run schema`): a field added, removed or changed in
 * `provider/fields.ts`, or a TSDoc edited, fails here until the schema is generated again.
 */
import * as assert from "assert";
import * as fs from "fs";
import { generateSchema, schemaPath } from "../scripts/schema";
import { configKeys, secretConfigKeys } from "../provider/config";
import { inputNames, outputNames, secretFieldNames } from "../provider/fields";
import { doors, pluginDownloadURL, repositoryURL, sdkNames } from "../provider/doors";

// A parsed schema: the tests walk it by the names the schema format defines.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** The paths (`a.b.c`) at which two JSON values differ. */
function differences(a: unknown, b: unknown, at = ""): string[] {
    if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        return [...keys].flatMap((key) => differences((a as Json)[key], (b as Json)[key], at ? `${at}.${key}` : key));
    }
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [at];
}

describe("the package schema", function () {
    let generated: Json;
    let committed: Json;

    before(() => {
        generated = generateSchema();
        committed = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
    });

    it("is committed as the field table and the configuration generate it (run `npm run schema` after changing either)", () => {
        const drift = differences(committed, generated);
        assert.deepStrictEqual(drift, [], `provider/plugin/schema.json differs from the generated schema at: ${drift.join(", ")}`);
    });

    it("has the table's inputs and outputs, its secrets, and the configuration's keys with the credentials secret", () => {
        const resource = generated.resources[doors.package.resourceType];
        assert.deepStrictEqual(Object.keys(resource.inputProperties), inputNames);
        assert.deepStrictEqual(Object.keys(resource.properties), outputNames);
        const secret = (properties: Json) => Object.keys(properties).filter((name) => properties[name].secret === true);
        assert.deepStrictEqual(
            [...secret(resource.inputProperties), ...secret(resource.properties)].sort(),
            secretFieldNames.filter((name) => (inputNames as string[]).includes(name) || (outputNames as string[]).includes(name)).sort(),
        );
        assert.deepStrictEqual(Object.keys(generated.config.variables), [...configKeys]);
        assert.deepStrictEqual(secret(generated.provider.inputProperties), [...secretConfigKeys]);
        // Every property has its TSDoc as description.
        for (const [name, property] of Object.entries({
            ...resource.inputProperties,
            ...resource.properties,
            ...generated.config.variables,
        })) {
            assert.ok(typeof (property as Json).description === "string" && (property as Json).description.length > 20, name);
        }
    });

    it("names where the engine downloads the plugin and each language's SDK package, as provider/doors.ts says", () => {
        assert.strictEqual(generated.pluginDownloadURL, pluginDownloadURL);
        assert.strictEqual(generated.repository, repositoryURL);
        for (const [language, names] of Object.entries(sdkNames)) {
            for (const [key, value] of Object.entries(names)) {
                assert.strictEqual(generated.language[language][key], value, `language.${language}.${key}`);
            }
        }
        // Real names, none of the generator's defaults: those would be the Pulumi project's own namespaces.
        assert.deepStrictEqual(Object.keys(generated.language).sort(), ["csharp", "go", "java", "nodejs", "python"]);
        assert.doesNotMatch(generated.language.nodejs.packageName, /^@pulumi\//);
        assert.doesNotMatch(generated.language.go.importBasePath, /^example\.com\//);
        assert.doesNotMatch(generated.language.java.basePackage, /^com\.pulumi\b/);
        assert.notStrictEqual(generated.language.csharp.rootNamespace, "Pulumi");
        // The Go import path lies in the repository the download URL names.
        const [, , host, org, repo] = /^(github):\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(generated.pluginDownloadURL) ?? [];
        assert.ok(host && org && repo, generated.pluginDownloadURL);
        assert.ok(generated.language.go.importBasePath.startsWith(`github.com/${org}/${repo}/`), generated.language.go.importBasePath);
        // Packable SDKs: a Go module with its go.mod, a Python project with its pyproject.toml.
        assert.strictEqual(generated.meta.supportPack, true);
    });

    it("declares no defaults, which the SDKs would fill in even where they do not apply (rsaBits for an Ed25519 key)", () => {
        assert.ok(!JSON.stringify(generated).includes('"default"'));
    });
});
