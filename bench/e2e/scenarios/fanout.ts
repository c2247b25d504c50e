/**
 * Fan-out: 1000 connections; on request the server broadcasts a batch of 10 fresh 100-byte binary
 * messages to every client; the generator asks for the next batch each time a whole batch has
 * arrived everywhere (four batches in flight). Reported: deliveries (messages received by clients)
 * per second.
 */
import { GeneratorProcess, ServerProcess } from "../processes.js";
import type { Scenario } from "./scenario.js";

const BATCH = 10;

export const fanout: Scenario = {
  name: "fanout",
  description: `fan-out deliveries/s: 1000 connections, 100-byte binary broadcasts in batches of ${BATCH}`,
  metrics: [{ key: "deliveriesPerSecond", label: "fan-out deliveries/s", unit: "msg/s", better: "higher" }],
  targets: ["courant-ws", "ws", "ws-prebuilt-frame"],
  async run(target, { quick }) {
    const connections = 1000;
    const server = await ServerProcess.start(target, "request", BATCH, 100);
    const generator = GeneratorProcess.start({
      mode: "fanout",
      port: server.port,
      connections,
      size: 2,
      inflight: 0,
      batch: BATCH,
      warmupMs: quick ? 500 : 1_000,
      durationMs: quick ? 1_500 : 4_000,
      connectConcurrency: 100,
    });
    try {
      const connected = await generator.next("connected", 60_000);
      const serverCpu = await server.cpuMeter();
      if (connected.failed > 0) throw new Error(`${connected.failed} fan-out connections failed`);
      const { result } = await generator.next("result", 60_000);
      if (result.dropped > 0) throw new Error(`${result.dropped} connections dropped during fan-out`);
      return { deliveriesPerSecond: result.rate, serverCpu: (await serverCpu()).total, generatorCpu: result.cpu };
    } finally {
      await generator.exit();
      await server.stop();
    }
  },
};
