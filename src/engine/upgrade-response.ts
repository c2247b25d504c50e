// The `res` that `engine.use` middlewares get on a WebSocket upgrade, where Node gives no
// ServerResponse; and the raw HTTP answer written on an upgrade's socket.

import { EventEmitter } from "node:events";
import { STATUS_CODES } from "node:http";
import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders } from "node:http";
import type { Duplex } from "node:stream";
import { responseHead } from "../websocket/handshake.js";

/**
 * A plain HTTP/1.1 response on an upgrade's socket (which then closes), with `Connection: close`
 * and a Content-Length.
 *
 * @example
 * ```ts
 * socket.end(rawResponse(403, { "Content-Type": "text/plain" }, "forbidden"));
 * ```
 */
export function rawResponse(status: number, headers: OutgoingHttpHeaders, body: string | Buffer, reason?: string): Buffer {
  const payload = typeof body === "string" ? Buffer.from(body) : body;
  const all: OutgoingHttpHeaders = { Connection: "close" };
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower !== "connection" && lower !== "content-length") all[name] = value;
  }
  all["Content-Length"] = payload.length;
  return Buffer.concat([Buffer.from(responseHead(status, reason ?? STATUS_CODES[status] ?? "", all), "latin1"), payload]);
}

/**
 * Answers an upgrade with a plain HTTP response and closes its socket (destroyed at once when it
 * can no longer be written); a peer gone meanwhile is no error.
 *
 * @example
 * ```ts
 * answerUpgrade(socket, 400, { "Content-Type": "application/json" }, '{"code":3,"message":"Bad request"}');
 * ```
 */
export function answerUpgrade(socket: Duplex, status: number, headers: OutgoingHttpHeaders, body: string | Buffer, reason?: string): void {
  socket.on("error", ignore);
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawResponse(status, headers, body, reason), () => socket.destroy());
}

/**
 * What a middleware sees as `res` on a WebSocket upgrade: the header methods of a
 * ServerResponse, whose headers go into the 101 response, and `writeHead`/`write`/`end`, with
 * which a middleware answers the request itself (401, 429, ...): that answer is sent, the socket
 * closes and the upgrade goes no further. Emits "finish" once ended.
 *
 * @example
 * ```ts
 * engine.use((req, res, next) => {
 *   if (req.headers.authorization === undefined) res.writeHead(401).end("who are you?");
 *   else next();
 * });
 * ```
 */
export class UpgradeResponse extends EventEmitter {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  statusCode = 200;
  statusMessage: string | undefined = undefined;
  /** Lower-cased name → [name as given, value]. */
  readonly #headers = new Map<string, [string, OutgoingHttpHeader]>();
  readonly #body: Buffer[] = [];
  #ended = false;

  constructor(req: IncomingMessage, socket: Duplex) {
    super();
    this.req = req;
    this.socket = socket;
  }

  /** True once a middleware has answered the request itself. */
  get writableEnded(): boolean {
    return this.#ended;
  }

  get headersSent(): boolean {
    return this.#ended;
  }

  setHeader(name: string, value: OutgoingHttpHeader): this {
    this.#headers.set(name.toLowerCase(), [name, value]);
    return this;
  }

  getHeader(name: string): OutgoingHttpHeader | undefined {
    return this.#headers.get(name.toLowerCase())?.[1];
  }

  getHeaderNames(): string[] {
    return [...this.#headers.keys()];
  }

  hasHeader(name: string): boolean {
    return this.#headers.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.#headers.delete(name.toLowerCase());
  }

  /** The headers set so far, under the names they were given (for the 101 response). */
  getHeaders(): OutgoingHttpHeaders {
    const out: OutgoingHttpHeaders = {};
    for (const [name, value] of this.#headers.values()) out[name] = value;
    return out;
  }

  writeHead(status: number, reasonOrHeaders?: string | OutgoingHttpHeaders, headers?: OutgoingHttpHeaders): this {
    this.statusCode = status;
    if (typeof reasonOrHeaders === "string") this.statusMessage = reasonOrHeaders;
    else headers = reasonOrHeaders;
    if (headers !== undefined) for (const [name, value] of Object.entries(headers)) if (value !== undefined) this.setHeader(name, value);
    return this;
  }

  write(chunk: string | Uint8Array, encoding?: BufferEncoding): boolean {
    if (!this.#ended) this.#body.push(typeof chunk === "string" ? Buffer.from(chunk, encoding) : Buffer.from(chunk));
    return true;
  }

  /** Sends the middleware's answer and closes the socket; the upgrade stops here. */
  end(chunk?: string | Uint8Array | (() => void), encodingOrCallback?: BufferEncoding | (() => void), callback?: () => void): this {
    if (this.#ended) return this;
    if (typeof encodingOrCallback === "function") callback = encodingOrCallback;
    if (typeof chunk === "function") callback = chunk;
    else if (chunk !== undefined) this.write(chunk, typeof encodingOrCallback === "string" ? encodingOrCallback : undefined);
    this.#ended = true;
    answerUpgrade(this.socket, this.statusCode, this.getHeaders(), Buffer.concat(this.#body), this.statusMessage);
    this.emit("finish");
    callback?.();
    return this;
  }
}

function ignore(): void {}
