/**
 * Courant's Socket.IO server (`courant`), WebSocket-only and with the default transports. It runs
 * from `dist`, the build users install (`npm run bench` builds first): plain tsc output like the
 * peers' JavaScript, without tsx's name-keeping wrappers, and with real line numbers in profiles.
 */
import { Server } from "../../../dist/index.js";
import type { SioTarget } from "../workload.js";
import { startSocketIoApi } from "./socketio-api.js";
import type { AdapterFactory, ServerFactory } from "./socketio-api.js";

const factory = ((http, options) => new Server(http, options)) as ServerFactory;

/** `courant/redis` over a node-redis v5 publisher and its duplicate as the subscriber. */
const redisAdapter: AdapterFactory = async (link) => {
  const [{ createAdapter }, { connectRedisPair }] = await Promise.all([import("../../../dist/adapters/redis/index.js"), import("./redis-link.js")]);
  const { pub, sub, close } = await connectRedisPair(link);
  return { adapter: createAdapter(pub, sub, { key: link.key }), close };
};

/** Courant with `transports: ["websocket"]`. */
export const courantWebsocket: SioTarget = {
  name: "courant-ws",
  label: 'Courant, transports: ["websocket"]; scale-out: courant/redis over node-redis 5',
  polling: false,
  scaleOut: true,
  discardsRequest: true,
  start: (workload) => startSocketIoApi(factory, workload, true, redisAdapter),
};

/** Courant with the default transports (polling + websocket upgrade). */
export const courantDefault: SioTarget = {
  name: "courant",
  label: "Courant, default transports (polling, websocket)",
  polling: true,
  scaleOut: true,
  discardsRequest: true,
  start: (workload) => startSocketIoApi(factory, workload, false, redisAdapter),
};
