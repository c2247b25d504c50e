/** The official socket.io 4 server (devDependency), WebSocket-only and with the default transports. */
import { Server } from "socket.io";
import type { SioTarget } from "../workload.js";
import { startSocketIoApi } from "./socketio-api.js";
import type { ServerFactory } from "./socketio-api.js";

const factory = ((http: Parameters<ServerFactory>[0], options: Parameters<ServerFactory>[1]) => new Server(http, options)) as unknown as ServerFactory;

/** socket.io with `transports: ["websocket"]`. */
export const socketioWebsocket: SioTarget = {
  name: "socket.io-ws",
  label: 'socket.io 4.8, transports: ["websocket"]',
  polling: false,
  start: (workload) => startSocketIoApi(factory, workload, true),
};

/** socket.io with the default transports. */
export const socketioDefault: SioTarget = {
  name: "socket.io",
  label: "socket.io 4.8, default transports (polling, websocket)",
  polling: true,
  start: (workload) => startSocketIoApi(factory, workload, false),
};
