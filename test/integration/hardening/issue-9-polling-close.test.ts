// issue-9: on long-polling, closing a session sent the close packet in the same response as
// the packets still queued; socket.io-client handles decoded packets a tick later, so it saw
// the transport close first and lost them. The close packet now goes in a response of its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { Server, type Socket } from "../../../src/index.js";

async function withServer(onConnection: (socket: Socket) => void, run: (client: ClientSocket) => Promise<void>): Promise<void> {
  const http = createServer();
  const io = new Server(http);
  io.on("connection", onConnection);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as AddressInfo).port;
  const client = ioc(`http://127.0.0.1:${port}`, { transports: ["polling"], forceNew: true, reconnection: false, timeout: 5000 });
  try {
    await run(client);
  } finally {
    client.disconnect();
    const closed = new Promise<void>((resolve) => void io.close(() => resolve()));
    http.closeAllConnections();
    await closed;
  }
}

/** The events named `last` received before `disconnect`, and the disconnect reason. */
function untilDisconnect(client: ClientSocket): Promise<{ received: unknown[]; reason: string }> {
  const received: unknown[] = [];
  client.on("last", (n: unknown) => received.push(n));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no disconnect within 5 s")), 5000);
    client.on("disconnect", (reason) => {
      clearTimeout(timer);
      resolve({ received: [...received], reason });
    });
  });
}

test("issue-9: events emitted just before the engine session closes reach a polling socket.io-client", async () => {
  await withServer(
    (socket) => {
      socket.emit("last", 1);
      socket.emit("last", 2);
      socket.conn.close();
    },
    async (client) => {
      const { received, reason } = await untilDisconnect(client);
      assert.deepEqual(received, [1, 2], "both events arrived before the transport closed");
      assert.equal(reason, "transport close");
    },
  );
});

test("issue-9: socket.disconnect(true) on polling: the events before it arrive, then 'io server disconnect'", async () => {
  await withServer(
    (socket) => {
      socket.emit("last", "a");
      socket.disconnect(true);
    },
    async (client) => {
      const { received, reason } = await untilDisconnect(client);
      assert.deepEqual(received, ["a"]);
      assert.equal(reason, "io server disconnect");
    },
  );
});
