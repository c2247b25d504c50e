// io.engine.use(): Express middlewares on every HTTP request of the engine (socket.io 4.6+), as
// the socket.io docs use them with express-session and helmet. They run in order on polling
// requests and on the WebSocket upgrade; headers they set reach the client, the 101 response
// included; an error, a throw or a middleware's own answer refuses that request only.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import session from "express-session";
import WS from "ws";
import type { Socket } from "../../../src/index.js";
import { request } from "../engine/helpers.js";
import { TRANSPORT_SETTINGS, startServer, waitFor, withTimeout } from "./helpers.js";

type SessionRequest = IncomingMessage & { session?: session.Session & { user?: string }; _query?: Record<string, unknown> };

const HANDSHAKE = "/socket.io/?EIO=4&transport=polling";

/** A WebSocket handshake from the `ws` package, to read the server's HTTP answer. */
function upgrade(port: number, extraQuery = ""): WS {
  const ws = new WS(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket${extraQuery}`);
  // terminate() before the handshake completes reports an error: expected here.
  ws.on("error", () => {});
  return ws;
}

for (const { name, transports } of TRANSPORT_SETTINGS) {
  describe(`io.engine.use, ${name}`, () => {
    it("express-session: the session of the HTTP app is socket.request.session", async () => {
      const sessionMiddleware = session({ secret: "test secret", resave: false, saveUninitialized: false });
      const f = await startServer({}, transports);
      try {
        // The application's login route, on the same HTTP server, sets the session cookie.
        f.http.prependListener("request", (req, res) => {
          if (req.url !== "/login") return;
          sessionMiddleware(req as never, res as never, () => {
            (req as SessionRequest).session!.user = "ada";
            (req as SessionRequest).session!.save(() => res.end("ok"));
          });
        });
        f.io.engine.use(sessionMiddleware as never);
        const login = await request(f.port, "/login");
        const cookie = String(login.headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "";
        assert.match(cookie, /^connect\.sid=/);
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        await f.connect("/", { extraHeaders: { cookie } });
        const [socket] = await serverSide;
        assert.equal((socket.request as SessionRequest).session?.user, "ada");
      } finally {
        await f.close();
      }
    });

    it("middlewares run in order, see req._query, and their headers reach the client", async () => {
      const f = await startServer({}, transports);
      try {
        const seen: string[] = [];
        f.io.engine.use((req, res, next) => {
          seen.push(`first ${(req as SessionRequest)._query?.["transport"]} ${(req as SessionRequest)._query?.["sid"] === undefined ? "handshake" : "later"}`);
          res.setHeader("X-Frame-Options", "DENY");
          next();
        });
        f.io.engine.use((_req, res, next) => {
          seen.push("second");
          res.setHeader("X-Content-Type-Options", "nosniff");
          next();
        });
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        await f.connect();
        const [socket] = await serverSide;
        assert.equal(seen[0], `first ${transports[0]} handshake`);
        assert.equal(seen[1], "second");
        if (transports.length > 1) await waitFor(socket.conn, "upgrade");
        assert.ok(seen.includes("first websocket later") === (transports.length > 1), seen.join(" | "));
        const polling = await request(f.port, HANDSHAKE);
        if (transports.includes("polling")) {
          assert.equal(polling.status, 200);
          assert.equal(polling.headers["x-frame-options"], "DENY");
          assert.equal(polling.headers["x-content-type-options"], "nosniff");
        }
        if (transports.includes("websocket")) {
          const ws = upgrade(f.port);
          const [response] = await waitFor<[IncomingMessage]>(ws, "upgrade");
          assert.equal(response.headers["x-frame-options"], "DENY");
          assert.equal(response.headers["x-content-type-options"], "nosniff");
          ws.terminate();
        }
      } finally {
        await f.close();
      }
    });
  });
}

describe("io.engine.use: refusals", () => {
  it("next(err) and a throw refuse with 400 (MIDDLEWARE_FAILURE) on polling and upgrade; other clients go on", async () => {
    const f = await startServer({}, ["polling", "websocket"]);
    try {
      const good = await f.connect();
      const errors: { code: number; context: Record<string, unknown> }[] = [];
      f.io.engine.on("connection_error", (err) => errors.push({ code: err.code, context: err.context }));
      f.io.engine.use((req, _res, next) => {
        const mode = new URL(req.url ?? "/", "http://x").searchParams.get("mode");
        if (mode === "next") next(new Error("refused"));
        else if (mode === "throw") throw new Error("broken middleware");
        else next();
      });
      for (const mode of ["next", "throw"]) {
        const polling = await request(f.port, `${HANDSHAKE}&mode=${mode}`);
        assert.equal(polling.status, 400);
        assert.deepEqual(JSON.parse(polling.text), { code: 3, message: "Bad request" });
        const ws = upgrade(f.port, `&mode=${mode}`);
        const [, response] = await waitFor<[unknown, IncomingMessage]>(ws, "unexpected-response");
        assert.equal(response.statusCode, 400);
        ws.terminate();
      }
      assert.equal(errors.length, 4);
      for (const e of errors) {
        assert.equal(e.code, 3);
        assert.equal(e.context["name"], "MIDDLEWARE_FAILURE");
        assert.ok(e.context["error"] instanceof Error);
      }
      good.on("ping?", (ack: (answer: string) => void) => ack("pong"));
      const [socket] = [...f.io.sockets.sockets.values()];
      assert.equal(await socket!.timeout(2000).emitWithAck("ping?"), "pong");
    } finally {
      await f.close();
    }
  });

  it("a middleware that answers itself (401) ends the request there, on polling and on the upgrade", async () => {
    const f = await startServer({}, ["polling", "websocket"]);
    try {
      let reachedEngine = 0;
      f.io.engine.on("connection", () => reachedEngine++);
      f.io.engine.use((req, res, next) => {
        if (req.headers.authorization === "Bearer ok") {
          next();
          return;
        }
        res.setHeader("WWW-Authenticate", "Bearer");
        res.writeHead(401, { "Content-Type": "text/plain" });
        res.end("who are you?");
      });
      const polling = await request(f.port, HANDSHAKE);
      assert.equal(polling.status, 401);
      assert.equal(polling.text, "who are you?");
      const ws = upgrade(f.port);
      const [, response] = await waitFor<[unknown, IncomingMessage]>(ws, "unexpected-response");
      assert.equal(response.statusCode, 401);
      assert.equal(response.headers["www-authenticate"], "Bearer");
      const body = await withTimeout(
        new Promise<string>((resolve) => {
          let text = "";
          response.on("data", (chunk: Buffer) => (text += chunk.toString()));
          response.on("end", () => resolve(text));
        }),
        2000,
        "the 401 body",
      );
      assert.equal(body, "who are you?");
      ws.terminate();
      assert.equal(reachedEngine, 0);
      await f.connect("/", { extraHeaders: { authorization: "Bearer ok" } });
      assert.equal(reachedEngine, 1);
    } finally {
      await f.close();
    }
  });

  it("the handshake-only pattern of the socket.io docs runs a middleware once per connection", async () => {
    const f = await startServer({}, ["polling", "websocket"]);
    try {
      let runs = 0;
      const handshakeOnly =
        (middleware: (req: IncomingMessage, res: unknown, next: () => void) => void) =>
        (req: IncomingMessage, res: unknown, next: () => void): void =>
          (req as SessionRequest)._query?.["sid"] === undefined ? middleware(req, res, next) : next();
      f.io.engine.use(
        handshakeOnly((_req, _res, next) => {
          runs++;
          next();
        }) as never,
      );
      const serverSide = waitFor<[Socket]>(f.io, "connection");
      const client = await f.connect();
      const [socket] = await serverSide;
      await waitFor(socket.conn, "upgrade");
      client.emit("hello");
      assert.equal(runs, 1);
    } finally {
      await f.close();
    }
  });
});
