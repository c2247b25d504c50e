import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
  type: string;
  exports: Record<string, string | { types: string; default: string }>;
  dependencies?: Record<string, string>;
};

test("the package is ESM with one export per public entry", () => {
  assert.equal(pkg.type, "module");
  assert.deepEqual(Object.keys(pkg.exports).sort(), [".", "./client", "./engine", "./package.json", "./redis", "./websocket"]);
});

test("every export has types and default that the build produced", () => {
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target === "string") continue;
    assert.ok(target.types.endsWith(".d.ts"), `${subpath} types`);
    assert.ok(existsSync(new URL(`../../../${target.default}`, import.meta.url)), `${subpath} -> ${target.default} built`);
  }
});

test("the core has no runtime dependency", () => {
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), []);
});
