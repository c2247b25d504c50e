// engine.io's options that Socket.IO code passes: initialPacket is sent after the open packet on
// both transports; allowEIO3 and wsEngine are taken (so the code compiles and starts), warn once,
// and change nothing; addTrailingSlash is taken, and both path forms are answered either way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { io as connect } from "socket.io-client";
import { WebSocket as WsClient, WebSocketServer as WsServer } from "ws";
import { Server } from "../../../src/index.js";
import { handshake, pollPath, request, startEngine, until, waitFor } from "./helpers.js";

test("initialPacket: a text message right after the open packet, on polling and on a direct WebSocket", async () => {
  const server = await startEngine({ initialPacket: "welcome" });
  try {
    const { sid, response } = await handshake(server);
    const packets = response.text.split("\x1e");
    if (packets.length === 1) packets.push(...(await request(server.port, pollPath(sid))).text.split("\x1e"));
    assert.equal(packets[0]?.[0], "0");
    assert.equal(packets[1], "4welcome");

    const ws = new WsClient(`ws://127.0.0.1:${server.port}/engine.io/?EIO=4&transport=websocket`);
    const frames: string[] = [];
    ws.on("message", (data: Buffer) => frames.push(data.toString()));
    await until(() => frames.length >= 2, 2000, "open and initial packet");
    assert.equal(frames[0]?.[0], "0");
    assert.equal(frames[1], "4welcome");
    ws.close();
  } finally {
    await server.close();
  }
});

test("initialPacket: binary goes out as a binary message (base64 on polling)", async () => {
  const server = await startEngine({ initialPacket: new Uint8Array([1, 2, 3]) });
  try {
    const { sid, response } = await handshake(server);
    const packets = response.text.split("\x1e");
    if (packets.length === 1) packets.push(...(await request(server.port, pollPath(sid))).text.split("\x1e"));
    assert.equal(packets[1], "bAQID");

    const ws = new WsClient(`ws://127.0.0.1:${server.port}/engine.io/?EIO=4&transport=websocket`);
    const frames: (string | Buffer)[] = [];
    ws.on("message", (data: Buffer, isBinary: boolean) => frames.push(isBinary ? data : data.toString()));
    await until(() => frames.length >= 2, 2000, "open and initial packet");
    assert.deepEqual(frames[1], Buffer.from([1, 2, 3]));
    ws.close();
  } finally {
    await server.close();
  }
});

test("allowEIO3 and wsEngine: each warns once per process, and the server runs on its own WebSocket and Engine.IO 4", async () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => {
    if ((warning as Error & { code?: string }).code?.startsWith("COURANT_") === true) warnings.push(warning);
  };
  process.on("warning", onWarning);
  let constructed = 0;
  class CountedWsServer extends WsServer {
    constructor(...args: ConstructorParameters<typeof WsServer>) {
      super(...args);
      constructed++;
    }
  }
  const first = await startEngine({ allowEIO3: true, wsEngine: CountedWsServer });
  const second = await startEngine({ allowEIO3: true, wsEngine: CountedWsServer });
  try {
    await until(() => warnings.length >= 2, 2000, "the warnings");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(warnings.map((w) => (w as Error & { code?: string }).code).sort(), ["COURANT_NO_EIO3", "COURANT_WS_ENGINE"]);
    assert.ok(warnings.every((w) => w.name === "CourantWarning"));

    const refused = await request(first.port, "/engine.io/?EIO=3&transport=polling");
    assert.equal(refused.status, 400);
    assert.deepEqual(JSON.parse(refused.text), { code: 5, message: "Unsupported protocol version" });

    // The WebSocket is Courant's: the ws class handed in is never constructed.
    const connection = waitFor(second.engine, "connection");
    const ws = new WsClient(`ws://127.0.0.1:${second.port}/engine.io/?EIO=4&transport=websocket`);
    await Promise.all([connection, waitFor(ws, "open")]);
    assert.equal(second.engine.clientsCount, 1);
    assert.equal(constructed, 0);
    ws.close();
  } finally {
    process.off("warning", onWarning);
    await first.close();
    await second.close();
  }
});

test("a Socket.IO server given addTrailingSlash: false answers socket.io-client on /socket.io", async () => {
  const io = new Server({ addTrailingSlash: false });
  const http = (await import("node:http")).createServer();
  io.attach(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as { port: number };
  const client = connect(`http://127.0.0.1:${port}`, { addTrailingSlash: false, transports: ["polling"], reconnection: false });
  try {
    io.on("connection", (socket) => socket.emit("hi", socket.handshake.url.split("?")[0]));
    const path = await new Promise<string>((resolve) => client.once("hi", resolve));
    assert.equal(path, "/socket.io");
  } finally {
    client.disconnect();
    await io.close();
  }
});
