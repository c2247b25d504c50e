// Node only: loads the WebSocket client of `courant/websocket` on demand, and keeps the cookies
// the server sets. The browser bundle replaces this module with a stub (scripts/build-client.js),
// and the import specifier is not a literal so other bundlers of the ESM build do not follow it
// into Node modules either.

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

/**
 * In Node, remembers the cookies a response sets in `headers.cookie`, for the next requests and
 * the WebSocket upgrade (sticky sessions); `undefined` elsewhere (browsers keep their own).
 *
 * @example
 * ```ts
 * keepCookies?.(response, context.headers);
 * ```
 */
export const keepCookies: ((res: Response, headers: Record<string, string>) => void) | undefined = isNode ? storeCookies : undefined;

function storeCookies(res: Response, headers: Record<string, string>): void {
  const set = res.headers.getSetCookie();
  if (set.length === 0) return;
  const jar = new Map<string, string>();
  for (const pair of (headers.cookie ?? "").split("; ").concat(set.map((cookie) => cookie.split(";")[0] as string))) {
    const eq = pair.indexOf("=");
    if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  headers.cookie = Array.from(jar, ([name, value]) => name + "=" + value).join("; ");
}

function load(): Promise<NodeWebSocketConstructor> {
  const specifier = "../../websocket/index.js";
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier).then((module: { WebSocket?: NodeWebSocketConstructor }) => {
    if (module.WebSocket === undefined) throw new Error("courant/websocket has no WebSocket client");
    return module.WebSocket;
  });
}
