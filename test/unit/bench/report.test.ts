// The benchmark's verdicts (bench/sio/report.ts): each issue-8 target is judged from the medians of
// the run, with the node-floor bound beside it, and a scenario that did not run is said so; the
// README's table goes between its markers.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Series } from "../../../bench/e2e/report.js";
import { SECTION_END, SECTION_START, spliceSection } from "../../../bench/sio/readme-section.js";
import { checkTargets, sioMarkdownTable, targetTable } from "../../../bench/sio/report.js";

const metric = (key: string, better: "higher" | "lower", unit = "msg/s") => ({ key, label: key, unit, better });

function series(scenario: string, key: string, better: "higher" | "lower", byTarget: Record<string, number[]>, unit?: string): Series[] {
  return Object.entries(byTarget).map(([target, values]) => ({ scenario, metric: metric(key, better, unit), target, values }));
}

const run: Series[] = [
  ...series("echo-1", "roundTripsPerSecond", "higher", { "courant-ws": [50, 60, 55], "socket.io-ws": [30, 30, 31], "node-floor": [70, 66, 80] }),
  ...series("echo-1", "p99Ms", "lower", { "courant-ws": [3, 2, 4], "socket.io-ws": [5, 4, 6] }, "ms"),
  ...series("idle-memory", "heapPerConnection", "lower", { "courant-ws": [4000, 4100, 4200], "socket.io-ws": [10000, 10000, 10000], "node-floor": [1000, 1100, 1200] }, "bytes"),
];

test("a target is judged on the median of the repetitions, with the floor's figure beside it", () => {
  const checks = checkTargets(run);
  const echo = checks.find((c) => c.target.startsWith("echo, 1 in flight: ≥ 2×"));
  // Medians 55 / 30 = 1.83×: missed; the floor's 70 / 30 = 2.33×.
  assert.deepEqual(echo, { target: "echo, 1 in flight: ≥ 2× socket.io round trips/s", measured: "1.83×", met: false, floor: "2.33×" });
  const p99 = checks.find((c) => c.target.startsWith("echo, 1 in flight: lower p99"));
  assert.equal(p99?.met, true);
  assert.equal(p99?.measured, "3.00 ms vs 5.00 ms");
  const heap = checks.find((c) => c.target === "idle heap per connection ≤ 1.5 KB");
  assert.deepEqual(heap, { target: "idle heap per connection ≤ 1.5 KB", measured: "4.10 KB", met: false, floor: "1.10 KB" });
});

test("scenarios that did not run are reported as not run, neither met nor missed", () => {
  const checks = checkTargets(run);
  const burst = checks.find((c) => c.target.startsWith("fan-out, 100 per tick"));
  assert.deepEqual(burst, { target: "fan-out, 100 per tick: ≥ 10× socket.io", measured: "not run", met: undefined });
  const table = targetTable(checks);
  assert.ok(table.includes("| fan-out, 100 per tick: ≥ 10× socket.io | not run | – |  |"), table);
  assert.ok(table.includes("| echo, 1 in flight: ≥ 2× socket.io round trips/s | 1.83× | **missed** | 2.33× |"), table);
});

test("the table gives every target's median and Courant's ratios from the same run", () => {
  const table = sioMarkdownTable(run, ["courant-ws", "socket.io-ws", "node-floor"]);
  const row = table.split("\n").find((line) => line.startsWith("| roundTripsPerSecond"));
  assert.equal(row, "| roundTripsPerSecond (msg/s) ↑ | 55 | 30 | 70 | 1.83× |  |  |");
  const heap = table.split("\n").find((line) => line.startsWith("| heapPerConnection"));
  assert.equal(heap, "| heapPerConnection ↓ | 4.00 KiB | 9.77 KiB | 1.07 KiB | 0.41× |  |  |");
});

test("the README's section is replaced between its markers, and a README without them is refused", () => {
  const readme = `intro\n${SECTION_START}\nold table\n${SECTION_END}\nafter\n`;
  assert.equal(spliceSection(readme, "new table"), `intro\n${SECTION_START}\nnew table\n${SECTION_END}\nafter\n`);
  assert.equal(spliceSection(spliceSection(readme, "a"), "b"), spliceSection(readme, "b"), "running it twice changes nothing more");
  assert.throws(() => spliceSection("no markers", "x"), /no <!-- bench:sio -->/);
  assert.throws(() => spliceSection(`${SECTION_END}\n${SECTION_START}`, "x"), /section/);
});
