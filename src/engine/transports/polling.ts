// HTTP long-polling (engine.io-protocol v4 §"HTTP long-polling"): a GET waits until there is
// something to send, a POST carries the client's packets. Packets queued in the same tick go out
// in one response, separated by the record separator; binary travels as "b" + base64.

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { deflate, gzip } from "node:zlib";
import { EngineError, EngineErrorCode, respondWithError } from "../errors.js";
import type { PreparedPackets } from "../prepared-packets.js";
import type { Session } from "../session.js";
import type { EngineHost, Transport } from "../transport.js";
import type { WebSocketTransport } from "./websocket.js";

const kTransport = Symbol("courant.engine.polling");

interface Tagged {
  [kTransport]?: PollingTransport;
}

/** What the polling queue holds: an encoded text packet, a binary message, or a prepared batch. */
type QueueEntry = string | Uint8Array | PreparedPackets;

const RECORD_SEPARATOR = "\x1e";
const TEXT_PLAIN = "text/plain; charset=UTF-8";

/**
 * Picks `gzip` or `deflate` from an Accept-Encoding header (RFC 9110 §12.5.3), or null.
 *
 * @example
 * ```ts
 * pickEncoding("deflate, gzip;q=0.5"); // "deflate"
 * pickEncoding("br"); // null
 * ```
 */
export function pickEncoding(header: string | undefined): "gzip" | "deflate" | null {
  if (header === undefined || header === "") return null;
  let best: "gzip" | "deflate" | null = null;
  let bestQ = 0;
  for (const part of header.toLowerCase().split(",")) {
    const [rawName, ...params] = part.split(";");
    const name = (rawName ?? "").trim();
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split("=");
      if ((key ?? "").trim() === "q") q = Number((value ?? "").trim());
    }
    if (!(q > 0)) continue;
    const candidate = name === "gzip" || name === "x-gzip" ? "gzip" : name === "deflate" ? "deflate" : name === "*" ? "gzip" : null;
    // Equal weights prefer gzip, as the official server does.
    if (candidate !== null && (q > bestQ || (q === bestQ && candidate === "gzip"))) {
      best = candidate;
      bestQ = q;
    }
  }
  return best;
}

/**
 * The long-polling transport of one session.
 *
 * @example
 * ```ts
 * session.transport.name; // "polling"
 * ```
 */
export class PollingTransport implements Transport {
  readonly name = "polling" as const;
  readonly #host: EngineHost;
  #session: Session | null = null;
  #getReq: IncomingMessage | null = null;
  #getRes: ServerResponse | null = null;
  #queue: QueueEntry[] = [];
  #callbacks: (() => void)[] | null = null;
  #compress = false;
  #flushScheduled = false;
  /** Upgrading: answer a GET with a noop rather than let it wait, so the client can pause polling. */
  #noopOnEmpty = false;
  /** A close is under way: the next response ends with a close packet. */
  #closing = false;
  #closed = false;
  /** Set until the handshake response is written (its headers get `initial_headers` and the cookie). */
  #handshakeSid: string | undefined = undefined;
  #postReq: IncomingMessage | null = null;
  #postRes: ServerResponse | null = null;
  #postChunks: Buffer[] | null = null;
  #postLength = 0;
  #postBinary = false;

  /** @internal Created by the engine. */
  constructor(host: EngineHost) {
    this.#host = host;
  }

  /** @internal */
  attach(session: Session): void {
    this.#session = session;
  }

  /**
   * True while a GET is waiting (a packet sent now goes out at once).
   *
   * @example
   * ```ts
   * session.transport.writable;
   * ```
   */
  get writable(): boolean {
    return this.#getRes !== null && !this.#closed;
  }

  /** @internal The handshake GET: it waits for the open packet (and whatever the connection handler sends). */
  onHandshake(req: IncomingMessage, res: ServerResponse, sid: string): void {
    this.#handshakeSid = sid;
    this.#setPending(req, res);
    this.#scheduleFlush();
  }

  /** @internal A GET or POST for this session. */
  onRequest(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method;
    if (method === "GET") this.#onPollRequest(req, res);
    else if (method === "POST") this.#onDataRequest(req, res);
    else respondWithError(res, EngineErrorCode.BAD_REQUEST);
  }

  /** @internal */
  sendText(packet: string, compress: boolean, callback: (() => void) | undefined): void {
    this.#enqueue(packet, compress, callback);
  }

  /** @internal */
  sendBinary(data: Uint8Array, compress: boolean, callback: (() => void) | undefined): void {
    this.#enqueue(data, compress, callback);
  }

  /** @internal */
  sendPrepared(prepared: PreparedPackets): void {
    this.#enqueue(prepared, prepared.compress, undefined);
  }

  /** @internal A probe answered: stop holding GETs, so the client sees a response and pauses. */
  startUpgrade(): void {
    this.#noopOnEmpty = true;
    if (this.#getRes !== null && !this.#flushScheduled) this.#flush();
  }

  /** @internal The probe went away: GETs wait again. */
  cancelUpgrade(): void {
    this.#noopOnEmpty = false;
  }

  /** @internal The session moved to `ws`: what is still queued goes out there, in order. */
  handOver(ws: WebSocketTransport): void {
    const queue = this.#queue;
    const callbacks = this.#callbacks;
    this.#queue = [];
    this.#callbacks = null;
    this.#closed = true;
    // A GET still waiting belongs to a client that stopped polling: release it empty-handed.
    const res = this.#getRes;
    if (res !== null) this.#writePayload(this.#getReq as IncomingMessage, res, "6", false);
    for (let i = 0; i < queue.length; i++) {
      const entry = queue[i] as QueueEntry;
      if (typeof entry === "string") ws.sendText(entry, false, undefined);
      else if (entry instanceof Uint8Array) ws.sendBinary(entry, false, undefined);
      else ws.sendPrepared(entry);
    }
    if (callbacks !== null) for (let i = 0; i < callbacks.length; i++) (callbacks[i] as () => void)();
  }

  /** @internal Graceful close: what is queued goes out first, then a close packet in a response of its own. */
  close(): void {
    if (this.#closed || this.#closing) return;
    this.#closing = true;
    if (this.#getRes !== null) this.#flush();
  }

  /** @internal Close now: a waiting GET gets a close packet, the queue is dropped. */
  discard(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#callbacks = null;
    const res = this.#getRes;
    if (res !== null) this.#writePayload(this.#getReq as IncomingMessage, res, "1", false);
  }

  #enqueue(entry: QueueEntry, compress: boolean, callback: (() => void) | undefined): void {
    if (this.#closed) return;
    this.#queue.push(entry);
    if (compress) this.#compress = true;
    if (callback !== undefined) (this.#callbacks ??= []).push(callback);
    if (this.#getRes !== null) this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    process.nextTick(PollingTransport.#onTick, this);
  }

  static #onTick(this: void, transport: PollingTransport): void {
    transport.#flushScheduled = false;
    transport.#flush();
  }

  #setPending(req: IncomingMessage, res: ServerResponse): void {
    this.#getReq = req;
    this.#getRes = res;
    (res as Tagged)[kTransport] = this;
    res.on("close", PollingTransport.#resOnClose);
  }

  static #resOnClose(this: ServerResponse): void {
    const transport = (this as Tagged)[kTransport];
    if (transport === undefined || transport.#getRes !== this) return;
    // The client dropped a GET we were holding.
    transport.#getRes = null;
    transport.#getReq = null;
    transport.#session?.onTransportClose(transport, "transport error", new EngineError("EIO_ERR_POLL_ABORTED", "Engine.IO: poll request closed prematurely"));
  }

  #onPollRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.#getRes !== null) {
      // One GET at a time per session (the official server does the same).
      respondWithError(res, EngineErrorCode.BAD_REQUEST);
      this.#session?.onTransportClose(this, "transport error", new EngineError("EIO_ERR_POLL_OVERLAP", "Engine.IO: overlapping poll requests"));
      return;
    }
    if (this.#closed) {
      respondWithError(res, EngineErrorCode.UNKNOWN_SID);
      return;
    }
    this.#setPending(req, res);
    if (this.#queue.length > 0 || this.#closing || this.#noopOnEmpty) this.#flush();
  }

  #flush(): void {
    const res = this.#getRes;
    if (res === null || this.#closed) return;
    const session = this.#session;
    if (session !== null && this.#queue.length > 0) session.onFlush();
    const queue = this.#queue;
    let body = "";
    for (let i = 0; i < queue.length; i++) {
      const entry = queue[i] as QueueEntry;
      if (i > 0) body += RECORD_SEPARATOR;
      if (typeof entry === "string") body += entry;
      else if (entry instanceof Uint8Array) body += "b" + Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength).toString("base64");
      else body += entry.pollingPayload;
    }
    // The close packet goes alone in the response after the queued ones (as engine.io does):
    // a client that stops reading at it would otherwise drop what was still queued.
    const closing = this.#closing && body === "";
    if (closing) body = "1";
    if (body === "") {
      if (!this.#noopOnEmpty) return;
      body = "6";
    }
    queue.length = 0;
    const compress = this.#compress;
    this.#compress = false;
    const callbacks = this.#callbacks;
    this.#callbacks = null;
    this.#writePayload(this.#getReq as IncomingMessage, res, body, compress);
    if (callbacks !== null) for (let i = 0; i < callbacks.length; i++) (callbacks[i] as () => void)();
    if (session === null) return;
    if (closing) {
      this.#closed = true;
      session.onTransportClose(this, "transport close");
    } else {
      session.onTransportDrain(this);
    }
  }

  /** Answers the waiting GET with `body`. */
  #writePayload(req: IncomingMessage, res: ServerResponse, body: string, compress: boolean): void {
    this.#getReq = null;
    this.#getRes = null;
    const headers: OutgoingHttpHeaders = { "Content-Type": TEXT_PLAIN };
    this.#host.emitHeaders(headers, req, this.#handshakeSid);
    this.#handshakeSid = undefined;
    const threshold = this.#host.compressionThreshold;
    if (compress && threshold >= 0 && body.length >= threshold / 3 /* cheap pre-check: UTF-8 is at most 3 bytes per UTF-16 unit */) {
      const data = Buffer.from(body);
      const encoding = data.length >= threshold ? pickEncoding(req.headers["accept-encoding"]) : null;
      if (encoding !== null) {
        (encoding === "gzip" ? gzip : deflate)(data, (err, compressed) => {
          if (err !== null) {
            headers["Content-Length"] = data.length;
            res.writeHead(200, headers);
            res.end(data);
            return;
          }
          headers["Content-Encoding"] = encoding;
          headers["Content-Length"] = compressed.length;
          res.writeHead(200, headers);
          res.end(compressed);
        });
        return;
      }
      headers["Content-Length"] = data.length;
      res.writeHead(200, headers);
      res.end(data);
      return;
    }
    headers["Content-Length"] = Buffer.byteLength(body);
    res.writeHead(200, headers);
    res.end(body);
  }

  #onDataRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.#postReq !== null) {
      respondWithError(res, EngineErrorCode.BAD_REQUEST);
      req.resume();
      this.#session?.onTransportClose(this, "transport error", new EngineError("EIO_ERR_POST_OVERLAP", "Engine.IO: overlapping data requests"));
      return;
    }
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > this.#host.opts.maxHttpBufferSize) {
      this.#rejectTooLarge(req, res);
      return;
    }
    this.#postReq = req;
    this.#postRes = res;
    this.#postChunks = [];
    this.#postLength = 0;
    this.#postBinary = req.headers["content-type"] === "application/octet-stream";
    (req as Tagged)[kTransport] = this;
    req.on("data", PollingTransport.#reqOnData);
    req.on("end", PollingTransport.#reqOnEnd);
    req.on("close", PollingTransport.#reqOnClose);
  }

  #rejectTooLarge(req: IncomingMessage, res: ServerResponse): void {
    // Drain what the client still sends without keeping it, and drop the connection after the answer.
    req.resume();
    if (!res.headersSent) {
      res.writeHead(413, { Connection: "close", "Content-Length": 0 });
      res.end();
    }
    this.#session?.onTransportClose(this, "transport error", new EngineError("EIO_ERR_PAYLOAD_TOO_LARGE", "Engine.IO: payload larger than maxHttpBufferSize"));
  }

  #endPost(): void {
    const req = this.#postReq;
    if (req !== null) {
      req.removeListener("data", PollingTransport.#reqOnData);
      req.removeListener("end", PollingTransport.#reqOnEnd);
    }
    this.#postReq = null;
    this.#postRes = null;
    this.#postChunks = null;
    this.#postLength = 0;
  }

  static #reqOnData(this: IncomingMessage, chunk: Buffer): void {
    const transport = (this as Tagged)[kTransport];
    if (transport === undefined || transport.#postReq !== this) return;
    transport.#postLength += chunk.length;
    if (transport.#postLength > transport.#host.opts.maxHttpBufferSize) {
      const res = transport.#postRes as ServerResponse;
      transport.#endPost();
      transport.#rejectTooLarge(this, res);
      return;
    }
    (transport.#postChunks as Buffer[]).push(chunk);
  }

  static #reqOnEnd(this: IncomingMessage): void {
    const transport = (this as Tagged)[kTransport];
    if (transport === undefined || transport.#postReq !== this) return;
    const res = transport.#postRes as ServerResponse;
    const chunks = transport.#postChunks as Buffer[];
    const length = transport.#postLength;
    const binary = transport.#postBinary;
    transport.#endPost();
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
    if (transport.#deliver(body, binary)) {
      const headers: OutgoingHttpHeaders = { "Content-Type": "text/html", "Content-Length": 2 };
      transport.#host.emitHeaders(headers, this, undefined);
      res.writeHead(200, headers);
      res.end("ok");
    } else {
      respondWithError(res, EngineErrorCode.BAD_REQUEST);
    }
  }

  static #reqOnClose(this: IncomingMessage): void {
    const transport = (this as Tagged)[kTransport];
    if (transport === undefined || transport.#postReq !== this) return;
    transport.#endPost();
    transport.#session?.onTransportClose(transport, "transport error", new EngineError("EIO_ERR_POST_ABORTED", "Engine.IO: data request closed prematurely"));
  }

  /** Hands a POST body to the session; false when it does not decode (the session is then closed with "parse error"). */
  #deliver(body: Buffer, binary: boolean): boolean {
    const session = this.#session;
    if (session === null) return true;
    if (binary) {
      // An octet-stream body is one binary message.
      if (body.length === 0) {
        session.onParseError(new EngineError("EIO_ERR_INVALID_PAYLOAD", "Engine.IO: empty binary payload"));
        return false;
      }
      session.onMessage(body);
      return true;
    }
    const text = body.toString("utf8");
    let start = 0;
    while (true) {
      const sep = text.indexOf(RECORD_SEPARATOR, start);
      const end = sep === -1 ? text.length : sep;
      if (end === start) {
        session.onParseError(new EngineError("EIO_ERR_INVALID_PAYLOAD", "Engine.IO: empty packet in payload"));
        return false;
      }
      if (!session.onTextPacket(text.slice(start, end))) return false;
      if (sep === -1 || session.readyState === "closed") return true;
      start = sep + 1;
    }
  }
}
