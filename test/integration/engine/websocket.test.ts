// The WebSocket transport with a raw `ws` client: the direct handshake, frames, heartbeat
// timing and timeout, limits, and every refused or broken upgrade.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { WebSocket as WsClient } from "ws";
import type { Session } from "../../../src/engine/index.js";
import { delay, handshake, pollPath, request, startEngine, until, waitFor, within } from "./helpers.js";
import type { TestServer } from "./helpers.js";

/** Collects every frame of a raw client as [text | Buffer]. */
function collect(ws: WsClient): (string | Buffer)[] {
  const frames: (string | Buffer)[] = [];
  ws.on("message", (data: Buffer, isBinary: boolean) => frames.push(isBinary ? data : data.toString()));
  return frames;
}

async function openRaw(server: TestServer, query = "", options: ConstructorParameters<typeof WsClient>[2] = {}): Promise<{ ws: WsClient; frames: (string | Buffer)[] }> {
  const ws = new WsClient(`ws://127.0.0.1:${server.port}/engine.io/?EIO=4&transport=websocket${query}`, options);
  const frames = collect(ws);
  await waitFor(ws, "open");
  return { ws, frames };
}

/** Opens a probe WebSocket on session `sid` and sends 2probe; resolves once the answer is in `frames`. */
async function probeExchange(server: TestServer, sid: string, label = "3probe"): Promise<{ ws: WsClient; frames: (string | Buffer)[] }> {
  const probe = await openRaw(server, `&sid=${sid}`);
  probe.ws.send("2probe");
  await until(() => probe.frames.length === 1, 2000, label);
  return probe;
}

/** The status and JSON body of a refused upgrade. */
function refusal(url: string, options: ConstructorParameters<typeof WsClient>[2] = {}): Promise<{ status: number; body: { code: number; message: string } }> {
  return within(
    new Promise((resolve, reject) => {
      const ws = new WsClient(url, options);
      ws.on("unexpected-response", (_req, res: IncomingMessage) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => {
          ws.terminate();
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as { code: number; message: string } });
        });
      });
      ws.on("open", () => reject(new Error("the upgrade was accepted")));
      ws.on("error", () => {});
    }),
    3000,
    "refusal",
  );
}

test("direct WebSocket: the open packet is the first frame; text and raw binary frames both ways", async () => {
  const server = await startEngine({ pingInterval: 5000, pingTimeout: 4000, maxHttpBufferSize: 777 });
  try {
    const connection = waitFor<[Session]>(server.engine, "connection");
    const { ws, frames } = await openRaw(server);
    const [session] = await connection;
    await until(() => frames.length >= 1, 2000, "open packet");
    const first = frames[0] as string;
    assert.equal(first[0], "0");
    assert.deepEqual(JSON.parse(first.slice(1)), { sid: session.id, upgrades: [], pingInterval: 5000, pingTimeout: 4000, maxPayload: 777 });
    assert.equal(session.transport.name, "websocket");
    assert.equal(session.upgraded, false);
    const got: (string | Buffer)[] = [];
    session.on("message", (d: string | Buffer) => got.push(d));
    ws.send("4text");
    ws.send(Buffer.from([1, 2, 3]));
    ws.send("bBAU="); // a base64 binary packet in a text frame is accepted too
    await until(() => got.length === 3, 2000, "server messages");
    assert.equal(got[0], "4text".slice(1));
    assert.deepEqual(got[1], Buffer.from([1, 2, 3]));
    assert.deepEqual(got[2], Buffer.from([4, 5]));
    session.send("hi");
    session.send(new Uint8Array([7, 7]));
    await until(() => frames.length === 3, 2000, "client frames");
    assert.equal(frames[1], "4hi");
    assert.deepEqual(frames[2], Buffer.from([7, 7]));
    const closed = waitFor<[string]>(session, "close");
    ws.close();
    assert.equal((await closed)[0], "transport close");
  } finally {
    await server.close();
  }
});

test("b64=1: binary goes as base64 text frames", async () => {
  const server = await startEngine();
  try {
    const connection = waitFor<[Session]>(server.engine, "connection");
    const { ws, frames } = await openRaw(server, "&b64=1");
    const [session] = await connection;
    session.send(new Uint8Array([255, 0]));
    session.sendPrepared(server.engine.prepare(["x", new Uint8Array([1])]));
    await until(() => frames.length === 4, 2000, "frames");
    assert.deepEqual(frames.slice(1), ["b/wA=", "4x", "bAQ=="]);
    ws.close();
  } finally {
    await server.close();
  }
});

test("engine.prepare + sendPrepared: the same packets reach websocket and polling sessions", async () => {
  const server = await startEngine();
  try {
    const connection = waitFor<[Session]>(server.engine, "connection");
    const { ws, frames } = await openRaw(server);
    const [wsSession] = await connection;
    const polling = await handshake(server);
    const prepared = server.engine.prepare(['2["news",1]', new Uint8Array([3, 4])]);
    wsSession.sendPrepared(prepared);
    polling.session.sendPrepared(prepared);
    wsSession.sendPrepared(prepared);
    await until(() => frames.length === 5, 2000, "frames");
    assert.deepEqual(frames.slice(1), ['42["news",1]', Buffer.from([3, 4]), '42["news",1]', Buffer.from([3, 4])]);
    const res = await request(server.port, pollPath(polling.sid));
    assert.equal(res.text, '42["news",1]\x1ebAwQ=');
    ws.close();
  } finally {
    await server.close();
  }
});

test("heartbeat over WebSocket: pings on time; a client that never pongs is closed within pingInterval + pingTimeout", async () => {
  const server = await startEngine({ pingInterval: 100, pingTimeout: 100 });
  try {
    // A client that answers.
    const connection = waitFor<[Session]>(server.engine, "connection");
    const answering = new WsClient(`ws://127.0.0.1:${server.port}/engine.io/?EIO=4&transport=websocket`);
    const pingTimes: number[] = [];
    answering.on("message", (d: Buffer) => {
      if (d.toString() === "2") {
        pingTimes.push(Date.now());
        answering.send("3");
      }
    });
    await waitFor(answering, "open");
    const openedAt = Date.now();
    const [live] = await connection;
    // A silent client.
    const silentConnection = waitFor<[Session]>(server.engine, "connection");
    const silent = new WsClient(`ws://127.0.0.1:${server.port}/engine.io/?EIO=4&transport=websocket`);
    const silentFrames = collect(silent);
    await waitFor(silent, "open");
    const silentOpened = Date.now();
    const [silentSession] = await silentConnection;
    const [reason] = await waitFor<[string]>(silentSession, "close", 1000);
    const silentClosed = Date.now() - silentOpened;
    assert.equal(reason, "ping timeout");
    assert.ok(silentClosed >= 180 && silentClosed <= 350, `closed after ${silentClosed} ms`);
    assert.deepEqual(silentFrames.slice(1), ["2"], "one ping, then the close");
    await waitFor(silent, "close", 1000);

    await until(() => pingTimes.length >= 4, 2000, "pings");
    let previous = openedAt;
    for (const at of pingTimes.slice(0, 4)) {
      const gap = at - previous;
      assert.ok(gap >= 90 && gap <= 170, `ping gap ${gap} ms`);
      previous = at;
    }
    assert.equal(live.readyState, "open");
    answering.close();
  } finally {
    await server.close();
  }
});

test("maxHttpBufferSize over WebSocket: a larger message closes the session", async () => {
  const server = await startEngine({ maxHttpBufferSize: 100 });
  try {
    const connection = waitFor<[Session]>(server.engine, "connection");
    const { ws } = await openRaw(server);
    const [session] = await connection;
    const got: unknown[] = [];
    session.on("message", (d: unknown) => got.push(d));
    ws.send("4" + "a".repeat(99));
    await until(() => got.length === 1, 2000, "message at the limit");
    const closed = waitFor<[string]>(session, "close");
    const clientClosed = waitFor<[number]>(ws, "close");
    ws.send("4" + "a".repeat(200));
    assert.equal((await closed)[0], "transport error");
    assert.equal((await clientClosed)[0], 1009);
    assert.equal(got.length, 1);
  } finally {
    await server.close();
  }
});

test("a malformed packet over WebSocket closes that session with 'parse error'", async () => {
  const server = await startEngine();
  try {
    for (const bad of ["", "9", "bnot base64"]) {
      const connection = waitFor<[Session]>(server.engine, "connection");
      const { ws } = await openRaw(server);
      const [session] = await connection;
      const closed = waitFor<[string]>(session, "close");
      ws.send(bad);
      assert.equal((await closed)[0], "parse error", JSON.stringify(bad));
      await waitFor(ws, "close");
    }
  } finally {
    await server.close();
  }
});

test("refused upgrades: unknown sid (1), session already on websocket (3), probe in progress (3), bad version (5), unknown transport (0)", async () => {
  const server = await startEngine();
  try {
    const base = `ws://127.0.0.1:${server.port}/engine.io/?EIO=4`;
    assert.deepEqual(await refusal(`${base}&transport=websocket&sid=bogus`), { status: 400, body: { code: 1, message: "Session ID unknown" } });
    assert.deepEqual(await refusal(`ws://127.0.0.1:${server.port}/engine.io/?EIO=3&transport=websocket`), {
      status: 400,
      body: { code: 5, message: "Unsupported protocol version" },
    });
    assert.deepEqual(await refusal(`${base}&transport=polling`), { status: 400, body: { code: 0, message: "Transport unknown" } });

    // A session on websocket already.
    const connection = waitFor<[Session]>(server.engine, "connection");
    const { ws } = await openRaw(server);
    const [wsSession] = await connection;
    assert.deepEqual(await refusal(`${base}&transport=websocket&sid=${wsSession.id}`), { status: 400, body: { code: 3, message: "Bad request" } });

    // A polling session with a probe attached.
    const { sid, session } = await handshake(server);
    const probe = new WsClient(`${base}&transport=websocket&sid=${sid}`);
    await waitFor(probe, "open");
    await until(() => session.upgrading, 2000, "probe attached");
    assert.deepEqual(await refusal(`${base}&transport=websocket&sid=${sid}`), { status: 400, body: { code: 3, message: "Bad request" } });
    probe.close();
    ws.close();
    assert.equal(wsSession.readyState, "open");
  } finally {
    await server.close();
  }
});

test("the upgrade by hand: 2probe → 3probe, the pending GET gets a noop, 5 switches; queued packets follow in order", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const pendingGet = request(server.port, pollPath(sid));
    await until(() => session.writable, 2000, "GET pending");
    const { ws: probe, frames } = await probeExchange(server, sid);
    assert.equal(frames[0], "3probe");
    assert.equal((await pendingGet).text, "6");
    // While paused, the server keeps sending: these are queued on polling...
    session.send("q1");
    session.send(new Uint8Array([1]));
    assert.equal(session.transport.name, "polling");
    // ...and go out on the WebSocket right after the switch, before anything newer.
    probe.send("5");
    await until(() => session.transport.name === "websocket", 2000, "switched");
    session.send("q2");
    await until(() => frames.length === 4, 2000, "queued frames");
    assert.deepEqual(frames.slice(1), ["4q1", Buffer.from([1]), "4q2"]);
    // The polling side is over for this session.
    const stale = await request(server.port, pollPath(sid));
    assert.equal(stale.status, 400);
    assert.equal(JSON.parse(stale.text).code, 3);
    probe.close();
  } finally {
    await server.close();
  }
});

test("a GET arriving while upgrading is answered at once (noop, or the queued packets)", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const { ws: probe } = await probeExchange(server, sid);
    assert.equal((await request(server.port, pollPath(sid), { timeout: 1000 })).text, "6");
    session.send("x");
    await delay(5);
    assert.equal((await request(server.port, pollPath(sid), { timeout: 1000 })).text, "4x");
    probe.close();
  } finally {
    await server.close();
  }
});

test("upgradeTimeout: a probe that never sends 5 is closed; the session goes on polling", async () => {
  const server = await startEngine({ upgradeTimeout: 100 });
  try {
    const { sid, session } = await handshake(server);
    const { ws: probe } = await openRaw(server, `&sid=${sid}`);
    probe.send("2probe");
    const start = Date.now();
    await waitFor(probe, "close", 2000);
    const took = Date.now() - start;
    assert.ok(took >= 80 && took < 600, `probe closed after ${took} ms`);
    assert.equal(session.upgrading, false);
    assert.equal(session.transport.name, "polling");
    session.send("still polling");
    assert.equal((await request(server.port, pollPath(sid))).text, "4still polling");
  } finally {
    await server.close();
  }
});

test("an aborted upgrade (socket destroyed mid-probe) leaves the session on polling; others unaffected", async () => {
  const server = await startEngine();
  try {
    const other = await handshake(server);
    const { sid, session } = await handshake(server);
    const { ws: probe } = await probeExchange(server, sid);
    probe.terminate();
    await until(() => !session.upgrading, 2000, "probe dropped");
    assert.equal(session.readyState, "open");
    session.send("ok");
    assert.equal((await request(server.port, pollPath(sid))).text, "4ok");
    // A second upgrade attempt works.
    const { ws: again } = await probeExchange(server, sid, "3probe again");
    again.send("5");
    await until(() => session.upgraded, 2000, "upgraded");
    other.session.send("fine");
    assert.equal((await request(server.port, pollPath(other.sid))).text, "4fine");
    again.close();
  } finally {
    await server.close();
  }
});

test("anything but the probe exchange on a probe closes the probe only", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const { ws: probe } = await openRaw(server, `&sid=${sid}`);
    probe.send("4sneaky");
    await waitFor(probe, "close", 2000);
    assert.equal(session.readyState, "open");
    assert.equal(session.upgrading, false);
  } finally {
    await server.close();
  }
});

test("cors with an origin list refuses a WebSocket from another Origin (403, code 4); allowRequest refusals are 403 too", async () => {
  const server = await startEngine({
    cors: { origin: ["https://good.example"] },
    allowRequest: (req, cb) => cb(req.url?.includes("deny") === true ? "denied" : null, req.url?.includes("deny") !== true),
  });
  try {
    const url = `ws://127.0.0.1:${server.port}/engine.io/?EIO=4&transport=websocket`;
    assert.deepEqual(await refusal(url, { origin: "https://evil.example" }), { status: 403, body: { code: 4, message: "Forbidden" } });
    assert.deepEqual(await refusal(`${url}&deny=1`), { status: 403, body: { code: 4, message: "denied" } });
    const good = await openRaw(server, "", { origin: "https://good.example" });
    good.ws.close();
    const noOrigin = await openRaw(server);
    noOrigin.ws.close();
  } finally {
    await server.close();
  }
});

test("cookie and initial_headers/headers on the WebSocket handshake response", async () => {
  const server = await startEngine({ cookie: true });
  try {
    server.engine.on("initial_headers", (headers: Record<string, unknown>) => {
      headers["X-Initial"] = "1";
    });
    server.engine.on("headers", (headers: Record<string, unknown>) => {
      headers["X-Every"] = "1";
    });
    const connection = waitFor<[Session]>(server.engine, "connection");
    const ws = new WsClient(`ws://127.0.0.1:${server.port}/engine.io/?EIO=4&transport=websocket`);
    const upgraded = waitFor<[IncomingMessage]>(ws, "upgrade");
    const opened = waitFor(ws, "open");
    const [res] = await upgraded;
    const [session] = await connection;
    assert.deepEqual(res.headers["set-cookie"], [`io=${session.id}; Path=/; HttpOnly; SameSite=Lax`]);
    assert.equal(res.headers["x-initial"], "1");
    assert.equal(res.headers["x-every"], "1");
    await opened;
    ws.close();
  } finally {
    await server.close();
  }
});

test("generateId (async) names WebSocket sessions too", async () => {
  const server = await startEngine({ generateId: async () => "ws-custom-id" });
  try {
    const connection = waitFor<[Session]>(server.engine, "connection");
    const { ws, frames } = await openRaw(server);
    const [session] = await connection;
    assert.equal(session.id, "ws-custom-id");
    await until(() => frames.length === 1, 2000, "open packet");
    assert.equal(JSON.parse((frames[0] as string).slice(1)).sid, "ws-custom-id");
    ws.close();
  } finally {
    await server.close();
  }
});

test("perMessageDeflate is off by default and negotiated when enabled", async () => {
  for (const perMessageDeflate of [false, true]) {
    const server = await startEngine({ perMessageDeflate });
    try {
      const { ws } = await openRaw(server, "", { perMessageDeflate: true });
      assert.equal(ws.extensions.includes("permessage-deflate"), perMessageDeflate);
      ws.close();
    } finally {
      await server.close();
    }
  }
});

test("engine.close() closes WebSocket sessions ('server shutting down') and their sockets", async () => {
  const server = await startEngine();
  try {
    const connection = waitFor<[Session]>(server.engine, "connection");
    const { ws } = await openRaw(server);
    const [session] = await connection;
    const closed = waitFor<[string]>(session, "close");
    const clientClosed = waitFor(ws, "close", 2000);
    server.engine.close();
    assert.equal((await closed)[0], "server shutting down");
    await clientClosed;
  } finally {
    await server.close();
  }
});
