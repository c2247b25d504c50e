// The WebSocket transport (engine.io-protocol v4 §"WebSocket"): one packet per frame, text
// packets in text frames, binary messages as raw binary frames. Also the upgrade probe: a
// WebSocket that joins a polling session answers "2probe" with "3probe" and takes over on "5".

import { EngineError } from "../errors.js";
import { Timer } from "../heartbeat.js";
import type { TimerTarget } from "../heartbeat.js";
import type { PreparedPackets } from "../prepared-packets.js";
import type { Session } from "../session.js";
import type { EngineHost, Transport } from "../transport.js";
import type { PreparedMessage, WebSocket, WebSocketHandler } from "../../websocket/index.js";

const OPEN = 1;
const NO_COMPRESS = { compress: false } as const;
const BINARY = { binary: true } as const;
const BINARY_NO_COMPRESS = { binary: true, compress: false } as const;

/**
 * The WebSocket transport of one session.
 *
 * @example
 * ```ts
 * session.on("upgrade", (transport) => console.log(transport.name)); // "websocket"
 * ```
 */
export class WebSocketTransport implements Transport, TimerTarget, WebSocketHandler {
  readonly name = "websocket" as const;
  readonly #ws: WebSocket;
  readonly #host: EngineHost;
  /** False for clients that asked for base64 (`b64=1`): binary then goes as "b" + base64 text. */
  readonly #supportsBinary: boolean;
  #session: Session | null = null;
  /** Attached as an upgrade probe, not yet switched to. */
  #probing = false;
  #timer: Timer | null = null;
  #closed = false;

  /** @internal Created by the engine for each accepted WebSocket. */
  constructor(ws: WebSocket, host: EngineHost, supportsBinary: boolean) {
    this.#ws = ws;
    this.#host = host;
    this.#supportsBinary = supportsBinary;
  }

  /** @internal The session this WebSocket opened. */
  attach(session: Session): void {
    this.#session = session;
    this.#ws.setHandler(this);
  }

  /** @internal Joins an existing polling session as its upgrade probe, until `deadline`. */
  attachProbe(session: Session, deadline: number): void {
    this.#session = session;
    this.#probing = true;
    this.#timer = new Timer(this);
    this.#host.wheel.schedule(this.#timer, deadline);
    this.#ws.setHandler(this);
  }

  /**
   * True when the socket is open with nothing waiting to be written.
   *
   * @example
   * ```ts
   * session.transport.writable;
   * ```
   */
  get writable(): boolean {
    return !this.#closed && this.#ws.readyState === OPEN && this.#ws.bufferedAmount === 0;
  }

  /** @internal */
  sendText(packet: string, compress: boolean, callback: (() => void) | undefined): void {
    if (this.#closed) return;
    if (callback === undefined) {
      if (compress) this.#ws.send(packet);
      else this.#ws.send(packet, NO_COMPRESS);
    } else {
      this.#ws.send(packet, compress ? undefined : NO_COMPRESS, callback);
    }
  }

  /** @internal */
  sendBinary(data: Uint8Array, compress: boolean, callback: (() => void) | undefined): void {
    if (this.#closed) return;
    if (!this.#supportsBinary) {
      this.sendText("b" + Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64"), compress, callback);
      return;
    }
    this.#ws.send(data, compress ? BINARY : BINARY_NO_COMPRESS, callback);
  }

  /** @internal */
  sendPrepared(prepared: PreparedPackets): void {
    if (this.#closed) return;
    if (!this.#supportsBinary) {
      const texts = prepared.textPackets;
      for (let i = 0; i < texts.length; i++) this.#ws.send(texts[i] as string);
      return;
    }
    const frames = prepared.websocketFrames;
    for (let i = 0; i < frames.length; i++) this.#ws.sendPrepared(frames[i] as PreparedMessage);
  }

  /** @internal Closes the WebSocket; the session is told at once (the close handshake finishes on its own). */
  close(): void {
    if (this.#closed) return;
    this.#shut();
    this.#session?.onTransportClose(this, "transport close");
  }

  /** @internal */
  discard(): void {
    if (this.#closed) return;
    this.#shut();
  }

  #shut(): void {
    this.#closed = true;
    if (this.#timer !== null) this.#host.wheel.cancel(this.#timer);
    this.#ws.close();
  }

  /** @internal websocket layer: one message. */
  onMessage(data: Buffer, isBinary: boolean): void {
    const session = this.#session;
    if (session === null || this.#closed) return;
    if (this.#probing) {
      this.#onProbeMessage(session, data, isBinary);
      return;
    }
    if (isBinary) session.onMessage(data);
    else if (data[0] === 0x34 /* "4": a message, the hot path */) session.onMessage(data.toString("utf8", 1));
    else session.onTextPacket(data.toString("utf8"));
  }

  #onProbeMessage(session: Session, data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      const text = data.toString("utf8");
      if (text === "2probe") {
        this.#ws.send("3probe");
        session.onProbe(this);
        return;
      }
      if (text === "5") {
        this.#probing = false;
        if (this.#timer !== null) this.#host.wheel.cancel(this.#timer);
        session.onUpgrade(this);
        return;
      }
    }
    // Only the probe exchange may happen before the switch.
    this.#failProbe(session);
  }

  #failProbe(session: Session): void {
    this.#shut();
    session.onProbeClose(this);
  }

  /** @internal websocket layer: the connection closed. */
  onClose(_code: number, _reason: Buffer): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) this.#host.wheel.cancel(this.#timer);
    const session = this.#session;
    if (session === null) return;
    if (this.#probing) session.onProbeClose(this);
    else session.onTransportClose(this, "transport close");
  }

  /** @internal websocket layer: the connection failed. */
  onError(err: Error): void {
    if (this.#closed) return;
    const session = this.#session;
    if (session === null) return;
    if (this.#probing) {
      this.#failProbe(session);
      return;
    }
    this.#shut();
    session.onTransportClose(this, "transport error", new EngineError("EIO_ERR_WEBSOCKET", err.message, { cause: err }));
  }

  /** @internal websocket layer: the socket's buffer drained. */
  onDrain(): void {
    if (this.#probing || this.#closed) return;
    this.#session?.onTransportDrain(this);
  }

  /** @internal Upgrade timeout: the client never sent "5". */
  onTimer(_now: number): void {
    const session = this.#session;
    if (!this.#probing || this.#closed || session === null) return;
    this.#failProbe(session);
  }
}
