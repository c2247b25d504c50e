// HTTP long-polling over raw node:http requests: handshake, packets both ways, batching, late
// GETs, and every error path (each request must complete; the server and other sessions stay up).
import { test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync, inflateSync } from "node:zlib";
import type { Session } from "../../../src/engine/index.js";
import { delay, handshake, pollPath, request, startEngine, until, waitFor, within } from "./helpers.js";

test("handshake: the open packet with sid, upgrades, timings and maxPayload; text/plain", async () => {
  const server = await startEngine({ pingInterval: 1234, pingTimeout: 567, maxHttpBufferSize: 4321 });
  try {
    const { sid, open, session, response } = await handshake(server);
    assert.equal(response.status, 200);
    assert.equal(response.headers["content-type"], "text/plain; charset=UTF-8");
    assert.deepEqual(open, { sid, upgrades: ["websocket"], pingInterval: 1234, pingTimeout: 567, maxPayload: 4321 });
    assert.match(sid, /^[A-Za-z0-9_-]{20}$/);
    assert.equal(session.id, sid);
    assert.equal(session.transport.name, "polling");
    assert.equal(session.readyState, "open");
    assert.equal(session.protocol, 4);
    assert.equal(server.engine.clientsCount, 1);
    assert.equal(server.engine.clients.get(sid), session);
    assert.equal(response.headers["set-cookie"], undefined, "no cookie by default");
    assert.equal(response.headers["access-control-allow-origin"], undefined, "no CORS by default");
  } finally {
    await server.close();
  }
});

test("upgrades are empty when websocket is not allowed", async () => {
  const server = await startEngine({ transports: ["polling"] });
  try {
    const { open } = await handshake(server);
    assert.deepEqual(open.upgrades, []);
  } finally {
    await server.close();
  }
});

test("ids are unique random values; a custom generateId (sync and async) is used", async () => {
  const server = await startEngine();
  try {
    const a = await handshake(server);
    const b = await handshake(server);
    assert.notEqual(a.sid, b.sid);
    let n = 0;
    server.engine.opts.generateId = () => `custom-${++n}`;
    assert.equal((await handshake(server)).sid, "custom-1");
    server.engine.opts.generateId = async () => {
      await delay(5);
      return "async-id";
    };
    const c = await handshake(server);
    assert.equal(c.sid, "async-id");
    assert.equal(c.session.id, "async-id");
  } finally {
    await server.close();
  }
});

test("messages both ways: several packets per POST, batched GET responses, binary as base64", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const received: (string | Buffer)[] = [];
    session.on("message", (d: string | Buffer) => received.push(d));
    const post = await request(server.port, pollPath(sid), {
      method: "POST",
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: "4hello\x1e4wörld\x1ebAQID",
    });
    assert.equal(post.status, 200);
    assert.equal(post.text, "ok");
    assert.equal(post.headers["content-type"], "text/html");
    assert.equal(received.length, 3);
    assert.equal(received[0], "hello");
    assert.equal(received[1], "wörld");
    assert.deepEqual(received[2], Buffer.from([1, 2, 3]));

    // Packets sent in the same tick go in one response.
    session.send("a");
    session.send(new Uint8Array([255, 0]));
    session.send("ü");
    const get = await request(server.port, pollPath(sid));
    assert.equal(get.status, 200);
    assert.equal(get.text, "4a\x1eb/wA=\x1e4ü");
    assert.equal(get.headers["content-length"], String(Buffer.byteLength(get.text)));
  } finally {
    await server.close();
  }
});

test("a waiting GET is answered when packets arrive; packets sent while no GET waits all come with the next one, in order", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const pending = request(server.port, pollPath(sid));
    await until(() => session.writable, 2000, "GET pending");
    setTimeout(() => session.send("late"), 20);
    assert.equal((await pending).text, "4late");
    assert.equal(session.writable, false);
    for (let i = 0; i < 50; i++) session.send(String(i));
    await delay(20);
    const all = await request(server.port, pollPath(sid));
    assert.deepEqual(
      all.text.split("\x1e"),
      Array.from({ length: 50 }, (_, i) => `4${i}`),
    );
  } finally {
    await server.close();
  }
});

test("an application/octet-stream POST is one binary message; an empty one is refused and closes the session", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const got = waitFor<[Buffer]>(session, "message");
    const res = await request(server.port, pollPath(sid), {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: Buffer.from([0, 1, 2, 0xff]),
    });
    assert.equal(res.text, "ok");
    const [data] = await got;
    assert.ok(Buffer.isBuffer(data));
    assert.deepEqual(data, Buffer.from([0, 1, 2, 0xff]));

    const closed = waitFor<[string]>(session, "close");
    const bad = await request(server.port, pollPath(sid), { method: "POST", headers: { "Content-Type": "application/octet-stream" }, body: Buffer.alloc(0) });
    assert.equal(bad.status, 400);
    assert.deepEqual(JSON.parse(bad.text), { code: 3, message: "Bad request" });
    assert.equal((await closed)[0], "parse error");
  } finally {
    await server.close();
  }
});

test("malformed payloads close that session with 'parse error'; others are unaffected", async () => {
  const server = await startEngine();
  try {
    const other = await handshake(server);
    for (const body of ["9nope", "4ok\x1e\x1e4x", "", "bnot-base64!", "4a\x1eZ"]) {
      const { sid, session } = await handshake(server);
      const closed = waitFor<[string, unknown]>(session, "close");
      const res = await request(server.port, pollPath(sid), { method: "POST", body });
      assert.equal(res.status, 400, `status for ${JSON.stringify(body)}`);
      const [reason, description] = await closed;
      assert.equal(reason, "parse error");
      assert.ok(description instanceof Error);
      assert.equal(server.engine.clients.has(sid), false);
      const after = await request(server.port, pollPath(sid));
      assert.deepEqual(JSON.parse(after.text), { code: 1, message: "Session ID unknown" });
    }
    // The first session still works.
    other.session.send("still here");
    assert.equal((await request(server.port, pollPath(other.sid))).text, "4still here");
    assert.equal(server.engine.clientsCount, 1);
  } finally {
    await server.close();
  }
});

test("an overlapping GET gets 400 and closes the session; the first GET gets a close packet", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const closed = waitFor<[string]>(session, "close");
    const first = request(server.port, pollPath(sid));
    await until(() => session.writable, 2000, "first GET pending");
    const second = await request(server.port, pollPath(sid));
    assert.equal(second.status, 400);
    assert.deepEqual(JSON.parse(second.text), { code: 3, message: "Bad request" });
    assert.equal((await first).text, "1");
    assert.equal((await closed)[0], "transport error");
    assert.equal(server.engine.clientsCount, 0);
  } finally {
    await server.close();
  }
});

test("a POST while another POST is being read: 400 and the session closes", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const closed = waitFor<[string]>(session, "close");
    // A POST whose body never ends (Content-Length larger than what is sent).
    const { request: httpRequest } = await import("node:http");
    const slow = httpRequest({ host: "127.0.0.1", port: server.port, path: pollPath(sid), method: "POST", headers: { "Content-Length": 100 }, agent: false });
    slow.on("error", () => {});
    slow.write("4partial");
    await delay(50);
    const second = await request(server.port, pollPath(sid), { method: "POST", body: "4x" });
    assert.equal(second.status, 400);
    assert.equal((await closed)[0], "transport error");
    slow.destroy();
  } finally {
    await server.close();
  }
});

test("maxHttpBufferSize: a larger POST gets 413 (by Content-Length, and counted while streaming) and closes the session", async () => {
  const server = await startEngine({ maxHttpBufferSize: 100 });
  try {
    const a = await handshake(server);
    const closedA = waitFor<[string, Error]>(a.session, "close");
    const big = await request(server.port, pollPath(a.sid), { method: "POST", body: "4" + "x".repeat(200) });
    assert.equal(big.status, 413);
    const [reasonA, errA] = await closedA;
    assert.equal(reasonA, "transport error");
    assert.equal((errA as Error & { code: string }).code, "EIO_ERR_PAYLOAD_TOO_LARGE");

    // Chunked: no Content-Length up front.
    const b = await handshake(server);
    const closedB = waitFor<[string]>(b.session, "close");
    const { request: httpRequest } = await import("node:http");
    const status = await within(
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port: server.port, path: pollPath(b.sid), method: "POST", agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.write("4" + "y".repeat(60));
        setTimeout(() => req.end("z".repeat(60)), 20);
      }),
      3000,
      "chunked 413",
    );
    assert.equal(status, 413);
    assert.equal((await closedB)[0], "transport error");

    // At the limit is fine.
    const c = await handshake(server);
    const got = waitFor<[string]>(c.session, "message");
    const ok = await request(server.port, pollPath(c.sid), { method: "POST", body: "4" + "x".repeat(99) });
    assert.equal(ok.text, "ok");
    assert.equal((await got)[0].length, 99);
  } finally {
    await server.close();
  }
});

test("a close packet from the client closes the session with 'transport close'", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const closed = waitFor<[string]>(session, "close");
    const res = await request(server.port, pollPath(sid), { method: "POST", body: "1" });
    assert.equal(res.text, "ok");
    assert.equal((await closed)[0], "transport close");
    const post = await request(server.port, pollPath(sid), { method: "POST", body: "4late" });
    assert.equal(post.status, 400);
    assert.deepEqual(JSON.parse(post.text), { code: 1, message: "Session ID unknown" });
  } finally {
    await server.close();
  }
});

test("session.close(): queued packets go out with the next GET, the close packet alone with the one after; reason 'forced close'", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const closed = waitFor<[string]>(session, "close");
    session.send("bye");
    session.close();
    assert.equal(session.readyState, "closing");
    session.send("dropped");
    const res = await request(server.port, pollPath(sid));
    assert.equal(res.text, "4bye");
    assert.equal(session.readyState, "closing");
    const last = await request(server.port, pollPath(sid));
    assert.equal(last.text, "1");
    assert.equal((await closed)[0], "forced close");
    assert.equal(session.readyState, "closed");
    assert.equal(server.engine.clientsCount, 0);
  } finally {
    await server.close();
  }
});

test("heartbeat: pings on time, pongs keep the session, silence closes it with 'ping timeout'", async () => {
  const server = await startEngine({ pingInterval: 100, pingTimeout: 100 });
  try {
    const beforeHandshake = Date.now();
    const { sid, session } = await handshake(server);
    let heartbeats = 0;
    session.on("heartbeat", () => heartbeats++);
    // Each ping is due pingInterval after the previous pong (the first: after the handshake).
    let reference = beforeHandshake;
    for (let i = 0; i < 3; i++) {
      const res = await request(server.port, pollPath(sid));
      assert.equal(res.text, "2");
      const elapsed = Date.now() - reference;
      assert.ok(elapsed >= 100 - 5, `ping ${i} early: ${elapsed} ms`);
      assert.ok(elapsed <= 100 + 80, `ping ${i} late: ${elapsed} ms`);
      reference = Date.now(); // before the pong is sent: the server's next deadline is later
      await request(server.port, pollPath(sid), { method: "POST", body: "3" });
    }
    assert.equal(heartbeats, 3);
    const closed = waitFor<[string]>(session, "close", 1000);
    const ping = await request(server.port, pollPath(sid));
    assert.equal(ping.text, "2");
    const pingAt = Date.now();
    assert.equal((await closed)[0], "ping timeout");
    const waited = Date.now() - pingAt;
    assert.ok(waited >= 90 && waited <= 200, `closed ${waited} ms after the ping`);
  } finally {
    await server.close();
  }
});

test("a client ping (wrong heartbeat direction) closes the session", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const closed = waitFor<[string]>(session, "close");
    await request(server.port, pollPath(sid), { method: "POST", body: "2" });
    assert.equal((await closed)[0], "transport error");
  } finally {
    await server.close();
  }
});

test("error codes 0..5 with their messages and connection_error events", async () => {
  const server = await startEngine({
    allowRequest: (req, cb) => cb(req.headers["x-deny"] === undefined ? null : "go away", req.headers["x-deny"] === undefined),
  });
  try {
    const errors: { code: number; message: string; context: Record<string, unknown> }[] = [];
    server.engine.on("connection_error", (e: { code: number; message: string; context: Record<string, unknown> }) => errors.push(e));
    const cases: [string, { method?: string; headers?: Record<string, string> }, number, number, string][] = [
      ["/engine.io/?EIO=4&transport=carrier-pigeon", {}, 400, 0, "Transport unknown"],
      ["/engine.io/?EIO=4", {}, 400, 0, "Transport unknown"],
      ["/engine.io/?EIO=4&transport=polling&sid=nope", {}, 400, 1, "Session ID unknown"],
      ["/engine.io/?EIO=4&transport=polling", { method: "POST" }, 400, 2, "Bad handshake method"],
      ["/engine.io/?EIO=4&transport=polling", { method: "PUT" }, 400, 2, "Bad handshake method"],
      ["/engine.io/?EIO=4&transport=websocket", {}, 400, 3, "Bad request"],
      ["/engine.io/?EIO=4&transport=polling&sid=%E0%A4%A", {}, 400, 3, "Bad request"],
      ["/engine.io/?EIO=4&transport=polling", { headers: { "x-deny": "1" } }, 403, 4, "go away"],
      ["/engine.io/?EIO=3&transport=polling", {}, 400, 5, "Unsupported protocol version"],
      ["/engine.io/?transport=polling", {}, 400, 5, "Unsupported protocol version"],
    ];
    for (const [path, opts, status, code, message] of cases) {
      const res = await request(server.port, path, opts);
      assert.equal(res.status, status, path);
      assert.equal(res.headers["content-type"], "application/json");
      assert.deepEqual(JSON.parse(res.text), { code, message }, path);
    }
    assert.deepEqual(
      errors.map((e) => e.code),
      cases.map((c) => c[3]),
    );
    assert.equal(errors[2]?.context.sid, "nope");
    assert.equal(server.engine.clientsCount, 0);
    // Still serving.
    const { sid } = await handshake(server);
    assert.ok(sid);
  } finally {
    await server.close();
  }
});

test("a polling request for a session that moved to another transport is a transport mismatch (code 3)", async () => {
  const server = await startEngine();
  try {
    const { sid } = await handshake(server);
    const res = await request(server.port, `/engine.io/?EIO=4&transport=websocket&sid=${sid}`);
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.text).code, 3);
  } finally {
    await server.close();
  }
});

test("an aborted GET closes the session with 'transport error'; an aborted POST too", async () => {
  const server = await startEngine();
  try {
    const { request: httpRequest } = await import("node:http");
    const a = await handshake(server);
    const closedA = waitFor<[string]>(a.session, "close");
    const get = httpRequest({ host: "127.0.0.1", port: server.port, path: pollPath(a.sid), agent: false });
    get.on("error", () => {});
    get.end();
    await until(() => a.session.writable, 2000, "GET pending");
    get.destroy();
    assert.equal((await closedA)[0], "transport error");

    const b = await handshake(server);
    const closedB = waitFor<[string]>(b.session, "close");
    const post = httpRequest({ host: "127.0.0.1", port: server.port, path: pollPath(b.sid), method: "POST", headers: { "Content-Length": 50 }, agent: false });
    post.on("error", () => {});
    post.write("4abc");
    await delay(30);
    post.destroy();
    assert.equal((await closedB)[0], "transport error");
    assert.equal(server.engine.clientsCount, 0);
  } finally {
    await server.close();
  }
});

test("cookie: off by default; true gives io=<sid>; Path=/; HttpOnly; SameSite=Lax on the handshake only", async () => {
  const server = await startEngine({ cookie: true });
  try {
    const { sid, response, session } = await handshake(server);
    assert.deepEqual(response.headers["set-cookie"], [`io=${sid}; Path=/; HttpOnly; SameSite=Lax`]);
    session.send("x");
    const next = await request(server.port, pollPath(sid));
    assert.equal(next.headers["set-cookie"], undefined);
  } finally {
    await server.close();
  }
  const custom = await startEngine({ cookie: { name: "lb", sameSite: "strict", secure: true, path: "/app" } });
  try {
    const { sid, response } = await handshake(custom);
    assert.deepEqual(response.headers["set-cookie"], [`lb=${sid}; Path=/app; HttpOnly; Secure; SameSite=Strict`]);
  } finally {
    await custom.close();
  }
});

test("initial_headers on the handshake, headers on every response; listeners may change them", async () => {
  const server = await startEngine();
  try {
    const initial: string[] = [];
    let every = 0;
    server.engine.on("initial_headers", (headers, req) => {
      initial.push(req.url ?? "");
      headers["X-Initial"] = "yes";
    });
    server.engine.on("headers", (headers: Record<string, unknown>) => {
      every++;
      headers["X-Every"] = String(every);
    });
    const { sid, response, session } = await handshake(server);
    assert.equal(response.headers["x-initial"], "yes");
    assert.equal(response.headers["x-every"], "1");
    assert.equal(initial.length, 1);
    session.send("x");
    const get = await request(server.port, pollPath(sid));
    assert.equal(get.headers["x-initial"], undefined);
    assert.equal(get.headers["x-every"], "2");
    const post = await request(server.port, pollPath(sid), { method: "POST", body: "4y" });
    assert.equal(post.headers["x-every"], "3");
  } finally {
    await server.close();
  }
});

test("httpCompression: gzip/deflate above the threshold per Accept-Encoding; off when disabled", async () => {
  const server = await startEngine({ httpCompression: { threshold: 100 } });
  try {
    const { sid, session } = await handshake(server);
    const big = "z".repeat(2000);
    session.send(big);
    const gz = await request(server.port, pollPath(sid), { headers: { "Accept-Encoding": "gzip, deflate" } });
    assert.equal(gz.headers["content-encoding"], "gzip");
    assert.ok(gz.body.length < 200);
    assert.equal(gunzipSync(gz.body).toString(), "4" + big);
    session.send(big);
    const df = await request(server.port, pollPath(sid), { headers: { "Accept-Encoding": "deflate" } });
    assert.equal(df.headers["content-encoding"], "deflate");
    assert.equal(inflateSync(df.body).toString(), "4" + big);
    session.send("small");
    const small = await request(server.port, pollPath(sid), { headers: { "Accept-Encoding": "gzip" } });
    assert.equal(small.headers["content-encoding"], undefined);
    assert.equal(small.text, "4small");
    session.send(big, { compress: false });
    const notCompressed = await request(server.port, pollPath(sid), { headers: { "Accept-Encoding": "gzip" } });
    assert.equal(notCompressed.headers["content-encoding"], undefined);
    session.send(big);
    const noAccept = await request(server.port, pollPath(sid));
    assert.equal(noAccept.headers["content-encoding"], undefined);
    assert.equal(noAccept.text, "4" + big);
  } finally {
    await server.close();
  }
  const off = await startEngine({ httpCompression: false });
  try {
    const { sid, session } = await handshake(off);
    session.send("q".repeat(5000));
    const res = await request(off.port, pollPath(sid), { headers: { "Accept-Encoding": "gzip" } });
    assert.equal(res.headers["content-encoding"], undefined);
    assert.equal(res.text.length, 5001);
  } finally {
    await off.close();
  }
});

test("send callbacks run once the packet is written; drain and flush events", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    let called = 0;
    let drains = 0;
    let flushes = 0;
    session.on("drain", () => drains++);
    session.on("flush", () => flushes++);
    session.send("a", () => called++);
    session.send("b", {}, () => called++);
    await delay(10);
    assert.equal(called, 0, "nothing written without a GET");
    await request(server.port, pollPath(sid));
    assert.equal(called, 2);
    assert.equal(drains, 1);
    assert.equal(flushes, 1);
  } finally {
    await server.close();
  }
});

test("packet and packetCreate events", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const incoming: unknown[] = [];
    const outgoing: unknown[] = [];
    session.on("packet", (p: unknown) => incoming.push(p));
    session.on("packetCreate", (p: unknown) => outgoing.push(p));
    await request(server.port, pollPath(sid), { method: "POST", body: "4hi\x1e6" });
    session.send("yo");
    assert.deepEqual(incoming, [{ type: "message", data: "hi" }, { type: "noop" }]);
    assert.deepEqual(outgoing, [{ type: "message", data: "yo" }]);
  } finally {
    await server.close();
  }
});

test("setHandler: the layer above gets messages and the close without events", async () => {
  const server = await startEngine();
  try {
    const { sid, session } = await handshake(server);
    const seen: unknown[] = [];
    // The methods are called with `this` = the handler object.
    const target = {
      onMessage(this: unknown, data: string | Buffer) {
        seen.push(["message", data, this === target]);
      },
      onClose(this: unknown, reason: string) {
        seen.push(["close", reason, this === target]);
      },
    };
    session.setHandler(target);
    await request(server.port, pollPath(sid), { method: "POST", body: "4one\x1e1" });
    assert.deepEqual(seen, [
      ["message", "one", true],
      ["close", "transport close", true],
    ]);
  } finally {
    await server.close();
  }
});

test("engine.close() closes every session with 'server shutting down' and answers waiting GETs", async () => {
  const server = await startEngine();
  try {
    const a = await handshake(server);
    const b = await handshake(server);
    const pending = request(server.port, pollPath(a.sid));
    await until(() => a.session.writable, 2000, "GET pending");
    const reasons: string[] = [];
    for (const s of [a.session, b.session] as Session[]) s.on("close", (r: string) => reasons.push(r));
    server.engine.close();
    assert.deepEqual(reasons, ["server shutting down", "server shutting down"]);
    assert.equal((await pending).text, "1");
    assert.equal(server.engine.clientsCount, 0);
  } finally {
    await server.close();
  }
});
