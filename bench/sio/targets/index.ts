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
  "node-floor": async () => (await import("./node-floor.js")).nodeFloor,
};

/** Every target name, in report order. */
export const ALL_SIO_TARGETS: readonly string[] = Object.keys(LOADERS);

/** The servers every scenario compares, in report order. */
export const SIO_TARGETS: readonly string[] = ["courant-ws", "courant", "socket.io-ws", "socket.io", "ws"];

/** The echo, connection-rate and idle-memory scenarios add the floor for Node on net.Socket, a bound rather than a competitor. */
export const FLOOR_TARGETS: readonly string[] = [...SIO_TARGETS, "node-floor"];

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
  if (load === undefined) throw new Error(`unknown target "${name}" (known: ${Object.keys(LOADERS).join(", ")})`);
  return load();
}
