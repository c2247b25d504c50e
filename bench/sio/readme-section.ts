/**
 * The README's benchmark table, made from a stored run (see `update-readme.ts`): the run's date
 * and machine, then the same table of medians and ratios that `bench/results/latest.md` opens with.
 */
import { sioMarkdownTable } from "./report.js";
import { seriesOf, targetsOf } from "./run-sio.js";
import type { SioRunData } from "./run-sio.js";

export const SECTION_START = "<!-- bench:sio -->";
export const SECTION_END = "<!-- /bench:sio -->";

/**
 * The section of a run: where and how it was measured, then the table.
 *
 * @example
 * readmeSection(JSON.parse(readFileSync("bench/results/sio-….json", "utf8")));
 */
export function readmeSection(data: SioRunData): string {
  const series = seriesOf(data);
  const head =
    `Medians of ${data.repetitions} repetitions from one run of \`npm run bench\` on ${data.date.slice(0, 10)} ` +
    `(Node ${data.node}, ${data.cpu}, ${data.cpuCount} cores; server and load generator pinned to separate cores):`;
  return [head, "", sioMarkdownTable(series, targetsOf(series))].join("\n");
}

/**
 * `readme` with what stands between the section markers replaced by `section`.
 *
 * @throws Error when the markers are missing or out of order.
 * @example
 * spliceSection("a\n<!-- bench:sio -->\nold\n<!-- /bench:sio -->\nb", "new"); // "a\n<!-- bench:sio -->\nnew\n<!-- /bench:sio -->\nb"
 */
export function spliceSection(readme: string, section: string): string {
  const from = readme.indexOf(SECTION_START);
  const to = readme.indexOf(SECTION_END);
  if (from === -1 || to < from) throw new Error(`the README has no ${SECTION_START} … ${SECTION_END} section`);
  return `${readme.slice(0, from + SECTION_START.length)}\n${section}\n${readme.slice(to)}`;
}
