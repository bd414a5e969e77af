// Type-aware lint: a daemon must not drop promises on the floor.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules", "dist", "web/dist", "coverage", ".vigil", "**/.vigil"] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      // async without await is how a sync driver call turns its throw into a rejection.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "child_process", message: "Only src/gateway and src/supervisor may spawn processes." },
            {
              name: "node:child_process",
              message: "Only src/gateway and src/supervisor may spawn processes.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/gateway/**", "src/supervisor/**", "test/**", "bench/**", "**/*.test.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
