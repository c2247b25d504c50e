// Attaching to servers the application already has: other routes and other upgrades keep working.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import express from "express";
import { WebSocketServer, WebSocket as WsClient } from "ws";
import { attach, Engine, listen } from "../../../src/engine/index.js";
import type { Session } from "../../../src/engine/index.js";
import { request, waitFor, within } from "./helpers.js";

async function listenOn(http: ReturnType<typeof createServer>): Promise<number> {
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return (http.address() as AddressInfo).port;
}

function closeHttp(http: ReturnType<typeof createServer>): Promise<void> {
  http.closeAllConnections();
  return new Promise((resolve) => http.close(() => resolve()));
}

test("a plain http server: its own routes still answer, the engine answers under its path", async () => {
  const http = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end(`app:${req.url}`);
  });
  const engine = attach(http);
  const port = await listenOn(http);
  try {
    assert.equal((await request(port, "/")).text, "app:/");
    assert.equal((await request(port, "/engine.io.js")).text, "app:/engine.io.js", "a prefix of the path is not the path");
    assert.equal((await request(port, "/other/engine.io/")).text, "app:/other/engine.io/");
    const hs = await request(port, "/engine.io/?EIO=4&transport=polling");
    assert.match(hs.text, /^0\{"sid":/);
    const bare = await request(port, "/engine.io?EIO=4&transport=polling");
    assert.match(bare.text, /^0\{"sid":/, "the path without its trailing slash");
    assert.equal(engine.clientsCount, 2);
  } finally {
    engine.close();
    await closeHttp(http);
  }
});

test("an Express app: routes, 404s and the engine side by side; a custom path", async () => {
  const app = express();
  app.get("/hello", (_req, res) => {
    res.send("world");
  });
  const http = createServer(app);
  const engine = new Engine({ path: "/realtime" }).attach(http);
  assert.equal(engine.opts.path, "/realtime/");
  const port = await listenOn(http);
  try {
    assert.equal((await request(port, "/hello")).text, "world");
    assert.equal((await request(port, "/nope")).status, 404);
    const connection = waitFor<[Session]>(engine, "connection");
    const hs = await request(port, "/realtime/?EIO=4&transport=polling");
    assert.match(hs.text, /^0\{"sid":/);
    const [session] = await connection;
    assert.equal(session.transport.name, "polling");
    assert.equal((await request(port, "/engine.io/?EIO=4&transport=polling")).status, 404, "the default path is not served");
  } finally {
    engine.close();
    await closeHttp(http);
  }
});

test("upgrades outside the path reach the application's own WebSocket server untouched", async () => {
  const http = createServer();
  const engine = attach(http, { destroyUpgradeTimeout: 50 });
  const other = new WebSocketServer({ noServer: true });
  http.on("upgrade", (req, socket, head) => {
    if (req.url === "/chat") other.handleUpgrade(req, socket, head, (ws) => ws.on("message", (d) => ws.send(`echo:${String(d)}`)));
  });
  const port = await listenOn(http);
  try {
    const client = new WsClient(`ws://127.0.0.1:${port}/chat`);
    await waitFor(client, "open");
    // Beyond destroyUpgradeTimeout: the engine must not have ended a socket someone answered.
    await new Promise((resolve) => setTimeout(resolve, 120));
    client.send("hi");
    const [data] = await waitFor<[Buffer]>(client, "message");
    assert.equal(String(data), "echo:hi");
    client.close();
    await waitFor(client, "close");
  } finally {
    engine.close();
    other.close();
    await closeHttp(http);
  }
});

test("an upgrade outside the path that nobody answers is ended after destroyUpgradeTimeout (unless destroyUpgrade is off)", async () => {
  for (const destroyUpgrade of [true, false]) {
    const http = createServer();
    const engine = attach(http, { destroyUpgrade, destroyUpgradeTimeout: 50 });
    // Keep the server-side sockets to release them at the end (a listener that never answers).
    const serverSockets: import("node:stream").Duplex[] = [];
    http.on("upgrade", (_req, socket: import("node:stream").Duplex) => serverSockets.push(socket));
    const port = await listenOn(http);
    try {
      const socket = connect(port, "127.0.0.1");
      socket.on("error", () => {});
      await waitFor(socket, "connect");
      socket.write(
        "GET /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      );
      const ended = waitFor(socket, "close", 400).then(
        () => true,
        () => false,
      );
      assert.equal(await ended, destroyUpgrade);
      socket.destroy();
    } finally {
      for (const s of serverSockets) s.destroy();
      engine.close();
      await closeHttp(http);
    }
  }
});

test("listen(port) creates its own server: 501 outside the path", async () => {
  const engine = await new Promise<Engine>((resolve) => {
    const e = listen(0, { pingInterval: 5000 }, () => resolve(e));
  });
  const http = engine.httpServer;
  assert.ok(http);
  const port = (http.address() as AddressInfo).port;
  try {
    assert.equal((await request(port, "/")).status, 501);
    const hs = await request(port, "/engine.io/?EIO=4&transport=polling");
    assert.equal(JSON.parse(hs.text.slice(1)).pingInterval, 5000);
  } finally {
    engine.close();
    await closeHttp(http);
  }
});

test("requestHook sees requests under the path first and may answer them", async () => {
  const http = createServer();
  const seen: string[] = [];
  const engine = attach(http, {
    path: "/socket.io/",
    requestHook: (req, res) => {
      seen.push(req.url ?? "");
      if (req.url === "/socket.io/socket.io.js") {
        res.writeHead(200, { "Content-Type": "application/javascript" });
        res.end("// bundle");
        return true;
      }
      return false;
    },
  });
  const port = await listenOn(http);
  try {
    const bundle = await request(port, "/socket.io/socket.io.js");
    assert.equal(bundle.text, "// bundle");
    const hs = await request(port, "/socket.io/?EIO=4&transport=polling");
    assert.match(hs.text, /^0\{/);
    assert.deepEqual(seen, ["/socket.io/socket.io.js", "/socket.io/?EIO=4&transport=polling"]);
  } finally {
    engine.close();
    await closeHttp(http);
  }
});

test("engine.close() with sessions: every request still completes and the HTTP server can close", async () => {
  const http = createServer();
  const engine = attach(http);
  const port = await listenOn(http);
  const hs = await request(port, "/engine.io/?EIO=4&transport=polling");
  const sid = (JSON.parse(hs.text.slice(1)) as { sid: string }).sid;
  const pending = request(port, `/engine.io/?EIO=4&transport=polling&sid=${sid}`);
  await new Promise((resolve) => setTimeout(resolve, 20));
  engine.close();
  assert.equal((await pending).text, "1");
  assert.equal(engine.clientsCount, 0);
  await within(closeHttp(http), 2000, "http.close");
});
