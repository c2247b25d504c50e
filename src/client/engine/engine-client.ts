// The Engine.IO v4 client: handshake, heartbeat, the upgrade from polling to WebSocket, and the
// write buffer (engine.io-protocol v4: §Handshake, §Heartbeat, §Upgrade).

import { ENGINE_PROTOCOL_VERSION } from "../../protocol/index.js";
import type { EnginePacket, EnginePacketType } from "../../protocol/index.js";
import { Emitter } from "../emitter.js";
import { PollingTransport } from "../transports/polling.js";
import type { Transport, TransportContext, TransportHandler, TransportName } from "../transports/transport.js";
import { WebSocketTransport } from "../transports/websocket.js";

/**
 * Options of the engine client (the Manager passes its own).
 *
 * @example
 * ```ts
 * const options: EngineClientOptions = { path: "/socket.io/", query: "token=abc", transports: ["websocket"] };
 * ```
 */
export interface EngineClientOptions {
  /** The request path, with its trailing slash ("/socket.io/"). */
  path: string;
  /** Extra query string, already encoded ("a=1&b=2"), or "". */
  query?: string;
  transports?: TransportName[];
  /** Try to upgrade from polling to WebSocket (default true). */
  upgrade?: boolean;
  /** Start with WebSocket when an earlier connection upgraded to it (default false). */
  rememberUpgrade?: boolean;
  /** Request headers (polling everywhere; WebSocket in Node only). */
  extraHeaders?: Record<string, string>;
  /** Send cookies cross-origin (`credentials: "include"`). */
  withCredentials?: boolean;
}

/**
 * What the engine client reports to its owner (the Manager). Methods are called with
 * `this` = the handler.
 *
 * @example
 * ```ts
 * const handler: EngineHandler = { onOpen() {}, onMessage(data) {}, onPing() {}, onError(err) {}, onClose(reason) {} };
 * ```
 */
export interface EngineHandler {
  onOpen(): void;
  onMessage(data: string | Uint8Array | ArrayBuffer): void;
  onPing(): void;
  /** A transport error; `onClose("transport error")` follows. */
  onError(err: Error): void;
  onClose(reason: string, description?: unknown): void;
}

/** An error of a transport, as the official client shapes it. */
interface TransportError extends Error {
  type: "TransportError";
  description: unknown;
}

/** A packet waiting in the write buffer. */
type OutgoingPacket = EnginePacket & { compress?: boolean };

const IGNORE: TransportHandler = { onOpen: noop, onPacket: noop, onDrain: noop, onClose: noop, onError: noop };

/** Set after a WebSocket connection worked, for `rememberUpgrade`. */
let priorWebSocketSuccess = false;

/**
 * One Engine.IO session seen from the client. Emits "open", "packet", "ping", "upgrading",
 * "upgrade", "upgradeError", "drain", "error" and "close" for whoever listens
 * (`socket.io.engine.on("upgrade", ...)`); its owner hears about it through the handler.
 *
 * @example
 * ```ts
 * const engine = new EngineClient("http://localhost:3000", { path: "/engine.io/" }, {
 *   onOpen() { engine.send("hello"); }, onMessage(data) { console.log(data); },
 *   onPing() {}, onError() {}, onClose(reason) { console.log(reason); },
 * });
 * ```
 */
export class EngineClient extends Emitter {
  /** The session id, once open. */
  id: string | undefined = undefined;
  readyState: "opening" | "open" | "closing" | "closed" = "opening";
  /** The transport in use ("polling" until an upgrade). */
  transport: Transport;
  pingInterval = 0;
  pingTimeout = 0;
  /** The largest HTTP payload the server accepts (0: no limit). */
  maxPayload = 0;
  readonly #origin: string;
  readonly #options: EngineClientOptions;
  readonly #handler: EngineHandler;
  readonly #context: TransportContext;
  readonly #main: TransportHandler;
  #writeBuffer: OutgoingPacket[] = [];
  #upgrading = false;
  #probe: Transport | undefined = undefined;
  #pingTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  /**
   * Connects to `origin` ("http://host:port" or "https://..."); the first transport opens now.
   */
  constructor(origin: string, options: EngineClientOptions, handler: EngineHandler) {
    super();
    this.#origin = origin;
    this.#options = options;
    this.#handler = handler;
    this.#context = {
      url: (name) => this.#url(name),
      headers: { ...options.extraHeaders },
      withCredentials: options.withCredentials === true,
    };
    this.#main = {
      onOpen: noop,
      onPacket: (packet) => this.#onPacket(packet),
      onDrain: () => this.#onDrain(),
      onClose: (reason, description) => this.#onClose(reason, description),
      onError: (message, description) => this.#onError(message, description),
    };
    const names = options.transports ?? ["polling", "websocket"];
    const name = options.rememberUpgrade === true && priorWebSocketSuccess && names.includes("websocket") ? "websocket" : names[0];
    this.transport = this.#create(name ?? "polling", this.#main);
    this.transport.open();
  }

  /**
   * Sends one Engine.IO "message" (buffered until the session is open).
   *
   * @example
   * ```ts
   * engine.send("2[\"chat\",\"hi\"]");
   * ```
   */
  send(data: string | Uint8Array, compress?: boolean): this {
    if (this.readyState === "opening" || this.readyState === "open") this.#write("message", data, compress);
    return this;
  }

  /**
   * Closes the session ("forced close"). What is already written still goes out first.
   *
   * @example
   * ```ts
   * engine.close();
   * ```
   */
  close(): this {
    this.#onClose("forced close");
    return this;
  }

  #url(name: TransportName): string {
    const options = this.#options;
    let url = (name === "websocket" ? this.#origin.replace(/^http/, "ws") : this.#origin) + options.path;
    url += `?EIO=${ENGINE_PROTOCOL_VERSION}&transport=${name}`;
    if (this.id !== undefined) url += "&sid=" + encodeURIComponent(this.id);
    if (options.query) url += "&" + options.query;
    return url;
  }

  #create(name: TransportName, handler: TransportHandler): Transport {
    return name === "websocket" ? new WebSocketTransport(this.#context, handler) : new PollingTransport(this.#context, handler);
  }

  #onPacket(packet: EnginePacket): void {
    if (this.readyState !== "opening" && this.readyState !== "open") return;
    this.emitReserved("packet", packet);
    switch (packet.type) {
      case "open":
        this.#onHandshake(packet.data);
        break;
      case "ping":
        this.#resetPingTimer();
        this.#write("pong");
        this.emitReserved("ping");
        this.#handler.onPing();
        break;
      case "message":
        if (packet.data !== undefined) this.#handler.onMessage(packet.data);
        break;
    }
  }

  /** Engine.IO v4 §Handshake: `0{"sid","upgrades","pingInterval","pingTimeout","maxPayload"}`. */
  #onHandshake(data: unknown): void {
    let open: { sid?: unknown; upgrades?: unknown; pingInterval?: unknown; pingTimeout?: unknown; maxPayload?: unknown };
    try {
      open = JSON.parse(data as string) as typeof open;
    } catch (err) {
      return this.#onClose("parse error", err);
    }
    if (typeof open?.sid !== "string" || typeof open.pingInterval !== "number" || typeof open.pingTimeout !== "number") {
      return this.#onClose("parse error", "invalid handshake");
    }
    this.id = open.sid;
    this.pingInterval = open.pingInterval;
    this.pingTimeout = open.pingTimeout;
    this.maxPayload = typeof open.maxPayload === "number" ? open.maxPayload : 0;
    this.readyState = "open";
    if (this.transport.name === "websocket") priorWebSocketSuccess = true;
    this.emitReserved("open");
    this.#handler.onOpen();
    this.#flush();
    const options = this.#options;
    if (
      this.readyState === "open" &&
      this.transport.name === "polling" &&
      options.upgrade !== false &&
      Array.isArray(open.upgrades) &&
      open.upgrades.includes("websocket") &&
      (options.transports ?? ["websocket"]).includes("websocket")
    ) {
      this.#startProbe();
    }
    this.#resetPingTimer();
  }

  /** Engine.IO v4 §Heartbeat: the server pings every pingInterval; silence past pingInterval + pingTimeout means it is gone. */
  #resetPingTimer(): void {
    if (this.readyState !== "open") return;
    clearTimeout(this.#pingTimer);
    this.#pingTimer = setTimeout(() => this.#onClose("ping timeout"), this.pingInterval + this.pingTimeout);
  }

  /** Engine.IO v4 §Upgrade: `2probe` → `3probe`, pause polling, then `5` on the new transport. */
  #startProbe(): void {
    const probe = this.#create("websocket", IGNORE);
    this.#probe = probe;
    const fail = (message: string, description?: unknown): void => {
      if (this.#probe !== probe) return;
      this.#probe = undefined;
      probe.handler = IGNORE;
      probe.close();
      if (this.#upgrading) {
        this.#upgrading = false;
        // Polling was paused for the upgrade: resume it.
        this.transport.open();
        this.#flush();
      }
      const err = new Error(message) as TransportError;
      err.type = "TransportError";
      err.description = description;
      this.emitReserved("upgradeError", err);
    };
    probe.handler = {
      onOpen: () => probe.send([{ type: "ping", data: "probe" }]),
      onPacket: (packet) => {
        if (packet.type !== "pong" || packet.data !== "probe") return fail("probe error");
        if (this.readyState !== "open" || this.#upgrading) return;
        this.#upgrading = true;
        this.emitReserved("upgrading", probe);
        this.transport.pause(() => {
          if (this.#probe !== probe || this.readyState !== "open") return;
          this.#probe = undefined;
          probe.handler = this.#main;
          this.transport.handler = IGNORE;
          this.transport = probe;
          priorWebSocketSuccess = true;
          probe.send([{ type: "upgrade" }]);
          this.#upgrading = false;
          this.emitReserved("upgrade", probe);
          this.#flush();
        });
      },
      onDrain: noop,
      onClose: (reason) => fail("probe error: " + reason),
      onError: (message, description) => fail("probe error: " + message, description),
    };
    probe.open();
  }

  #write(type: EnginePacketType, data?: string | Uint8Array, compress?: boolean): void {
    const packet: OutgoingPacket = data === undefined ? { type } : { type, data };
    if (compress !== undefined) packet.compress = compress;
    this.#writeBuffer.push(packet);
    this.#flush();
  }

  #flush(): void {
    const state = this.readyState;
    if ((state !== "open" && state !== "closing") || this.#upgrading || !this.transport.writable || this.#writeBuffer.length === 0) return;
    this.transport.send(this.#takeWritable());
  }

  /** The packets for one write; for polling, no more than the server's maxPayload in one POST. */
  #takeWritable(): OutgoingPacket[] {
    const buffer = this.#writeBuffer;
    const max = this.maxPayload;
    let count = buffer.length;
    if (max > 0 && this.transport.name === "polling") {
      let size = 0;
      for (let i = 0; i < buffer.length; i++) {
        size += encodedLength((buffer[i] as OutgoingPacket).data) + 2;
        if (size > max && i > 0) {
          count = i;
          break;
        }
      }
    }
    if (count === buffer.length) {
      this.#writeBuffer = [];
      return buffer;
    }
    return buffer.splice(0, count);
  }

  #onDrain(): void {
    if (this.#writeBuffer.length > 0) return this.#flush();
    if (this.readyState === "closing") return this.#finish();
    this.emitReserved("drain");
  }

  #onError(message: string, description: unknown): void {
    if (this.readyState === "closing") return this.#finish();
    const err = new Error(message) as TransportError;
    err.type = "TransportError";
    err.description = description;
    priorWebSocketSuccess = false;
    this.emitReserved("error", err);
    this.#handler.onError(err);
    this.#onClose("transport error", err);
  }

  /** Ends the session once; a forced close with writes pending lets them drain ("closing") first. */
  #onClose(reason: string, description?: unknown): void {
    const state = this.readyState;
    if (state === "closed") return;
    if (state === "closing") return this.#finish();
    clearTimeout(this.#pingTimer);
    if (this.#probe !== undefined) {
      this.#probe.handler = IGNORE;
      this.#probe.close();
      this.#probe = undefined;
    }
    this.#upgrading = false;
    const drain = reason === "forced close" && state === "open" && (this.#writeBuffer.length > 0 || !this.transport.writable);
    if (drain) {
      this.readyState = "closing";
      this.#flush();
    } else {
      this.#finish();
    }
    this.#handler.onClose(reason, description);
    this.emitReserved("close", reason, description);
  }

  #finish(): void {
    this.readyState = "closed";
    this.#writeBuffer = [];
    this.transport.handler = IGNORE;
    this.transport.close();
  }
}

function noop(): void {}

/** Bytes a packet's data takes in a polling payload (UTF-8, or base64 for binary), plus its type. */
function encodedLength(data: unknown): number {
  if (typeof data !== "string") return data === undefined ? 1 : Math.ceil((data as Uint8Array).byteLength / 3) * 4 + 1;
  let length = data.length;
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    // A surrogate pair counts 6 bytes instead of 4: an overestimate, which is the safe side.
    if (c >= 0x800) length += 2;
    else if (c >= 0x80) length += 1;
  }
  return length;
}
