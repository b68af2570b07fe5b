/**
 * The Pulumi package schema of the `ens-keypair` plugin, generated from the field table
 * (`provider/fields.ts`) and the configuration (`provider/config.ts`): each property's type is
 * its entry's TypeScript type, its description the entry's TSDoc (read with the TypeScript
 * compiler API), and its secrecy and choices the table's; where the plugin is downloaded from and
 * what each language's SDK is called come from `provider/doors.ts`. `npm run schema` writes it to
 * `provider/plugin/schema.json`, which the plugin serves; `test/schema.test.ts` fails when the
 * committed file and this generator disagree.
 */
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import * as ts from "typescript";
import { configKeys, configNamespace, secretConfigKeys } from "../provider/config";
import { FieldName, keyPairFields } from "../provider/fields";
import { doors, pluginDownloadURL, repositoryURL, sdkNames } from "../provider/doors";

const repoRoot = path.resolve(__dirname, "..");
/** Where the committed schema lives. */
export const schemaPath = path.join(repoRoot, "provider", "plugin", "schema.json");

type Json = Record<string, unknown>;

interface Spec {
    input: boolean | "resolved";
    output: boolean;
    choices?: readonly unknown[];
    secret: boolean;
    replaces: boolean;
}

/** The TSDoc of a declaration: its text, without tags such as `@example`. */
function docOf(node: ts.Node, what: string): string {
    const text = ts
        .getJSDocCommentsAndTags(node)
        .filter(ts.isJSDoc)
        .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? "")
        .join("\n")
        .trim();
    if (text === "") {
        throw new Error(`${what} has no TSDoc, which the schema takes as its description`);
    }
    // TSDoc wraps lines; a description is one paragraph per blank line.
    return text.replace(/([^\n])\n(?!\n)/g, "$1 ");
}

/** The schema type of a TypeScript type: strings, numbers, booleans and arrays of them. */
function schemaType(type: ts.Type, checker: ts.TypeChecker, integer: boolean, what: string): Json {
    const parts = type.isUnion() ? type.types : [type];
    const all = (flag: ts.TypeFlags) => parts.every((part) => (part.flags & flag) !== 0);
    if (all(ts.TypeFlags.StringLike)) {
        return { type: "string" };
    }
    if (all(ts.TypeFlags.NumberLike)) {
        return { type: integer ? "integer" : "number" };
    }
    if (all(ts.TypeFlags.BooleanLike)) {
        return { type: "boolean" };
    }
    if (checker.isArrayType(type) || checker.isTupleType(type)) {
        const [item] = checker.getTypeArguments(type as ts.TypeReference);
        return { type: "array", items: schemaType(item, checker, false, `${what}'s items`) };
    }
    throw new Error(`${what} has type ${checker.typeToString(type)}, which the schema generator does not map`);
}

/** A declaration named `name` at the top level of a source file. */
function declaration<T extends ts.Node>(file: ts.SourceFile, test: (node: ts.Node) => node is T, name: string): T {
    const found = file.statements
        .flatMap((statement): ts.Node[] => (ts.isVariableStatement(statement) ? [...statement.declarationList.declarations] : [statement]))
        .find((node) => test(node) && (node as unknown as { name?: ts.Identifier }).name?.text === name);
    if (found === undefined) {
        throw new Error(`${file.fileName} declares no ${name}`);
    }
    return found as T;
}

/** The object literal under `as const satisfies …` wrappers. */
function objectLiteral(expression: ts.Expression | undefined): ts.ObjectLiteralExpression {
    let node = expression;
    while (node && (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isParenthesizedExpression(node))) {
        node = node.expression;
    }
    if (!node || !ts.isObjectLiteralExpression(node)) {
        throw new Error("keyPairFields is not an object literal");
    }
    return node;
}

function pascal(name: string): string {
    return name[0].toUpperCase() + name.slice(1);
}

/** The schema, generated afresh from the sources. */
export function generateSchema(): Json {
    const source = (name: string) => path.join(repoRoot, "provider", name);
    const program = ts.createProgram([source("fields.ts"), source("config.ts"), source("dynamic/keyPair.ts")], {
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        skipLibCheck: true,
        // The three files' own declarations are all the schema reads: parsing what they import
        // (Pulumi's SDK) and the newer libraries took seconds, for the fast tier's schema test too.
        // A type that came from elsewhere would fail to map, not slip through.
        noResolve: true,
        types: [],
        lib: ["lib.es5.d.ts"],
    });
    const checker = program.getTypeChecker();
    const file = (name: string) => program.getSourceFile(source(name)) as ts.SourceFile;

    // The resource: one property per field of the table.
    const table = objectLiteral(declaration(file("fields.ts"), ts.isVariableDeclaration, "keyPairFields").initializer);
    const fields = table.properties.filter(ts.isPropertyAssignment).map((entry) => {
        const name = entry.name.getText() as FieldName;
        const spec: Spec = keyPairFields[name];
        const typeEntry = objectLiteral(entry.initializer).properties.find((p) => p.name?.getText() === "type");
        if (typeEntry === undefined || !ts.isPropertyAssignment(typeEntry)) {
            throw new Error(`field ${name} has no type`);
        }
        const integer = spec.choices?.every(Number.isInteger) ?? false;
        const type = schemaType(checker.getTypeAtLocation(typeEntry.initializer), checker, integer, `field ${name}`);
        return { name, spec, type, description: docOf(entry, `field ${name}`) };
    });
    if (fields.length !== Object.keys(keyPairFields).length) {
        throw new Error("the schema generator did not find every entry of keyPairFields");
    }

    const types: Record<string, Json> = {};
    const property = (field: (typeof fields)[number], asInput: boolean): Json => {
        const { spec, type, description } = field;
        let shape = type;
        if (asInput && spec.choices) {
            // A choice is an enum type in the SDKs; outputs keep the plain type (an imported RSA key has any size).
            const token = `${configNamespace}:index:${pascal(field.name)}`;
            types[token] = { ...type, description, enum: spec.choices.map((value) => ({ value })) };
            shape = { $ref: `#/types/${token}` };
        }
        return {
            ...shape,
            description,
            ...(spec.secret ? { secret: true } : {}),
            ...(asInput && spec.replaces ? { replaceOnChanges: true } : {}),
        };
    };
    const properties = (test: (spec: Spec) => boolean, asInput: boolean) =>
        Object.fromEntries(fields.filter((f) => test(f.spec)).map((f) => [f.name, property(f, asInput)]));

    // The resource's TSDoc sits on the interface that declares its outputs, ahead of the class.
    const keyPairDoc = declaration(file("dynamic/keyPair.ts"), ts.isInterfaceDeclaration, "KeyPair");
    const resource = {
        description: docOf(keyPairDoc, "KeyPair"),
        properties: properties((spec) => spec.output, false),
        required: fields.filter((f) => f.spec.output && !(keyPairFields[f.name] as { optional: boolean }).optional).map((f) => f.name),
        // Every input is optional to the SDKs: the provider's check says which combinations a pair needs.
        inputProperties: properties((spec) => spec.input === true, true),
    };

    // The configuration: the keys of ProviderConfig, described by their TSDoc.
    const configInterface = declaration(file("config.ts"), ts.isInterfaceDeclaration, "ProviderConfig");
    const variables = Object.fromEntries(
        configKeys.map((key) => {
            const member = configInterface.members.find((m) => m.name?.getText() === key);
            if (member === undefined) {
                throw new Error(`ProviderConfig has no key ${key}`);
            }
            const secret = secretConfigKeys.includes(key) ? { secret: true } : {};
            return [key, { type: "string", description: docOf(member, `config key ${key}`), ...secret }];
        }),
    );

    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
    return {
        name: configNamespace,
        displayName: "ENS KeyPair",
        version: manifest.version,
        description: "SSH key pairs with Alibaba Cloud ENS semantics; private keys are secret outputs.",
        keywords: ["pulumi", "ssh", "ens", "alibaba-cloud", "category/utility", "kind/native"],
        license: manifest.license,
        repository: repositoryURL,
        pluginDownloadURL,
        // supportPack: SDKs that build into their language's package (a Go module with its go.mod,
        // a Python project with its pyproject.toml, an npm package), as the release ships them.
        meta: { moduleFormat: "(.*)", supportPack: true },
        // The Python SDK as a pyproject.toml project, which `python -m build` builds.
        language: { ...sdkNames, python: { ...sdkNames.python, pyproject: { enabled: true } } },
        config: { variables },
        provider: {
            description: `The ens-keypair provider. A program's default provider takes the stack's \`${configNamespace}:*\` configuration; an explicit provider takes these inputs.`,
            inputProperties: variables,
        },
        resources: { [doors.package.resourceType]: resource },
        types,
    };
}

/** Writes the schema where the plugin takes it from, formatted as the repository's Prettier settings say. */
async function writeSchema(): Promise<void> {
    const options = await prettier.resolveConfig(schemaPath);
    fs.writeFileSync(schemaPath, await prettier.format(JSON.stringify(generateSchema()), { ...options, filepath: schemaPath }));
    console.log(`wrote ${path.relative(process.cwd(), schemaPath)}`);
}

if (require.main === module) {
    writeSchema().catch((err: unknown) => {
        console.error(err);
        process.exit(1);
    });
}
