// What the engine client asks of a transport, and what a transport reports back.

import type { EnginePacket } from "../../protocol/index.js";

/**
 * What a transport reports to the engine client. Methods are called with `this` = the handler.
 *
 * @example
 * ```ts
 * transport.handler = { onOpen() {}, onPacket(p) { console.log(p.type); }, onDrain() {}, onClose() {}, onError(m) { console.error(m); } };
 * ```
 */
export interface TransportHandler {
  /** The transport can carry packets (WebSocket open; polling: first request sent). */
  onOpen(): void;
  onPacket(packet: EnginePacket): void;
  /** Everything given to `send()` has been written. */
  onDrain(): void;
  /** The transport ended (`reason` "transport close" or "parse error"). */
  onClose(reason: string, description?: unknown): void;
  /** The transport failed (`message` like "xhr poll error", "websocket error"). */
  onError(message: string, description?: unknown): void;
}

/**
 * What transports share with their engine client: how to build URLs, the request headers
 * (extraHeaders plus, in Node, the cookies the server set) and the credentials mode.
 *
 * @example
 * ```ts
 * const url = context.url("polling"); // "http://host/socket.io/?EIO=4&transport=polling&sid=..."
 * ```
 */
export interface TransportContext {
  url(name: TransportName): string;
  readonly headers: Record<string, string>;
  readonly withCredentials: boolean;
}

/**
 * The two transports, by their Engine.IO names.
 *
 * @example
 * ```ts
 * const transports: TransportName[] = ["websocket"];
 * ```
 */
export type TransportName = "polling" | "websocket";

/**
 * One transport of an engine client.
 *
 * @example
 * ```ts
 * if (engine.transport.name === "websocket") console.log("upgraded");
 * ```
 */
export interface Transport {
  readonly name: TransportName;
  /** Whether `send()` may be called now (no write in flight). */
  readonly writable: boolean;
  handler: TransportHandler;
  open(): void;
  send(packets: readonly EnginePacket[], compress?: boolean): void;
  /** Closes, after sending `packets` when it still can (polling also sends a close packet). */
  close(packets?: readonly EnginePacket[]): void;
  /** Stops reading and calls `onPause` once no request is in flight (polling, before an upgrade). */
  pause(onPause: () => void): void;
}
