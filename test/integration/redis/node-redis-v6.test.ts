// node-redis v6 (the `redis` package's current major, installed here as `redis-v6`) drives the
// adapter in both wire modes: two Courant servers in this process, one official client on each.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient } from "redis-v6";
import { io as ioc } from "socket.io-client";
import type { Socket as ClientSocket } from "socket.io-client";
import { Server } from "../../../src/index.js";
import { createAdapter, createShardedAdapter } from "../../../src/adapters/redis/index.js";
import { REDIS_URL, skip, uniqueKey, waitUntil } from "./helpers.js";

async function startNode(key: string, sharded: boolean) {
  const pub = createClient({ url: REDIS_URL });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = createServer();
  const adapter = sharded ? createShardedAdapter(pub, sub, { key }) : createAdapter(pub, sub, { key });
  const io = new Server(httpServer, { adapter, transports: ["websocket"] });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const port = (httpServer.address() as AddressInfo).port;
  return {
    io,
    port,
    async close() {
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      await Promise.all([pub.quit(), sub.quit()]);
    },
  };
}

async function connect(port: number): Promise<ClientSocket> {
  const socket = ioc(`http://127.0.0.1:${port}`, { transports: ["websocket"], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

for (const sharded of [false, true]) {
  test(`node-redis v6, ${sharded ? "sharded" : "classic"} wire: broadcasts, rooms and requests cross processes`, { skip, timeout: 30_000 }, async () => {
    const key = uniqueKey(`v6-${sharded ? "sharded" : "classic"}`);
    const a = await startNode(key, sharded);
    const b = await startNode(key, sharded);
    const clients: ClientSocket[] = [];
    try {
      await waitUntil(async () => (await a.io.of("/").adapter.serverCount()) === 2, "both servers see each other", 10_000);
      a.io.on("connection", (socket) => void socket.join("red"));
      b.io.on("connection", (socket) => {
        void socket.join("blue");
        socket.on("ping-b", (ack: (answer: string) => void) => ack("pong"));
      });
      const onA = await connect(a.port);
      const onB = await connect(b.port);
      clients.push(onA, onB);

      const got: string[] = [];
      onA.on("news", (text: string) => got.push(`a:${text}`));
      onB.on("news", (text: string) => got.push(`b:${text}`));
      await waitUntil(async () => (await a.io.fetchSockets()).length === 2, "fetchSockets sees both clients");

      a.io.emit("news", "all");
      a.io.to("blue").emit("news", "blue-only");
      b.io.except("blue").emit("news", "not-blue");
      await waitUntil(() => got.length === 4, "four deliveries");
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(got.sort(), ["a:all", "a:not-blue", "b:all", "b:blue-only"]);

      const remote = (await a.io.in("blue").fetchSockets())[0];
      assert.equal(remote?.id, onB.id);
      assert.deepEqual([...(remote?.rooms ?? [])].sort(), [onB.id, "blue"].sort());

      b.io.of("/").on("hello", (from: string, ack: (answer: string) => void) => ack(`b got ${from}`));
      const answers = await a.io.serverSideEmitWithAck("hello", "a");
      assert.deepEqual(answers, ["b got a"]);
    } finally {
      for (const client of clients) client.disconnect();
      await a.close();
      await b.close();
    }
  });
}
