/**
 * The WebSocket implementation under test: ours (`src/websocket`) by default. Set
 * `COURANT_WS_IMPL=ws` to run the same suite against the `ws` package for comparison, e.g.
 * `COURANT_WS_IMPL=ws node --import tsx --test test/conformance/websocket/06-utf8.test.ts`.
 *
 * Tests see the implementation through the small structural types below (the `ws`-shaped API
 * both share), so the suite does not depend on either package's type declarations.
 */
import type { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** Which implementation `WebSocket` and `WebSocketServer` below come from. */
export const IMPL: "courant" | "ws" = process.env["COURANT_WS_IMPL"] === "ws" ? "ws" : "courant";

/** Options of `send`, as in `ws`. */
export interface SendOptions {
  binary?: boolean;
  compress?: boolean;
  fin?: boolean;
}

/** A connected WebSocket, server or client side (the `ws`-shaped public surface). */
export interface WebSocketLike extends EventEmitter {
  readonly readyState: number;
  readonly protocol: string;
  readonly extensions: string;
  readonly bufferedAmount: number;
  send(data: Buffer | string | Uint8Array | ArrayBuffer, options?: SendOptions, cb?: (err?: Error) => void): void;
  ping(data?: Buffer | string): void;
  pong(data?: Buffer | string): void;
  close(code?: number, reason?: string | Buffer): void;
  terminate(): void;
  sendPrepared?(prepared: unknown): void;
}

/** `WebSocketServer` (the `ws`-shaped public surface). */
export interface WebSocketServerLike extends EventEmitter {
  readonly clients: Set<WebSocketLike>;
  address(): { port: number; address: string; family: string } | string | null;
  close(cb?: (err?: Error) => void): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WebSocketLike, req: IncomingMessage) => void): void;
}

/** The constructor of client WebSockets, plus its statics. */
export interface WebSocketConstructor {
  new (url: string, protocols?: string | string[], options?: Record<string, unknown>): WebSocketLike;
  readonly CONNECTING: number;
  readonly OPEN: number;
  readonly CLOSING: number;
  readonly CLOSED: number;
  prepare?(data: Buffer | string, options?: { binary?: boolean }): unknown;
}

export type WebSocketServerConstructor = new (options: Record<string, unknown>, callback?: () => void) => WebSocketServerLike;

const mod = (IMPL === "ws" ? await import("ws") : await import("../../src/websocket/index.js")) as unknown as {
  WebSocket?: WebSocketConstructor;
  WebSocketServer?: WebSocketServerConstructor;
};

if (mod.WebSocket === undefined || mod.WebSocketServer === undefined) {
  throw new Error(`${IMPL === "ws" ? "ws" : "src/websocket/index.ts"} does not export WebSocket and WebSocketServer`);
}

/** The client class under test. */
export const WebSocket: WebSocketConstructor = mod.WebSocket;
/** The server class under test. */
export const WebSocketServer: WebSocketServerConstructor = mod.WebSocketServer;

/**
 * Starts a `WebSocketServer` on 127.0.0.1, port 0, and resolves once it listens.
 *
 * @example
 * const { wss, port } = await listenServer({ maxPayload: 1024 });
 */
export async function listenServer(options: Record<string, unknown> = {}): Promise<{ wss: WebSocketServerLike; port: number }> {
  const wss = await new Promise<WebSocketServerLike>((resolve, reject) => {
    const server: WebSocketServerLike = new WebSocketServer({ port: 0, host: "127.0.0.1", ...options }, () => resolve(server));
    server.once("error", reject);
  });
  const address = wss.address();
  if (address === null || typeof address === "string") throw new Error(`unexpected server address ${String(address)}`);
  return { wss, port: address.port };
}

/**
 * Closes a server and terminates its remaining clients.
 *
 * @example
 * after(() => closeServer(wss));
 */
export async function closeServer(wss: WebSocketServerLike): Promise<void> {
  for (const ws of wss.clients) ws.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
}
