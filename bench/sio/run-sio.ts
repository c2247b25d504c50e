/**
 * The Socket.IO benchmark suite (issue 8): every scenario against every target, repetitions
 * alternating targets, medians, ratios, the target checks, and the outputs in bench/results/
 * (`latest.md`, `latest.svg`, `sio-<timestamp>.json`).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { CORES } from "../e2e/processes.js";
import { median } from "../e2e/report.js";
import type { Series } from "../e2e/report.js";
import { checkTargets, sioMarkdownTable, sioSvgChart, targetTable } from "./report.js";
import { SIO_SCENARIOS } from "./scenarios.js";
import { ALL_SIO_TARGETS, loadSioTarget } from "./targets/index.js";

const QUICK_TARGETS = ["courant-ws", "socket.io-ws", "ws"];

/** What a run stores in its JSON file (and what the Markdown is rendered from). */
export interface SioRunData {
  date: string;
  node: string;
  cpu: string;
  cpuCount: number;
  cores: { server: number; generator: number } | null;
  quick: boolean;
  repetitions: number;
  labels: Record<string, string>;
  series: { scenario: string; metric: string; unit: string; target: string; values: number[]; median: number }[];
  runs: { scenario: string; target: string; repetition: number; result: Record<string, number> }[];
  failures: string[];
}

/** The series of a stored run with their metric descriptions restored. */
export function seriesOf(data: SioRunData): Series[] {
  const out: Series[] = [];
  for (const s of data.series) {
    const metric = SIO_SCENARIOS.find((x) => x.name === s.scenario)?.metrics.find((m) => m.key === s.metric);
    if (metric !== undefined) out.push({ scenario: s.scenario, metric, target: s.target, values: s.values.filter((v) => typeof v === "number" && Number.isFinite(v)) });
  }
  return out;
}

/**
 * The targets that have figures in `series`, in report order.
 *
 * @example
 * targetsOf(seriesOf(data)); // ["courant-ws", "socket.io-ws", "node-floor"]
 */
export function targetsOf(series: readonly Series[]): string[] {
  return ALL_SIO_TARGETS.filter((t) => series.some((s) => s.target === t && s.values.length > 0));
}

/**
 * The Markdown report of a run: medians and ratios, the issue-8 target checks, what each target
 * and scenario is, and each process's CPU share, each core's busy share and the throughput per
 * server CPU-second (which a machine shared with other work disturbs less than raw throughput).
 *
 * @example
 * console.log(renderMarkdown(JSON.parse(readFileSync(file, "utf8"))));
 */
export function renderMarkdown(data: SioRunData): string {
  const series = seriesOf(data);
  const targets = targetsOf(series);
  const scenarios = SIO_SCENARIOS.filter((s) => data.runs.some((r) => r.scenario === s.name));
  const cpuLines: string[] = [];
  for (const scenario of scenarios) {
    const primary = scenario.metrics.find((m) => m.better === "higher");
    const perCore = (target: string): number => {
      const mine = data.runs.filter((r) => r.scenario === scenario.name && r.target === target);
      return median(mine.map((r) => (primary === undefined ? Number.NaN : (r.result[primary.key] ?? Number.NaN) / (r.result["serverCpu"] ?? Number.NaN))));
    };
    for (const target of targets) {
      const mine = data.runs.filter((r) => r.scenario === scenario.name && r.target === target);
      if (mine.length === 0 || typeof mine[0]?.result["serverCpu"] !== "number") continue;
      const m = (key: string): string => {
        const value = median(mine.map((r) => r.result[key] ?? Number.NaN));
        return Number.isFinite(value) ? value.toFixed(2) : "–";
      };
      const eff = perCore(target);
      const base = perCore(target === "courant" || target === "socket.io" ? "socket.io" : "socket.io-ws");
      const effText = Number.isFinite(eff) ? `${Math.round(eff).toLocaleString("en-US")}${Number.isFinite(base) && base > 0 ? ` (${(eff / base).toFixed(2)}×)` : ""}` : "";
      cpuLines.push(`| ${scenario.name} | ${target} | ${m("serverCpu")} | ${m("serverKernelCpu")} | ${m("generatorCpu")} | ${m("core0Busy")} | ${m("core1Busy")} | ${effText} |`);
    }
  }
  const cores = data.cores;
  return [
    `Measured ${data.date.slice(0, 10)} with \`npm run bench${data.quick ? " -- --quick" : ""}\` (Node ${data.node}, ${data.cpu}, ${data.cpuCount} cores; ` +
      `${cores === null ? "processes not pinned" : `server pinned to CPU ${cores.server}, load generator(s) to CPU ${cores.generator}`}; median of ${data.repetitions}).`,
    "",
    sioMarkdownTable(series, targets),
    "",
    targetTable(checkTargets(series)),
    "",
    ...targets.map((t) => `- **${t}**: ${data.labels[t] ?? t}`),
    ...scenarios.map((s) => `- *${s.name}*: ${s.description}`),
    "",
    "CPU share (median; 1.00 = one core): a generator or core near 1.00 means the load, not the server, set the pace; a core busy near 1.00 while the two processes add up to less means other work shared the machine. " +
      "The kernel's part of the server's share is its system calls, which on loopback include delivering what it writes to the generator's sockets: work no server code avoids once it makes one read and one write per message. " +
      "The last column divides the scenario's main throughput by the server process's CPU share: work per server core-second, and its ratio to socket.io with the same transports.",
    "",
    "| scenario | target | server process | of it in the kernel | generator process | core 0 busy | core 1 busy | per server core-second |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...cpuLines,
    ...(data.failures.length > 0 ? ["", "Failed runs:", ...data.failures.map((f) => `- ${f}`)] : []),
  ].join("\n");
}

export interface SioSuiteOptions {
  quick: boolean;
  repetitions: number;
  scenarios: readonly string[] | undefined;
  targets: readonly string[] | undefined;
  profile: boolean;
}

function shown(result: Record<string, number>): string {
  return Object.entries(result)
    .map(([key, value]) => `${key}=${Math.abs(value) < 10 ? value.toFixed(2) : Math.round(value)}`)
    .join(" ");
}

/**
 * Runs the suite and writes the results; returns the Markdown report.
 *
 * @example
 * await runSioSuite({ quick: true, repetitions: 1, scenarios: undefined, targets: undefined, profile: false });
 */
export async function runSioSuite(options: SioSuiteOptions): Promise<string> {
  for (const name of options.targets ?? []) if (!ALL_SIO_TARGETS.includes(name)) throw new Error(`unknown target ${name} (known: ${ALL_SIO_TARGETS.join(", ")})`);
  for (const name of options.scenarios ?? []) if (!SIO_SCENARIOS.some((s) => s.name === name)) throw new Error(`unknown scenario ${name} (known: ${SIO_SCENARIOS.map((s) => s.name).join(", ")})`);
  const scenarios = SIO_SCENARIOS.filter((s) => (options.scenarios === undefined ? (options.quick ? s.quick === true : true) : options.scenarios.includes(s.name)));
  // --quick without --targets: Courant (websocket-only) against both baselines only.
  const wanted = options.targets ?? (options.quick ? QUICK_TARGETS : undefined);
  const labels: Record<string, string> = {};
  const discarding = process.env["BENCH_DISCARD_REQUEST"] === "1";
  for (const name of ALL_SIO_TARGETS) {
    const target = await loadSioTarget(name);
    labels[name] = target.label + (discarding && target.discardsRequest ? "; first request discarded (BENCH_DISCARD_REQUEST=1)" : "");
  }

  const started = Date.now();
  console.log(`# Socket.IO benchmark (${options.quick ? "quick" : "full"}, ${options.repetitions} repetition${options.repetitions === 1 ? "" : "s"})`);
  console.log(CORES === undefined ? "cores: not pinned (no taskset or a single core)" : `cores: server on CPU ${CORES.server}, generator(s) on CPU ${CORES.generator} (taskset)`);
  const series: Series[] = [];
  const runs: { scenario: string; target: string; repetition: number; result: Record<string, number> }[] = [];
  const failures: string[] = [];
  for (const scenario of scenarios) {
    const targets = scenario.targets.filter((t) => wanted === undefined || wanted.includes(t));
    for (const metric of scenario.metrics) for (const target of targets) series.push({ scenario: scenario.name, metric, target, values: [] });
    const reps = scenario.repetitions ?? options.repetitions;
    for (let rep = 1; rep <= reps; rep++) {
      // Targets alternate within each repetition so slow drift of the machine hits all alike.
      for (const target of targets) {
        const t0 = Date.now();
        let result: Record<string, number>;
        try {
          // NaN (e.g. no latency sample in the window) crosses IPC as null.
          const raw = await scenario.run(target, { quick: options.quick, profile: options.profile });
          result = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, typeof value === "number" ? value : Number.NaN]));
        } catch (err) {
          const message = `${scenario.name} #${rep} ${target}: FAILED ${err instanceof Error ? err.message : String(err)}`;
          failures.push(message);
          console.log(`  ${message}`);
          continue;
        }
        for (const metric of scenario.metrics) {
          const value = result[metric.key];
          if (value !== undefined && Number.isFinite(value)) series.find((s) => s.scenario === scenario.name && s.metric.key === metric.key && s.target === target)?.values.push(value);
        }
        runs.push({ scenario: scenario.name, target, repetition: rep, result });
        console.log(`  ${scenario.name} #${rep} ${target}: ${shown(result)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      }
    }
  }

  const date = new Date().toISOString();
  const data: SioRunData = {
    date,
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cpuCount: cpus().length,
    cores: CORES ?? null,
    quick: options.quick,
    repetitions: options.repetitions,
    labels,
    series: series.map((s) => ({ scenario: s.scenario, metric: s.metric.key, unit: s.metric.unit, target: s.target, values: s.values, median: median(s.values) })),
    runs,
    failures,
  };
  const md = renderMarkdown(data);
  const checks = checkTargets(series);

  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  const stamp = date.replace(/[:.]/g, "-");
  const json = `${dir}sio-${options.quick ? "quick-" : ""}${stamp}.json`;
  writeFileSync(
    json,
    JSON.stringify(
      { ...data, checks },
      null,
      2,
    ) + "\n",
  );
  const prefix = options.quick ? "quick" : "latest";
  writeFileSync(`${dir}${prefix}.md`, md + "\n");
  writeFileSync(`${dir}${prefix}.svg`, sioSvgChart(series, targetsOf(series)) + "\n");
  console.log("");
  console.log(md);
  console.log(`\nresults: ${json}, ${dir}${prefix}.md, ${dir}${prefix}.svg (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return md;
}
