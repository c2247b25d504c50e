import { EventEmitter } from "node:events";
import http, { type IncomingMessage, type OutgoingHttpHeaders, STATUS_CODES } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketError } from "./errors.js";
import { validateUpgradeRequest, acceptKey, responseHead } from "./handshake.js";
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_MAX_BACKPRESSURE,
  DEFAULT_MAX_PAYLOAD,
  type ServerSideInit,
  kAttach,
  kServerSide,
  kTracker,
  kWebSocket,
} from "./internal.js";
import {
  PERMESSAGE_DEFLATE,
  type PerMessageDeflateOptions,
  PerMessageDeflate,
  type ResolvedDeflateOptions,
  negotiateServer,
  resolveDeflateOptions,
} from "./permessage-deflate.js";
import { WebSocket } from "./websocket.js";

/**
 * What `verifyClient` is given.
 *
 * @example
 * ```ts
 * const verifyClient = (info: VerifyClientInfo) => info.secure && info.origin === "https://app.example";
 * ```
 */
export interface VerifyClientInfo {
  origin: string | undefined;
  req: IncomingMessage;
  /** The request came over TLS. */
  secure: boolean;
}

/**
 * Async `verifyClient` answer: refuse with `code` (default 401), an optional message and headers.
 *
 * @example
 * ```ts
 * const verifyClient = (info: VerifyClientInfo, cb: VerifyClientCallback) => cb(false, 403, "Forbidden");
 * ```
 */
export type VerifyClientCallback = (result: boolean, code?: number, message?: string, headers?: OutgoingHttpHeaders) => void;

/**
 * Decides whether a handshake may proceed: return a boolean, or take the callback (two parameters) and answer later.
 *
 * @example
 * ```ts
 * new WebSocketServer({ port: 0, verifyClient: (info, cb) => checkToken(info.req).then((ok) => cb(ok, 401)) });
 * ```
 */
export type VerifyClient = ((info: VerifyClientInfo) => boolean) | ((info: VerifyClientInfo, callback: VerifyClientCallback) => void);

/**
 * Options of {@link WebSocketServer}. Exactly one of `port`, `server` and `noServer` is required.
 *
 * @example
 * ```ts
 * const options: WebSocketServerOptions = { port: 8080, path: "/ws", maxPayload: 1 << 20 };
 * ```
 */
export interface WebSocketServerOptions {
  /** Create an HTTP server listening on this port (0 for any). */
  port?: number;
  host?: string;
  backlog?: number;
  /** Attach to an existing HTTP(S) server's 'upgrade' event. */
  server?: http.Server | import("node:https").Server;
  /** Only call `handleUpgrade` yourself. */
  noServer?: boolean;
  /** Accept only this path (the query string is ignored). */
  path?: string;
  /** Largest message in bytes (after inflating); larger ones close with 1009. Default 100 MiB (like ws); 0 = no limit. */
  maxPayload?: number;
  /** permessage-deflate (RFC 7692). Off by default. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Picks the subprotocol among those offered; false selects none. Default: the first offered. */
  handleProtocols?: (protocols: Set<string>, req: IncomingMessage) => string | false;
  verifyClient?: VerifyClient;
  /** Keep connected sockets in `clients`. Default true. */
  clientTracking?: boolean;
  /**
   * Bytes that may wait for a slow peer; a send that would exceed it terminates the socket
   * (`WS_ERR_BACKPRESSURE`, close 1006). A message on an idle socket is always accepted. Default
   * 16 MiB; 0 = no limit.
   */
  maxBackpressure?: number;
  /** Milliseconds an async `verifyClient` may take before the handshake is refused with 408. Default 10 000. */
  handshakeTimeout?: number;
  /** Milliseconds the closing handshake may take before the socket is destroyed. Default 30 000. */
  closeTimeout?: number;
}

/** The constructor overload only the server uses (the public overload takes a URL). */
type ServerSideConstructor = new (token: typeof kServerSide, init: ServerSideInit) => WebSocket;

const RUNNING = 0;
const CLOSING = 1;
const CLOSED = 2;

/**
 * A WebSocket server (RFC 6455 §4.2), shaped like `ws`'s. Events: `connection(ws, req)`,
 * `listening`, `error`, `close`, `headers(lines, req)` (mutable before the 101 is written) and
 * `wsClientError(error, socket, req)`: when that one has listeners, refused handshakes are left
 * to them (`error.statusCode` says what the server would have answered).
 *
 * @example
 * ```ts
 * const wss = new WebSocketServer({ port: 8080 });
 * wss.on("connection", (ws, req) => {
 *   ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
 * });
 * ```
 */
export class WebSocketServer extends EventEmitter {
  /** Open sockets (when `clientTracking` is on). */
  readonly clients = new Set<WebSocket>();
  readonly options: Readonly<WebSocketServerOptions>;
  readonly #server: http.Server | import("node:https").Server | null;
  readonly #ownServer: boolean;
  readonly #deflate: ResolvedDeflateOptions | null;
  readonly #init: ServerSideInit;
  readonly #tracking: boolean;
  readonly #tracker: { delete(ws: WebSocket): void };
  #state = RUNNING;
  #serverClosed = false;
  #removeListeners: (() => void) | null = null;

  constructor(options: WebSocketServerOptions, callback?: () => void) {
    super();
    const modes = Number(options.port !== undefined) + Number(options.server !== undefined) + Number(options.noServer === true);
    if (modes !== 1) throw new TypeError('One and only one of the "port", "server", or "noServer" options must be specified');
    this.options = options;
    this.#init = {
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      maxBackpressure: options.maxBackpressure ?? DEFAULT_MAX_BACKPRESSURE,
      closeTimeout: options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
    };
    const pmd = options.perMessageDeflate ?? false;
    this.#deflate = pmd === false ? null : resolveDeflateOptions(pmd, true);
    this.#tracking = options.clientTracking !== false;
    this.#tracker = {
      delete: (ws) => {
        this.clients.delete(ws);
        if (this.#state === CLOSING) this.#maybeEmitClose();
      },
    };

    if (options.port !== undefined) {
      const server = http.createServer(serverOnPlainRequest);
      this.#server = server;
      this.#ownServer = true;
      server.listen(options.port, options.host, options.backlog, callback);
    } else {
      this.#server = options.server ?? null;
      this.#ownServer = false;
      if (callback !== undefined) this.once("listening", callback);
    }
    const server = this.#server;
    if (server !== null) {
      const onListening = (): void => {
        this.emit("listening");
      };
      const onError = (error: Error): void => {
        this.emit("error", error);
      };
      const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
        // Several servers may share one HTTP server by path: leave other paths to the others.
        if (!this.shouldHandle(req) && server.listenerCount("upgrade") > 1) return;
        this.handleUpgrade(req, socket, head, emitConnection);
      };
      server.on("listening", onListening);
      server.on("error", onError);
      server.on("upgrade", onUpgrade);
      this.#removeListeners = () => {
        server.removeListener("listening", onListening);
        server.removeListener("error", onError);
        server.removeListener("upgrade", onUpgrade);
      };
    }
  }

  /** Typed listeners for the events this class emits. */
  override on(event: "connection", listener: (this: WebSocketServer, ws: WebSocket, req: IncomingMessage) => void): this;
  override on(event: "headers", listener: (this: WebSocketServer, lines: string[], req: IncomingMessage) => void): this;
  override on(event: "wsClientError", listener: (this: WebSocketServer, error: WebSocketError, socket: Duplex, req: IncomingMessage) => void): this;
  override on(event: "error", listener: (this: WebSocketServer, error: Error) => void): this;
  override on(event: "listening" | "close", listener: (this: WebSocketServer) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  override once(event: "connection", listener: (this: WebSocketServer, ws: WebSocket, req: IncomingMessage) => void): this;
  override once(event: "headers", listener: (this: WebSocketServer, lines: string[], req: IncomingMessage) => void): this;
  override once(event: "wsClientError", listener: (this: WebSocketServer, error: WebSocketError, socket: Duplex, req: IncomingMessage) => void): this;
  override once(event: "error", listener: (this: WebSocketServer, error: Error) => void): this;
  override once(event: "listening" | "close", listener: (this: WebSocketServer) => void): this;
  override once(event: string | symbol, listener: (...args: any[]) => void): this;
  override once(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.once(event, listener);
  }

  /** The bound address of the HTTP server (throws in noServer mode). */
  address(): AddressInfo | string | null {
    if (this.options.noServer === true) throw new Error('The server is operating in "noServer" mode');
    return this.#server === null ? null : this.#server.address();
  }

  /** Whether a request's path is the configured `path` (always true without one). */
  shouldHandle(req: IncomingMessage): boolean {
    const path = this.options.path;
    if (path === undefined) return true;
    const url = req.url ?? "";
    const q = url.indexOf("?");
    return (q === -1 ? url : url.slice(0, q)) === path;
  }

  /**
   * Stops accepting connections, sends close 1001 to every tracked socket, and closes the HTTP
   * server if it created it. `close` is emitted (and `cb` called) once sockets and server are closed.
   */
  close(cb?: (error?: Error) => void): void {
    if (cb !== undefined) {
      if (this.#state === CLOSED) {
        process.nextTick(cb, new Error("The server is not running"));
        return;
      }
      this.once("close", cb);
    }
    if (this.#state !== RUNNING) return;
    this.#state = CLOSING;
    this.#removeListeners?.();
    this.#removeListeners = null;
    for (const ws of this.clients) {
      if (ws.readyState === WebSocket.OPEN) ws.close(1001, "Server closing");
    }
    if (this.#ownServer) {
      this.#server!.close(() => {
        this.#serverClosed = true;
        this.#maybeEmitClose();
      });
    } else {
      this.#serverClosed = true;
      process.nextTick(() => this.#maybeEmitClose());
    }
  }

  #maybeEmitClose(): void {
    if (this.#state !== CLOSING || !this.#serverClosed || this.clients.size > 0) return;
    this.#state = CLOSED;
    this.emit("close");
  }

  /**
   * Completes (or refuses) a WebSocket handshake on an upgraded socket, then calls
   * `cb(ws, req)`. Use with `noServer` to route upgrades yourself.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WebSocket, req: IncomingMessage) => void): void {
    socket.on("error", socketOnHandshakeError);
    if (!this.shouldHandle(req)) {
      this.#refuse(req, socket, 400, "Path not handled");
      return;
    }
    const result = validateUpgradeRequest(req);
    if (!result.ok) {
      this.#refuse(req, socket, result.status, result.message, result.headers);
      return;
    }
    let negotiated: ReturnType<typeof negotiateServer> = null;
    const offers = result.extensions?.get(PERMESSAGE_DEFLATE);
    if (this.#deflate !== null && offers !== undefined) negotiated = negotiateServer(offers, this.#deflate.options);

    const verifyClient = this.options.verifyClient;
    if (verifyClient === undefined) {
      this.#complete(req, socket, head, result.key, result.protocols, negotiated, cb);
      return;
    }
    const tlsSocket = req.socket as { encrypted?: boolean; authorized?: boolean };
    const info: VerifyClientInfo = {
      origin: req.headers.origin,
      req,
      secure: tlsSocket.encrypted === true || tlsSocket.authorized === true,
    };
    if (verifyClient.length === 2) {
      let answered = false;
      const timer = setTimeout(() => {
        answered = true;
        this.#refuse(req, socket, 408, "Handshake timed out");
      }, this.options.handshakeTimeout ?? 10_000);
      (verifyClient as (info: VerifyClientInfo, callback: VerifyClientCallback) => void)(info, (verified, code, message, headers) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        if (!verified) {
          this.#refuse(req, socket, code ?? 401, message, headers);
          return;
        }
        this.#complete(req, socket, head, result.key, result.protocols, negotiated, cb);
      });
      return;
    }
    if (!(verifyClient as (info: VerifyClientInfo) => boolean)(info)) {
      this.#refuse(req, socket, 401);
      return;
    }
    this.#complete(req, socket, head, result.key, result.protocols, negotiated, cb);
  }

  #complete(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    key: string,
    protocols: Set<string>,
    negotiated: ReturnType<typeof negotiateServer>,
    cb: (ws: WebSocket, req: IncomingMessage) => void,
  ): void {
    if (!socket.readable || !socket.writable) {
      socket.destroy();
      return;
    }
    if ((socket as { [kWebSocket]?: unknown })[kWebSocket] !== undefined) {
      throw new Error("handleUpgrade() was called more than once with the same socket");
    }
    if (this.#state !== RUNNING) {
      this.#refuse(req, socket, 503);
      return;
    }
    const lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", `Sec-WebSocket-Accept: ${acceptKey(key)}`];
    let protocol = "";
    if (protocols.size > 0) {
      const chosen = this.options.handleProtocols !== undefined ? this.options.handleProtocols(protocols, req) : protocols.values().next().value;
      if (typeof chosen === "string" && chosen.length > 0) {
        protocol = chosen;
        lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
      }
    }
    let deflate: PerMessageDeflate | null = null;
    let extensions = "";
    if (negotiated !== null) {
      extensions = PerMessageDeflate.format(negotiated.response);
      lines.push(`Sec-WebSocket-Extensions: ${extensions}`);
      deflate = new PerMessageDeflate(this.#deflate!, negotiated.params, true, this.#init.maxPayload);
    }
    this.emit("headers", lines, req);
    // Written by the WebSocket's sender, in one write with whatever is sent to it in this tick.
    const response = Buffer.from(lines.join("\r\n") + "\r\n\r\n");
    socket.removeListener("error", socketOnHandshakeError);

    const ws = new (WebSocket as unknown as ServerSideConstructor)(kServerSide, this.#init);
    ws[kAttach](socket, head, { deflate, protocol, extensions, response });
    if (this.#tracking) {
      this.clients.add(ws);
      ws[kTracker] = this.#tracker;
    }
    cb.call(this, ws, req);
  }

  #refuse(req: IncomingMessage, socket: Duplex, status: number, message?: string, headers?: OutgoingHttpHeaders): void {
    if (this.listenerCount("wsClientError") > 0) {
      const error = new WebSocketError("WS_ERR_HANDSHAKE", message ?? STATUS_CODES[status] ?? "Handshake refused", 1006, status);
      this.emit("wsClientError", error, socket, req);
      return;
    }
    abortHandshake(socket, status, message, headers);
  }
}

function emitConnection(this: WebSocketServer, ws: WebSocket, req: IncomingMessage): void {
  this.emit("connection", ws, req);
}

/**
 * Requests Node did not treat as upgrades. One that tries to be a WebSocket handshake (it has an
 * Upgrade or Sec-WebSocket-* header) but is missing `Connection: upgrade` or `Upgrade: websocket`
 * gets a 400 with the reason; any other request gets 426.
 */
function serverOnPlainRequest(req: IncomingMessage, res: http.ServerResponse): void {
  let status = 426;
  let body = STATUS_CODES[426]!;
  const headers: Record<string, string | number> = { "Content-Type": "text/plain; charset=utf-8", Connection: "close" };
  const h = req.headers;
  if (h.upgrade !== undefined || h["sec-websocket-key"] !== undefined || h["sec-websocket-version"] !== undefined) {
    const result = validateUpgradeRequest(req);
    status = result.ok ? 400 : result.status;
    body = result.ok ? "Invalid Connection header" : result.message;
    if (!result.ok && result.headers !== undefined) Object.assign(headers, result.headers);
  } else {
    headers["Upgrade"] = "websocket";
  }
  headers["Content-Length"] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
}

function socketOnHandshakeError(this: Duplex): void {
  this.destroy();
}

/**
 * Answers a refused handshake with an HTTP status and a short text body, then closes the socket.
 *
 * @example
 * ```ts
 * abortHandshake(socket, 400, "Invalid Upgrade header");
 * ```
 */
export function abortHandshake(socket: Duplex, status: number, message?: string, headers?: OutgoingHttpHeaders): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = message ?? STATUS_CODES[status] ?? "";
  const all: OutgoingHttpHeaders = {
    Connection: "close",
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    ...headers,
  };
  socket.once("finish", socket.destroy);
  socket.end(responseHead(status, STATUS_CODES[status] ?? "Error", all) + body);
}
