/**
 * Echo round trips: 100 connections, 100-byte binary messages, 8 in flight per connection; the
 * server sends every message back. Reported: round trips per second.
 */
import { GeneratorProcess, ServerProcess } from "../processes.js";
import type { Scenario } from "./scenario.js";

export const echo: Scenario = {
  name: "echo",
  description: "echo round trips/s: 100 connections, 100-byte binary messages, 8 in flight each",
  metrics: [{ key: "roundTripsPerSecond", label: "echo round trips/s", unit: "msg/s", better: "higher" }],
  targets: ["courant-ws", "courant-ws-handler", "ws"],
  async run(target, { quick }) {
    const server = await ServerProcess.start(target, "echo");
    const generator = GeneratorProcess.start({
      mode: "echo",
      port: server.port,
      connections: 100,
      size: 100,
      inflight: 8,
      batch: 0,
      warmupMs: quick ? 500 : 1_000,
      durationMs: quick ? 1_500 : 4_000,
      connectConcurrency: 50,
    });
    try {
      const connected = await generator.next("connected", 30_000);
      const serverCpu = await server.cpuMeter();
      if (connected.failed > 0) throw new Error(`${connected.failed} echo connections failed`);
      const { result } = await generator.next("result", 60_000);
      if (result.dropped > 0) throw new Error(`${result.dropped} connections dropped during echo`);
      return { roundTripsPerSecond: result.rate, serverCpu: (await serverCpu()).total, generatorCpu: result.cpu };
    } finally {
      await generator.exit();
      await server.stop();
    }
  },
};
