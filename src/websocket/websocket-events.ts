import { EventEmitter } from "node:events";
import type { ClientRequest, IncomingMessage } from "node:http";
import {
  type BrowserEventType,
  type WebSocketCloseEvent,
  type WebSocketErrorEvent,
  type WebSocketEvent,
  type WebSocketEventListener,
  type WebSocketMessageEvent,
  unwrapListener,
  wrapListener,
} from "./event-target.js";
import { kWasClean } from "./internal.js";
import type { RawData, WebSocket } from "./websocket.js";

/**
 * The event surface of {@link WebSocket}: typed EventEmitter listeners, plus the browser's
 * `on*` properties and `addEventListener`/`removeEventListener` with event objects, so browser
 * code runs in Node. Browser-style listeners are EventEmitter listeners underneath.
 *
 * @example
 * ```ts
 * ws.on("message", (data, isBinary) => {});       // Node style
 * ws.addEventListener("message", (event) => {});  // browser style
 * ```
 */
export abstract class WebSocketEventTarget extends EventEmitter {
  /** @internal Whether both close frames were exchanged. */
  abstract [kWasClean](): boolean;

  /** Typed listeners for the events this class emits (any other name falls through to EventEmitter). */
  override on(event: "open", listener: (this: WebSocket) => void): this;
  override on(event: "message", listener: (this: WebSocket, data: RawData, isBinary: boolean) => void): this;
  override on(event: "close", listener: (this: WebSocket, code: number, reason: Buffer) => void): this;
  override on(event: "error", listener: (this: WebSocket, error: Error) => void): this;
  override on(event: "ping" | "pong", listener: (this: WebSocket, data: Buffer) => void): this;
  override on(event: "upgrade", listener: (this: WebSocket, response: IncomingMessage) => void): this;
  override on(event: "unexpected-response", listener: (this: WebSocket, request: ClientRequest, response: IncomingMessage) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  override once(event: "open", listener: (this: WebSocket) => void): this;
  override once(event: "message", listener: (this: WebSocket, data: RawData, isBinary: boolean) => void): this;
  override once(event: "close", listener: (this: WebSocket, code: number, reason: Buffer) => void): this;
  override once(event: "error", listener: (this: WebSocket, error: Error) => void): this;
  override once(event: "ping" | "pong", listener: (this: WebSocket, data: Buffer) => void): this;
  override once(event: "upgrade", listener: (this: WebSocket, response: IncomingMessage) => void): this;
  override once(event: "unexpected-response", listener: (this: WebSocket, request: ClientRequest, response: IncomingMessage) => void): this;
  override once(event: string | symbol, listener: (...args: any[]) => void): this;
  override once(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.once(event, listener);
  }

  get onopen(): ((event: WebSocketEvent) => void) | null {
    return this.#getAttribute("open") as ((event: WebSocketEvent) => void) | null;
  }
  set onopen(listener: ((event: WebSocketEvent) => void) | null) {
    this.#setAttribute("open", listener);
  }
  get onmessage(): ((event: WebSocketMessageEvent) => void) | null {
    return this.#getAttribute("message") as ((event: WebSocketMessageEvent) => void) | null;
  }
  set onmessage(listener: ((event: WebSocketMessageEvent) => void) | null) {
    this.#setAttribute("message", listener);
  }
  get onclose(): ((event: WebSocketCloseEvent) => void) | null {
    return this.#getAttribute("close") as ((event: WebSocketCloseEvent) => void) | null;
  }
  set onclose(listener: ((event: WebSocketCloseEvent) => void) | null) {
    this.#setAttribute("close", listener);
  }
  get onerror(): ((event: WebSocketErrorEvent) => void) | null {
    return this.#getAttribute("error") as ((event: WebSocketErrorEvent) => void) | null;
  }
  set onerror(listener: ((event: WebSocketErrorEvent) => void) | null) {
    this.#setAttribute("error", listener);
  }

  /** Adds a browser-style listener (event objects instead of emitter arguments). */
  addEventListener(type: "message", listener: WebSocketEventListener<WebSocketMessageEvent>, options?: { once?: boolean }): void;
  addEventListener(type: "close", listener: WebSocketEventListener<WebSocketCloseEvent>, options?: { once?: boolean }): void;
  addEventListener(type: "error", listener: WebSocketEventListener<WebSocketErrorEvent>, options?: { once?: boolean }): void;
  addEventListener(type: "open", listener: WebSocketEventListener<WebSocketEvent>, options?: { once?: boolean }): void;
  addEventListener(type: BrowserEventType, listener: WebSocketEventListener<any>, options?: { once?: boolean }): void {
    if (!isBrowserEventType(type)) return;
    // Like EventTarget: the same listener is only added once.
    for (const existing of this.listeners(type)) {
      const info = unwrapListener(existing);
      if (info !== undefined && info.listener === listener && !info.attribute) return;
    }
    const wrapper = wrapListener(type, listener, false, EVENT_CONVERT);
    if (options?.once === true) this.once(type, wrapper);
    else this.on(type, wrapper);
  }

  /** Removes a listener added with `addEventListener`. */
  removeEventListener(type: BrowserEventType, listener: WebSocketEventListener<any>): void {
    for (const existing of this.listeners(type)) {
      const info = unwrapListener(existing);
      if (info !== undefined && info.listener === listener && !info.attribute) {
        this.removeListener(type, existing as (...args: unknown[]) => void);
        return;
      }
    }
  }

  #getAttribute(type: BrowserEventType): unknown {
    for (const existing of this.listeners(type)) {
      const info = unwrapListener(existing);
      if (info !== undefined && info.attribute) return info.listener;
    }
    return null;
  }

  #setAttribute(type: BrowserEventType, listener: unknown): void {
    for (const existing of this.listeners(type)) {
      const info = unwrapListener(existing);
      if (info !== undefined && info.attribute) {
        this.removeListener(type, existing as (...args: unknown[]) => void);
        break;
      }
    }
    if (typeof listener === "function") this.on(type, wrapListener(type, listener as WebSocketEventListener<any>, true, EVENT_CONVERT));
  }
}

function isBrowserEventType(type: string): type is BrowserEventType {
  return type === "open" || type === "message" || type === "close" || type === "error";
}

const EVENT_CONVERT = {
  toEventData(_ws: WebSocket, data: unknown, isBinary: boolean): unknown {
    // The emitter already applied binaryType; text becomes a string like in the browser.
    return isBinary ? data : String(data);
  },
  wasClean(ws: WebSocket): boolean {
    return ws[kWasClean]();
  },
};
