import type { WebSocket } from "./websocket.js";

/**
 * A browser-like event (the `Event` shape) dispatched by `addEventListener` and the `on*`
 * properties of {@link WebSocket}.
 *
 * @example
 * ```ts
 * ws.addEventListener("open", (event) => console.log(event.type, event.target.url));
 * ```
 */
export class WebSocketEvent {
  readonly type: string;
  readonly target: WebSocket;
  constructor(type: string, target: WebSocket) {
    this.type = type;
    this.target = target;
  }
}

/**
 * Like the browser's `MessageEvent`: `data` is a string for text, and for binary whatever
 * `binaryType` asks for.
 *
 * @example
 * ```ts
 * ws.onmessage = (event) => console.log(event.data);
 * ```
 */
export class WebSocketMessageEvent extends WebSocketEvent {
  readonly data: unknown;
  constructor(target: WebSocket, data: unknown) {
    super("message", target);
    this.data = data;
  }
}

/**
 * Like the browser's `CloseEvent`.
 *
 * @example
 * ```ts
 * ws.onclose = (event) => console.log(event.code, event.reason, event.wasClean);
 * ```
 */
export class WebSocketCloseEvent extends WebSocketEvent {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(target: WebSocket, code: number, reason: string, wasClean: boolean) {
    super("close", target);
    this.code = code;
    this.reason = reason;
    this.wasClean = wasClean;
  }
}

/**
 * Like the browser's `ErrorEvent`.
 *
 * @example
 * ```ts
 * ws.onerror = (event) => console.error(event.message, event.error);
 * ```
 */
export class WebSocketErrorEvent extends WebSocketEvent {
  readonly error: unknown;
  readonly message: string;
  constructor(target: WebSocket, error: unknown) {
    super("error", target);
    this.error = error;
    this.message = error instanceof Error ? error.message : String(error);
  }
}

/**
 * A listener given to `addEventListener`: a function or an object with `handleEvent`.
 *
 * @example
 * ```ts
 * ws.addEventListener("message", { handleEvent: (event) => console.log(event.data) });
 * ```
 */
export type WebSocketEventListener<E = WebSocketEvent> = ((event: E) => void) | { handleEvent(event: E): void };

/** The event names of the browser-style surface. */
export type BrowserEventType = "open" | "message" | "close" | "error";

const kListener = Symbol("listener");
const kAttribute = Symbol("on-attribute");

/** The EventEmitter listener that turns emitter arguments into an event object. */
export interface EventWrapper {
  (this: WebSocket, ...args: unknown[]): void;
  [kListener]: WebSocketEventListener<any>;
  [kAttribute]: boolean;
}

function callListener(listener: WebSocketEventListener<any>, target: WebSocket, event: WebSocketEvent): void {
  if (typeof listener === "function") listener.call(target, event);
  else listener.handleEvent(event);
}

/**
 * Builds the emitter-side wrapper of a browser-style listener. `toEventData` converts a binary
 * message to the `binaryType` form; `wasClean` tells whether both close frames were exchanged.
 *
 * @example
 * ```ts
 * ws.on("message", wrapListener("message", (event) => console.log(event.data), false, convert));
 * ```
 */
export function wrapListener(
  type: BrowserEventType,
  listener: WebSocketEventListener<any>,
  attribute: boolean,
  convert: { toEventData(ws: WebSocket, data: Buffer, isBinary: boolean): unknown; wasClean(ws: WebSocket): boolean },
): EventWrapper {
  let wrapper: EventWrapper;
  switch (type) {
    case "message":
      wrapper = function (this: WebSocket, data: unknown, isBinary: unknown) {
        const payload = convert.toEventData(this, data as Buffer, isBinary as boolean);
        callListener(listener, this, new WebSocketMessageEvent(this, payload));
      } as EventWrapper;
      break;
    case "close":
      wrapper = function (this: WebSocket, code: unknown, reason: unknown) {
        const event = new WebSocketCloseEvent(this, code as number, String(reason), convert.wasClean(this));
        callListener(listener, this, event);
      } as EventWrapper;
      break;
    case "error":
      wrapper = function (this: WebSocket, error: unknown) {
        callListener(listener, this, new WebSocketErrorEvent(this, error));
      } as EventWrapper;
      break;
    default:
      wrapper = function (this: WebSocket) {
        callListener(listener, this, new WebSocketEvent("open", this));
      } as EventWrapper;
  }
  wrapper[kListener] = listener;
  wrapper[kAttribute] = attribute;
  return wrapper;
}

/**
 * The original listener behind a wrapper, if `fn` is one.
 *
 * @example
 * ```ts
 * const found = ws.listeners("message").some((fn) => unwrapListener(fn)?.listener === listener);
 * ```
 */
export function unwrapListener(fn: unknown): { listener: WebSocketEventListener<any>; attribute: boolean } | undefined {
  if (typeof fn !== "function" || !(kListener in fn)) return undefined;
  const wrapper = fn as EventWrapper;
  return { listener: wrapper[kListener], attribute: wrapper[kAttribute] };
}
