// What the browser bundle gets instead of ./node-websocket.ts: nothing to load, the page has
// its own `WebSocket` (see scripts/build-client.js).

import type { NodeWebSocketConstructor } from "./node-websocket.js";

/**
 * Always `undefined` in browsers.
 *
 * @example
 * ```ts
 * loadNodeWebSocket === undefined; // true in the bundle
 * ```
 */
export const loadNodeWebSocket: (() => Promise<NodeWebSocketConstructor>) | undefined = undefined;
