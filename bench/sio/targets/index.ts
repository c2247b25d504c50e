/**
 * The Socket.IO benchmark's servers by name, loaded on demand so a server process only loads the
 * implementation it runs.
 */
import type { SioTarget } from "../workload.js";

const LOADERS: Record<string, () => Promise<SioTarget>> = {
  "courant-ws": async () => (await import("./courant.js")).courantWebsocket,
  courant: async () => (await import("./courant.js")).courantDefault,
  "socket.io-ws": async () => (await import("./socketio.js")).socketioWebsocket,
  "socket.io": async () => (await import("./socketio.js")).socketioDefault,
  ws: async () => (await import("./ws-raw.js")).wsRaw,
};

/** All target names, in report order. */
export const SIO_TARGETS: readonly string[] = Object.keys(LOADERS);

/** WebSocket-only targets with a Redis adapter (scale-out). */
export const SCALE_OUT_TARGETS: readonly string[] = ["courant-ws", "socket.io-ws"];

/** Targets that accept long-polling. */
export const POLLING_TARGETS: readonly string[] = ["courant", "socket.io"];

/**
 * Loads the target called `name`.
 *
 * @example
 * const target = await loadSioTarget("courant-ws");
 */
export async function loadSioTarget(name: string): Promise<SioTarget> {
  const load = LOADERS[name];
  if (load === undefined) throw new Error(`unknown target "${name}" (known: ${SIO_TARGETS.join(", ")})`);
  return load();
}
