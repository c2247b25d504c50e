/** Courant's Socket.IO server (`courant`), WebSocket-only and with the default transports. */
import { Server } from "../../../src/index.js";
import type { SioTarget } from "../workload.js";
import { startSocketIoApi } from "./socketio-api.js";
import type { ServerFactory } from "./socketio-api.js";

const factory = ((http, options) => new Server(http, options)) as ServerFactory;

/** Courant with `transports: ["websocket"]`. */
export const courantWebsocket: SioTarget = {
  name: "courant-ws",
  label: 'Courant, transports: ["websocket"]',
  polling: false,
  start: (workload) => startSocketIoApi(factory, workload, true),
};

/** Courant with the default transports (polling + websocket upgrade). */
export const courantDefault: SioTarget = {
  name: "courant",
  label: "Courant, default transports (polling, websocket)",
  polling: true,
  start: (workload) => startSocketIoApi(factory, workload, false),
};
