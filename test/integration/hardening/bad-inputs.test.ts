// Hostile and sloppy peers from issue 9 that the layer suites do not cover yet, each over real
// loopback connections: only the offender is dropped, and a well-behaved client keeps working.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Agent, createServer, request as httpRequest, type Server as HttpServer } from "node:http";
import { connect as tcpConnect } from "node:net";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { Server } from "../../../src/index.js";
import type { ServerOptions } from "../../../src/index.js";
import { until } from "./helpers.js";

interface Fixture {
  io: Server;
  http: HttpServer;
  port: number;
  clients: ClientSocket[];
  close(): Promise<void>;
}

async function start(options: Partial<ServerOptions> = {}, http = createServer()): Promise<Fixture> {
  const io = new Server(http, options);
  io.on("connection", (socket) => {
    socket.on("echo", (value: unknown, ack: (v: unknown) => void) => ack(value));
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as AddressInfo).port;
  const clients: ClientSocket[] = [];
  return {
    io,
    http,
    port,
    clients,
    async close() {
      for (const c of clients) c.disconnect();
      const closed = new Promise<void>((resolve) => void io.close(() => resolve()));
      http.closeAllConnections();
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error("io.close() timed out")), 5000))]);
    },
  };
}

/** A well-behaved official client: connects, and an acked echo round-trips. */
async function bystander(f: Fixture, transports: ("polling" | "websocket")[] = ["polling", "websocket"]): Promise<ClientSocket> {
  const client = ioc(`http://127.0.0.1:${f.port}`, { transports, forceNew: true, reconnection: false, timeout: 5000 });
  f.clients.push(client);
  if (!client.connected) {
    await new Promise<void>((resolve, reject) => {
      client.once("connect", () => resolve());
      client.once("connect_error", (err) => reject(err));
    });
  }
  await assertWorks(client);
  return client;
}

async function assertWorks(client: ClientSocket): Promise<void> {
  const token = Math.random().toString(36);
  assert.equal(await client.timeout(5000).emitWithAck("echo", token), token);
}

/** One raw HTTP request (own connection); resolves with status and body text. */
function get(port: number, path: string, options: { method?: string; body?: string; agent?: Agent } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method: options.method ?? "GET", agent: options.agent ?? false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text });
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${options.method ?? "GET"} ${path} timed out`));
    }, 10_000);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(options.body);
  });
}

const POLLING = "/socket.io/?EIO=4&transport=polling";

async function handshake(port: number, agent?: Agent): Promise<string> {
  const res = await get(port, POLLING, agent === undefined ? {} : { agent });
  assert.equal(res.status, 200);
  assert.equal(res.text[0], "0");
  return (JSON.parse(res.text.slice(1)) as { sid: string }).sid;
}

test("a client that never finishes its request is dropped by the HTTP server's header timeout (408); others go on", async () => {
  // Node's own slowloris guard: headersTimeout (default 60 s) and requestTimeout (300 s); shortened here.
  const http = createServer({ headersTimeout: 500, requestTimeout: 1000, connectionsCheckingInterval: 100 });
  const f = await start({}, http);
  try {
    const slow = [POLLING, "/socket.io/?EIO=4&transport=websocket"].map((path) => {
      const socket = tcpConnect(f.port, "127.0.0.1");
      let received = "";
      socket.setEncoding("utf8");
      socket.on("data", (c: string) => (received += c));
      socket.on("error", () => {});
      // The request line and one header, then nothing: the request never completes.
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n`);
      const startedAt = Date.now();
      return once(socket, "close").then(() => ({ received, ms: Date.now() - startedAt }));
    });
    const client = await bystander(f);
    const outcomes = await Promise.race([
      Promise.all(slow),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("slow clients were never dropped")), 8000)),
    ]);
    for (const { received, ms } of outcomes) {
      assert.match(received, /^HTTP\/1\.1 408/, "answered 408 Request Timeout");
      assert.ok(ms >= 400, `dropped after ${ms} ms, not before the timeout`);
    }
    assert.equal(f.io.engine.clientsCount, 1, "no session was created for them");
    await assertWorks(client);
  } finally {
    await f.close();
  }
});

test("2 000 half-open polling sessions (handshake, then silence) all expire through the heartbeat; session ids are random", async (t) => {
  const f = await start({ pingInterval: 1500, pingTimeout: 500 });
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  try {
    const client = await bystander(f);
    const sids = await Promise.all(Array.from({ length: 2000 }, () => handshake(f.port, agent)));
    agent.destroy();
    const opened = f.io.engine.clientsCount;
    assert.ok(opened >= 1000, `thousands of sessions held at once (${opened})`);
    const startedAt = Date.now();
    await until(() => f.io.engine.clientsCount === 1, 10_000, "half-open sessions to expire");
    t.diagnostic(`${sids.length} half-open sessions expired ${Date.now() - startedAt} ms after the last handshake (peak ${opened} sessions)`);
    await assertWorks(client);

    // Ids: 15 random bytes as 20 base64url characters, all distinct, every symbol about equally likely.
    assert.equal(new Set(sids).size, sids.length, "session ids are unique");
    const counts = new Map<string, number>();
    for (const sid of sids) {
      assert.match(sid, /^[A-Za-z0-9_-]{20}$/);
      for (const ch of sid) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    assert.equal(counts.size, 64, "all 64 symbols occur");
    // 40 000 symbols over 64 values: 625 expected each; a chi-square over 63 degrees of freedom
    // stays under 120 with overwhelming probability for a uniform source.
    let chi = 0;
    for (const n of counts.values()) chi += (n - 625) ** 2 / 625;
    t.diagnostic(`session id symbol chi-square ${chi.toFixed(1)} (63 degrees of freedom)`);
    assert.ok(chi < 120, `symbol frequencies look uniform (chi-square ${chi.toFixed(1)})`);
  } finally {
    agent.destroy();
    await f.close();
  }
});

test("socket ids are unique 20-character base64url strings distinct from the session id", async () => {
  const f = await start();
  try {
    const ids = new Set<string>();
    const sessions = new Set<string>();
    f.io.on("connection", (socket) => {
      ids.add(socket.id);
      sessions.add(socket.conn.id);
    });
    await Promise.all(Array.from({ length: 50 }, () => bystander(f, ["websocket"])));
    assert.equal(ids.size, 50);
    for (const id of ids) {
      assert.match(id, /^[A-Za-z0-9_-]{20}$/);
      assert.equal(sessions.has(id), false, "a socket id never repeats its session id");
    }
  } finally {
    await f.close();
  }
});

test("a polling payload of many tiny packets is handled in linear time, in order; the session goes on", async () => {
  const f = await start();
  try {
    const received: number[] = [];
    f.io.on("connection", (socket) => socket.on("n", (i: number) => received.push(i)));
    const client = await bystander(f);
    const sid = await handshake(f.port);
    const path = `${POLLING}&sid=${sid}`;
    assert.equal((await get(f.port, path, { method: "POST", body: "40" })).text, "ok");
    assert.match((await get(f.port, path)).text, /^40\{"sid":/);

    const count = 20_000;
    const events = Array.from({ length: count }, (_, i) => `42["n",${i}]`).join("\x1e");
    let startedAt = performance.now();
    assert.equal((await get(f.port, path, { method: "POST", body: events })).text, "ok");
    await until(() => received.length === count, 5000, "every tiny event");
    assert.deepEqual(received, Array.from({ length: count }, (_, i) => i), "all delivered, in order");
    const eventsMs = performance.now() - startedAt;

    // Half a million noops: nearly 1 MB of one-byte packets (just under maxHttpBufferSize).
    const noops = Array.from({ length: 499_999 }, () => "6").join("\x1e");
    startedAt = performance.now();
    assert.equal((await get(f.port, path, { method: "POST", body: noops })).text, "ok");
    const noopsMs = performance.now() - startedAt;
    assert.ok(eventsMs < 3000 && noopsMs < 3000, `events ${eventsMs.toFixed(0)} ms, noops ${noopsMs.toFixed(0)} ms`);
    assert.equal(f.io.engine.clientsCount, 2, "the session survived");
    // One byte more than maxHttpBufferSize is refused with 413, and only that session goes.
    const tooBig = await get(f.port, path, { method: "POST", body: "4" + "x".repeat(1_000_000) });
    assert.equal(tooBig.status, 413);
    await until(() => f.io.engine.clientsCount === 1, 5000, "the offender's session to close");
    await assertWorks(client);
  } finally {
    await f.close();
  }
});
