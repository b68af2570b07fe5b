// @ts-check
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["bin/", "node_modules/", "examples/*/node_modules/", "examples/*/bin/", ".pulumi-state/", ".pulumi-test/", "bench/work/"] },
    eslint.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // The serialized provider must load its implementation with require() at run time.
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
        },
    },
    {
        files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
        languageOptions: {
            globals: { require: "readonly", module: "writable", process: "readonly", console: "readonly", __dirname: "readonly" },
        },
    },
);
