/**
 * The IPC protocol between the benchmark harness and a server process (bench/e2e and bench/sio
 * servers both speak it): the server says `ready` with its port, then answers `memory`,
 * `connections`, `cpu` and `stop` requests.
 */

export type ServerRequest = { id: number; type: "memory" | "connections" | "cpu" | "stop" };
export type ServerReply =
  | { type: "ready"; port: number; pid: number }
  | { id: number; type: "memory"; rss: number; heapUsed: number; external: number; arrayBuffers: number; connections: number }
  | { id: number; type: "connections"; connections: number }
  | { id: number; type: "cpu"; cpuMicros: number; systemMicros: number; wallMicros: number }
  | { id: number; type: "stopped" };

/** What the control loop needs of a running benchmark server. */
export interface ControlledServer {
  readonly port: number;
  connectionCount(): number;
  close(): Promise<void>;
}

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

/**
 * Answers the harness's requests for `running`, then reports it ready.
 *
 * @example
 * ```ts
 * serveControlRequests(await target.start(options));
 * ```
 */
export function serveControlRequests(running: ControlledServer): void {
  process.on("message", (request: ServerRequest) => {
    if (request.type === "cpu") {
      const cpu = process.cpuUsage();
      reply({ id: request.id, type: "cpu", cpuMicros: cpu.user + cpu.system, systemMicros: cpu.system, wallMicros: Number(process.hrtime.bigint() / 1000n) });
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
