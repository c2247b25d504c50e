// The server's options: the engine's plus the Socket.IO layer's, and how defaults are filled in.

import type { AdapterConstructor, ResolvedRecoveryOptions } from "../adapters/adapter.js";
import type { EngineOptions } from "../engine/index.js";
import type { Parser } from "../protocol/parser.js";

/**
 * Options of connection state recovery.
 *
 * @example
 * ```ts
 * new Server(httpServer, { connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: true } });
 * ```
 */
export interface ConnectionStateRecoveryOptions {
  /** How long a disconnected socket's session (id, rooms, data, missed packets) is kept, in ms [120000]. */
  maxDisconnectionDuration?: number;
  /** Whether a recovered socket skips the namespace middlewares [true]. */
  skipMiddlewares?: boolean;
  /** Most packets kept per namespace for recovery [100000]. */
  maxLoggedPackets?: number;
}

/**
 * Options of the server: the engine's, plus the Socket.IO layer's.
 *
 * @example
 * ```ts
 * const io = new Server(httpServer, { path: "/socket.io", cors: { origin: "*" }, connectTimeout: 10_000 });
 * ```
 */
export interface ServerOptions extends EngineOptions {
  /** Where the server answers ["/socket.io"]. */
  path?: string;
  /** Serve the browser client at `<path>/socket.io.js` and friends [true]. */
  serveClient?: boolean;
  /** The adapter class (or factory) of every namespace [MemoryAdapter; SessionAwareAdapter with recovery]. */
  adapter?: AdapterConstructor;
  /** Ms a client has to join a namespace before its connection is closed [45000]. */
  connectTimeout?: number;
  /** Turns on connection state recovery [off]. */
  connectionStateRecovery?: ConnectionStateRecoveryOptions;
  /** Remove a child namespace of a dynamic namespace once its last socket leaves [false]. */
  cleanupEmptyChildNamespaces?: boolean;
  /**
   * The Socket.IO packet codec, the same as the clients' (socket.io-msgpack-parser, say) [the
   * built-in JSON codec]. Packets it decodes are checked as the built-in decoder checks them.
   */
  parser?: Parser;
}

/**
 * The server's own options with defaults applied (`io.opts`).
 *
 * @example
 * ```ts
 * io.opts.connectTimeout; // 45000
 * ```
 */
export interface ServerResolvedOptions {
  path: string;
  serveClient: boolean;
  connectTimeout: number;
  connectionStateRecovery: ResolvedRecoveryOptions | undefined;
  cleanupEmptyChildNamespaces: boolean;
}

const ENGINE_ONLY_KEYS = ["path", "serveClient", "adapter", "connectTimeout", "connectionStateRecovery", "cleanupEmptyChildNamespaces", "parser"] as const;

/**
 * A path with a leading "/" and no trailing one (`"socket.io/"` → `"/socket.io"`).
 *
 * @example
 * ```ts
 * normalizePath("rt/"); // "/rt"
 * ```
 */
export function normalizePath(path: string): string {
  const withSlash = path.startsWith("/") ? path : "/" + path;
  return withSlash.length > 1 && withSlash.endsWith("/") ? withSlash.slice(0, -1) : withSlash;
}

function resolveRecovery(options: ConnectionStateRecoveryOptions | undefined): ResolvedRecoveryOptions | undefined {
  if (options === undefined) return undefined;
  return {
    maxDisconnectionDuration: options.maxDisconnectionDuration ?? 2 * 60 * 1000,
    skipMiddlewares: options.skipMiddlewares ?? true,
    maxLoggedPackets: options.maxLoggedPackets ?? 100_000,
  };
}

/**
 * The server's own options with their defaults.
 *
 * @example
 * ```ts
 * resolveServerOptions({}).connectTimeout; // 45000
 * ```
 */
export function resolveServerOptions(options: ServerOptions): ServerResolvedOptions {
  return {
    path: normalizePath(options.path ?? "/socket.io"),
    serveClient: options.serveClient !== false,
    connectTimeout: options.connectTimeout ?? 45_000,
    connectionStateRecovery: resolveRecovery(options.connectionStateRecovery),
    cleanupEmptyChildNamespaces: options.cleanupEmptyChildNamespaces === true,
  };
}

/**
 * The options meant for the engine (the server's own keys removed).
 *
 * @example
 * ```ts
 * engineOptionsOf({ path: "/rt", pingInterval: 1000 }); // { pingInterval: 1000 }
 * ```
 */
export function engineOptionsOf(options: ServerOptions): EngineOptions {
  const engine: Record<string, unknown> = { ...options };
  for (const key of ENGINE_ONLY_KEYS) delete engine[key];
  return engine as EngineOptions;
}
