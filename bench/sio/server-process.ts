/**
 * The server side of the Socket.IO benchmark, run as its own pinned process:
 * `node --expose-gc --import tsx bench/sio/server-process.ts <target> <workload JSON>`.
 * It speaks the same IPC protocol as bench/e2e/server-process.ts (`ready`, then `memory`,
 * `connections`, `cpu`, `stop` requests), so bench/e2e/processes.ts drives both.
 */
import type { ServerReply, ServerRequest } from "../e2e/server-process.js";
import { loadSioTarget } from "./targets/index.js";
import type { Workload } from "./workload.js";

const [targetName = "", workloadJson = "{}"] = process.argv.slice(2);

function reply(message: ServerReply): void {
  process.send?.(message);
}

async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main(): Promise<void> {
  const target = await loadSioTarget(targetName);
  const running = await target.start(JSON.parse(workloadJson) as Workload);
  process.on("message", (request: ServerRequest) => {
    if (request.type === "cpu") {
      const cpu = process.cpuUsage();
      reply({ id: request.id, type: "cpu", cpuMicros: cpu.user + cpu.system, wallMicros: Number(process.hrtime.bigint() / 1000n) });
    } else if (request.type === "connections") {
      reply({ id: request.id, type: "connections", connections: running.connectionCount() });
    } else if (request.type === "memory") {
      void collectGarbage().then(() => {
        const m = process.memoryUsage();
        reply({ id: request.id, type: "memory", rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, connections: running.connectionCount() });
      });
    } else if (request.type === "stop") {
      void running.close().then(() => {
        reply({ id: request.id, type: "stopped" });
        // process.exit() (not a kill) so that --cpu-prof writes its profile.
        setTimeout(() => process.exit(0), 20);
      });
    }
  });
  reply({ type: "ready", port: running.port, pid: process.pid });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
