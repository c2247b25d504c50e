// The programs of the Socket.IO tutorials, written as they are for socket.io with only the import
// changed, driven from Node with the official client: an Express app serving a page with Courant
// on the same HTTP server, a chat broadcasting to everyone but the sender, rooms, a namespace.

import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { io as connect } from "socket.io-client";
import type { Socket as ClientSocket } from "socket.io-client";
import { Server } from "../../../src/index.js";
import { collect, waitFor, withTimeout } from "./helpers.js";

const PAGE = `<!DOCTYPE html>
<html>
  <body>
    <ul id="messages"></ul>
    <form id="form" action=""><input id="input" autocomplete="off" /><button>Send</button></form>
    <script src="/socket.io/socket.io.js"></script>
    <script>
      const socket = io();
      form.addEventListener("submit", (e) => { e.preventDefault(); socket.emit("chat message", input.value); input.value = ""; });
      socket.on("chat message", (msg) => { const item = document.createElement("li"); item.textContent = msg; messages.appendChild(item); });
    </script>
  </body>
</html>`;

test("the tutorial chat: Express page, Courant on the same server, rooms, a /comment namespace", async () => {
  // ---- the tutorial's server, as written for socket.io ----
  const app = express();
  const server = createServer(app);
  const io = new Server(server);

  app.get("/", (_req, res) => {
    res.send(PAGE);
  });

  io.on("connection", (socket) => {
    socket.broadcast.emit("user joined", socket.id);
    socket.on("chat message", (msg) => {
      socket.broadcast.emit("chat message", msg); // everyone but the sender
    });
    socket.on("shout", (msg) => {
      io.emit("chat message", msg.toUpperCase()); // everyone, the sender included
    });
    socket.on("join", (room, callback) => {
      void socket.join(room);
      callback(`joined ${room}`);
    });
    socket.on("room message", (room, msg) => {
      socket.to(room).emit("room message", room, msg);
    });
    socket.on("disconnect", () => {
      io.emit("user left", socket.id);
    });
  });

  const comments = io.of("/comment");
  comments.on("connection", (socket) => {
    socket.on("new comment", (comment, ack) => {
      comments.emit("comment", { ...comment, id: 1 });
      ack({ status: "ok" });
    });
  });

  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: ClientSocket[] = [];
  const open = (path = "/"): ClientSocket => {
    const socket = connect(url + path, { reconnection: false, forceNew: true });
    clients.push(socket);
    return socket;
  };

  try {
    // Express still serves its routes.
    const page = await withTimeout(fetch(url + "/"), 5000, "GET /");
    assert.equal(page.status, 200);
    assert.match(await page.text(), /socket\.io\/socket\.io\.js/);
    const missing = await withTimeout(fetch(url + "/nope"), 5000, "GET /nope");
    assert.equal(missing.status, 404);
    await missing.text();

    // Chat: two people, a message goes to the other one only.
    const alice = open();
    await waitFor(alice, "connect");
    const joined = waitFor(alice, "user joined");
    const bob = open();
    await waitFor(bob, "connect");
    assert.deepEqual(await joined, [bob.id]);
    const aliceMessages: string[] = [];
    alice.on("chat message", (msg: string) => aliceMessages.push(msg));
    const bobMessages = collect<string>(bob, "chat message", 2);
    alice.emit("chat message", "hello bob");
    alice.emit("shout", "hi all");
    assert.deepEqual(await bobMessages, ["hello bob", "HI ALL"]);
    await withTimeout(
      new Promise<void>((resolve) => {
        const check = (): void => (aliceMessages.length > 0 ? resolve() : void setTimeout(check, 5));
        check();
      }),
      2000,
      "shout back to alice",
    );
    assert.deepEqual(aliceMessages, ["HI ALL"], "the sender does not get its own chat message");

    // Rooms.
    const carol = open();
    await waitFor(carol, "connect");
    assert.equal(await bob.emitWithAck("join", "kitchen"), "joined kitchen");
    assert.equal(await carol.emitWithAck("join", "kitchen"), "joined kitchen");
    const inKitchen = waitFor(carol, "room message");
    let aliceGotRoomMessage = false;
    alice.on("room message", () => (aliceGotRoomMessage = true));
    bob.emit("room message", "kitchen", "coffee?");
    assert.deepEqual(await inKitchen, ["kitchen", "coffee?"]);

    // The /comment namespace.
    const commenter = open("/comment");
    const reader = open("/comment");
    await Promise.all([waitFor(commenter, "connect"), waitFor(reader, "connect")]);
    const comment = waitFor(reader, "comment");
    const ack = await commenter.timeout(5000).emitWithAck("new comment", { text: "nice" });
    assert.deepEqual(ack, { status: "ok" });
    assert.deepEqual(await comment, [{ text: "nice", id: 1 }]);

    // Leaving is announced.
    const left = waitFor(alice, "user left");
    const carolId = carol.id;
    carol.disconnect();
    assert.deepEqual(await left, [carolId]);
    assert.equal(aliceGotRoomMessage, false);
  } finally {
    for (const socket of clients) socket.disconnect();
    await withTimeout(new Promise<void>((resolve) => void io.close(() => resolve())), 5000, "io.close()");
  }
});

test("an Express app passed instead of its http server is refused with a clear TypeError", () => {
  const app = express();
  assert.throws(() => new Server(app as unknown as number), { name: "TypeError", message: /http\.createServer\(app\)/ });
  const io = new Server();
  assert.throws(() => io.attach(app as unknown as number), TypeError);
});
