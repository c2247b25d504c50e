// Event names reserved by the library, and the closed set of reasons a socket leaves its namespace.

/**
 * Event names a client may not send and the server may not emit: they mean something to the
 * library (`socket.emit("disconnect")` throws; a client sending one is closed).
 *
 * @example
 * ```ts
 * RESERVED_EVENTS.has("disconnect"); // true
 * ```
 */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
  "error",
]);

/**
 * Why a socket left its namespace.
 *
 * | reason | what happened |
 * |---|---|
 * | `"server namespace disconnect"` | the server called `socket.disconnect()` or `socket.disconnect(true)` |
 * | `"client namespace disconnect"` | the client called `socket.disconnect()` |
 * | `"server shutting down"` | the server is closing (`io.close()`) |
 * | `"ping timeout"` | the client stopped answering pings |
 * | `"transport close"` | the connection was closed (the user left, the network dropped it) |
 * | `"transport error"` | the connection failed |
 * | `"parse error"` | the client sent a packet that does not decode |
 * | `"forced close"` | the engine session was closed by the server |
 * | `"forced server close"` | the server closed the whole connection (`socket.client.close()`, or the connect timeout of a connection with no socket) |
 *
 * @example
 * ```ts
 * socket.on("disconnect", (reason: DisconnectReason) => {
 *   if (reason === "server namespace disconnect") console.log("we kicked them");
 * });
 * ```
 */
export type DisconnectReason =
  | "transport error"
  | "transport close"
  | "forced close"
  | "ping timeout"
  | "parse error"
  | "server shutting down"
  | "forced server close"
  | "client namespace disconnect"
  | "server namespace disconnect";

/**
 * Reasons after which the session is kept for connection state recovery.
 *
 * @example
 * ```ts
 * RECOVERABLE_REASONS.has("transport close"); // true
 * ```
 */
export const RECOVERABLE_REASONS: ReadonlySet<string> = new Set([
  "transport error",
  "transport close",
  "forced close",
  "ping timeout",
  "server shutting down",
  "forced server close",
]);

