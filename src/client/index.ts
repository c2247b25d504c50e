// courant/client: the Socket.IO client for browsers and Node.
// `io(url)` gives a Socket on the URL's namespace; namespaces of one server share one
// connection (a Manager per origin and path) unless `forceNew` or `multiplex: false`.

import { Manager } from "./manager.js";
import type { ManagerOptions } from "./manager.js";
import { Socket } from "./socket.js";
import type { SocketOptions } from "./socket.js";
import type { DefaultEventsMap, EventsMap } from "./typed-events.js";
import { parseUrl } from "./url.js";

export { Manager, defaultParser } from "./manager.js";
export type { ManagerOptions, ManagerReservedEvents, Parser } from "./manager.js";
export { Socket } from "./socket.js";
export type { ConnectError, DisconnectReason, SocketOptions, SocketReservedEvents } from "./socket.js";
export { backoffDelay } from "./backoff.js";
export { EngineClient } from "./engine/engine-client.js";
export type { EngineClientOptions, EngineHandler } from "./engine/engine-client.js";
export type { Transport, TransportName } from "./transports/transport.js";
export type { DecorateAcknowledgements, DefaultEventsMap, EventNames, EventParams, EventsMap } from "./typed-events.js";

/**
 * Options of `io()`: those of the Manager plus those of the namespace's Socket.
 *
 * @example
 * ```ts
 * const options: ClientOptions = { transports: ["websocket"], auth: { token: "abc" }, ackTimeout: 5000, retries: 2 };
 * const socket = io("https://example.com/chat", options);
 * ```
 */
export type ClientOptions = ManagerOptions & SocketOptions;

/** Managers shared by `io()` calls, by origin + path. */
const cache: Record<string, Manager<any, any>> = {};

/**
 * Connects to a Socket.IO server (our server or the official one) and returns the socket of
 * the URL's namespace. No URL means the page's origin.
 *
 * @example
 * ```ts
 * import { io } from "courant/client";
 * const socket = io("http://localhost:3000", { auth: { token: "abc" } });
 * const admin = io("http://localhost:3000/admin"); // same connection, another namespace
 * socket.on("connect", () => socket.emit("hello", "world"));
 * ```
 */
function lookup<ListenEvents extends EventsMap = DefaultEventsMap, EmitEvents extends EventsMap = ListenEvents>(
  uri?: string | ClientOptions,
  opts?: ClientOptions,
): Socket<ListenEvents, EmitEvents> {
  if (typeof uri === "object") {
    opts = uri;
    uri = undefined;
  }
  const options: ClientOptions = { ...opts };
  const { origin, nsp, query } = parseUrl(uri);
  if (query && options.query === undefined) options.query = query;
  const key = origin + (options.path ?? "/socket.io");
  const cached = cache[key];
  let manager: Manager<any, any>;
  if (options.forceNew || options.multiplex === false || cached?.nsps.has(nsp)) {
    manager = new Manager(origin, options);
  } else {
    manager = cached ?? (cache[key] = new Manager(origin, options));
  }
  return manager.socket(nsp, options) as Socket<ListenEvents, EmitEvents>;
}

/**
 * `io()` with its classic companions: `io.connect` (the same function), `io.Manager`, `io.Socket`.
 *
 * @example
 * ```ts
 * const socket = io.connect("http://localhost:3000");
 * const manager = new io.Manager("http://localhost:3000");
 * ```
 */
export const io: typeof lookup & { connect: typeof lookup; Manager: typeof Manager; Socket: typeof Socket } = Object.assign(lookup, {
  connect: lookup,
  Manager,
  Socket,
});

/**
 * The same as {@link io}.
 *
 * @example
 * ```ts
 * import { connect } from "courant/client";
 * const socket = connect("http://localhost:3000");
 * ```
 */
export const connect = lookup;

/**
 * The Socket.IO protocol revision the client speaks (socket.io-client's `protocol`).
 *
 * @example
 * ```ts
 * import { protocol } from "courant/client";
 * protocol; // 5
 * ```
 */
export { SOCKET_PROTOCOL_VERSION as protocol } from "../protocol/socket-packet.js";

/**
 * socket.io-client 4.8's transport exports (`Fetch`, `XHR`, `NodeXHR`, `WebSocket`,
 * `NodeWebSocket`), for `transports: [Fetch, WebSocket]`. Here they are the transports' names:
 * long-polling is one transport (over `fetch`), and the WebSocket one uses the browser's own
 * WebSocket or, in Node, Courant's client. WebTransport is not offered.
 *
 * @example
 * ```ts
 * import { io, Fetch, WebSocket } from "courant/client";
 * const socket = io("https://example.com", { transports: [Fetch, WebSocket] });
 * ```
 */
const POLLING = "polling";
const WEBSOCKET = "websocket";
export { POLLING as Fetch, POLLING as XHR, POLLING as NodeXHR, WEBSOCKET as WebSocket, WEBSOCKET as NodeWebSocket };

export default io;
