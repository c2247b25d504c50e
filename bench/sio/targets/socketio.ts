/** The official socket.io 4 server (devDependency), WebSocket-only and with the default transports. */
import { Server } from "socket.io";
import type { SioTarget } from "../workload.js";
import { startSocketIoApi } from "./socketio-api.js";
import type { AdapterFactory, ServerFactory } from "./socketio-api.js";

const factory = ((http: Parameters<ServerFactory>[0], options: Parameters<ServerFactory>[1]) => new Server(http, options)) as unknown as ServerFactory;

/** @socket.io/redis-adapter over a node-redis v5 publisher and its duplicate as the subscriber. */
const redisAdapter: AdapterFactory = async (link) => {
  const [{ createAdapter }, { connectRedisPair }] = await Promise.all([import("@socket.io/redis-adapter"), import("./redis-link.js")]);
  const { pub, sub, close } = await connectRedisPair(link);
  return { adapter: createAdapter(pub, sub, { key: link.key }), close };
};

/** socket.io with `transports: ["websocket"]`. */
export const socketioWebsocket: SioTarget = {
  name: "socket.io-ws",
  label: 'socket.io 4.8, transports: ["websocket"]; scale-out: @socket.io/redis-adapter 8.3 over node-redis 5',
  polling: false,
  scaleOut: true,
  discardsRequest: true,
  start: (workload) => startSocketIoApi(factory, workload, true, redisAdapter),
};

/** socket.io with the default transports. */
export const socketioDefault: SioTarget = {
  name: "socket.io",
  label: "socket.io 4.8, default transports (polling, websocket)",
  polling: true,
  scaleOut: true,
  discardsRequest: true,
  start: (workload) => startSocketIoApi(factory, workload, false, redisAdapter),
};
