// What the browser bundle gets instead of ./node.ts: the page has its own `WebSocket` and
// keeps its own cookies (see scripts/build-client.js).

import type { NodeWebSocketConstructor } from "./node.js";

/**
 * Always `undefined` in browsers.
 *
 * @example
 * ```ts
 * loadNodeWebSocket === undefined; // true in the bundle
 * ```
 */
export const loadNodeWebSocket: (() => Promise<NodeWebSocketConstructor>) | undefined = undefined;

/**
 * Always `undefined` in browsers.
 *
 * @example
 * ```ts
 * keepCookies === undefined; // true in the bundle
 * ```
 */
export const keepCookies: ((res: Response, headers: Record<string, string>) => void) | undefined = undefined;
