// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    {
        ignores: [
            "bin/",
            "dist/",
            "node_modules/",
            "examples/*/node_modules/",
            "examples/*/*/node_modules/",
            "examples/*/bin/",
            ".pulumi-state/",
            ".pulumi-test/",
            "bench/work/",
        ],
    },
    eslint.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: {
            // Type information for every file, from the tsconfig.json nearest to it.
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        rules: {
            // The serialized provider must load its implementation with require() at run time.
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            // Provider methods and Pulumi programs are async to satisfy Promise-returning contracts,
            // whether or not they await anything.
            "@typescript-eslint/require-await": "off",
            // `any` arrives from JSON.parse, require() and the SDKs' own signatures; where it matters
            // the values are checked at run time (state integrity, response parsing), not by casts.
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-call": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-return": "off",
        },
    },
    {
        files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
        extends: [tseslint.configs.disableTypeChecked],
        languageOptions: {
            globals: { require: "readonly", module: "writable", process: "readonly", console: "readonly", __dirname: "readonly" },
        },
    },
);
