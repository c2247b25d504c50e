/**
 * `npm run bench [-- options]`: end-to-end benchmarks with the server and the load generator in
 * separate processes pinned to separate cores.
 *
 * Suites (`--suite`):
 *   sio (default)        Socket.IO: Courant (websocket-only and default transports) against
 *                        socket.io 4 (both) and ws speaking the protocol by hand (bench/sio/);
 *                        the echo and idle scenarios add node-floor, the bound for any Node
 *                        server on net.Socket
 *   websocket            courant/websocket against ws (bench/e2e/)
 *
 * Options:
 *   --quick              one repetition, short windows, fewer connections (under a minute); for
 *                        sio: fan-out, echo and idle memory, courant-ws against socket.io-ws and ws
 *   --reps <n>           repetitions (default 3; medians are reported)
 *   --scenarios <a,b>    restrict to these scenarios (default: all of the suite)
 *   --targets <a,b>      restrict every scenario to these targets
 *   --profile            (sio) run each server under node --cpu-prof, profiles in bench/sio/profiles/
 *
 * Environment:
 *   BENCH_DISCARD_REQUEST=1  (sio) Courant and socket.io let each session's first HTTP request go
 *                        (`rawSocket.request = null` on the engine's connection, socket.io's memory advice)
 */
import { parseArgs } from "node:util";
import { CORES } from "./e2e/processes.js";
import { markdownTable, writeResults } from "./e2e/report.js";
import type { Series } from "./e2e/report.js";
import { echo } from "./e2e/scenarios/echo.js";
import { fanout } from "./e2e/scenarios/fanout.js";
import { idleMemory } from "./e2e/scenarios/idle-memory.js";
import type { Scenario } from "./e2e/scenarios/scenario.js";
import { runSioSuite } from "./sio/run-sio.js";
import { TARGET_NAMES, loadTarget } from "./targets/index.js";

const SCENARIOS: readonly Scenario[] = [echo, fanout, idleMemory];

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    reps: { type: "string" },
    scenarios: { type: "string" },
    targets: { type: "string" },
    suite: { type: "string", default: "sio" },
    profile: { type: "boolean", default: false },
  },
  allowPositionals: false,
});

const quick = args.quick === true;
const repetitions = args.reps !== undefined ? Math.max(1, Number(args.reps)) : quick ? 1 : 3;
if (args.suite === "sio") {
  await runSioSuite({ quick, repetitions, scenarios: args.scenarios?.split(","), targets: args.targets?.split(","), profile: args.profile === true });
  process.exit(0);
}
if (args.suite !== "websocket") throw new Error(`unknown suite ${args.suite} (known: sio, websocket)`);
const wantedScenarios = args.scenarios?.split(",") ?? SCENARIOS.map((s) => s.name);
const wantedTargets = args.targets?.split(",");
for (const name of wantedTargets ?? []) if (!TARGET_NAMES.includes(name)) throw new Error(`unknown target ${name} (known: ${TARGET_NAMES.join(", ")})`);

const scenarios = SCENARIOS.filter((s) => wantedScenarios.includes(s.name));
const labels: Record<string, string> = {};
for (const name of TARGET_NAMES) labels[name] = (await loadTarget(name)).label;

const started = Date.now();
console.log(`# WebSocket benchmark (${quick ? "quick" : "full"}, ${repetitions} repetition${repetitions === 1 ? "" : "s"})`);
console.log(CORES === undefined ? "cores: not pinned (no taskset or a single core)" : `cores: server on CPU ${CORES.server}, generator on CPU ${CORES.generator} (taskset)`);

const series: Series[] = [];
const runs: { scenario: string; target: string; repetition: number; result: Record<string, number> }[] = [];
for (const scenario of scenarios) {
  const targets = scenario.targets.filter((t) => wantedTargets === undefined || wantedTargets.includes(t));
  for (const metric of scenario.metrics) for (const target of targets) series.push({ scenario: scenario.name, metric, target, values: [] });
  for (let rep = 1; rep <= repetitions; rep++) {
    // Targets alternate within each repetition so slow drift of the machine hits all of them alike.
    for (const target of targets) {
      const t0 = Date.now();
      const result = await scenario.run(target, { quick });
      for (const metric of scenario.metrics) {
        const value = result[metric.key];
        if (value === undefined) throw new Error(`${scenario.name} did not report ${metric.key}`);
        series.find((s) => s.scenario === scenario.name && s.metric.key === metric.key && s.target === target)?.values.push(value);
      }
      runs.push({ scenario: scenario.name, target, repetition: rep, result });
      const shown = Object.entries(result)
        .map(([key, value]) => `${key}=${value < 10 ? value.toFixed(2) : Math.round(value)}`)
        .join(" ");
      console.log(`  ${scenario.name} #${rep} ${target}: ${shown} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }
}

console.log("");
console.log(markdownTable(series));
console.log("");
for (const [name, label] of Object.entries(labels)) if (series.some((s) => s.target === name)) console.log(`- **${name}**: ${label}`);
for (const scenario of scenarios) console.log(`- ${scenario.name}: ${scenario.description}`);
console.log("- serverCpu / generatorCpu in the run lines: CPU share of each process (1.00 = one core); a generator near 1.00 means the load, not the server, set the pace.");
const file = writeResults({ quick, repetitions, cores: CORES ?? null, labels, series, runs });
console.log(`\nresults: ${file} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
