/**
 * Renders a stored run again: `node --import tsx bench/sio/rerender.ts <results JSON> [out prefix]`
 * prints the Markdown and, with a prefix, writes `<prefix>.md` and `<prefix>.svg`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { sioSvgChart } from "./report.js";
import { renderMarkdown, seriesOf } from "./run-sio.js";
import type { SioRunData } from "./run-sio.js";
import { ALL_SIO_TARGETS } from "./targets/index.js";

const [file, prefix] = process.argv.slice(2);
if (file === undefined) throw new Error("usage: rerender.ts <results JSON> [out prefix]");
const data = JSON.parse(readFileSync(file, "utf8")) as SioRunData;
const md = renderMarkdown(data);
console.log(md);
if (prefix !== undefined) {
  const series = seriesOf(data);
  writeFileSync(`${prefix}.md`, md + "\n");
  writeFileSync(`${prefix}.svg`, sioSvgChart(series, ALL_SIO_TARGETS.filter((t) => series.some((s) => s.target === t && s.values.length > 0))) + "\n");
}
