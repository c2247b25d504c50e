/**
 * The Socket.IO benchmark's report: a Markdown table of medians with every figure as a ratio to
 * socket.io and to ws from the same run, the issue-8 targets checked one by one, and an SVG chart.
 */
import { median } from "../e2e/report.js";
import type { Series } from "../e2e/report.js";

function format(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "n/a";
  if (unit === "bytes") return value >= 1024 ? `${(value / 1024).toFixed(2)} KiB` : `${Math.round(value)} B`;
  if (unit === "ms") return value < 10 ? value.toFixed(2) : value.toFixed(1);
  if (unit === "x") return value.toFixed(2);
  return Math.round(value).toLocaleString("en-US");
}

function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return "";
  const r = a / b;
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

function find(series: readonly Series[], scenario: string, key: string, target: string): number {
  const s = series.find((x) => x.scenario === scenario && x.metric.key === key && x.target === target);
  return s === undefined ? Number.NaN : median(s.values);
}

/**
 * One row per metric, one column per target (medians), then Courant's ratios to socket.io (same
 * transports) and to ws.
 *
 * @example
 * console.log(sioMarkdownTable(series, ["courant-ws", "courant", "socket.io-ws", "socket.io", "ws"]));
 */
export function sioMarkdownTable(series: readonly Series[], targets: readonly string[]): string {
  const head = `| metric | ${targets.join(" | ")} | courant-ws ÷ socket.io-ws | courant ÷ socket.io | courant-ws ÷ ws |`;
  const lines = [head, `|---|${targets.map(() => "---:").join("|")}|---:|---:|---:|`];
  const rows: { scenario: string; key: string; label: string; unit: string; better: string }[] = [];
  for (const s of series) {
    if (!rows.some((r) => r.scenario === s.scenario && r.key === s.metric.key)) rows.push({ scenario: s.scenario, key: s.metric.key, label: s.metric.label, unit: s.metric.unit, better: s.metric.better });
  }
  for (const row of rows) {
    const cells = targets.map((t) => format(find(series, row.scenario, row.key, t), row.unit));
    const v = (t: string): number => find(series, row.scenario, row.key, t);
    const unit = row.unit === "bytes" || row.unit === "ms" || row.unit === "x" ? "" : ` (${row.unit})`;
    const arrow = row.better === "higher" ? "↑" : "↓";
    lines.push(`| ${row.label}${unit} ${arrow} | ${cells.join(" | ")} | ${ratio(v("courant-ws"), v("socket.io-ws"))} | ${ratio(v("courant"), v("socket.io"))} | ${ratio(v("courant-ws"), v("ws"))} |`);
  }
  return lines.join("\n");
}

/** One issue-8 target, checked against this run. */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | undefined;
  /** The same figure for node-floor (bench/sio/targets/node-floor.ts), where it was run: what Node on net.Socket allows at best. */
  floor?: string;
}

/**
 * Checks the issue-8 speed targets against the medians (courant-ws against socket.io-ws).
 *
 * @example
 * for (const c of checkTargets(series)) console.log(c.target, c.met);
 */
export function checkTargets(series: readonly Series[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const cmp = (scenario: string, key: string, target = "courant-ws"): number => find(series, scenario, key, target) / find(series, scenario, key, "socket.io-ws");
  /** A figure and how the table shows it. */
  type Shown = readonly [value: number, text: string];
  const times = (value: number): Shown => [value, `${value.toFixed(2)}×`];
  const kb = (target: string, key: string): Shown => {
    const value = find(series, "idle-memory", key, target);
    return [value, `${(value / 1000).toFixed(2)} KB`];
  };
  const add = (target: string, [value, text]: Shown, goal: number, higher: boolean, floor?: Shown): void => {
    const check: TargetCheck = { target, measured: Number.isFinite(value) ? text : "not run", met: Number.isFinite(value) ? (higher ? value >= goal : value <= goal) : undefined };
    if (floor !== undefined && Number.isFinite(floor[0])) check.floor = floor[1];
    out.push(check);
  };
  add("fan-out, 100 per tick: ≥ 10× socket.io", times(cmp("fanout-burst", "deliveriesPerSecond")), 10, true);
  add("fan-out, 1 per tick: ≥ 1.6× socket.io", times(cmp("fanout-tick", "deliveriesPerSecond")), 1.6, true);
  add("echo, 1 in flight: ≥ 2× socket.io round trips/s", times(cmp("echo-1", "roundTripsPerSecond")), 2, true, times(cmp("echo-1", "roundTripsPerSecond", "node-floor")));
  const p99 = cmp("echo-1", "p99Ms");
  add("echo, 1 in flight: lower p99 than socket.io", [p99, `${find(series, "echo-1", "p99Ms", "courant-ws").toFixed(2)} ms vs ${find(series, "echo-1", "p99Ms", "socket.io-ws").toFixed(2)} ms`], 1, false);
  add("echo, 8 in flight: ≥ 3× socket.io", times(cmp("echo-8", "roundTripsPerSecond")), 3, true, times(cmp("echo-8", "roundTripsPerSecond", "node-floor")));
  // Memory: over all connections, then marginal (without the fixed costs of the first burst).
  for (const [suffix, rssKey, heapKey] of [["", "rssPerConnection", "heapPerConnection"], [" (marginal)", "rssMarginal", "heapMarginal"]] as const) {
    add(`idle RSS per connection ≤ 0.3× socket.io${suffix}`, times(cmp("idle-memory", rssKey)), 0.3, false, times(cmp("idle-memory", rssKey, "node-floor")));
    add(`idle RSS per connection ≤ 4.5 KB${suffix}`, kb("courant-ws", rssKey), 4500, false, kb("node-floor", rssKey));
    add(`idle heap per connection ≤ 1.5 KB${suffix}`, kb("courant-ws", heapKey), 1500, false, kb("node-floor", heapKey));
  }
  const gap = find(series, "idle-capacity", "maxPingGapRatio", "courant-ws");
  add("19 000 idle connections, every heartbeat on time (gap ≤ 1.2 × pingInterval)", [gap, `largest gap ${gap.toFixed(2)} × pingInterval`], 1.2, false);
  return out;
}

/**
 * The target checks as a Markdown table.
 *
 * @example
 * console.log(targetTable(checkTargets(series)));
 */
export function targetTable(checks: readonly TargetCheck[]): string {
  const lines = ["| target (courant-ws vs socket.io-ws) | measured | | node-floor, the bound for Node |", "|---|---:|---|---:|"];
  for (const c of checks) lines.push(`| ${c.target} | ${c.measured} | ${c.met === undefined ? "–" : c.met ? "met" : "**missed**"} | ${c.floor ?? ""} |`);
  return lines.join("\n");
}

const COLORS: Record<string, string> = { "courant-ws": "#1f77b4", courant: "#6baed6", "socket.io-ws": "#d62728", "socket.io": "#ff9896", ws: "#7f7f7f", "node-floor": "#bcbd22" };

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * An SVG bar chart: one group per throughput metric, bars as a ratio to socket.io-ws (log scale).
 *
 * @example
 * writeFileSync("chart.svg", sioSvgChart(series, targets));
 */
export function sioSvgChart(series: readonly Series[], targets: readonly string[]): string {
  const rows: { scenario: string; key: string; label: string }[] = [];
  for (const s of series) {
    if (s.metric.better !== "higher" && s.metric.unit !== "bytes") continue;
    if (!rows.some((r) => r.scenario === s.scenario && r.key === s.metric.key)) rows.push({ scenario: s.scenario, key: s.metric.key, label: s.metric.label });
  }
  const barH = 12;
  const groupH = targets.length * barH + 26;
  const left = 300;
  const width = 900;
  const plotW = width - left - 80;
  const maxLog = Math.log10(64);
  const minLog = Math.log10(1 / 8);
  const xOf = (r: number): number => left + ((Math.min(maxLog, Math.max(minLog, Math.log10(r))) - minLog) / (maxLog - minLog)) * plotW;
  const height = rows.length * groupH + 60;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="18" font-size="14" font-weight="bold">Ratio to socket.io 4 (websocket-only), median of the run; memory rows: socket.io ÷ target (higher is better). Log scale.</text>`,
  ];
  for (const tick of [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]) {
    const x = xOf(tick);
    parts.push(`<line x1="${x}" y1="30" x2="${x}" y2="${height - 20}" stroke="${tick === 1 ? "#000" : "#ddd"}"/>`, `<text x="${x}" y="${height - 6}" text-anchor="middle">${tick}×</text>`);
  }
  rows.forEach((row, g) => {
    const y0 = 40 + g * groupH;
    parts.push(`<text x="10" y="${y0 + 10}" font-weight="bold">${escapeXml(row.label)}</text>`);
    const base = find(series, row.scenario, row.key, "socket.io-ws");
    targets.forEach((t, i) => {
      const v = find(series, row.scenario, row.key, t);
      if (!Number.isFinite(v) || !Number.isFinite(base)) return;
      const r = row.key.endsWith("PerConnection") ? base / v : v / base;
      const y = y0 + 14 + i * barH;
      const x1 = xOf(1 / 8);
      parts.push(
        `<text x="${left - 6}" y="${y + 9}" text-anchor="end">${escapeXml(t)}</text>`,
        `<rect x="${x1}" y="${y}" width="${Math.max(1, xOf(r) - x1)}" height="${barH - 2}" fill="${COLORS[t] ?? "#999"}"/>`,
        `<text x="${xOf(r) + 4}" y="${y + 9}">${r.toFixed(2)}×</text>`,
      );
    });
  });
  parts.push("</svg>");
  return parts.join("\n");
}
