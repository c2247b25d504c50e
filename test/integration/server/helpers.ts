// Shared fixtures of the server integration tests: a Courant server on 127.0.0.1:0, official
// socket.io-client sockets, and bounded waits (a failure fails, never hangs).

import { once } from "node:events";
import type { EventEmitter } from "node:events";
import { createServer } from "node:http";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io as ioc } from "socket.io-client";
import type { ManagerOptions, Socket as ClientSocket, SocketOptions } from "socket.io-client";
import { Server } from "../../../src/index.js";
import type { ServerOptions } from "../../../src/index.js";

/** The three transport settings every feature is checked with. */
export const TRANSPORT_SETTINGS: readonly { name: string; transports: ("polling" | "websocket")[] }[] = [
  { name: "default (polling, then upgrade)", transports: ["polling", "websocket"] },
  { name: "polling only", transports: ["polling"] },
  { name: "websocket only", transports: ["websocket"] },
];

export interface Fixture {
  io: Server;
  http: HttpServer;
  port: number;
  url: string;
  clients: ClientSocket[];
  /** An official client to `nsp`, not yet connected unless `autoConnect` stays true. */
  client(nsp?: string, opts?: Partial<ManagerOptions & SocketOptions>): ClientSocket;
  /** An official client, resolved once connected. */
  connect(nsp?: string, opts?: Partial<ManagerOptions & SocketOptions>): Promise<ClientSocket>;
  close(): Promise<void>;
}

/** A server on an ephemeral loopback port; `transports` is what clients use by default. */
export async function startServer(options: ServerOptions = {}, transports: ("polling" | "websocket")[] = ["polling", "websocket"]): Promise<Fixture> {
  const http = createServer();
  const io = new Server(http, options);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const clients: ClientSocket[] = [];
  const fixture: Fixture = {
    io,
    http,
    port,
    url,
    clients,
    client(nsp = "/", opts = {}) {
      const socket = ioc(url + nsp, { transports, forceNew: true, reconnection: false, timeout: 5000, ...opts });
      clients.push(socket);
      return socket;
    },
    async connect(nsp = "/", opts = {}) {
      const socket = fixture.client(nsp, opts);
      if (!socket.connected) await waitFor(socket, "connect");
      return socket;
    },
    async close() {
      for (const socket of clients) {
        socket.io.opts.reconnection = false;
        socket.disconnect();
      }
      const closed = new Promise<void>((resolve) => void io.close(() => resolve()));
      http.closeAllConnections();
      await withTimeout(closed, 5000, "io.close()");
    },
  };
  return fixture;
}

/** Rejects after `ms` with a message naming what was awaited. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Listenable {
  once(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/** The arguments of the next `event` on `emitter`, within `ms`. */
export function waitFor<T extends unknown[] = any[]>(emitter: Listenable | EventEmitter | object, event: string, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(args as T);
    };
    const timer = setTimeout(() => {
      (emitter as Listenable).off(event, listener);
      reject(new Error(`timed out after ${ms} ms waiting for "${event}"`));
    }, ms);
    (emitter as Listenable).once(event, listener);
  });
}

/** Collects the first argument of `count` occurrences of `event`, within `ms`. */
export function collect<T = unknown>(emitter: Listenable & { on(event: string, listener: (...args: any[]) => void): unknown }, event: string, count: number, ms = 5000): Promise<T[]> {
  return new Promise<T[]>((resolve, reject) => {
    const items: T[] = [];
    const listener = (item: T): void => {
      items.push(item);
      if (items.length === count) {
        clearTimeout(timer);
        emitter.off(event, listener);
        resolve(items);
      }
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${ms} ms: got ${items.length} of ${count} "${event}"`));
    }, ms);
    emitter.on(event, listener);
  });
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 5 ms until true, failing after `ms`. */
export async function until(condition: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(5);
  }
}

/** `n` connected official clients of `nsp`, each with its server-side socket. */
export async function connectMany(f: Fixture, n: number, nsp = "/"): Promise<{ client: ClientSocket; socket: import("../../../src/index.js").Socket }[]> {
  const pairs: { client: ClientSocket; socket: import("../../../src/index.js").Socket }[] = [];
  for (let i = 0; i < n; i++) {
    const client = await f.connect(nsp);
    const socket = f.io.of(nsp).sockets.get(client.id as string);
    if (socket === undefined) throw new Error(`no server socket for ${String(client.id)}`);
    pairs.push({ client, socket });
  }
  return pairs;
}

/** Records every `event` a client receives (first argument). */
export function record(client: ClientSocket, event: string): unknown[] {
  const seen: unknown[] = [];
  client.on(event, (value: unknown) => seen.push(value));
  return seen;
}
