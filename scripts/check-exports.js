#!/usr/bin/env node
// Checks that every subpath in package.json `exports` points at files the build produced.
import { existsSync, readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
let missing = 0;
for (const [subpath, target] of Object.entries(pkg.exports)) {
  const files = typeof target === "string" ? [target] : Object.values(target);
  for (const file of files) {
    if (!existsSync(new URL(`../${file}`, import.meta.url))) {
      console.error(`check-exports: ${subpath} -> ${file} is missing from the build`);
      missing++;
    }
  }
}
if (missing > 0) process.exit(1);
console.log(`check-exports: ${Object.keys(pkg.exports).length} subpaths resolve to built files`);
