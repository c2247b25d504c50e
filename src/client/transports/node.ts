// Node only. Loads the WebSocket client of `courant/websocket` on demand. The browser bundle
// replaces this module with a stub (scripts/build-client.js), and the import specifier is not a
// literal so other bundlers of the ESM build do not follow it into Node modules either.

import type { WebSocketLike } from "./websocket.js";

/**
 * The constructor shape of `courant/websocket`'s client: `new WebSocket(url, protocols, options)`.
 *
 * @example
 * ```ts
 * const ws = new NodeWebSocket("ws://localhost:3000/socket.io/?EIO=4&transport=websocket", undefined, { headers: {} });
 * ```
 */
export type NodeWebSocketConstructor = new (url: string, protocols: undefined, options: { headers: Record<string, string> }) => WebSocketLike;

const isNode = typeof process === "object" && typeof process.versions?.node === "string";

/**
 * In Node, loads our WebSocket client; `undefined` elsewhere (use the global `WebSocket`).
 *
 * @example
 * ```ts
 * if (loadNodeWebSocket !== undefined) loadNodeWebSocket().then((WS) => new WS(url, undefined, { headers }));
 * ```
 */
export const loadNodeWebSocket: (() => Promise<NodeWebSocketConstructor>) | undefined = isNode ? load : undefined;

function load(): Promise<NodeWebSocketConstructor> {
  const specifier = "../../websocket/index.js";
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier).then((module: { WebSocket?: NodeWebSocketConstructor }) => {
    if (module.WebSocket === undefined) throw new Error("courant/websocket has no WebSocket client");
    return module.WebSocket;
  });
}
