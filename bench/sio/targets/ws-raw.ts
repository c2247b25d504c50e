/**
 * The near-limit reference: a plain `ws` server speaking Engine.IO v4 / Socket.IO v5 by hand over
 * WebSocket only, doing the same logical work as the Socket.IO servers (handshake, heartbeats from
 * one shared timer, JSON-decoded events, acks, rooms as `Map<room, Set>`, binary attachments). A
 * broadcast encodes the packet once and calls `send` per client: one frame per packet, framed by
 * ws for each client, as ws's README shows.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { RoomPicker, SMALL_PAYLOAD } from "../workload.js";
import type { SioServer, SioTarget, Workload } from "../workload.js";
import { listenOnLoopback } from "./listen.js";

const kSid = Symbol("sid");
type Client = WebSocket & { [kSid]: string };

async function start(workload: Workload): Promise<SioServer> {
  if (workload.redis !== undefined) throw new Error("the ws target has no Redis adapter");
  const http = createServer();
  const wss = new WebSocketServer({ server: http, path: "/socket.io/", perMessageDeflate: false, clientTracking: true });
  const rooms = new Map<string, Set<Client>>();
  const picker = new RoomPicker(workload.rooms);
  const open = Buffer.from(
    `0${JSON.stringify({ sid: "", upgrades: [], pingInterval: workload.pingInterval, pingTimeout: 20_000, maxPayload: 1e7 })}`,
  );
  const small = Buffer.from(`42${JSON.stringify(["m", SMALL_PAYLOAD])}`);
  const binaryHeader = Buffer.from(`451-${JSON.stringify(["b", { _placeholder: true, num: 0 }])}`);
  const binary = Buffer.alloc(workload.binarySize, 0x62);
  const text = { binary: false };
  const bin = { binary: true };

  const go = (): void => {
    for (let i = 0; i < workload.batch; i++) {
      if (workload.kind === "all") {
        for (const ws of wss.clients) ws.send(small, text);
      } else if (workload.kind === "rooms") {
        const members = rooms.get(picker.next());
        if (members !== undefined) for (const ws of members) ws.send(small, text);
      } else {
        for (const ws of wss.clients) {
          ws.send(binaryHeader, text);
          ws.send(binary, bin);
        }
      }
    }
  };

  function onMessage(this: Client, data: Buffer): void {
    const type = data[0];
    if (type === 0x33) return; // "3": pong
    if (type !== 0x34) return;
    const sioType = data[1];
    if (sioType === 0x30) {
      // "40": namespace connect
      this.send(`40{"sid":"${this[kSid]}"}`);
      return;
    }
    if (sioType !== 0x32) return;
    // "42[<ack id>][...]"
    const str = data.toString("utf8");
    let i = 2;
    while (i < str.length && str.charCodeAt(i) >= 0x30 && str.charCodeAt(i) <= 0x39) i++;
    const args = JSON.parse(str.slice(i)) as unknown[];
    const event = args[0];
    if (event === "go") go();
    else if (event === "join") {
      const room = String(args[1]);
      let members = rooms.get(room);
      if (members === undefined) rooms.set(room, (members = new Set()));
      members.add(this);
    } else if (event === "echo" && i > 2) {
      this.send(`43${str.slice(2, i)}${JSON.stringify([args[1]])}`);
    }
  }

  function onClose(this: Client): void {
    for (const [room, members] of rooms) if (members.delete(this) && members.size === 0) rooms.delete(room);
  }

  wss.on("connection", (ws: WebSocket) => {
    const client = ws as Client;
    client[kSid] = randomBytes(15).toString("base64url");
    client.on("message", onMessage as (this: WebSocket, data: Buffer) => void);
    client.on("close", onClose as (this: WebSocket) => void);
    client.on("error", () => undefined);
    client.send(open.toString().replace('"sid":""', `"sid":"${client[kSid]}"`));
  });
  const ping = Buffer.from("2");
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) ws.send(ping, text);
  }, workload.pingInterval);

  const port = await listenOnLoopback(http);
  return {
    port,
    http,
    connectionCount: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

/** Raw ws speaking the protocol by hand. */
export const wsRaw: SioTarget = {
  name: "ws",
  label: "ws 8 speaking Engine.IO/Socket.IO by hand (WebSocket only, one send per packet per client)",
  polling: false,
  scaleOut: false,
  start,
};
