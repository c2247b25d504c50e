// The Engine.IO v4 client: handshake, heartbeat, the upgrade from polling to WebSocket, and the
// write buffer (engine.io-protocol v4: §Handshake, §Heartbeat, §Upgrade).

import { ENGINE_PROTOCOL_VERSION } from "../../protocol/index.js";
import type { EnginePacket, EnginePacketType } from "../../protocol/index.js";
import { Emitter, noop } from "../emitter.js";
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
 * One Engine.IO session seen from the client. Emits "open", "upgrade",
 * "upgradeError", "error" and "close" for whoever listens
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
export class EngineClient extends Emitter implements TransportHandler {
  /** The session id, once open. */
  id: string | undefined;
  readyState: "opening" | "open" | "closed" = "opening";
  /** The transport in use ("polling" until an upgrade). */
  transport: Transport;
  pingInterval = 0;
  pingTimeout = 0;
  /** The largest HTTP payload the server accepts (0: no limit). */
  maxPayload = 0;
  readonly #origin: string;
  readonly #options: EngineClientOptions;
  /** Where the session reports (the Manager); replaceable to silence a session being dropped. */
  handler: EngineHandler;
  readonly #context: TransportContext;
  #writeBuffer: OutgoingPacket[] = [];
  #upgrading = false;
  #probe: Transport | undefined;
  #pingTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Connects to `origin` ("http://host:port" or "https://..."); the first transport opens now.
   */
  constructor(origin: string, options: EngineClientOptions, handler: EngineHandler) {
    super();
    this.#origin = origin;
    this.#options = options;
    this.handler = handler;
    this.#context = { url: (name) => this.#url(name), headers: { ...options.extraHeaders }, withCredentials: options.withCredentials === true };
    const names = options.transports ?? ["polling", "websocket"];
    const remember = options.rememberUpgrade && priorWebSocketSuccess && names.includes("websocket");
    (this.transport = this.#create(remember ? "websocket" : (names[0] ?? "polling"), this)).open();
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
    if (this.readyState !== "closed") this.#write("message", data, compress);
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
    this.onClose("forced close");
    return this;
  }

  #url(name: TransportName): string {
    const { path, query } = this.#options;
    return (
      (name === "websocket" ? this.#origin.replace("http", "ws") : this.#origin) +
      `${path}?EIO=${ENGINE_PROTOCOL_VERSION}&transport=${name}` +
      (this.id === undefined ? "" : "&sid=" + encodeURIComponent(this.id)) +
      (query ? "&" + query : "")
    );
  }

  #create(name: TransportName, handler: TransportHandler): Transport {
    return new (name === "websocket" ? WebSocketTransport : PollingTransport)(this.#context, handler);
  }

  /** Transport handler (the transport in use reports here): nothing to do when it opens. */
  onOpen(): void {}

  /** Transport handler: the previous write completed. */
  onDrain(): void {
    this.#flush();
  }

  /** Transport handler: one packet received. */
  onPacket(packet: EnginePacket): void {
    if (this.readyState === "closed") return;
    const type = packet.type;
    if (type === "open") this.#onHandshake(packet.data);
    else if (type === "message") this.handler.onMessage(packet.data ?? "");
    else if (type === "ping") {
      this.#resetPingTimer();
      this.#write("pong");
      this.handler.onPing();
    }
  }

  /** Engine.IO v4 §Handshake: `0{"sid","upgrades","pingInterval","pingTimeout","maxPayload"}`. */
  #onHandshake(data: unknown): void {
    let open: { sid?: unknown; upgrades?: unknown; pingInterval?: number; pingTimeout?: number; maxPayload?: number };
    try {
      open = JSON.parse(data as string) as typeof open;
    } catch (err) {
      return this.onClose("parse error", err);
    }
    if (typeof open?.sid !== "string") return this.onClose("parse error");
    this.id = open.sid;
    this.pingInterval = open.pingInterval ?? 25_000;
    this.pingTimeout = open.pingTimeout ?? 20_000;
    this.maxPayload = open.maxPayload ?? 0;
    this.readyState = "open";
    if (this.transport.name === "websocket") priorWebSocketSuccess = true;
    this.emitReserved("open");
    this.handler.onOpen();
    this.#flush();
    const options = this.#options;
    if (
      this.readyState === "open" &&
      this.transport.name === "polling" &&
      options.upgrade !== false &&
      (open.upgrades as unknown[] | undefined)?.includes("websocket") &&
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
    this.#pingTimer = setTimeout(() => this.onClose("ping timeout"), this.pingInterval + this.pingTimeout);
  }

  /** Engine.IO v4 §Upgrade: `2probe` → `3probe`, pause polling, then `5` on the new transport. */
  #startProbe(): void {
    const probe = (this.#probe = this.#create("websocket", IGNORE));
    const fail = (message: string, description?: unknown): void => {
      if (this.#probe !== probe) return;
      this.#dropProbe();
      if (this.#upgrading) {
        this.#upgrading = false;
        // Polling was paused for the upgrade: resume it.
        this.transport.open();
        this.#flush();
      }
      this.emitReserved("upgradeError", transportError("probe error: " + message, description));
    };
    probe.handler = {
      onOpen: () => probe.send([{ type: "ping", data: "probe" }]),
      onPacket: (packet) => {
        if (packet.type !== "pong" || packet.data !== "probe") return fail(packet.type);
        if (this.readyState !== "open" || this.#upgrading) return;
        this.#upgrading = true;
        this.transport.pause(() => {
          if (this.#probe !== probe || this.readyState !== "open") return;
          this.#probe = undefined;
          this.transport.handler = IGNORE;
          (this.transport = probe).handler = this;
          priorWebSocketSuccess = true;
          probe.send([{ type: "upgrade" }]);
          this.#upgrading = false;
          this.emitReserved("upgrade", probe);
          this.#flush();
        });
      },
      onDrain: noop,
      onClose: fail,
      onError: fail,
    };
    probe.open();
  }

  #dropProbe(): void {
    const probe = this.#probe;
    if (probe === undefined) return;
    this.#probe = undefined;
    probe.handler = IGNORE;
    probe.close();
  }

  #write(type: EnginePacketType, data?: string | Uint8Array, compress?: boolean): void {
    const packet: OutgoingPacket = { type };
    if (data !== undefined) packet.data = data;
    if (compress !== undefined) packet.compress = compress;
    this.#writeBuffer.push(packet);
    this.#flush();
  }

  /** Writes what is buffered when the transport can take it. */
  #flush(): void {
    const buffer = this.#writeBuffer;
    if (this.readyState !== "open" || this.#upgrading || !this.transport.writable || buffer.length === 0) return;
    // One POST carries at most the server's maxPayload.
    const max = this.transport.name === "polling" && this.maxPayload > 0 ? this.maxPayload : Infinity;
    let size = 0;
    let count = 0;
    for (const packet of buffer) {
      // Strings count 3 bytes per character, binary (sent as base64) 3 per byte: safely high.
      size += ((packet.data as string | Uint8Array | undefined)?.length ?? 0) * 3 + 2;
      if (count > 0 && size > max) break;
      count++;
    }
    this.transport.send(buffer.splice(0, count));
  }

  /** Transport handler: the transport failed. */
  onError(message: string, description: unknown): void {
    const err = transportError(message, description);
    priorWebSocketSuccess = false;
    this.emitReserved("error", err);
    this.handler.onError(err);
    this.onClose("transport error", err);
  }

  /** Transport handler, and every other way the session ends, once. A forced close hands what is still buffered to the transport to send first. */
  onClose(reason: string, description?: unknown): void {
    if (this.readyState === "closed") return;
    this.readyState = "closed";
    clearTimeout(this.#pingTimer);
    this.#dropProbe();
    const transport = this.transport;
    transport.handler = IGNORE;
    transport.close(reason === "forced close" ? this.#writeBuffer : []);
    this.#writeBuffer = [];
    this.handler.onClose(reason, description);
    this.emitReserved("close", reason, description);
  }
}

function transportError(message: string, description: unknown): TransportError {
  const err = new Error(message) as TransportError;
  err.type = "TransportError";
  err.description = description;
  return err;
}
