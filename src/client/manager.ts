// The Manager: one Engine.IO connection shared by the namespaces (sockets) of one server,
// with reconnection (exponential backoff with jitter) and the Socket.IO codec.

import { encodeSocketPacket, SocketPacketDecoder } from "../protocol/index.js";
import type { SocketPacket } from "../protocol/index.js";
import type { Parser } from "../protocol/parser.js";
import { backoffDelay } from "./backoff.js";
import { Emitter, noop } from "./emitter.js";
import { EngineClient } from "./engine/engine-client.js";
import type { EngineHandler } from "./engine/engine-client.js";
import { Socket } from "./socket.js";
import type { SocketOptions } from "./socket.js";
import type { TransportName } from "./transports/transport.js";
import type { DefaultEventsMap, EventsMap } from "./typed-events.js";
import { encodeQuery, parseUrl } from "./url.js";

export type { Parser } from "../protocol/parser.js";

/**
 * The default codec: `src/protocol`'s encoder and validating decoder.
 *
 * @example
 * ```ts
 * new defaultParser.Encoder().encode({ type: 2, nsp: "/", data: ["hi"] }); // ['2["hi"]']
 * ```
 */
export const defaultParser: Parser = {
  Encoder: class {
    encode = encodeSocketPacket;
  },
  Decoder: SocketPacketDecoder,
};

/**
 * Options of a Manager (and of `io()`, which passes them on).
 *
 * @example
 * ```ts
 * const manager = new Manager("https://example.com", { transports: ["websocket"], reconnectionDelayMax: 10_000 });
 * ```
 */
export interface ManagerOptions {
  /** The server's path (default "/socket.io/"). */
  path?: string;
  /** Transports in the order tried (default ["polling", "websocket"]). */
  transports?: TransportName[];
  /** Upgrade from polling to WebSocket (default true). */
  upgrade?: boolean;
  /** Start with WebSocket when an earlier connection upgraded (default false). */
  rememberUpgrade?: boolean;
  /** Added to every request's query string. */
  query?: string | Record<string, unknown>;
  /** Request headers (polling everywhere, WebSocket in Node only). */
  extraHeaders?: Record<string, string>;
  /** Send cookies on cross-origin requests (default false). */
  withCredentials?: boolean;
  /** Connection timeout in ms, or false for none (default 20 000). */
  timeout?: number | false;
  /** Reconnect after a lost connection (default true). */
  reconnection?: boolean;
  /** Attempts before "reconnect_failed" (default Infinity). */
  reconnectionAttempts?: number;
  /** First reconnection delay in ms (default 1000). */
  reconnectionDelay?: number;
  /** Largest reconnection delay in ms (default 5000). */
  reconnectionDelayMax?: number;
  /** Jitter of each delay, 0..1 (default 0.5). */
  randomizationFactor?: number;
  /** Connect as soon as a socket is created (default true). */
  autoConnect?: boolean;
  /** The Socket.IO codec (default ours). */
  parser?: Parser;
  /** A new connection even if one to this server exists (`io()` only). */
  forceNew?: boolean;
  /** Share a connection between namespaces (`io()` only, default true). */
  multiplex?: boolean;
}

/**
 * The events of a Manager.
 *
 * @example
 * ```ts
 * manager.on("reconnect_attempt", (attempt) => console.log("attempt", attempt));
 * ```
 */
export interface ManagerReservedEvents {
  open: () => void;
  error: (err: Error) => void;
  ping: () => void;
  packet: (packet: SocketPacket) => void;
  close: (reason: string, description?: unknown) => void;
  reconnect_attempt: (attempt: number) => void;
  reconnect: (attempt: number) => void;
  reconnect_error: (err: Error) => void;
  reconnect_failed: () => void;
}

/** The handler of a dropped engine: its late reports go nowhere. */
const IDLE: EngineHandler = { onOpen: noop, onMessage: noop, onPing: noop, onError: noop, onClose: noop };


/** Defaults of the options that have getters/setters on the Manager. */
const DEFAULTS = {
  reconnection: true,
  reconnectionAttempts: Infinity,
  reconnectionDelay: 1000,
  reconnectionDelayMax: 5000,
  randomizationFactor: 0.5,
  timeout: 20_000 as number | false,
};

type Tunable = typeof DEFAULTS;

/**
 * A connection to one Socket.IO server, shared by its namespaces, that reconnects by itself.
 * Events: "open", "close"(reason, description), "error"(err), "ping", "packet"(packet),
 * "reconnect_attempt"(attempt), "reconnect"(attempt), "reconnect_error"(err), "reconnect_failed".
 *
 * @example
 * ```ts
 * const manager = new Manager("http://localhost:3000", { reconnectionAttempts: 5 });
 * const chat = manager.socket("/chat");
 * manager.on("reconnect", (attempt) => console.log("back after", attempt, "attempts"));
 * ```
 */
export class Manager<ListenEvents extends EventsMap = DefaultEventsMap, EmitEvents extends EventsMap = ListenEvents>
  extends Emitter<Record<never, never>, ManagerReservedEvents>
  implements EngineHandler
{
  /** The options given (read again at each connection: change `opts.query` before a reconnection). */
  readonly opts: ManagerOptions & SocketOptions;
  /** "http(s)://host[:port]". */
  readonly uri: string;
  /** The sockets, by namespace. */
  readonly nsps = new Map<string, Socket<ListenEvents, EmitEvents>>();
  /** The current Engine.IO connection (the last one after a close). */
  engine: EngineClient | undefined;
  /** The live engine; `undefined` once it closed or failed, so its late reports are ignored. */
  #engine: EngineClient | undefined;
  #readyState: "opening" | "open" | "closed" = "closed";
  #reconnecting = false;
  #skipReconnect = false;
  /** Reconnection attempts since the last successful connection. */
  #attempts = 0;
  #openTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #openCallback: ((err?: Error) => void) | undefined;
  readonly #encoder: InstanceType<Parser["Encoder"]>;
  #decoder: InstanceType<Parser["Decoder"]> | undefined;

  constructor(uri?: string | (ManagerOptions & SocketOptions), opts?: ManagerOptions & SocketOptions) {
    super();
    if (typeof uri === "object") {
      opts = uri;
      uri = undefined;
    }
    this.opts = opts ??= {};
    this.uri = parseUrl(uri).origin;
    this.#encoder = new (opts.parser ?? defaultParser).Encoder();
    if (opts.autoConnect !== false) this.open();
  }

  /** "closed", "opening" or "open". */
  get readyState(): "opening" | "open" | "closed" {
    return this.#readyState;
  }

  /** Whether a reconnection is scheduled or in progress. */
  get reconnecting(): boolean {
    return this.#reconnecting;
  }

  /**
   * Gets or sets `reconnection`.
   *
   * @example
   * ```ts
   * manager.reconnection(false);
   * ```
   */
  reconnection(): boolean;
  reconnection(value: boolean): this;
  reconnection(value?: boolean): boolean | this {
    if (value === false) this.#skipReconnect = true;
    return this.#option("reconnection", value);
  }

  /**
   * Gets or sets `reconnectionAttempts`.
   *
   * @example
   * ```ts
   * manager.reconnectionAttempts(10);
   * ```
   */
  reconnectionAttempts(): number;
  reconnectionAttempts(value: number): this;
  reconnectionAttempts(value?: number): number | this {
    return this.#option("reconnectionAttempts", value);
  }

  /**
   * Gets or sets `reconnectionDelay`.
   *
   * @example
   * ```ts
   * manager.reconnectionDelay(500);
   * ```
   */
  reconnectionDelay(): number;
  reconnectionDelay(value: number): this;
  reconnectionDelay(value?: number): number | this {
    return this.#option("reconnectionDelay", value);
  }

  /**
   * Gets or sets `reconnectionDelayMax`.
   *
   * @example
   * ```ts
   * manager.reconnectionDelayMax(10_000);
   * ```
   */
  reconnectionDelayMax(): number;
  reconnectionDelayMax(value: number): this;
  reconnectionDelayMax(value?: number): number | this {
    return this.#option("reconnectionDelayMax", value);
  }

  /**
   * Gets or sets `randomizationFactor`.
   *
   * @example
   * ```ts
   * manager.randomizationFactor(0);
   * ```
   */
  randomizationFactor(): number;
  randomizationFactor(value: number): this;
  randomizationFactor(value?: number): number | this {
    return this.#option("randomizationFactor", value);
  }

  /**
   * Gets or sets the connection `timeout`.
   *
   * @example
   * ```ts
   * manager.timeout(5000);
   * ```
   */
  timeout(): number | false;
  timeout(value: number | false): this;
  timeout(value?: number | false): number | false | this {
    return this.#option("timeout", value);
  }

  #option<K extends keyof Tunable>(name: K, value: Tunable[K] | undefined): Tunable[K] | this {
    if (value === undefined) return (this.opts[name] ?? DEFAULTS[name]) as Tunable[K];
    this.opts[name] = value as never;
    return this;
  }

  /**
   * Opens the connection (nothing if open or opening); `callback` gets the outcome. Without a
   * callback, a failed first attempt starts reconnecting.
   *
   * @example
   * ```ts
   * manager.open((err) => console.log(err ? "failed" : "open"));
   * ```
   */
  open(callback?: (err?: Error) => void): this {
    if (this.#readyState !== "closed") return this;
    const opts = this.opts;
    this.#readyState = "opening";
    this.#skipReconnect = false;
    this.#openCallback = callback;
    const decoder = (this.#decoder = new (opts.parser ?? defaultParser).Decoder());
    decoder.on?.("decoded", (packet) => this.#onDecoded(packet));
    const path = (opts.path ?? "/socket.io").replace(/\/$/, "") + "/";
    const engine = (this.engine = this.#engine = new EngineClient(this.uri, { ...opts, path, query: encodeQuery(opts.query) }, this));
    const timeout = this.timeout();
    if (timeout !== false) {
      this.#openTimer = setTimeout(() => {
        if (engine !== this.#engine || this.#readyState !== "opening") return;
        this.onError(new Error("timeout"));
        engine.close();
      }, timeout);
    }
    return this;
  }
  /**
   * The same as {@link Manager.open}.
   *
   * @example
   * ```ts
   * manager.connect();
   * ```
   */
  connect(callback?: (err?: Error) => void): this {
    return this.open(callback);
  }

  /**
   * The socket of a namespace on this connection (created once, then the same one).
   *
   * @example
   * ```ts
   * const admin = manager.socket("/admin", { auth: { token } });
   * ```
   */
  socket(nsp: string, opts?: SocketOptions): Socket<ListenEvents, EmitEvents> {
    let socket = this.nsps.get(nsp);
    if (socket === undefined) {
      socket = new Socket<ListenEvents, EmitEvents>(this as Manager<any, any>, nsp, opts);
      this.nsps.set(nsp, socket);
    } else if (this.opts.autoConnect !== false && !socket.active) {
      socket.connect();
    }
    return socket;
  }

  /**
   * Closes the connection and stops reconnecting; the sockets get "disconnect" with
   * "io client disconnect".
   *
   * @example
   * ```ts
   * manager.close();
   * ```
   */
  close(): this {
    this.#skipReconnect = true;
    this.#reconnecting = false;
    clearTimeout(this.#reconnectTimer);
    this.onClose("forced close");
    return this;
  }

  /**
   * The same as {@link Manager.close}.
   *
   * @example
   * ```ts
   * manager.disconnect();
   * ```
   */
  disconnect(): this {
    return this.close();
  }

  /**
   * Encodes and writes one packet (used by the sockets).
   *
   * @example
   * ```ts
   * manager.packet({ type: 2, nsp: "/", data: ["hi"] });
   * ```
   */
  packet(packet: SocketPacket, compress?: boolean): void {
    const engine = this.#engine;
    if (engine === undefined) return;
    for (const chunk of this.#encoder.encode(packet) as readonly (string | Uint8Array)[]) engine.send(chunk, compress);
  }

  /**
   * Called by a socket that stopped (disconnected or refused): closes the connection when no
   * socket uses it any more.
   *
   * @example
   * ```ts
   * manager.release();
   * ```
   */
  release(): void {
    for (const socket of this.nsps.values()) if (socket.active) return;
    this.close();
  }

  /** Engine handler: the session is open. */
  onOpen(): void {
    clearTimeout(this.#openTimer);
    this.#readyState = "open";
    this.emitReserved("open");
    const callback = this.#openCallback;
    this.#openCallback = undefined;
    for (const socket of this.nsps.values()) if (socket.active) socket.onOpen();
    callback?.();
  }

  /** Engine handler: one Engine.IO message (a Socket.IO packet or one of its attachments). */
  onMessage(data: string | Uint8Array | ArrayBuffer): void {
    let packet: SocketPacket | undefined | void;
    try {
      packet = (this.#decoder as InstanceType<Parser["Decoder"]>).add(data);
    } catch (err) {
      this.onClose("parse error", err);
      return;
    }
    if (packet) this.#onDecoded(packet);
  }

  #onDecoded(packet: SocketPacket): void {
    this.emitReserved("packet", packet);
    const socket = this.nsps.get(packet.nsp);
    if (socket?.active) socket.onPacket(packet);
  }

  /** Engine handler: a ping from the server. */
  onPing(): void {
    this.emitReserved("ping");
  }

  /** Engine handler, a transport error: while opening, the attempt failed; once open, `onClose` follows. */
  onError(err: Error): void {
    this.emitReserved("error", err);
    for (const socket of this.nsps.values()) if (socket.active) socket.onError(err);
    if (this.#readyState !== "opening") return;
    clearTimeout(this.#openTimer);
    this.#readyState = "closed";
    this.#detach();
    const callback = this.#openCallback;
    this.#openCallback = undefined;
    if (callback !== undefined) callback(err);
    else if (!this.#reconnecting && this.#attempts === 0) this.#reconnect();
  }

  /** Engine handler, and every other way the connection ends ("forced close", "parse error"). */
  onClose(reason: string, description?: unknown): void {
    clearTimeout(this.#openTimer);
    this.#detach()?.close();
    this.#decoder?.destroy?.();
    this.#readyState = "closed";
    this.#attempts = 0;
    this.emitReserved("close", reason, description);
    // The Manager closed on purpose (close(), or the last socket left): the sockets hear their own words.
    const socketReason = this.#skipReconnect && reason === "forced close" ? "io client disconnect" : reason;
    for (const socket of this.nsps.values()) if (socket.active) socket.onClose(socketReason, description);
    if (this.reconnection() && !this.#skipReconnect) this.#reconnect();
  }

  /** Stops listening to the current engine; returns it. */
  #detach(): EngineClient | undefined {
    const engine = this.#engine;
    if (engine !== undefined) engine.handler = IDLE;
    this.#engine = undefined;
    return engine;
  }

  #reconnect(): void {
    if (this.#reconnecting || this.#skipReconnect) return;
    if (this.#attempts >= this.reconnectionAttempts()) {
      this.#attempts = 0;
      this.emitReserved("reconnect_failed");
      return;
    }
    this.#reconnecting = true;
    const delay = backoffDelay(this.#attempts++, this.reconnectionDelay(), this.reconnectionDelayMax(), this.randomizationFactor());
    this.#reconnectTimer = setTimeout(() => {
      if (this.#skipReconnect) return;
      this.emitReserved("reconnect_attempt", this.#attempts);
      if (this.#skipReconnect) return;
      this.open((err) => {
        this.#reconnecting = false;
        if (err !== undefined) {
          this.#reconnect();
          this.emitReserved("reconnect_error", err);
        } else {
          const attempts = this.#attempts;
          this.#attempts = 0;
          this.emitReserved("reconnect", attempts);
        }
      });
    }, delay);
  }
}
