// Shared helpers of the engine integration tests: a server on a loopback port, raw HTTP
// requests with a deadline, and bounded waits for events.
import { createServer, request as httpRequest } from "node:http";
import type { IncomingHttpHeaders, Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { EventEmitter } from "node:events";
import { Engine } from "../../../src/engine/index.js";
import type { EngineOptions, Session } from "../../../src/engine/index.js";

export interface TestServer {
  http: HttpServer;
  engine: Engine;
  port: number;
  /** "http://127.0.0.1:<port>" */
  origin: string;
  close(): Promise<void>;
}

/** An engine attached to a fresh HTTP server on port 0. */
export async function startEngine(options?: EngineOptions, setup?: (http: HttpServer) => void): Promise<TestServer> {
  const http = createServer();
  setup?.(http);
  const engine = new Engine(options).attach(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    http,
    engine,
    port,
    origin: `http://127.0.0.1:${port}`,
    close: () => {
      engine.close();
      http.closeAllConnections();
      return new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** One HTTP request with its own connection; rejects after `timeout` ms (no response may stay open). */
export function request(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string | number>; body?: string | Buffer; timeout?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() });
      });
      res.on("error", reject);
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`request ${options.method ?? "GET"} ${path} got no complete response within ${options.timeout ?? 3000} ms`));
    }, options.timeout ?? 3000);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

/** Resolves with the arguments of the next `event`, or rejects after `ms`. */
export function waitFor<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, listener);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(args as T);
    };
    emitter.once(event, listener);
  });
}

/** Rejects after `ms` unless `promise` settles first: the shared `withTimeout` of test/helpers/wait.ts. */
export { withTimeout as within } from "../../helpers/wait.js";

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every few ms until it is true, or rejects after `ms`. */
export async function until(check: () => boolean, ms = 3000, label = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${label}: not met within ${ms} ms`);
    await delay(5);
  }
}

/** Performs a polling handshake; returns the session id and the parsed open packet. */
export async function handshake(
  server: TestServer,
  query = "",
): Promise<{ sid: string; open: { sid: string; upgrades: string[]; pingInterval: number; pingTimeout: number; maxPayload: number }; session: Session; response: RawResponse }> {
  const connection = waitFor<[Session]>(server.engine, "connection");
  const response = await request(server.port, `/engine.io/?EIO=4&transport=polling${query}`);
  const [session] = await connection;
  const first = response.text.split("\x1e")[0] ?? "";
  if (!first.startsWith("0")) throw new Error(`not an open packet: ${response.text}`);
  const open = JSON.parse(first.slice(1)) as { sid: string; upgrades: string[]; pingInterval: number; pingTimeout: number; maxPayload: number };
  return { sid: open.sid, open, session, response };
}

export function pollPath(sid: string): string {
  return `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
}
