// Namespaces and middlewares with the official client, for each transport setting: static and
// dynamic namespaces (RegExp, function, the parent's listeners, middlewares and broadcasts),
// middlewares refusing with data, unknown namespaces, and the connect timeout.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Socket as EngineClient } from "engine.io-client";
import type { Namespace, Socket } from "../../../src/index.js";
import { TRANSPORT_SETTINGS, record, startServer, until, waitFor } from "./helpers.js";

for (const { name, transports } of TRANSPORT_SETTINGS) {
  describe(`namespaces and middlewares, ${name}`, () => {
    it("static namespaces are separate channels multiplexed on one connection", async () => {
      const f = await startServer({}, transports);
      try {
        const admin = f.io.of("admin"); // the leading "/" is added
        assert.equal(admin.name, "/admin");
        assert.equal(f.io.of("/admin"), admin);
        const adminConnected = waitFor<[Socket]>(admin, "connection");
        const mainClient = await f.connect();
        const adminClient = mainClient.io.socket("/admin");
        adminClient.connect();
        await waitFor(adminClient, "connect");
        const [adminSocket] = await adminConnected;
        assert.equal(adminSocket.nsp, admin);
        assert.equal(adminClient.id, adminSocket.id);
        assert.notEqual(adminClient.id, mainClient.id);
        assert.equal(f.io.engine.clientsCount, 1, "both namespaces share the engine session");
        assert.equal(adminSocket.client, f.io.sockets.sockets.get(mainClient.id as string)?.client);

        const mainSeen = record(mainClient, "m");
        const adminSeen = record(adminClient, "m");
        const up = waitFor(adminSocket, "up");
        f.io.emit("m", "main");
        admin.emit("m", "admin");
        adminClient.emit("up", "to admin");
        assert.deepEqual(await up, ["to admin"]);
        const done = waitFor(adminClient, "done");
        adminSocket.emit("done");
        await done;
        await until(() => mainSeen.length === 1, 2000, "main message");
        assert.deepEqual(mainSeen, ["main"]);
        assert.deepEqual(adminSeen, ["admin"]);

        const gone = waitFor(adminSocket, "disconnect");
        adminClient.disconnect();
        assert.equal((await gone)[0], "client namespace disconnect");
        assert.equal(f.io.sockets.sockets.size, 1, "the main namespace socket stays");
      } finally {
        await f.close();
      }
    });

    it("dynamic namespaces from a RegExp: children on demand, the parent's listeners, middlewares and broadcasts", async () => {
      const f = await startServer({}, transports);
      try {
        const parent = f.io.of(/^\/room-\d+$/);
        assert.equal(f.io.of(/^\/room-\d+$/), parent, "the same RegExp gives the same parent");
        const created: string[] = [];
        f.io.on("new_namespace", (nsp: Namespace) => created.push(nsp.name));
        const used: string[] = [];
        parent.use((socket, next) => {
          used.push(socket.nsp.name);
          next();
        });
        const connected: Socket[] = [];
        parent.on("connection", (socket: Socket) => connected.push(socket));
        const c12 = await f.connect("/room-12");
        const c7 = await f.connect("/room-7");
        assert.deepEqual(created, ["/room-12", "/room-7"]);
        assert.deepEqual(used, ["/room-12", "/room-7"]);
        assert.deepEqual(connected.map((s) => s.nsp.name), ["/room-12", "/room-7"]);
        const child = f.io.of("/room-12");
        assert.equal(child, connected[0]?.nsp, "io.of(name) returns the existing child");
        assert.equal(child.parent, parent);

        const seen12 = record(c12, "m");
        const seen7 = record(c7, "m");
        parent.emit("m", "to every child");
        child.emit("m", "to room-12 only");
        void connected[1]?.join("x");
        parent.to("x").emit("m", "x in any child");
        const ends = [waitFor(c12, "end"), waitFor(c7, "end")];
        child.emit("end");
        f.io.of("/room-7").emit("end");
        await Promise.all(ends);
        assert.deepEqual(seen12, ["to every child", "to room-12 only"]);
        assert.deepEqual(seen7, ["to every child", "x in any child"]);
        assert.deepEqual((await parent.fetchSockets()).map((s) => s.id).sort(), connected.map((s) => s.id).sort());

        const refused = f.client("/room-abc");
        const [err] = await waitFor<[Error]>(refused, "connect_error");
        assert.equal(err.message, "Invalid namespace");

        const lateChild = f.io.of("/room-99");
        assert.equal(lateChild.parent, parent, "io.of() of a matching name makes a child of the parent");
      } finally {
        await f.close();
      }
    });

    it("dynamic namespaces from a function that sees the auth payload; empty children can be cleaned up", async () => {
      const f = await startServer({ cleanupEmptyChildNamespaces: true }, transports);
      try {
        const parent = f.io.of((nsp, auth, next) => next(null, nsp.startsWith("/team-") && auth["key"] === "k"));
        const joined = waitFor<[Socket]>(parent, "connection");
        const ok = await f.connect("/team-blue", { auth: { key: "k" } });
        const [socket] = await joined;
        assert.equal(socket.nsp.name, "/team-blue");
        assert.equal(socket.handshake.auth["key"], "k");
        const denied = f.client("/team-red", { auth: { key: "wrong" } });
        assert.equal((await waitFor<[Error]>(denied, "connect_error"))[0].message, "Invalid namespace");

        assert.equal(f.io.hasNamespace("/team-blue"), true);
        const gone = waitFor(socket, "disconnect");
        ok.disconnect();
        await gone;
        assert.equal(f.io.hasNamespace("/team-blue"), false, "removed once empty");
        assert.equal(parent instanceof Object && (parent as unknown as { children: Set<unknown> }).children.size, 0);
      } finally {
        await f.close();
      }
    });

    it("middlewares run in order, can be async, and refuse with connect_error carrying message and data", async () => {
      const f = await startServer({}, transports);
      try {
        const order: string[] = [];
        f.io.use((socket, next) => {
          order.push("first");
          socket.data = { user: socket.handshake.auth["user"] };
          next();
        });
        f.io.use((socket, next) => {
          order.push("second");
          setTimeout(() => {
            if (socket.handshake.auth["user"] === "mallory") {
              const err = Object.assign(new Error("not authorized"), { data: { content: "Please retry later", code: 403 } });
              next(err);
            } else {
              next();
            }
          }, 10);
        });
        let connections = 0;
        f.io.on("connection", (socket: Socket) => {
          connections++;
          assert.deepEqual(socket.data, { user: "alice" });
        });
        await f.connect("/", { auth: { user: "alice" } });
        assert.deepEqual(order, ["first", "second"]);

        const refused = f.client("/", { auth: { user: "mallory" } });
        const [err] = await waitFor<[Error & { data?: unknown }]>(refused, "connect_error");
        assert.equal(err.message, "not authorized");
        assert.deepEqual(err.data, { content: "Please retry later", code: 403 });
        assert.equal(refused.connected, false);
        assert.equal(connections, 1);
        assert.equal(f.io.sockets.sockets.size, 1);

        const admin = f.io.of("/admin");
        admin.use((_socket, next) => next(new Error("admins only")));
        const throwing = f.io.of("/throwing");
        throwing.use(() => {
          throw new Error("thrown in middleware");
        });
        const adminClient = f.client("/admin", { auth: { user: "alice" } });
        const [adminErr] = await waitFor<[Error & { data?: unknown }]>(adminClient, "connect_error");
        assert.equal(adminErr.message, "admins only");
        assert.equal(adminErr.data, undefined);
        const plain = f.io.of("/plain");
        plain.use((_socket, next) => next("just a string" as unknown as Error));
        const plainClient = f.client("/plain");
        assert.equal((await waitFor<[Error]>(plainClient, "connect_error"))[0].message, "just a string");
        const throwClient = f.client("/throwing", { auth: { user: "alice" } });
        assert.equal((await waitFor<[Error]>(throwClient, "connect_error"))[0].message, "thrown in middleware");
        assert.deepEqual(order, ["first", "second", "first", "second"], "io.use runs for the main namespace only");
      } finally {
        await f.close();
      }
    });

    it("a client joining no namespace is closed after connectTimeout", async () => {
      const f = await startServer({ connectTimeout: 200 }, transports);
      try {
        const engine = new EngineClient(f.url, { transports, path: "/socket.io/" });
        await waitFor(engine, "open");
        await until(() => f.io.engine.clientsCount === 1, 2000, "engine session");
        const started = Date.now();
        await waitFor(engine, "close", 5000);
        assert.ok(Date.now() - started >= 150);
        assert.equal(f.io.engine.clientsCount, 0);
        engine.close();
      } finally {
        await f.close();
      }
    });
  });
}
