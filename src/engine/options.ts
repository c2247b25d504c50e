// The engine's options: what users pass, and the resolved form with every default filled in.

import type { IncomingMessage, ServerResponse } from "node:http";
import type { PerMessageDeflateOptions } from "../websocket/index.js";
import type { CookieOptions } from "./cookie.js";
import type { CorsOptions, CorsOptionsDelegate } from "./cors.js";
import type { TransportName } from "./transport.js";

/**
 * Options of the engine (all optional; defaults in brackets).
 *
 * @example
 * ```ts
 * const engine = new Engine({ pingInterval: 10_000, transports: ["websocket"], cors: { origin: "https://app.example" } });
 * ```
 */
export interface EngineOptions {
  /** Where the engine answers ["/engine.io/"]. */
  path?: string;
  /** Ms between server pings [25000]. */
  pingInterval?: number;
  /** Ms to wait for the pong after a ping [20000]. */
  pingTimeout?: number;
  /** Ms a probing WebSocket has to complete the upgrade [10000]. */
  upgradeTimeout?: number;
  /** Largest message (WebSocket) or POST body (polling), in bytes [1e6]. */
  maxHttpBufferSize?: number;
  /** Allowed transports [["polling", "websocket"]]. */
  transports?: readonly TransportName[];
  /** Whether polling sessions may upgrade to WebSocket [true]. */
  allowUpgrades?: boolean;
  /** Decides each handshake: `callback(null, true)` accepts, `callback("why", false)` refuses with 403. */
  allowRequest?: (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void;
  /** Set-Cookie with the session id on the handshake response [false]. */
  cookie?: boolean | CookieOptions;
  /** CORS for polling, and the Origin check of WebSocket handshakes; options, or a function giving them per request [none]. */
  cors?: CorsOptions | CorsOptionsDelegate;
  /** Compress polling responses of at least `threshold` bytes (gzip or deflate) [true, threshold 1024]. */
  httpCompression?: boolean | { threshold?: number };
  /** permessage-deflate for WebSocket, passed to the websocket layer [false]. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** End upgrade requests outside the path that nobody answered [true]. */
  destroyUpgrade?: boolean;
  /** Ms before such an upgrade is ended [1000]. */
  destroyUpgradeTimeout?: number;
  /** Makes session ids (sync or async); 20 random base64url characters by default. */
  generateId?: (req: IncomingMessage) => string | Promise<string>;
  /** Sees every request under the path first; returns true when it answered it. */
  requestHook?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** A message sent to every session right after its open packet [none]. */
  initialPacket?: string | Uint8Array;
  /** engine.io's switch for the path's trailing slash; Courant answers with and without it either way [true]. */
  addTrailingSlash?: boolean;
  /**
   * Accepted so that engine.io code compiles; Courant speaks Engine.IO 4 only, so `true` gets a
   * process warning and Socket.IO 2 clients are still refused (`UNSUPPORTED_PROTOCOL_VERSION`) [false].
   */
  allowEIO3?: boolean;
  /**
   * Accepted so that engine.io code compiles; Courant always runs its own WebSocket server
   * (`courant/websocket`), so a value gets a process warning and is not used [none].
   */
  wsEngine?: unknown;
}

/**
 * The engine's options with every default filled in (`engine.opts`).
 *
 * @example
 * ```ts
 * engine.opts.pingInterval; // 25000
 * ```
 */
export interface EngineResolvedOptions {
  path: string;
  pingInterval: number;
  pingTimeout: number;
  upgradeTimeout: number;
  maxHttpBufferSize: number;
  transports: readonly TransportName[];
  allowUpgrades: boolean;
  allowRequest: EngineOptions["allowRequest"] | undefined;
  cookie: false | true | CookieOptions;
  cors: CorsOptions | CorsOptionsDelegate | undefined;
  httpCompression: false | { threshold: number };
  perMessageDeflate: boolean | PerMessageDeflateOptions;
  destroyUpgrade: boolean;
  destroyUpgradeTimeout: number;
  generateId: EngineOptions["generateId"] | undefined;
  requestHook: EngineOptions["requestHook"] | undefined;
  initialPacket: string | Uint8Array | undefined;
  addTrailingSlash: boolean;
  allowEIO3: boolean;
  wsEngine: unknown;
}

/**
 * The resolved options before any user option is applied.
 *
 * @example
 * ```ts
 * defaultEngineOptions().pingInterval; // 25000
 * ```
 */
export function defaultEngineOptions(): EngineResolvedOptions {
  return {
    path: "/engine.io/",
    pingInterval: 25_000,
    pingTimeout: 20_000,
    upgradeTimeout: 10_000,
    maxHttpBufferSize: 1e6,
    transports: ["polling", "websocket"],
    allowUpgrades: true,
    allowRequest: undefined,
    cookie: false,
    cors: undefined,
    httpCompression: { threshold: 1024 },
    perMessageDeflate: false,
    destroyUpgrade: true,
    destroyUpgradeTimeout: 1000,
    generateId: undefined,
    requestHook: undefined,
    initialPacket: undefined,
    addTrailingSlash: true,
    allowEIO3: false,
    wsEngine: undefined,
  };
}

/**
 * The path with one leading and one trailing slash (`"socket.io"` → `"/socket.io/"`).
 *
 * @example
 * ```ts
 * normalizePath(undefined); // "/engine.io/"
 * ```
 */
export function normalizePath(path: string | undefined): string {
  let p = path ?? "/engine.io";
  if (!p.startsWith("/")) p = "/" + p;
  if (!p.endsWith("/")) p += "/";
  return p;
}
