// Lint rules that matter in network code: no floating promises, no misused promises,
// and imports that go one way between the layers (see shared ARCHITECTURE).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import path from "node:path";

/**
 * Which layers each layer may import from, by the folder an import resolves to (so the client's own
 * `src/client/engine` is not mistaken for `src/engine`). The adapters see the server only through the
 * typed interfaces of `src/adapters/adapter.ts`; the client is browser code (websocket only through
 * its Node-only loader).
 */
const allowedLayers = {
  protocol: [],
  websocket: ["protocol"],
  engine: ["protocol", "websocket"],
  adapters: ["protocol", "engine"],
  server: ["protocol", "engine", "adapters"],
  client: ["protocol", "websocket"],
};
const srcDir = path.join(import.meta.dirname, "src");
const layerOf = (file) => {
  const rel = path.relative(srcDir, file);
  return rel.startsWith("..") || !rel.includes(path.sep) ? undefined : rel.split(path.sep)[0];
};
const layersPlugin = {
  rules: {
    "imports-go-one-way": {
      meta: { type: "problem", schema: [] },
      create(context) {
        const from = layerOf(context.filename);
        const allowed = from === undefined ? undefined : allowedLayers[from];
        if (allowed === undefined) return {};
        const check = (node) => {
          const spec = node.source && node.source.type === "Literal" ? node.source.value : undefined;
          if (typeof spec !== "string" || !spec.startsWith(".")) return;
          const to = layerOf(path.resolve(path.dirname(context.filename), spec));
          if (to === undefined || to === from || allowed.includes(to)) return;
          context.report({ node, message: `src/${from} must not import from src/${to} (allowed: ${allowed.join(", ") || "none"}).` });
        };
        return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
      },
    },
  },
};

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
  { files: ["src/**/*.ts"], plugins: { layers: layersPlugin }, rules: { "layers/imports-go-one-way": "error" } },
);
