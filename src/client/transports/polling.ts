// HTTP long-polling with fetch (browsers and Node 18+): one GET in flight to receive, one
// POST at a time to send (Engine.IO v4 §Transports, HTTP long-polling).

import { decodeEnginePacket, encodeEnginePacket, RECORD_SEPARATOR } from "../../protocol/index.js";
import type { EnginePacket } from "../../protocol/index.js";
import { keepCookies } from "./node.js";
import type { Transport, TransportContext, TransportHandler } from "./transport.js";

const CLOSED = 0;
const OPEN = 1;
const PAUSED = 2;

/**
 * The long-polling transport. In Node it keeps the cookies the server sets (sticky sessions
 * behind a load balancer) in `context.headers.cookie`; browsers keep their own.
 *
 * @example
 * ```ts
 * const polling = new PollingTransport(context, handler);
 * polling.open();
 * polling.send([{ type: "message", data: "2[\"hi\"]" }]);
 * ```
 */
export class PollingTransport implements Transport {
  readonly name = "polling";
  writable = false;
  handler: TransportHandler;
  readonly #context: TransportContext;
  #state = CLOSED;
  /** A GET is in flight. */
  #polling = false;
  /** The server answered at least once, so it knows our sid and a close packet makes sense. */
  #opened = false;
  #abort: AbortController | undefined;
  #onPause: (() => void) | undefined;
  /** The POSTs left to send once closed, in order, after the one in flight (if any). */
  #lastPosts: string[] = [];

  constructor(context: TransportContext, handler: TransportHandler) {
    this.#context = context;
    this.handler = handler;
  }

  /**
   * Starts (or, after `pause()`, resumes) polling.
   *
   * @example
   * ```ts
   * polling.open();
   * ```
   */
  open(): void {
    const first = this.#state === CLOSED;
    this.#state = OPEN;
    this.#onPause = undefined;
    if (first) this.writable = true;
    if (!this.#polling) this.#poll();
    if (first) this.handler.onOpen();
  }

  /**
   * Sends packets in one POST; `onDrain` once the server accepted them.
   *
   * @example
   * ```ts
   * polling.send([{ type: "pong" }]);
   * ```
   */
  send(packets: readonly EnginePacket[]): void {
    this.writable = false;
    this.#request("POST", encodePayload(packets)).then(
      () => {
        if (this.#state === CLOSED) {
          this.#postLast();
          return;
        }
        this.writable = true;
        this.#checkPause();
        this.handler.onDrain();
      },
      (err: unknown) => this.#fail("xhr post error", err),
    );
  }

  /**
   * Stops polling; when a session exists, sends `packets`, then a close packet in a POST of its
   * own (after the POST in flight, if any).
   *
   * @example
   * ```ts
   * polling.close([{ type: "message", data: "1" }]);
   * ```
   */
  close(packets: readonly EnginePacket[] = []): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    if (this.#opened) {
      // The close packet ("1") goes alone: a server may act on it before the messages of the same
      // payload (socket.io defers those a tick). The GET stays out until the last POST is done:
      // aborted first, it could reach the server before the packets and read as a transport error.
      this.#lastPosts = packets.length > 0 ? [encodePayload(packets), "1"] : ["1"];
      if (this.writable) this.#postLast();
    } else this.#abort?.abort();
    this.writable = false;
  }

  /**
   * Stops polling and calls `onPause` once no GET nor POST is in flight (before an upgrade).
   *
   * @example
   * ```ts
   * polling.pause(() => websocket.send([{ type: "upgrade" }]));
   * ```
   */
  pause(onPause: () => void): void {
    this.#state = PAUSED;
    this.#onPause = onPause;
    this.#checkPause();
  }

  #checkPause(): void {
    const onPause = this.#onPause;
    if (this.#state === PAUSED && !this.#polling && this.writable && onPause !== undefined) {
      this.#onPause = undefined;
      onPause();
    }
  }

  #poll(): void {
    this.#polling = true;
    const abort = (this.#abort = new AbortController());
    this.#request("GET", undefined, abort.signal).then(
      (text) => this.#onPayload(text),
      (err: unknown) => this.#fail("xhr poll error", err),
    );
  }

  #onPayload(text: string): void {
    this.#polling = false;
    if (this.#state === CLOSED) return;
    let packets: EnginePacket[];
    try {
      // Engine.IO v4 §Payload: records separated by RECORD_SEPARATOR, binary ones as "b" + base64.
      packets = text.split(RECORD_SEPARATOR).map((record) => decodeEnginePacket(record));
    } catch (err) {
      this.#close("parse error", err);
      return;
    }
    this.#opened = true;
    try {
      for (const packet of packets) {
        if (packet.type === "close") return this.#close("transport close");
        this.handler.onPacket(packet);
        if (this.#state === CLOSED) return;
      }
    } finally {
      // A listener that throws surfaces as an unhandled rejection, but polling goes on.
      if (this.#state === OPEN && !this.#polling) this.#poll();
      else this.#checkPause();
    }
  }

  /** One request; a string body goes as "text/plain;charset=UTF-8" (fetch's default for strings). */
  #request(method: "GET" | "POST", body?: string, signal?: AbortSignal): Promise<string> {
    const context = this.#context;
    const headers = context.headers;
    return fetch(context.url("polling"), {
      method,
      headers,
      body,
      credentials: context.withCredentials ? "include" : "same-origin",
      cache: "no-store",
      signal,
    } as RequestInit).then((res) => {
      keepCookies?.(res, headers);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return res.text();
    });
  }

  #postLast(): void {
    const body = this.#lastPosts.shift();
    const abort = (): void => this.#abort?.abort();
    if (body === undefined) abort();
    else this.#request("POST", body).then(() => this.#postLast(), abort);
  }

  #fail(message: string, err: unknown): void {
    this.#polling = false;
    this.#abort?.abort();
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.handler.onError(message, err);
  }

  #close(reason: string, description?: unknown): void {
    this.#state = CLOSED;
    this.#abort?.abort();
    this.handler.onClose(reason, description);
  }
}


/** Engine.IO v4 §Payload: packets as text (binary as "b" + base64) joined by RECORD_SEPARATOR. */
function encodePayload(packets: readonly EnginePacket[]): string {
  return packets.map((packet) => encodeEnginePacket(packet, false)).join(RECORD_SEPARATOR);
}
