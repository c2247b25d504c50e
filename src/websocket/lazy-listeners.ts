import type { EventEmitter } from "node:events";

/**
 * Drops the empty listener table an `EventEmitter` allocates in its constructor, so that an
 * emitter nobody listens to costs no table (about 200 bytes, as the table is a dictionary-mode
 * object). Node's `EventEmitter` treats a missing table as "no listeners" everywhere and makes one
 * on the first `on()`; test/unit/websocket/lazy-listeners.test.ts checks that contract, so a Node
 * release that changes it fails there rather than here.
 *
 * Used for the per-connection emitters whose listeners are optional: a server-side `WebSocket` the
 * engine drives through its handler, and an engine `Session` the server drives the same way.
 *
 * @example
 * ```ts
 * class Connection extends EventEmitter {
 *   constructor() {
 *     super();
 *     deferListenerTable(this);
 *   }
 * }
 * ```
 */
export function deferListenerTable(emitter: EventEmitter): void {
  (emitter as unknown as { _events: object | undefined })._events = undefined;
}
