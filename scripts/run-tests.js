#!/usr/bin/env node
// Runs Node's own test runner over every *.test.ts under the given folders (default: test/).
// Node 20's `node --test` takes no glob patterns, so the files are listed here.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";

const roots = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith("--"));
const files = [];
function walk(path) {
  const st = statSync(path);
  if (st.isFile()) {
    if (path.endsWith(".test.ts")) files.push(path);
    return;
  }
  for (const name of readdirSync(path).sort()) walk(join(path, name));
}
for (const root of roots.length > 0 ? roots : ["test"]) walk(root);
if (files.length === 0) {
  console.error("run-tests: no test files found under", roots.join(", ") || "test");
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=1", "--test-timeout=180000", ...passThrough, ...files],
  { stdio: "inherit" },
);
child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
