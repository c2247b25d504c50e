// The client against hand-written Engine.IO servers on real sockets, for what a well-behaved
// server never does: stop pinging, send garbage, or die in the middle of a request.
import { after, afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { io } from "../../../src/client/index.js";
import type { Socket } from "../../../src/client/index.js";
import { until, waitFor } from "./harness.js";

const HANDSHAKE = JSON.stringify({ sid: "raw-sid", upgrades: [], pingInterval: 100, pingTimeout: 100, maxPayload: 100_000 });

interface RawPolling {
  http: HttpServer;
  url: string;
  /** Bodies of the POSTs received. */
  posts: string[];
  /** Answers the GET that is waiting (or the next one) with `payload`. */
  push(payload: string): void;
  /** The response of the GET that is waiting, if any. */
  pending(): ServerResponse | undefined;
}

const closers: (() => unknown)[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.io.close();
  for (const close of closers.splice(0)) await close();
});
after(() => {
  for (const socket of sockets.splice(0)) socket.io.close();
});

/** A polling-only Engine.IO server: handshake, CONNECT reply for "/", then what the test pushes. */
async function rawPolling(): Promise<RawPolling> {
  const queue: string[] = [];
  let waiting: ServerResponse | undefined;
  const posts: string[] = [];
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "POST") {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        posts.push(body);
        if (body.split("\x1e").includes("40")) raw.push('40{"sid":"nsp-sid"}');
        res.end("ok");
      });
      return;
    }
    if (!url.searchParams.has("sid")) return void res.end("0" + HANDSHAKE);
    const next = queue.shift();
    if (next !== undefined) return void res.end(next);
    waiting = res;
  });
  const raw: RawPolling = {
    http,
    url: "",
    posts,
    push(payload) {
      if (waiting !== undefined) {
        const res = waiting;
        waiting = undefined;
        res.end(payload);
      } else {
        queue.push(payload);
      }
    },
    pending: () => waiting,
  };
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  raw.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  return raw;
}

function client(url: string, transports: ("polling" | "websocket")[] = ["polling"]): Socket {
  const socket = io(url, { forceNew: true, transports, reconnection: false });
  sockets.push(socket);
  return socket;
}

test("pings are answered with pongs; a silent server is detected after pingInterval + pingTimeout", async () => {
  const raw = await rawPolling();
  const socket = client(raw.url);
  const pings: number[] = [];
  socket.io.on("ping", () => pings.push(Date.now()));
  await waitFor(socket, "connect");
  raw.push("2");
  await until(() => raw.posts.includes("3"), 2000, "the pong");
  assert.equal(pings.length, 1);
  const lastPing = pings[0] as number;
  const [reason] = await waitFor(socket, "disconnect", 2000);
  assert.equal(reason, "ping timeout");
  assert.ok(Date.now() - lastPing >= 190, "not before pingInterval + pingTimeout");
});

for (const [name, refused] of [
  ['an engine packet the codec refuses closes with "parse error"', "9not a packet type"],
  ['a Socket.IO packet the decoder refuses closes with "parse error"', '42["unterminated"'],
] as const) {
  test(name, async () => {
    const raw = await rawPolling();
    const socket = client(raw.url);
    await waitFor(socket, "connect");
    raw.push(refused);
    assert.deepEqual((await waitFor(socket, "disconnect"))[0], "parse error");
  });
}

test('a poll request cut off closes with "transport error"; connect_error before the connection', async () => {
  const raw = await rawPolling();
  const socket = client(raw.url);
  await waitFor(socket, "connect");
  await until(() => raw.pending() !== undefined, 2000, "a pending poll");
  raw.pending()?.socket?.destroy();
  const [reason, description] = await waitFor(socket, "disconnect");
  assert.equal(reason, "transport error");
  assert.ok(description instanceof Error);
  assert.equal(description.message, "xhr poll error");

  // A server that answers the handshake with an error status: connect_error, no connection.
  const refusing = createServer((_req, res) => res.writeHead(400).end('{"code":3,"message":"Bad request"}'));
  await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise<void>((resolve) => refusing.close(() => resolve())));
  const refused = client(`http://127.0.0.1:${(refusing.address() as AddressInfo).port}`);
  const [err] = await waitFor<[Error & { type: string; description: unknown }]>(refused, "connect_error");
  assert.equal(err.message, "xhr poll error");
  assert.equal(err.type, "TransportError");
  assert.equal(refused.connected, false);
});

test("a silent WebSocket server is detected too; the connect timeout fires when nothing answers", async () => {
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  closers.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  await waitFor(wss, "listening");
  wss.on("connection", (ws) => {
    ws.send("0" + HANDSHAKE);
    ws.on("message", (data) => {
      if (String(data) === "40") ws.send('40{"sid":"nsp-sid"}');
    });
  });
  const url = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const socket = client(url, ["websocket"]);
  await waitFor(socket, "connect");
  assert.equal((await waitFor(socket, "disconnect", 2000))[0], "ping timeout");

  // An HTTP server that never answers: the Manager's timeout ends the attempt.
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        silent.closeAllConnections();
        silent.close(() => resolve());
      }),
  );
  const started = Date.now();
  const stuck = io(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`, { forceNew: true, reconnection: false, timeout: 150 });
  sockets.push(stuck);
  const [err] = await waitFor<[Error]>(stuck, "connect_error");
  assert.equal(err.message, "timeout");
  assert.ok(Date.now() - started >= 140);
});
