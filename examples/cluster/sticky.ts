// Sticky sessions for node:cluster, so that HTTP long-polling works with several workers.
//
// Why: a long-polling client is one Engine.IO session made of many HTTP requests (a GET that
// waits for data, a POST for each send). The session lives in the memory of the process that
// created it; a request that reaches another process gets "Session ID unknown" and the client
// has to start over. Node's cluster spreads TCP connections round-robin, so polling breaks.
// WebSocket-only clients need none of this: a WebSocket is one TCP connection, it stays where
// it landed.
//
// How: the primary accepts every TCP connection itself, reads the first HTTP request, and hands
// the connection (with the bytes it read) to a worker:
//   - a request with `sid=<worker>.<id>` goes to that worker: each worker makes session ids that
//     start with its own index (`stickySessionId`);
//   - anything else (a handshake, a static file) goes round-robin.
// Because one keep-alive connection could later carry a request of another session, workers
// close every connection after its response (`acceptStickyConnections`): each HTTP request
// arrives on a fresh connection and is routed on its own. (A production load balancer does the
// same job better: nginx `hash $arg_sid` or `ip_hash`, HAProxy `balance url_param sid`, or a
// cookie; see the README.)

import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { Server as NetServer, Socket } from "node:net";
import type { Server as HttpServer } from "node:http";
import type { Worker } from "node:cluster";

/** The message a worker receives with each connection. */
const STICKY_MESSAGE = "courant:sticky-connection";
/** Largest request the primary reads before routing (headers plus a POST body). */
const MAX_REQUEST = 1024 * 1024;

/**
 * A session id for worker `index`: the index, a dot, then 15 random bytes (as Engine.IO ids are).
 *
 * @example
 * ```ts
 * io.engine.generateId = () => stickySessionId(2); // "2.Jk8sd0..."
 * ```
 */
export function stickySessionId(index: number): string {
  return `${index}.${randomBytes(15).toString("base64url")}`;
}

/** The worker index a request line names through its `sid`, if any. */
export function workerOfRequest(requestLine: string, workers: number): number | undefined {
  const match = /[?&]sid=(\d+)(?:\.|%2E)/i.exec(requestLine);
  if (match === null) return undefined;
  const index = Number(match[1]);
  return index < workers ? index : undefined;
}

/** How many bytes the request in `head` takes, once its headers are complete (-1 before). */
function requestLength(head: Buffer): number {
  const end = head.indexOf("\r\n\r\n");
  if (end === -1) return -1;
  const headers = head.subarray(0, end).toString("latin1");
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(headers);
  return end + 4 + (length === null ? 0 : Number(length[1]));
}

/**
 * Listens on `port` in the primary and hands each connection to the worker its first request
 * names (round-robin otherwise). `workers[i]` must be the worker whose index is `i`; replace an
 * entry when a worker is restarted.
 *
 * @example
 * ```ts
 * const workers = [0, 1, 2].map((i) => cluster.fork({ WORKER_INDEX: String(i) }));
 * const balancer = startStickyBalancer(workers, 3000);
 * ```
 */
export function startStickyBalancer(workers: Worker[], port: number, host?: string): NetServer {
  let next = 0;
  const server = createServer((socket: Socket) => {
    let head: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      const length = requestLength(head);
      // Wait for the whole first request: with HTTP/1.1 (no pipelining) nothing more comes before the response.
      if ((length === -1 || head.length < length) && head.length < MAX_REQUEST) return;
      socket.off("data", onData);
      socket.pause();
      const lineEnd = head.indexOf("\r\n");
      const requestLine = head.subarray(0, lineEnd === -1 ? head.length : lineEnd).toString("latin1");
      let index = workerOfRequest(requestLine, workers.length);
      if (index === undefined) index = next++ % workers.length;
      const worker = workers[index];
      if (worker === undefined || !worker.isConnected()) {
        socket.destroy();
        return;
      }
      worker.send({ type: STICKY_MESSAGE, head: head.toString("base64") }, socket);
    };
    socket.on("data", onData);
    socket.on("error", () => socket.destroy());
  });
  server.listen(port, host);
  return server;
}

/**
 * In a worker: takes the connections the primary hands over into `httpServer` (which need not
 * listen), and closes each connection after its response so that the next request is routed
 * again by the primary.
 *
 * @example
 * ```ts
 * acceptStickyConnections(chat.httpServer);
 * ```
 */
export function acceptStickyConnections(httpServer: HttpServer): void {
  // First of all request listeners: before anyone writes the response head.
  httpServer.prependListener("request", (_req, res) => res.setHeader("Connection", "close"));
  process.on("message", (message: { type?: string; head?: string }, socket?: Socket) => {
    if (message?.type !== STICKY_MESSAGE || socket === undefined) return;
    httpServer.emit("connection", socket);
    // The bytes the primary read: the first request, replayed into the HTTP parser.
    socket.emit("data", Buffer.from(message.head ?? "", "base64"));
    socket.resume();
  });
}
