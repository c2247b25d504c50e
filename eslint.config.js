// Lint rules that matter in network code: no floating promises, no misused promises,
// and imports that go one way between the layers (see shared ARCHITECTURE).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Which layers each layer may import from. `client` is browser code: protocol only (plus websocket/client on Node). */
const layerRules = [
  ["src/protocol/**", ["websocket", "engine", "server", "adapters", "client"]],
  ["src/websocket/**", ["engine", "server", "adapters", "client"]],
  ["src/engine/**", ["server", "adapters", "client"]],
  ["src/server/**", ["client"]],
  ["src/client/**", ["engine", "server", "adapters"]],
].map(([files, banned]) => ({
  files: [files],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: banned.map((layer) => ({
          group: [`**/${layer}/**`, `../${layer}`, `../../${layer}`],
          message: `This layer must not import from src/${layer} (imports go protocol <- websocket <- engine <- server <- adapters).`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", "bench/results/**", "test/artifacts/**", "examples/chat/public/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "it", "describe", "suite", "before", "after", "beforeEach", "afterEach"] }] },
      ],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-this-alias": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
      "no-control-regex": "off",
    },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      parserOptions: { projectService: false, project: null }, globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
  ...layerRules,
);
