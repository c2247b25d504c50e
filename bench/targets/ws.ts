/**
 * The `ws` package (devDependency) as the baseline. Echo uses `message` + `send`; broadcast calls
 * `send` once per client (ws frames the payload for each client), as its README shows.
 * The `ws-prebuilt-frame` variant broadcasts one frame built with ws's own `Sender.frame` and
 * written straight to each client's underlying socket, which reaches into ws's private `_socket`
 * (socket.io does the equivalent through `_sender`): the best ws can do without a public API.
 */
import * as wsModule from "ws";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";
import type { Target, TargetOptions, TargetServer } from "./target.js";

async function startWs(options: TargetOptions, prebuilt: boolean): Promise<TargetServer> {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false, clientTracking: true });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const { mode, onRequest } = options;
  wss.on("connection", (ws: WebSocket) => {
    ws.on("error", ignore);
    if (mode === "echo") ws.on("message", (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
    else ws.on("message", onRequest);
  });
  return {
    port: (wss.address() as AddressInfo).port,
    connectionCount: () => wss.clients.size,
    broadcast(payload) {
      if (!prebuilt) {
        for (const ws of wss.clients) ws.send(payload, { binary: true });
        return;
      }
      // ws exports Sender at runtime, but its type declarations do not.
      const parts = (wsModule as unknown as { Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] } }).Sender.frame(payload, {
        fin: true,
        opcode: 0x2,
        mask: false,
        readOnly: false,
        rsv1: false,
      });
      const frame = Buffer.concat(parts);
      for (const ws of wss.clients) {
        if (ws.readyState === 1) (ws as unknown as { _socket: Socket })._socket.write(frame);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

function ignore(): void {}

/** ws as documented: `send` per client. */
export const ws: Target = {
  name: "ws",
  label: "ws 8: message event + send; broadcast = send per client",
  start: (options) => startWs(options, false),
};

/** ws with one pre-built frame written to each client's socket (private API). */
export const wsPrebuiltFrame: Target = {
  name: "ws-prebuilt-frame",
  label: "ws 8: broadcast = Sender.frame once + write to each ws._socket (private API, as socket.io does)",
  start: (options) => startWs(options, true),
};
