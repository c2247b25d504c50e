/**
 * Starting the benchmark's child processes: the server (one target) and the load generator,
 * each pinned to its own CPU core with `taskset` when it exists, talking to the parent over IPC
 * with a deadline on every answer.
 */
import { fork } from "node:child_process";
import type { ChildProcess, Serializable } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { GeneratorJob, GeneratorMessage } from "../generator/generator.js";
import type { ServerReply, ServerRequest } from "./server-control.js";

const SERVER_ENTRY = fileURLToPath(new URL("./server-process.ts", import.meta.url));
const GENERATOR_ENTRY = fileURLToPath(new URL("../generator/generator.ts", import.meta.url));
const TASKSET = ["/usr/bin/taskset", "/bin/taskset"].find((p) => existsSync(p));

/** Cores for the server and the generator, or undefined when they cannot be pinned. */
export const CORES: { server: number; generator: number } | undefined =
  TASKSET !== undefined && availableParallelism() >= 2 ? { server: 0, generator: 1 } : undefined;

/**
 * Forks a Node process running `entry` through tsx, pinned to `core` with taskset when possible.
 *
 * @example
 * const child = spawnNode(entry, [], ["--expose-gc"], CORES?.server);
 */
export function spawnNode(entry: string, args: string[], nodeFlags: string[], core: number | undefined): ChildProcess {
  const execArgv = [...nodeFlags, "--import", "tsx"];
  if (TASKSET === undefined || core === undefined) {
    return fork(entry, args, { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  }
  // fork() through taskset: run node under taskset with an IPC channel.
  return fork(entry, args, {
    execPath: TASKSET,
    execArgv: ["-c", String(core), process.execPath, ...execArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
}

/**
 * Waits for the first IPC message from `child` that `accept` maps to a value; rejects when the
 * child exits or after `timeoutMs`.
 *
 * @example
 * const ready = await waitFor(child, (m) => m, 5_000, "start");
 */
export function waitFor<T>(child: ChildProcess, accept: (message: unknown) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      let value: T | undefined;
      try {
        value = accept(message);
      } catch (err) {
        cleanup();
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${what}: process exited with ${code}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** `/proc/<pid>/stat` counts CPU time in clock ticks of this many per second (USER_HZ on Linux). */
const CLOCK_TICKS = 100;

/** A process's CPU use: all of it, and the part spent in the kernel (system calls, loopback delivery). */
export interface CpuTime {
  total: number;
  kernel: number;
}

/** User + system CPU seconds of a process, all its threads, from its `/proc/<pid>/stat`. */
function processCpuSeconds(statPath: string): CpuTime {
  const text = readFileSync(statPath, "latin1");
  // Fields after the command name (which may hold spaces) in parentheses: state is field 3, utime 14, stime 15.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const kernel = Number(fields[12]) / CLOCK_TICKS;
  return { total: Number(fields[11]) / CLOCK_TICKS + kernel, kernel };
}

/** A running server process. */
export class ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** The server's own process id (taskset execs node, so it is the child's). */
  readonly pid: number;
  #nextId = 1;

  private constructor(child: ChildProcess, port: number, pid: number) {
    this.child = child;
    this.port = port;
    this.pid = pid;
  }

  /** Starts `target` in `mode` and waits until it listens. */
  static async start(target: string, mode: "echo" | "request", batch = 1, size = 100): Promise<ServerProcess> {
    return ServerProcess.launch(SERVER_ENTRY, [target, mode, String(batch), String(size)], [], target);
  }

  /**
   * Starts another server entry speaking the same IPC protocol (`ready`, `memory`, `connections`,
   * `cpu`, `stop`), e.g. the Socket.IO benchmark's, with extra Node flags (`--cpu-prof`, ...).
   */
  static async launch(entry: string, args: string[], extraFlags: string[], target: string): Promise<ServerProcess> {
    const child = spawnNode(entry, args, ["--expose-gc", "--max-old-space-size=4096", ...extraFlags], CORES?.server);
    const ready = await waitFor(child, (m) => ((m as ServerReply).type === "ready" ? (m as Extract<ServerReply, { type: "ready" }>) : undefined), 30_000, `${target} server start`);
    return new ServerProcess(child, ready.port, ready.pid);
  }

  async request<T extends ServerReply["type"]>(type: ServerRequest["type"], timeoutMs = 30_000): Promise<Extract<ServerReply, { type: T }>> {
    const id = this.#nextId++;
    const answer = waitFor(this.child, (m) => ((m as { id?: number }).id === id ? (m as Extract<ServerReply, { type: T }>) : undefined), timeoutMs, `server ${type}`);
    this.child.send({ id, type } satisfies ServerRequest);
    return answer;
  }

  /**
   * Starts measuring the server's CPU share; the returned function reads it (1 = one core busy),
   * with the kernel's part of it. On Linux it reads the kernel's count for the process (all
   * threads), which a server busy writing a backlog cannot delay; elsewhere it asks the server.
   */
  async cpuMeter(): Promise<() => Promise<CpuTime>> {
    const stat = `/proc/${this.pid}/stat`;
    if (existsSync(stat)) {
      const cpu0 = processCpuSeconds(stat);
      const wall0 = performance.now();
      return async () => {
        const cpu = processCpuSeconds(stat);
        const wall = Math.max(0.001, (performance.now() - wall0) / 1000);
        return { total: (cpu.total - cpu0.total) / wall, kernel: (cpu.kernel - cpu0.kernel) / wall };
      };
    }
    const first = await this.request<"cpu">("cpu");
    return async () => {
      const now = await this.request<"cpu">("cpu");
      const wall = Math.max(1, now.wallMicros - first.wallMicros);
      return { total: (now.cpuMicros - first.cpuMicros) / wall, kernel: (now.systemMicros - first.systemMicros) / wall };
    };
  }

  /** Polls until the server counts `n` connections. */
  async waitForConnections(n: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { connections } = await this.request<"connections">("connections");
      if (connections >= n) return;
      if (Date.now() > deadline) throw new Error(`server has ${connections} of ${n} connections`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Ends the server at once (SIGKILL), for when its measurement is over and nothing more is read
   * from it: a server still writing a backlog (socket.io after a burst) took seconds to close.
   */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGKILL");
    await exited;
  }

  /** Closes the server and lets it exit on its own (which `--cpu-prof` needs to write its profile). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    try {
      await this.request("stop", 10_000);
    } catch {
      this.child.kill("SIGKILL");
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/**
 * A running load-generator process speaking a message protocol whose replies carry a `type`
 * (an `error` reply rejects): the base of both suites' generators.
 */
export class GeneratorChild<Message extends { type: string; message?: string }> {
  readonly child: ChildProcess;

  protected constructor(entry: string, job: unknown) {
    this.child = spawnNode(entry, [], ["--max-old-space-size=4096"], CORES?.generator);
    this.child.send(job as Serializable);
  }

  /** Waits for the generator's next message of `type` (an `error` message rejects). */
  next<T extends Message["type"]>(type: T, timeoutMs: number): Promise<Extract<Message, { type: T }>> {
    return waitFor(
      this.child,
      (m) => {
        const message = m as Message;
        if (message.type === "error") throw new Error(`generator: ${message.message}`);
        return message.type === type ? (message as Extract<Message, { type: T }>) : undefined;
      },
      timeoutMs,
      `generator ${type}`,
    );
  }

  /** Tells an idle generator to close its connections and exit. */
  release(): void {
    if (this.child.connected) this.child.send({ type: "stop" });
  }

  async exit(timeoutMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/** A running generator process of the WebSocket suite. */
export class GeneratorProcess extends GeneratorChild<GeneratorMessage> {
  /** Starts a generator on the generator core and hands it `job`. */
  static start(job: GeneratorJob): GeneratorProcess {
    return new GeneratorProcess(GENERATOR_ENTRY, job);
  }
}
