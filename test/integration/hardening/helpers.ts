// Shared helpers of the hardening tests: a Courant server in a child process (with --expose-gc)
// driven over IPC, and bounded waits.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const fixture = fileURLToPath(new URL("./fixtures/soak-server.ts", import.meta.url));

export interface ServerStats {
  clientsCount: number;
  sockets: number;
  rooms: number;
  sids: number;
  heapUsed: number;
  rss: number;
  connections: number;
  broadcasts: number;
  acked: number;
  uncaught: number;
  /** Server-side disconnect reasons other than "client namespace disconnect" and "transport close". */
  reasons: Record<string, number>;
}

export interface ChildServer {
  child: ChildProcess;
  port: number;
  /** Memory and counters after two forced collections. */
  stats(): Promise<ServerStats>;
  command(cmd: "broadcast-start" | "broadcast-stop"): Promise<void>;
  /** Closes the server and waits for the process to exit (killed after 5 s). */
  close(): Promise<void>;
  /** Kills the process at once (a crash). */
  kill(): Promise<void>;
}

function reply<T>(child: ChildProcess, key: string, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off("message", onMessage);
      reject(new Error(`no "${key}" from the server process within ${ms} ms`));
    }, ms);
    const onMessage = (msg: Record<string, unknown>): void => {
      if (!(key in msg)) return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(msg[key] as T);
    };
    child.on("message", onMessage);
  });
}

function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Starts the fixture server in a child process; `port` 0 picks a free one. */
export async function startChildServer(port = 0): Promise<ChildServer> {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", fixture], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, SOAK_PORT: String(port) },
  });
  const listening = await reply<number>(child, "port", 20_000).catch((err: unknown) => {
    child.kill("SIGKILL");
    throw err;
  });
  return {
    child,
    port: listening,
    async stats() {
      const stats = reply<ServerStats>(child, "stats");
      child.send({ cmd: "stats" });
      return stats;
    },
    async command(cmd) {
      const ok = reply<boolean>(child, "ok");
      child.send({ cmd });
      await ok;
    },
    async close() {
      if (child.connected) child.send({ cmd: "close" });
      await exited(child, 5000);
    },
    async kill() {
      child.kill("SIGKILL");
      await exited(child, 5000);
    },
  };
}

/** Polls `condition` every 50 ms; rejects naming `what` after `ms`. */
export async function until(condition: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const MiB = 1024 * 1024;
/** Bytes as "12.3 MiB". */
export function mib(bytes: number): string {
  return (bytes / MiB).toFixed(1) + " MiB";
}
