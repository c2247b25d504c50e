/**
 * Renders a stored run again: `node --import tsx bench/sio/rerender.ts <results JSON> [out prefix]`
 * prints the Markdown and, with a prefix, writes `<prefix>.md` and `<prefix>.svg`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { sioSvgChart } from "./report.js";
import { renderMarkdown, seriesOf, targetsOf } from "./run-sio.js";
import type { SioRunData } from "./run-sio.js";

const [file, prefix] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: rerender.ts <results JSON> [out prefix]");
const data = JSON.parse(readFileSync(file, "utf8")) as SioRunData;
const md = renderMarkdown(data);
console.log(md);
if (prefix !== undefined) {
  const series = seriesOf(data);
  writeFileSync(`${prefix}.md`, md + "\n");
  writeFileSync(`${prefix}.svg`, sioSvgChart(series, targetsOf(series)) + "\n");
}
