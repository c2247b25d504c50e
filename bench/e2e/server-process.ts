/**
 * The server side of an end-to-end benchmark, run as its own process (pinned to its own core):
 * `node --expose-gc --import tsx bench/e2e/server-process.ts <target> <mode> <batch> <size>`.
 * It starts the target, reports `{ type: "ready", port }` over IPC and answers the parent's
 * requests (`memory`, `connections`, `stop`).
 */
import { loadTarget } from "../targets/index.js";
import type { TargetMode, TargetServer } from "../targets/target.js";

export type ServerRequest = { id: number; type: "memory" | "connections" | "cpu" | "stop" };
export type ServerReply =
  | { type: "ready"; port: number; pid: number }
  | { id: number; type: "memory"; rss: number; heapUsed: number; external: number; arrayBuffers: number; connections: number }
  | { id: number; type: "connections"; connections: number }
  | { id: number; type: "cpu"; cpuMicros: number; wallMicros: number }
  | { id: number; type: "stopped" };

const [targetName = "", mode = "echo", batchArg = "1", sizeArg = "100"] = process.argv.slice(2);
const batch = Number(batchArg);
const size = Number(sizeArg);

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
  const target = await loadTarget(targetName);
  const box: { server: TargetServer | undefined } = { server: undefined };
  let sequence = 0;
  const payload = Buffer.alloc(size, 0x62);
  const onRequest = (): void => {
    for (let i = 0; i < batch; i++) {
      // A fresh message each time, as a real broadcast would be: the target frames it once (or per client).
      const message = Buffer.from(payload);
      message.writeUInt32BE(sequence++ >>> 0, 0);
      box.server?.broadcast(message);
    }
  };
  const running = await target.start({ mode: mode as TargetMode, onRequest });
  box.server = running;
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
