/**
 * Our `courant/websocket` server. Echo uses the public `message` event and `send` (the same code
 * as the ws target); broadcast builds one frame per message with `WebSocket.prepare` and writes it
 * to every client with `sendPrepared`. The `-handler` variant receives through `setHandler`, the
 * path the engine layer uses. Like the Socket.IO targets it runs the build (`dist`), as users do.
 */
import { WebSocket, WebSocketServer } from "../../dist/websocket/index.js";
import type { AddressInfo } from "node:net";
import type { Target, TargetOptions, TargetServer } from "./target.js";

async function startCourant(options: TargetOptions, useHandler: boolean): Promise<TargetServer> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false, clientTracking: true });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const { mode, onRequest } = options;
  wss.on("connection", (ws: WebSocket) => {
    ws.on("error", ignore);
    if (useHandler) {
      ws.setHandler({
        onMessage: mode === "echo" ? (data, isBinary) => ws.send(data, { binary: isBinary }) : onRequest,
        onClose: ignore,
      });
    } else if (mode === "echo") {
      ws.on("message", (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
    } else {
      ws.on("message", onRequest);
    }
  });
  return {
    port: (wss.address() as AddressInfo).port,
    connectionCount: () => wss.clients.size,
    broadcast(payload) {
      const prepared = WebSocket.prepare(payload, { binary: true });
      for (const ws of wss.clients) ws.sendPrepared(prepared);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

function ignore(): void {}

/** Ours, with the ws-compatible event API for echo and prepared frames for broadcast. */
export const courantWs: Target = {
  name: "courant-ws",
  label: "courant/websocket: message event + send; broadcast = WebSocket.prepare + sendPrepared",
  baseline: "ws",
  start: (options) => startCourant(options, false),
};

/** Ours, receiving through setHandler (no EventEmitter on the receive path). */
export const courantWsHandler: Target = {
  name: "courant-ws-handler",
  label: "courant/websocket: setHandler + send; broadcast = WebSocket.prepare + sendPrepared",
  baseline: "ws",
  start: (options) => startCourant(options, true),
};
