/**
 * Turning repetitions into a report: medians, ratios against the ws baseline, a Markdown table,
 * and the JSON file written to bench/results/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import type { Metric } from "./scenarios/scenario.js";

/** All repetitions of one metric for one target. */
export interface Series {
  scenario: string;
  metric: Metric;
  target: string;
  values: number[];
}

/**
 * The median of `values` (mean of the middle two for an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "n/a";
  if (unit === "bytes") return value >= 1024 ? `${(value / 1024).toFixed(2)} KiB` : `${Math.round(value)} B`;
  return Math.round(value).toLocaleString("en-US");
}

/**
 * A Markdown table: one row per (metric, target) with the median, the range over repetitions and
 * the ratio against the `ws` target's median (for memory, lower is better).
 *
 * @example
 * console.log(markdownTable(series, "ws"));
 */
export function markdownTable(series: readonly Series[], baseline = "ws"): string {
  const lines = ["| metric | target | median | min – max | runs | ratio vs ws |", "|---|---|---:|---:|---:|---:|"];
  for (const s of series) {
    const base = series.find((b) => b.scenario === s.scenario && b.metric.key === s.metric.key && b.target === baseline);
    const m = median(s.values);
    const ratio = base === undefined || s.target === baseline ? "" : `${(m / median(base.values)).toFixed(2)}×`;
    const range = `${formatValue(Math.min(...s.values), s.metric.unit)} – ${formatValue(Math.max(...s.values), s.metric.unit)}`;
    const better = s.metric.better === "higher" ? "higher is better" : "lower is better";
    lines.push(`| ${s.metric.label} (${better}) | ${s.target} | ${formatValue(m, s.metric.unit)} | ${range} | ${s.values.length} | ${ratio} |`);
  }
  return lines.join("\n");
}

/**
 * Writes the run to bench/results/<timestamp>.json and returns the path.
 *
 * @example
 * const file = writeResults({ quick: false, series, labels });
 */
export function writeResults(run: {
  quick: boolean;
  repetitions: number;
  cores: unknown;
  labels: Record<string, string>;
  series: readonly Series[];
  runs: readonly { scenario: string; target: string; repetition: number; result: Record<string, number> }[];
}): string {
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = `${dir}websocket-${stamp}.json`;
  const body = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cpuCount: cpus().length,
    ...run,
    series: run.series.map((s) => ({ scenario: s.scenario, metric: s.metric.key, unit: s.metric.unit, target: s.target, values: s.values, median: median(s.values) })),
  };
  writeFileSync(file, JSON.stringify(body, null, 2) + "\n");
  return file;
}
