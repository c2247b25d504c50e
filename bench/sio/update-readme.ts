/**
 * Puts a stored run's table into the README: `node --import tsx bench/sio/update-readme.ts <results
 * JSON>` replaces what stands between `<!-- bench:sio -->` and `<!-- /bench:sio -->`. The prose
 * around it is written by hand.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readmeSection, spliceSection } from "./readme-section.js";
import type { SioRunData } from "./run-sio.js";

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: update-readme.ts <results JSON>");
const readmePath = fileURLToPath(new URL("../../README.md", import.meta.url));
const data = JSON.parse(readFileSync(file, "utf8")) as SioRunData;
writeFileSync(readmePath, spliceSection(readFileSync(readmePath, "utf8"), readmeSection(data)));
console.log(`README.md: the table of ${file}`);
