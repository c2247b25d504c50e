// One Engine.IO session: survives the switch from polling to WebSocket, runs the heartbeat
// (from the engine's shared timer), and hands messages to the layer above through a handler
// object (events are emitted too, for the public surface).

import { EventEmitter } from "node:events";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { decodeEnginePacket } from "../protocol/engine-packet.js";
import type { EnginePacket } from "../protocol/engine-packet.js";
import { deferListenerTable } from "../websocket/lazy-listeners.js";
import { EngineError } from "./errors.js";
import { Timer } from "./heartbeat.js";
import type { TimerTarget } from "./heartbeat.js";
import type { PreparedPackets } from "./prepared-packets.js";
import type { EngineHost, Transport } from "./transport.js";
import type { PollingTransport } from "./transports/polling.js";
import type { WebSocketTransport } from "./transports/websocket.js";

/**
 * The fast path for the layer above: called with `this` = the handler, no EventEmitter hop.
 *
 * @example
 * ```ts
 * session.setHandler({
 *   onMessage(data) { console.log("got", data); },
 *   onClose(reason) { console.log("closed:", reason); },
 * });
 * ```
 */
export interface SessionHandler {
  onMessage(data: string | Buffer): void;
  onClose(reason: string, description?: unknown): void;
  onDrain?(): void;
}

/**
 * Why a session closed: the Engine.IO protocol's set of reasons.
 *
 * | reason | what happened |
 * |---|---|
 * | `"transport close"` | the client closed (close packet, or its WebSocket closed) |
 * | `"transport error"` | the connection failed or the client broke the transport rules (overlapping GET, aborted request, oversized POST) |
 * | `"ping timeout"` | no pong within `pingTimeout` after a ping |
 * | `"parse error"` | the client sent a packet that does not decode |
 * | `"forced close"` | `session.close()` |
 * | `"server shutting down"` | `engine.close()` |
 *
 * @example
 * ```ts
 * session.on("close", (reason: SessionCloseReason) => console.log(reason));
 * ```
 */
export type SessionCloseReason =
  | "transport close"
  | "transport error"
  | "ping timeout"
  | "parse error"
  | "forced close"
  | "server shutting down"
  | "forced server close";

/**
 * What a socket's handshake needs of the opening request: kept on its own when the application
 * lets the request go (`session.request = null`).
 *
 * @example
 * ```ts
 * const { headers, url, secure } = session.requestDetails;
 * ```
 */
export interface RequestDetails {
  readonly headers: IncomingHttpHeaders;
  /** Path and query string, as received. */
  readonly url: string;
  /** Whether the request came over TLS. */
  readonly secure: boolean;
}

/**
 * The states of a session, in order.
 *
 * @example
 * ```ts
 * if (session.readyState === "open") session.send("hi");
 * ```
 */
export type SessionReadyState = "opening" | "open" | "closing" | "closed";

/**
 * Options of {@link Session.send}.
 *
 * @example
 * ```ts
 * session.send(bigText, { compress: false });
 * ```
 */
export interface SendOptions {
  /** Compress (polling: gzip/deflate response; WebSocket: permessage-deflate when negotiated). Default true. */
  compress?: boolean;
}

/**
 * The events of a {@link Session} and their arguments.
 *
 * @example
 * ```ts
 * const onClose = (...[reason, description]: SessionEventMap["close"]) => console.log(reason, description);
 * session.on("close", onClose);
 * ```
 */
export interface SessionEventMap {
  open: [];
  message: [data: string | Buffer];
  packet: [packet: EnginePacket];
  packetCreate: [packet: EnginePacket];
  heartbeat: [];
  upgrading: [transport: Transport];
  upgrade: [transport: Transport];
  drain: [];
  flush: [];
  close: [reason: SessionCloseReason, description?: unknown];
  error: [error: Error];
}

/**
 * One Engine.IO session (also exported as `Socket`). Created by the engine on a handshake and
 * handed to its `connection` event.
 *
 * Events: `open`, `message`(data), `packet`(EnginePacket), `packetCreate`(EnginePacket),
 * `heartbeat`, `upgrading`(transport), `upgrade`(transport), `drain`, `flush`,
 * `close`(reason, description), `error`.
 *
 * @example
 * ```ts
 * engine.on("connection", (session: Session) => {
 *   session.on("message", (data) => session.send(data)); // echo
 *   session.on("close", (reason) => console.log(session.id, "closed:", reason));
 * });
 * ```
 */
export class Session extends EventEmitter<SessionEventMap> implements TimerTarget {
  /** The session id (the `sid` query parameter). */
  readonly id: string;
  #request: IncomingMessage | null;
  /** The request's details once the request itself has been let go. */
  #details: RequestDetails | undefined;
  /** The Engine.IO protocol revision. */
  readonly protocol = 4 as const;
  /** The client's address as seen on the opening request. */
  readonly remoteAddress: string;
  readonly #host: EngineHost;
  readonly #timer: Timer;
  #transport: PollingTransport | WebSocketTransport;
  #probe: WebSocketTransport | null = null;
  #readyState: SessionReadyState = "opening";
  #upgraded = false;
  #awaitingPong = false;
  #handler: SessionHandler | null = null;
  /** The reason to report once a graceful close completes. */
  #closeReason: SessionCloseReason = "forced close";

  /** @internal Created by the engine. */
  constructor(id: string, request: IncomingMessage, transport: PollingTransport | WebSocketTransport, host: EngineHost) {
    super();
    // The server drives a session through its handler; listeners are optional.
    deferListenerTable(this);
    this.id = id;
    this.#request = request;
    this.remoteAddress = request.socket.remoteAddress ?? "";
    this.#host = host;
    this.#timer = new Timer(this);
    this.#transport = transport;
    transport.attach(this);
  }

  /**
   * The HTTP request that opened the session, or `null` once the application has let it go. It
   * is kept for code that reads it later (express-session, passport). Setting it to `null`, as
   * socket.io's memory guide shows, saves about 0.7 KiB of heap per idle connection;
   * `socket.handshake` still has the headers, url and TLS flag.
   *
   * @example
   * ```ts
   * io.engine.on("connection", (rawSocket) => {
   *   rawSocket.request = null;
   * });
   * ```
   */
  get request(): IncomingMessage {
    // Typed as socket.io types it, so code that reads `socket.request.headers` compiles unchanged.
    return this.#request as IncomingMessage;
  }

  set request(request: IncomingMessage | null) {
    if (request === null && this.#request !== null) this.#details = this.requestDetails;
    else if (request !== null) this.#details = undefined;
    this.#request = request;
  }

  /** @internal The opening request's headers, url and TLS flag, held or kept. */
  get requestDetails(): RequestDetails {
    const request = this.#request;
    if (request === null) return this.#details!;
    return { headers: request.headers, url: request.url ?? "/", secure: (request.socket as TLSSocket | undefined)?.encrypted === true };
  }

  /**
   * The current transport (`transport.name` is `"polling"` or `"websocket"`).
   *
   * @example
   * ```ts
   * session.on("upgrade", () => console.log(session.transport.name)); // "websocket"
   * ```
   */
  get transport(): Transport {
    return this.#transport;
  }

  /**
   * `"opening"`, `"open"`, `"closing"` or `"closed"`.
   *
   * @example
   * ```ts
   * session.readyState; // "open"
   * ```
   */
  get readyState(): SessionReadyState {
    return this.#readyState;
  }

  /**
   * True once the session has moved from polling to WebSocket.
   *
   * @example
   * ```ts
   * session.once("upgrade", () => console.log(session.upgraded)); // true
   * ```
   */
  get upgraded(): boolean {
    return this.#upgraded;
  }

  /**
   * True while a WebSocket probe is attached and the switch has not happened yet.
   *
   * @example
   * ```ts
   * if (session.upgrading) console.log("switching to websocket");
   * ```
   */
  get upgrading(): boolean {
    return this.#probe !== null;
  }

  /**
   * True when a packet sent now would go out at once (WebSocket with nothing buffered, or
   * polling with a GET waiting). The layer above drops volatile packets when false.
   *
   * @example
   * ```ts
   * if (session.writable) session.send("volatile tick");
   * ```
   */
  get writable(): boolean {
    return this.#readyState === "open" && this.#transport.writable;
  }

  /**
   * Sets (or clears, with `null`) the handler object called for each message and at close.
   *
   * @example
   * ```ts
   * session.setHandler({ onMessage(d) { handle(d); }, onClose(r) { cleanup(r); } });
   * ```
   */
  setHandler(handler: SessionHandler | null): void {
    this.#handler = handler;
  }

  /**
   * Sends one Engine.IO `message` packet. Dropped when the session is closing or closed.
   * `callback` runs once the packet has been written out.
   *
   * @example
   * ```ts
   * session.send("hello");
   * session.send(Buffer.from([1, 2, 3]), { compress: false }, () => console.log("flushed"));
   * ```
   */
  send(data: string | Uint8Array, options?: SendOptions | (() => void), callback?: () => void): this {
    if (typeof options === "function") {
      callback = options;
      options = undefined;
    }
    if (this.#readyState !== "open" && this.#readyState !== "opening") return this;
    const compress = options?.compress !== false;
    if (typeof data === "string") this.#transport.sendText("4" + data, compress, callback);
    else this.#transport.sendBinary(data, compress, callback);
    if (this.listenerCount("packetCreate") > 0) this.emit("packetCreate", { type: "message", data } satisfies EnginePacket);
    return this;
  }

  /**
   * Alias of {@link send}.
   *
   * @example
   * ```ts
   * session.write("hello");
   * ```
   */
  write(data: string | Uint8Array, options?: SendOptions | (() => void), callback?: () => void): this {
    return this.send(data, options, callback);
  }

  /**
   * Sends packets prepared once for many sessions by `engine.prepare()`: on WebSocket the
   * pre-built frames are written as they are, on polling the pre-encoded payload is queued.
   *
   * @example
   * ```ts
   * const prepared = engine.prepare(['2["news",1]']);
   * for (const session of engine.clients.values()) session.sendPrepared(prepared);
   * ```
   */
  sendPrepared(prepared: PreparedPackets): void {
    if (this.#readyState !== "open") return;
    this.#transport.sendPrepared(prepared);
  }

  /**
   * Closes the session: what is queued is delivered first (polling: with the next GET, then a
   * `close` packet), and `close` is emitted with `"forced close"`. With `discard`, queued
   * packets are dropped and the session closes now.
   *
   * @example
   * ```ts
   * session.close();
   * ```
   */
  close(discard = false): void {
    if (this.#readyState === "closed") return;
    if (discard) {
      this.#finish("forced close", undefined);
      return;
    }
    if (this.#readyState === "closing") return;
    this.#beginClose("forced close");
  }

  // ---- engine and transports (internal) ----

  /** @internal The engine opens the session: the open packet, then the heartbeat. */
  open(): void {
    const transport = this.#transport;
    const opts = this.#host.opts;
    const handshake = JSON.stringify({
      sid: this.id,
      upgrades: this.#host.upgradesFor(transport.name),
      pingInterval: opts.pingInterval,
      pingTimeout: opts.pingTimeout,
      maxPayload: opts.maxHttpBufferSize,
    });
    this.#readyState = "open";
    transport.sendText("0" + handshake, false, undefined);
    if (opts.initialPacket !== undefined) this.send(opts.initialPacket);
    this.#host.wheel.schedule(this.#timer, Date.now() + opts.pingInterval);
    this.emit("open");
  }

  /** @internal engine.close(): closes now with "server shutting down". */
  shutdown(): void {
    this.#finish("server shutting down", undefined);
  }

  /** @internal The polling transport of this session, if it is still on polling. */
  get pollingTransport(): PollingTransport | null {
    return this.#transport.name === "polling" ? this.#transport : null;
  }

  /** @internal A WebSocket for this session arrived: it probes, then takes over on "upgrade". */
  attachProbe(probe: WebSocketTransport): boolean {
    if (this.#readyState !== "open" || this.#probe !== null || this.#transport.name !== "polling") return false;
    this.#probe = probe;
    probe.attachProbe(this, Date.now() + this.#host.opts.upgradeTimeout);
    return true;
  }

  /** @internal The probe answered "2probe": flush the pending GET so the client can pause polling. */
  onProbe(probe: WebSocketTransport): void {
    if (probe !== this.#probe) return;
    this.emit("upgrading", probe);
    const polling = this.pollingTransport;
    if (polling !== null) polling.startUpgrade();
  }

  /** @internal The client sent "upgrade" on the probe: switch transports, moving queued packets over in order. */
  onUpgrade(probe: WebSocketTransport): void {
    if (probe !== this.#probe) return;
    this.#probe = null;
    const polling = this.#transport as PollingTransport;
    this.#transport = probe;
    this.#upgraded = true;
    polling.handOver(probe);
    this.emit("upgrade", probe);
    if (this.#readyState === "closing") probe.close();
  }

  /** @internal The probe closed or timed out before the switch. */
  onProbeClose(probe: WebSocketTransport): void {
    if (probe !== this.#probe) return;
    this.#probe = null;
    const polling = this.pollingTransport;
    if (polling !== null) polling.cancelUpgrade();
  }

  /** @internal A text packet from the current transport (type digit first); false when it did not decode (the session is then closed). */
  onTextPacket(text: string): boolean {
    if (text.charCodeAt(0) === 0x34 /* "4" message: the hot path */) {
      this.onMessage(text.slice(1));
      return true;
    }
    let packet: EnginePacket;
    try {
      packet = decodeEnginePacket(text);
    } catch (err) {
      this.onParseError(err);
      return false;
    }
    this.#onPacket(packet);
    return true;
  }

  /** @internal A `message` packet's data from the current transport. */
  onMessage(data: string | Buffer): void {
    if (this.#readyState !== "open") return;
    if (this.listenerCount("packet") > 0) this.emit("packet", { type: "message", data } satisfies EnginePacket);
    const handler = this.#handler;
    if (handler !== null) handler.onMessage(data);
    this.emit("message", data);
  }

  /** @internal Something the transport could not decode. */
  onParseError(err: unknown): void {
    const description =
      err instanceof EngineError ? err : new EngineError("EIO_ERR_INVALID_PAYLOAD", err instanceof Error ? err.message : "invalid packet", { cause: err });
    this.#finish("parse error", description);
  }

  /** @internal The current transport closed or failed on its own. */
  onTransportClose(transport: Transport, reason: SessionCloseReason, description?: unknown): void {
    if (transport !== this.#transport) return;
    // A graceful close that completed reports why it was started.
    this.#finish(this.#readyState === "closing" ? this.#closeReason : reason, description);
  }

  /** @internal The current transport wrote everything it had. */
  onTransportDrain(transport: Transport): void {
    if (transport !== this.#transport) return;
    const handler = this.#handler;
    if (handler !== null && handler.onDrain !== undefined) handler.onDrain();
    this.emit("drain");
  }

  /** @internal The polling transport is about to write a response (for the `flush` event). */
  onFlush(): void {
    if (this.listenerCount("flush") > 0) this.emit("flush");
  }

  /** @internal The shared timer: a ping to send, a pong that did not come, or a close that took too long. */
  onTimer(now: number): void {
    const state = this.#readyState;
    if (state === "closing") {
      this.#finish(this.#closeReason, undefined);
      return;
    }
    if (state !== "open") return;
    if (this.#awaitingPong) {
      this.#finish("ping timeout", undefined);
      return;
    }
    // Deadline first: a pong handled before send() returns must be able to move it.
    this.#awaitingPong = true;
    this.#host.wheel.schedule(this.#timer, now + this.#host.opts.pingTimeout);
    this.#transport.sendText("2", false, undefined);
    if (this.listenerCount("packetCreate") > 0) this.emit("packetCreate", { type: "ping" } satisfies EnginePacket);
  }

  #onPacket(packet: EnginePacket): void {
    if (this.#readyState !== "open") return;
    if (packet.type === "message") {
      this.onMessage(packet.data as string | Buffer);
      return;
    }
    if (this.listenerCount("packet") > 0) this.emit("packet", packet);
    switch (packet.type) {
      case "pong":
        if (this.#awaitingPong) {
          this.#awaitingPong = false;
          this.#host.wheel.schedule(this.#timer, Date.now() + this.#host.opts.pingInterval);
        }
        this.emit("heartbeat");
        return;
      case "close":
        this.#finish("transport close", undefined);
        return;
      case "ping":
        // Engine.IO v4: the server pings, the client pongs (only a probe may carry "2probe").
        this.#finish("transport error", new EngineError("EIO_ERR_HEARTBEAT_DIRECTION", "Engine.IO: invalid heartbeat direction"));
        return;
      default:
        // "open", "upgrade" and "noop" mean nothing on an established transport.
        return;
    }
  }

  #beginClose(reason: SessionCloseReason): void {
    this.#readyState = "closing";
    this.#closeReason = reason;
    // A probe in flight is kept: engine.io-client switches to it as soon as it sends "upgrade",
    // without waiting for the server, and would stop polling for the close packet. If it
    // upgrades, onUpgrade closes the new transport; if not, the close goes out with the next GET.
    // The transport calls onTransportClose once the close is delivered; the timer bounds the wait.
    this.#host.wheel.schedule(this.#timer, Date.now() + this.#host.closeTimeout);
    this.#transport.close();
  }

  #finish(reason: SessionCloseReason, description: unknown): void {
    if (this.#readyState === "closed") return;
    this.#readyState = "closed";
    this.#host.wheel.cancel(this.#timer);
    const probe = this.#probe;
    if (probe !== null) {
      this.#probe = null;
      probe.discard();
    }
    this.#transport.discard();
    this.#host.onSessionClose(this);
    const handler = this.#handler;
    if (handler !== null) handler.onClose(reason, description);
    this.emit("close", reason, description);
  }
}

