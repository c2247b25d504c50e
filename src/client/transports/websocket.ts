// The WebSocket transport: the page's own `WebSocket` in browsers, courant/websocket in Node.
// One Engine.IO packet per message; binary messages go as binary frames (Engine.IO v4 §WebSocket).

import { decodeEnginePacket, encodeEnginePacket } from "../../protocol/index.js";
import type { EnginePacket } from "../../protocol/index.js";
import { loadNodeWebSocket } from "./node.js";
import type { NodeWebSocketConstructor } from "./node.js";
import type { Transport, TransportContext, TransportHandler } from "./transport.js";

/**
 * What this transport uses of a WebSocket: the browser API, which courant/websocket also offers.
 *
 * @example
 * ```ts
 * const ws: WebSocketLike = new WebSocket("wss://example.com/socket.io/?EIO=4&transport=websocket");
 * ```
 */
export interface WebSocketLike {
  binaryType: string;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: any }) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: string | Uint8Array, options?: { compress?: boolean }): void;
  close(): void;
}

/** One outgoing packet; `compress` reaches courant/websocket (browsers decide for themselves). */
type OutgoingPacket = EnginePacket & { compress?: boolean };

/**
 * The WebSocket transport.
 *
 * @example
 * ```ts
 * const ws = new WebSocketTransport(context, handler);
 * ws.open(); // handler.onOpen() once connected
 * ```
 */
export class WebSocketTransport implements Transport {
  readonly name = "websocket";
  writable = false;
  handler: TransportHandler;
  readonly #context: TransportContext;
  #ws: WebSocketLike | undefined;
  #closed = false;

  constructor(context: TransportContext, handler: TransportHandler) {
    this.#context = context;
    this.handler = handler;
  }

  /**
   * Connects.
   *
   * @example
   * ```ts
   * transport.open();
   * ```
   */
  open(): void {
    const load = loadNodeWebSocket;
    if (load === undefined) {
      this.#connect(globalThis.WebSocket as unknown as NodeWebSocketConstructor, false);
    } else {
      load().then(
        (NodeWebSocket) => this.#connect(NodeWebSocket, true),
        (err: unknown) => this.#fail(err),
      );
    }
  }

  #connect(WS: NodeWebSocketConstructor, node: boolean): void {
    if (this.#closed) return;
    let ws: WebSocketLike;
    try {
      // Browsers ignore the third argument; courant/websocket takes the headers (and cookies) from it.
      ws = new WS(this.#context.url("websocket"), undefined, { headers: this.#context.headers });
    } catch (err) {
      // Browsers throw synchronously on a bad URL or a blocked port.
      queueMicrotask(() => this.#fail(err));
      return;
    }
    this.#ws = ws;
    if (!node) ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      this.writable = true;
      this.handler.onOpen();
    };
    ws.onmessage = (event) => {
      let packet: EnginePacket;
      try {
        packet = decodeEnginePacket(event.data as string | Uint8Array | ArrayBuffer);
      } catch (err) {
        this.close();
        this.handler.onClose("parse error", err);
        return;
      }
      this.handler.onPacket(packet);
    };
    ws.onclose = (event) => {
      if (this.#closed) return;
      this.#closed = true;
      this.writable = false;
      this.handler.onClose("transport close", event);
    };
    ws.onerror = (event) => this.#fail(event);
  }

  /**
   * Writes each packet as one message, then reports the drain.
   *
   * @example
   * ```ts
   * transport.send([{ type: "message", data: new Uint8Array([1]) }]);
   * ```
   */
  send(packets: readonly OutgoingPacket[]): void {
    const ws = this.#ws;
    if (ws === undefined || this.#closed) return;
    // Browsers ignore the options argument.
    for (const packet of packets) ws.send(encodeEnginePacket(packet, true), { compress: packet.compress !== false });
    this.handler.onDrain();
  }

  /**
   * Sends `packets` if connected, then closes (no Engine.IO close packet over WebSocket).
   *
   * @example
   * ```ts
   * transport.close();
   * ```
   */
  close(packets?: readonly OutgoingPacket[]): void {
    if (this.#closed) return;
    if (packets !== undefined && this.writable) this.send(packets);
    this.#closed = true;
    this.writable = false;
    this.#ws?.close();
  }

  /**
   * Nothing to wait for on a WebSocket.
   *
   * @example
   * ```ts
   * transport.pause(() => {});
   * ```
   */
  pause(onPause: () => void): void {
    onPause();
  }

  /** An error event is always followed by the connection closing: no close() of our own here. */
  #fail(description: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.writable = false;
    this.handler.onError("websocket error", description);
  }
}
