// Shared setup of the client integration tests: the same suite runs against our server and the
// official socket.io 4 server, for each transport setting, over real loopback sockets.
import { createServer } from "node:http";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server as OfficialServer } from "socket.io";
import type { ServerOptions } from "socket.io";
import { Server as CourantServer } from "../../../src/index.js";
import { io } from "../../../src/client/index.js";
import type { ClientOptions, Socket } from "../../../src/client/index.js";
import type { TransportName } from "../../../src/client/index.js";

/** The two servers; both are typed as the official one (ours has the same API). */
export const SERVERS = [
  { name: "courant", create: (http: HttpServer, opts: Partial<ServerOptions>) => new CourantServer(http, opts as never) as unknown as OfficialServer },
  { name: "socket.io", create: (http: HttpServer, opts: Partial<ServerOptions>) => new OfficialServer(http, opts) },
] as const;

export type ServerKind = (typeof SERVERS)[number];

/** Every transport setting of the client. */
export const TRANSPORT_SETTINGS: readonly TransportName[][] = [["polling", "websocket"], ["websocket"], ["polling"]];

/** A server under test, which can be stopped and started again on the same port. */
export interface TestServer {
  /** The current Socket.IO server (a new one after `restart`). */
  io: OfficialServer;
  port: number;
  url: string;
  /** Closes the server (clients see their connection drop). */
  stop(): Promise<void>;
  /** Listens again on the same port, with the same options and setup. */
  start(): Promise<void>;
}

const cleanups: (() => unknown)[] = [];

/**
 * Starts a server of `kind`; `setup` registers handlers (again after each restart).
 * Everything started is closed by `cleanup()`.
 */
export async function startServer(kind: ServerKind, opts: Partial<ServerOptions> = {}, setup: (io: OfficialServer) => void = () => {}): Promise<TestServer> {
  let http: HttpServer | undefined;
  const server: TestServer = {
    io: undefined as unknown as OfficialServer,
    port: 0,
    url: "",
    async start() {
      const h = (http = createServer());
      server.io = kind.create(h, { pingInterval: 1000, pingTimeout: 1000, ...opts });
      setup(server.io);
      await new Promise<void>((resolve, reject) => {
        h.once("error", reject);
        h.listen(server.port, "127.0.0.1", () => resolve());
      });
      server.port = (h.address() as AddressInfo).port;
      server.url = `http://127.0.0.1:${server.port}`;
    },
    async stop() {
      const h = http;
      if (h === undefined) return;
      http = undefined;
      const closed = new Promise<void>((resolve) => h.close(() => resolve()));
      void server.io.close();
      h.closeAllConnections();
      await closed;
    },
  };
  await server.start();
  cleanups.push(() => server.stop());
  return server;
}

/** A client of `server` (a new connection each time); disconnected by `cleanup()`. */
export function connect(server: TestServer, nsp = "/", opts: ClientOptions = {}): Socket {
  const socket = io(server.url + nsp, { forceNew: true, reconnectionDelay: 50, reconnectionDelayMax: 200, ...opts });
  cleanups.push(() => socket.io.close());
  return socket;
}

/** Closes every client and server started since the last call. */
export async function cleanup(): Promise<void> {
  const list = cleanups.splice(0).reverse();
  for (const fn of list) await fn();
}

/** Anything with `once` (our client emitters, Node's EventEmitter). */
interface Once {
  once(event: string, listener: (...args: any[]) => void): unknown;
}

/** Resolves with the arguments of the next `event`, or rejects after `ms`. */
export function waitFor<T extends unknown[] = any[]>(emitter: Once, event: string, ms = 3000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout after ${ms}ms waiting for "${event}"`)), ms);
    emitter.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

/** Resolves once `predicate()` holds (polled every 10 ms), or rejects after `ms`. */
export async function until(predicate: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timeout after ${ms}ms waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The server-side socket of the next connection on `nsp`. */
export function nextConnection(server: TestServer, nsp = "/"): Promise<any> {
  return waitFor(server.io.of(nsp), "connection").then(([socket]) => socket);
}
