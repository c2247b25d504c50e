// courant: the Socket.IO 4 server API on Courant's own engine and WebSocket.
// ESM: `import { Server } from "courant"`. CommonJS (Node 20.19+ require of ESM):
// `require("courant")(httpServer)`, `require("courant").listen(httpServer)`, `require("courant").Server`.

import type { Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { MemoryAdapter } from "./adapters/memory/memory-adapter.js";
import { SessionAwareAdapter } from "./adapters/memory/session-aware-adapter.js";
import { BroadcastOperator } from "./server/broadcast-operator.js";
import { Namespace } from "./server/namespace.js";
import { ParentNamespace } from "./server/parent-namespace.js";
import { RemoteSocket } from "./server/remote-socket.js";
import { Server } from "./server/server.js";
import type { ServerOptions } from "./server/server.js";
import { Socket } from "./server/socket.js";

export { Server } from "./server/server.js";
export type { ServerOptions, ServerResolvedOptions, ServerReservedEventsMap, ConnectionStateRecoveryOptions } from "./server/server.js";
export { Namespace } from "./server/namespace.js";
export type { NamespaceReservedEventsMap } from "./server/namespace.js";
export { ParentNamespace } from "./server/parent-namespace.js";
export type { ParentNspNameMatchFn } from "./server/parent-namespace.js";
export { Socket, RESERVED_EVENTS } from "./server/socket.js";
export type { DisconnectReason, SocketReservedEventsMap } from "./server/socket.js";
export { BroadcastOperator } from "./server/broadcast-operator.js";
export { RemoteSocket } from "./server/remote-socket.js";
export { Client } from "./server/client.js";
export { ClientFileServer } from "./server/serve-client.js";
export type { ExtendedError, Event, NamespaceMiddleware, PacketMiddleware } from "./server/middleware.js";
export type * from "./server/typed-events.js";
export { MemoryAdapter } from "./adapters/memory/memory-adapter.js";
export { SessionAwareAdapter } from "./adapters/memory/session-aware-adapter.js";
export type * from "./adapters/adapter.js";

/**
 * Builds a {@link Server}: the callable form of the module, as `require("socket.io")(server)`.
 *
 * @example
 * ```js
 * const io = require("courant")(httpServer, { cors: { origin: "*" } });
 * ```
 */
function courant(srv?: HttpServer | HttpsServer | number | ServerOptions, opts?: ServerOptions): Server {
  return new Server(srv, opts);
}

/** The classes, reachable from the callable module too (`require("courant").Server`). */
courant.Server = Server;
courant.Namespace = Namespace;
courant.ParentNamespace = ParentNamespace;
courant.Socket = Socket;
courant.BroadcastOperator = BroadcastOperator;
courant.RemoteSocket = RemoteSocket;
courant.MemoryAdapter = MemoryAdapter;
courant.SessionAwareAdapter = SessionAwareAdapter;
/** `require("courant").listen(httpServer)`: the old Socket.IO entry point. */
courant.listen = courant;

// Node's require() of this ES module returns the export named "module.exports".
export { courant as "module.exports" };
