// CORS on polling responses and preflights; none unless configured.
import { test } from "node:test";
import assert from "node:assert/strict";
import { handshake, pollPath, request, startEngine } from "./helpers.js";

test("no CORS headers unless configured, even with an Origin", async () => {
  const server = await startEngine();
  try {
    const res = await request(server.port, "/engine.io/?EIO=4&transport=polling", { headers: { Origin: "https://a.example" } });
    assert.equal(res.status, 200);
    for (const name of Object.keys(res.headers)) assert.ok(!name.startsWith("access-control-"), name);
    const pre = await request(server.port, "/engine.io/?EIO=4&transport=polling", { method: "OPTIONS", headers: { Origin: "https://a.example" } });
    assert.equal(pre.status, 400, "without cors an OPTIONS is just a bad handshake method");
    assert.equal(JSON.parse(pre.text).code, 2);
  } finally {
    await server.close();
  }
});

test("an origin list: allowed origins get the headers on every response (errors too), others get none", async () => {
  const server = await startEngine({
    cors: { origin: ["https://a.example", /\.b\.example$/], credentials: true, exposedHeaders: ["X-Trace"] },
  });
  try {
    const { sid, session } = await handshake(server);
    const ok = await request(server.port, "/engine.io/?EIO=4&transport=polling", { headers: { Origin: "https://a.example" } });
    assert.equal(ok.headers["access-control-allow-origin"], "https://a.example");
    assert.equal(ok.headers["access-control-allow-credentials"], "true");
    assert.equal(ok.headers["access-control-expose-headers"], "X-Trace");
    assert.equal(ok.headers.vary, "Origin");

    session.send("x");
    const get = await request(server.port, pollPath(sid), { headers: { Origin: "https://sub.b.example" } });
    assert.equal(get.text, "4x");
    assert.equal(get.headers["access-control-allow-origin"], "https://sub.b.example");
    const post = await request(server.port, pollPath(sid), { method: "POST", body: "4y", headers: { Origin: "https://a.example" } });
    assert.equal(post.headers["access-control-allow-origin"], "https://a.example");

    const err = await request(server.port, "/engine.io/?EIO=4&transport=nope", { headers: { Origin: "https://a.example" } });
    assert.equal(err.status, 400);
    assert.equal(err.headers["access-control-allow-origin"], "https://a.example");

    const evil = await request(server.port, "/engine.io/?EIO=4&transport=polling", { headers: { Origin: "https://evil.example" } });
    assert.equal(evil.status, 200, "CORS does not refuse the request, the browser refuses to read it");
    assert.equal(evil.headers["access-control-allow-origin"], undefined);
    assert.equal(evil.headers["access-control-allow-credentials"], undefined);
  } finally {
    await server.close();
  }
});

test("preflight OPTIONS: 204 with methods, headers (echoed or configured) and max-age", async () => {
  const server = await startEngine({ cors: { origin: "https://a.example", maxAge: 600 } });
  try {
    const pre = await request(server.port, "/engine.io/?EIO=4&transport=polling", {
      method: "OPTIONS",
      headers: { Origin: "https://a.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-custom" },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.text, "");
    assert.equal(pre.headers["access-control-allow-origin"], "https://a.example");
    assert.equal(pre.headers["access-control-allow-methods"], "GET,HEAD,PUT,PATCH,POST,DELETE");
    assert.equal(pre.headers["access-control-allow-headers"], "content-type,x-custom");
    assert.equal(pre.headers["access-control-max-age"], "600");
    const denied = await request(server.port, "/engine.io/?EIO=4&transport=polling", { method: "OPTIONS", headers: { Origin: "https://evil.example" } });
    assert.equal(denied.status, 204);
    assert.equal(denied.headers["access-control-allow-origin"], undefined);
    assert.equal(denied.headers["access-control-allow-methods"], undefined);
  } finally {
    await server.close();
  }
  const fixed = await startEngine({ cors: { origin: "*", methods: ["GET", "POST"], allowedHeaders: "Content-Type" } });
  try {
    const pre = await request(fixed.port, "/engine.io/?EIO=4&transport=polling", {
      method: "OPTIONS",
      headers: { Origin: "https://any.example", "Access-Control-Request-Headers": "x-other" },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers["access-control-allow-origin"], "*");
    assert.equal(pre.headers["access-control-allow-methods"], "GET,POST");
    assert.equal(pre.headers["access-control-allow-headers"], "Content-Type");
    assert.equal(pre.headers.vary, undefined);
  } finally {
    await fixed.close();
  }
});

test("origin: true echoes the request's origin; a function origin decides asynchronously", async () => {
  const echo = await startEngine({ cors: { origin: true } });
  try {
    const res = await request(echo.port, "/engine.io/?EIO=4&transport=polling", { headers: { Origin: "https://z.example" } });
    assert.equal(res.headers["access-control-allow-origin"], "https://z.example");
  } finally {
    await echo.close();
  }
  const fn = await startEngine({
    cors: { origin: (origin, cb) => setTimeout(() => cb(null, origin === "https://ok.example"), 5) },
  });
  try {
    const ok = await request(fn.port, "/engine.io/?EIO=4&transport=polling", { headers: { Origin: "https://ok.example" } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers["access-control-allow-origin"], "https://ok.example");
    const no = await request(fn.port, "/engine.io/?EIO=4&transport=polling", { headers: { Origin: "https://no.example" } });
    assert.equal(no.headers["access-control-allow-origin"], undefined);
    const pre = await request(fn.port, "/engine.io/?EIO=4&transport=polling", { method: "OPTIONS", headers: { Origin: "https://ok.example" } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers["access-control-allow-origin"], "https://ok.example");
  } finally {
    await fn.close();
  }
});

test("an Origin with control characters is a bad request (code 3), on polling and on upgrades", async () => {
  // node:http refuses such headers itself unless its parser is lenient: check ours behind a lenient one.
  const { createServer } = await import("node:http");
  const { connect } = await import("node:net");
  const { Engine } = await import("../../../src/engine/index.js");
  const http = createServer({ insecureHTTPParser: true });
  const engine = new Engine().attach(http);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as { port: number }).port;
  const raw = (head: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.write(head));
      let data = "";
      socket.on("data", (d: Buffer) => (data += d.toString("latin1")));
      socket.on("close", () => resolve(data));
      socket.on("error", reject);
      setTimeout(() => socket.destroy(new Error("no answer")), 3000).unref();
    });
  try {
    const polling = await raw("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nOrigin: https://a\x01b\r\nConnection: close\r\n\r\n");
    assert.match(polling, /^HTTP\/1\.1 400 /);
    assert.ok(polling.endsWith('{"code":3,"message":"Bad request"}'), polling);
    const upgrade = await raw(
      "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nOrigin: https://a\x01b\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    );
    assert.match(upgrade, /^HTTP\/1\.1 400 /);
    assert.ok(upgrade.endsWith('{"code":3,"message":"Bad request"}'), upgrade);
  } finally {
    engine.close();
    await new Promise((resolve) => http.close(resolve));
  }
});

test("optionsSuccessStatus sets the preflight's status; preflightContinue gives it the headers and lets it go on to the middlewares", async () => {
  const status = await startEngine({ cors: { origin: "https://a.example", optionsSuccessStatus: 200 } });
  try {
    const pre = await request(status.port, "/engine.io/?EIO=4&transport=polling", { method: "OPTIONS", headers: { Origin: "https://a.example" } });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers["access-control-allow-origin"], "https://a.example");
  } finally {
    await status.close();
  }
  const onward = await startEngine({ cors: { origin: "https://a.example", preflightContinue: true } });
  try {
    // Nobody answers it: the engine then sees an OPTIONS handshake, a bad handshake method, with the CORS headers on.
    const unanswered = await request(onward.port, "/engine.io/?EIO=4&transport=polling", { method: "OPTIONS", headers: { Origin: "https://a.example" } });
    assert.equal(unanswered.status, 400);
    assert.equal(JSON.parse(unanswered.text).code, 2);
    assert.equal(unanswered.headers["access-control-allow-origin"], "https://a.example");
    assert.equal(unanswered.headers["access-control-allow-methods"], "GET,HEAD,PUT,PATCH,POST,DELETE");
    onward.engine.use((req, res, next) => {
      if (req.method !== "OPTIONS") return next();
      res.writeHead(299).end("mine");
    });
    const answered = await request(onward.port, "/engine.io/?EIO=4&transport=polling", { method: "OPTIONS", headers: { Origin: "https://a.example" } });
    assert.equal(answered.status, 299);
    assert.equal(answered.text, "mine");
    assert.equal(answered.headers["access-control-allow-methods"], "GET,HEAD,PUT,PATCH,POST,DELETE");
  } finally {
    await onward.close();
  }
});

test("a cors function gives the options per request, on polling and on WebSocket upgrades; its error refuses the request (code 3, CORS_FAILURE)", async () => {
  const { WebSocket: WsClient } = await import("ws");
  const calls: string[] = [];
  const server = await startEngine({
    cors: (req, callback) => {
      const tenant = String(req.headers["x-tenant"] ?? "none");
      calls.push(tenant);
      if (tenant === "broken") return callback(new Error("no such tenant"));
      if (tenant === "throws") throw new Error("delegate bug");
      if (tenant === "twice") callback(null, { origin: "https://first.example" });
      setTimeout(() => callback(null, { origin: `https://${tenant}.example`, credentials: tenant === "a" }), 2);
    },
  });
  const errors: { code: number; context: Record<string, unknown> }[] = [];
  server.engine.on("connection_error", (err: { code: number; context: Record<string, unknown> }) => errors.push(err));
  const handshakeUrl = "/engine.io/?EIO=4&transport=polling";
  try {
    const a = await request(server.port, handshakeUrl, { headers: { Origin: "https://a.example", "X-Tenant": "a" } });
    assert.equal(a.status, 200);
    assert.equal(a.headers["access-control-allow-origin"], "https://a.example");
    assert.equal(a.headers["access-control-allow-credentials"], "true");
    const crossed = await request(server.port, handshakeUrl, { headers: { Origin: "https://a.example", "X-Tenant": "b" } });
    assert.equal(crossed.headers["access-control-allow-origin"], undefined, "tenant b allows only its own origin");
    const pre = await request(server.port, handshakeUrl, { method: "OPTIONS", headers: { Origin: "https://b.example", "X-Tenant": "b" } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers["access-control-allow-origin"], "https://b.example");
    const twice = await request(server.port, handshakeUrl, { headers: { Origin: "https://first.example", "X-Tenant": "twice" } });
    assert.equal(twice.headers["access-control-allow-origin"], "https://first.example", "the first answer counts");

    for (const tenant of ["broken", "throws"]) {
      const refused = await request(server.port, handshakeUrl, { headers: { Origin: "https://a.example", "X-Tenant": tenant } });
      assert.equal(refused.status, 400);
      assert.deepEqual(JSON.parse(refused.text), { code: 3, message: "Bad request" });
    }
    assert.deepEqual(
      errors.map((e) => [e.code, e.context.name, (e.context.error as Error).message]),
      [
        [3, "CORS_FAILURE", "no such tenant"],
        [3, "CORS_FAILURE", "delegate bug"],
      ],
    );

    const upgrade = (origin: string, tenant: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const ws = new WsClient(`ws://127.0.0.1:${server.port}/engine.io/?EIO=4&transport=websocket`, { origin, headers: { "X-Tenant": tenant } });
        ws.on("open", () => {
          ws.close();
          resolve(101);
        });
        ws.on("unexpected-response", (_req, res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        ws.on("error", reject);
      });
    assert.equal(await upgrade("https://c.example", "c"), 101);
    assert.equal(await upgrade("https://evil.example", "c"), 403);
    assert.equal(await upgrade("https://c.example", "broken"), 400);
    assert.ok(calls.length >= 9);
  } finally {
    await server.close();
  }
});
