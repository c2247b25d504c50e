/**
 * Every benchmark target by name, loaded on demand so a server process only loads the
 * implementation it runs. A later scenario set adds socket.io targets here.
 */
import type { Target } from "./target.js";

const LOADERS: Record<string, () => Promise<Target>> = {
  "courant-ws": async () => (await import("./courant-ws.js")).courantWs,
  "courant-ws-handler": async () => (await import("./courant-ws.js")).courantWsHandler,
  ws: async () => (await import("./ws.js")).ws,
  "ws-prebuilt-frame": async () => (await import("./ws.js")).wsPrebuiltFrame,
};

/** Names of all targets. */
export const TARGET_NAMES: readonly string[] = Object.keys(LOADERS);

/**
 * Loads the target called `name`; rejects with the list of known names otherwise.
 *
 * @example
 * const target = await loadTarget("ws");
 */
export async function loadTarget(name: string): Promise<Target> {
  const load = LOADERS[name];
  if (load === undefined) throw new Error(`unknown target "${name}" (known: ${TARGET_NAMES.join(", ")})`);
  return load();
}
