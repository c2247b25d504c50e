/**
 * Memory per idle connection: the server's RSS and V8 heap (after forced GCs, `--expose-gc`)
 * before and after 10 000 clients connected and sat idle; the delta divided by the count. The
 * generator runs as its own process (it needs 10 000 file descriptors of its own). The time the
 * generator took to open them gives handshakes per second.
 */
import { GeneratorProcess, ServerProcess } from "../processes.js";
import type { Scenario } from "./scenario.js";

export const idleMemory: Scenario = {
  name: "idle-memory",
  description: "memory per idle connection at 10 000 connections, 2 000 with --quick (server RSS and heap delta after GC); handshakes/s while opening them, 200 at a time",
  metrics: [
    { key: "rssPerConnection", label: "RSS per idle connection", unit: "bytes", better: "lower" },
    { key: "heapPerConnection", label: "heap per idle connection", unit: "bytes", better: "lower" },
    { key: "handshakesPerSecond", label: "handshakes/s (200 concurrent)", unit: "conn/s", better: "higher" },
  ],
  targets: ["courant-ws", "ws"],
  async run(target, { quick }) {
    const connections = quick ? 2_000 : 10_000;
    const server = await ServerProcess.start(target, "request");
    const before = await server.request<"memory">("memory");
    const generator = GeneratorProcess.start({
      mode: "idle",
      port: server.port,
      connections,
      size: 2,
      inflight: 0,
      batch: 0,
      warmupMs: 0,
      durationMs: 0,
      connectConcurrency: 200,
    });
    try {
      const connected = await generator.next("connected", 120_000);
      if (connected.failed > 0) throw new Error(`${connected.failed} of ${connections} idle connections failed`);
      await server.waitForConnections(connections);
      const after = await server.request<"memory">("memory");
      return {
        rssPerConnection: (after.rss - before.rss) / connections,
        heapPerConnection: (after.heapUsed - before.heapUsed) / connections,
        handshakesPerSecond: (connections * 1000) / Math.max(1, connected.elapsedMs),
      };
    } finally {
      generator.release();
      await generator.exit();
      await server.stop();
    }
  },
};
