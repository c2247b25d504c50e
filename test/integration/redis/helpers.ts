// Shared fixtures of the Redis tests: whether a Redis answers (skip with the reason outside CI,
// fail in CI), server processes driven over IPC, recording clients, a private redis-server for
// restart tests, and bounded waits.

import assert from "node:assert/strict";
import { fork, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createClient } from "redis";
import { io as ioc } from "socket.io-client";
import type { ManagerOptions, Socket as ClientSocket, SocketOptions } from "socket.io-client";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Resolves once a Redis at `url` answers PING (false after `timeout` ms). */
export async function redisAnswers(url: string, timeout = 2000): Promise<boolean> {
  const client = createClient({ url, socket: { connectTimeout: timeout, reconnectStrategy: false } });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    if (client.isOpen) client.destroy();
  }
}

async function skipReason(): Promise<string | false> {
  if (await redisAnswers(REDIS_URL)) return false;
  const reason = `no Redis answers at ${REDIS_URL} (start one, or set REDIS_URL)`;
  if (process.env.CI === "true") throw new Error(`Redis tests cannot run in CI: ${reason}`);
  return `skipped: ${reason}`;
}

/** The `skip` option of every Redis test: false when Redis answers; in CI a missing Redis fails instead. */
export const skip: string | false = await skipReason();

/** A channel prefix no other test (or engineer) uses. */
export function uniqueKey(name: string): string {
  return `courant-test-${name}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` every 20 ms; fails with `message` after `timeout` ms. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, message: string, timeout = 5000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms: ${message}`);
    await sleep(20);
  }
}

/** `promise`, or a failure after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const FIXTURE = fileURLToPath(new URL("./fixtures/server.ts", import.meta.url));

export interface ServerOptions {
  impl?: "courant" | "socketio";
  name: string;
  key: string;
  redisUrl?: string;
  client?: "node-redis" | "ioredis";
  sharded?: boolean;
  heartbeatInterval?: number;
  heartbeatTimeout?: number;
  requestsTimeout?: number;
}

/** A server process of the fleet (fixtures/server.ts), driven over IPC. */
export class ServerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  readonly uid: string | undefined;
  readonly exited: Promise<unknown>;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  private constructor(name: string, child: ChildProcess, port: number, uid: string | undefined) {
    this.name = name;
    this.child = child;
    this.port = port;
    this.uid = uid;
    this.exited = once(child, "exit");
    child.on("message", (message: { id?: number; result?: unknown; error?: { message: string } }) => {
      if (message.id === undefined) return;
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.error !== undefined) pending.reject(new Error(`${this.name}: ${message.error.message}`));
      else pending.resolve(message.result);
    });
    child.on("exit", () => {
      for (const pending of this.#pending.values()) pending.reject(new Error(`${this.name} exited`));
      this.#pending.clear();
    });
  }

  static async start(options: ServerOptions): Promise<ServerProcess> {
    const child = fork(FIXTURE, [], {
      execArgv: ["--import", "tsx"],
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: {
        ...process.env,
        IMPL: options.impl ?? "courant",
        NAME: options.name,
        KEY: options.key,
        REDIS_URL: options.redisUrl ?? REDIS_URL,
        CLIENT: options.client ?? "node-redis",
        SHARDED: options.sharded === true ? "1" : "0",
        HEARTBEAT_INTERVAL: String(options.heartbeatInterval ?? 5000),
        HEARTBEAT_TIMEOUT: String(options.heartbeatTimeout ?? 10000),
        REQUESTS_TIMEOUT: String(options.requestsTimeout ?? 5000),
      },
    });
    const ready = new Promise<{ port: number; uid?: string }>((resolve, reject) => {
      child.on("message", (message: { ready?: boolean; port: number; uid?: string }) => {
        if (message.ready === true) resolve(message);
      });
      child.once("exit", (code) => reject(new Error(`${options.name} exited with ${code} before it was ready`)));
    });
    try {
      const { port, uid } = await within(ready, 20_000, `${options.name} starting`);
      return new ServerProcess(options.name, child, port, uid);
    } catch (err) {
      child.kill("SIGKILL");
      throw err;
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Runs a fixture command; fails after `timeout` ms. */
  call(cmd: string, args: Record<string, unknown> = {}, timeout = 15_000): Promise<any> {
    const id = this.#nextId++;
    const result = new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.child.send({ id, cmd, ...args });
    return within(result, timeout, `${this.name} ${cmd}`);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ cmd: "close" });
    try {
      await within(this.exited, 5000, `${this.name} closing`);
    } catch {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** An official socket.io-client that records every event it receives. */
export class RecordingClient {
  readonly name: string;
  readonly socket: ClientSocket;
  readonly events: [string, unknown[]][] = [];

  constructor(url: string, name: string, options: { rooms?: string[]; nsp?: string; transports?: ("polling" | "websocket")[] } & Partial<ManagerOptions & SocketOptions> = {}) {
    this.name = name;
    const { rooms, nsp, transports, ...rest } = options;
    this.socket = ioc(url + (nsp ?? "/"), {
      transports: transports ?? ["websocket"],
      forceNew: true,
      reconnection: false,
      timeout: 5000,
      auth: { name, rooms: rooms ?? [] },
      ...rest,
    });
    this.socket.onAny((event: string, ...args: unknown[]) => {
      // An ack callback answers with the client's name.
      const last = args[args.length - 1];
      if (typeof last === "function") (last as (v: unknown) => void)(name);
      this.events.push([event, args]);
    });
  }

  get id(): string {
    return this.socket.id as string;
  }

  async connected(): Promise<this> {
    if (!this.socket.connected) {
      await within(new Promise((resolve) => this.socket.once("connect", () => resolve(undefined))), 8000, `${this.name} connecting`);
    }
    return this;
  }

  count(event: string): number {
    let n = 0;
    for (const [name] of this.events) if (name === event) n++;
    return n;
  }

  argsOf(event: string): unknown[][] {
    return this.events.filter(([name]) => name === event).map(([, args]) => args);
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Waits until each client named in `expected[event]` got `event`, then a little more, and checks
 * every client's count of every event: 1 when named, 0 otherwise (`atMostOnce` holds
 * "event:client" pairs allowed 0 or 1).
 */
export async function expectDeliveries(
  clients: Record<string, RecordingClient>,
  expected: Record<string, string[]>,
  atMostOnce: ReadonlySet<string> = new Set(),
): Promise<void> {
  const missing = (): string[] =>
    Object.entries(expected).flatMap(([event, names]) =>
      names.filter((name) => !atMostOnce.has(`${event}:${name}`) && clients[name]!.count(event) === 0).map((name) => `${event} at ${name}`),
    );
  try {
    await waitUntil(() => missing().length === 0, `deliveries of ${Object.keys(expected).join(", ")}`, 8000);
  } catch {
    assert.fail(`never delivered: ${missing().join(", ")}`);
  }
  // Duplicates would arrive within a few ms; give them time to show.
  await sleep(300);
  for (const [event, names] of Object.entries(expected)) {
    for (const client of Object.values(clients)) {
      const count = client.count(event);
      const want = names.includes(client.name) ? 1 : 0;
      if (atMostOnce.has(`${event}:${client.name}`)) assert.ok(count <= 1, `${event} reached ${client.name} ${count} times (at most once)`);
      else assert.equal(count, want, `${event} reached ${client.name} ${count} times, expected ${want}`);
    }
  }
}

/** A free TCP port on 127.0.0.1 (for a private redis-server). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of this test's own, on a fixed port, that can be stopped and started again. */
export class PrivateRedis {
  readonly port: number;
  #child: ChildProcess | undefined;

  constructor(port: number) {
    this.port = port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", "/tmp"], {
      stdio: "ignore",
    });
    child.on("error", () => {});
    this.#child = child;
    await waitUntil(() => redisAnswers(this.url, 500), `redis-server on port ${this.port} answering`, 10_000);
  }

  async stop(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.#child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill(signal);
    await within(exited, 5000, "redis-server stopping");
    this.#child = undefined;
  }
}

/** Whether a redis-server binary can be started (the restart test needs one). */
export async function canSpawnRedis(): Promise<boolean> {
  const child = spawn("redis-server", ["--version"], { stdio: "ignore" });
  const failed = new Promise<[number]>((resolve) => child.on("error", () => resolve([1])));
  try {
    const [code] = (await within(Promise.race([once(child, "exit"), failed]), 5000, "redis-server --version")) as [number | null];
    return code === 0;
  } catch {
    return false;
  }
}
