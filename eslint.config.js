// Type-aware lint: a daemon must not drop promises on the floor.
import tseslint from "typescript-eslint";

const spawnOnlyThere = ["child_process", "node:child_process"].map((name) => ({
  name,
  message: "Only src/gateway and src/supervisor may spawn processes.",
}));
// An ES import of node:http loads undici and the web streams (~12 MB of the daemon's RSS).
const httpByRequire = ["http", "node:http"].map((name) => ({
  name,
  message: 'Use `import { http } from "src/core/node-http.ts"`; type-only imports are fine.',
  allowTypeImports: true,
}));

// The daemon never loads zod: `vigil up` validates its config in a child (src/config/load-child.ts)
// and gets it back as JSON. zod and the schemas on it were ~6 MB of the daemon's RSS.
const configSideOnly = {
  paths: [{ name: "zod", message: "zod is for the config side only.", allowTypeImports: true }],
  patterns: [
    {
      group: [
        "**/*.schema.ts",
        "**/schemas.ts",
        "**/config/*",
        "!**/config/result.ts",
        "!**/config/interpolate.ts",
      ],
      message:
        "The daemon reads a config validated in a child process: import types only, or a zod-free module (probes' `provides`, notify/provider-types.ts, gateway/action-kinds.ts).",
      allowTypeImports: true,
    },
  ],
};
const configSide = [
  "src/config/**",
  "src/**/*.schema.ts",
  "src/**/schemas.ts",
  "src/cli/**",
  "src/doctor/**",
];

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
      "no-restricted-imports": ["error", { paths: spawnOnlyThere }],
    },
  },
  {
    files: ["src/**"],
    ignores: ["src/gateway/**", "src/supervisor/**", ...configSide],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          ...configSideOnly,
          paths: [...spawnOnlyThere, ...httpByRequire, ...configSideOnly.paths],
        },
      ],
    },
  },
  {
    files: ["src/gateway/**", "src/supervisor/**"],
    ignores: configSide,
    rules: {
      "no-restricted-imports": [
        "error",
        { ...configSideOnly, paths: [...httpByRequire, ...configSideOnly.paths] },
      ],
    },
  },
  {
    files: configSide,
    rules: {
      "no-restricted-imports": ["error", { paths: [...spawnOnlyThere, ...httpByRequire] }],
    },
  },
  {
    files: ["test/**", "bench/**", "**/*.test.ts"],
    rules: { "no-restricted-imports": "off" },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
