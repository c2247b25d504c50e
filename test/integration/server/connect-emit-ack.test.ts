// The official socket.io-client against Courant, for each transport setting: connection,
// ids and handshake, events both ways with every argument type, binary, acks with and without
// timeouts, catch-all listeners, packet middlewares, and the disconnect reasons on both sides.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryAdapter } from "../../../src/index.js";
import type { Socket } from "../../../src/index.js";
import { TRANSPORT_SETTINGS, startServer, until, waitFor, withTimeout } from "./helpers.js";

const ARGUMENTS: unknown[] = [
  "a string",
  "ünïcödé ✓ 🚀",
  "",
  0,
  -1.5,
  Number.MAX_SAFE_INTEGER,
  true,
  false,
  null,
  [],
  {},
  [1, "two", [3, [4, { five: 5 }]]],
  { nested: { deeper: { deepest: ["x", null, { y: true }] } }, list: [1, 2, 3] },
];

for (const { name, transports } of TRANSPORT_SETTINGS) {
  describe(`official client, ${name}`, () => {
    it("connects with the same socket id on both sides, distinct from the engine id", async () => {
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        const client = await f.connect();
        const [socket] = await serverSide;
        assert.equal(typeof socket.id, "string");
        assert.equal(socket.id.length, 20);
        assert.equal(client.id, socket.id);
        assert.notEqual(socket.id, socket.conn.id);
        assert.equal(socket.client.conn, socket.conn);
        assert.equal(socket.connected, true);
        assert.equal(socket.disconnected, false);
        assert.equal(socket.recovered, false);
        assert.equal(socket.nsp, f.io.sockets);
        assert.equal(socket.server, f.io);
        assert.deepEqual([...socket.rooms], [socket.id]);
        assert.deepEqual(socket.data, {});
        assert.equal(f.io.engine.clientsCount, 1);
        assert.equal(f.io.sockets.sockets.get(socket.id), socket);
      } finally {
        await f.close();
      }
    });

    it("fills the handshake: address, headers, query, auth, time, url", async () => {
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        await f.connect("/", { auth: { token: "abc" }, query: { room: "42" }, extraHeaders: { "x-test": "yes" } });
        const [socket] = await serverSide;
        const hs = socket.handshake;
        assert.equal(hs.address, "127.0.0.1");
        assert.deepEqual(hs.auth, { token: "abc" });
        assert.equal(hs.query["room"], "42");
        assert.equal(hs.query["EIO"], "4");
        assert.ok(hs.url.startsWith("/socket.io/?"));
        assert.equal(hs.secure, false);
        assert.equal(hs.xdomain, false);
        assert.ok(Math.abs(hs.issued - Date.now()) < 5000);
        assert.equal(new Date(hs.time).getTime(), Math.floor(hs.issued / 1000) * 1000);
        if (transports[0] === "polling") assert.equal(hs.headers["x-test"], "yes");
        assert.equal(socket.request, socket.conn.request);
        assert.equal(socket.handshake, hs, "built once");
      } finally {
        await f.close();
      }
    });

    it("lets the request go when the engine's connection listener sets it to null; the handshake keeps what it needs", async () => {
      const f = await startServer({}, transports);
      try {
        f.io.engine.on("connection", (rawSocket) => {
          rawSocket.request = null;
        });
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        await f.connect("/", { query: { room: "42" }, extraHeaders: { "x-test": "yes" } });
        const [socket] = await serverSide;
        assert.equal(socket.request, null);
        assert.equal(socket.conn.request, null);
        const hs = socket.handshake;
        assert.equal(hs.query["room"], "42");
        assert.ok(hs.url.startsWith("/socket.io/?"));
        assert.equal(typeof hs.headers.host, "string");
        if (transports[0] === "polling") assert.equal(hs.headers["x-test"], "yes");
        assert.equal(hs.secure, false);
        assert.equal(hs.address, "127.0.0.1");
      } finally {
        await f.close();
      }
    });

    it("carries every argument type from server to client and back, and many arguments", async () => {
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        const client = await f.connect();
        const [socket] = await serverSide;
        for (const arg of ARGUMENTS) {
          const down = waitFor(client, "value");
          socket.emit("value", arg);
          assert.deepEqual(await down, [arg]);
          const up = waitFor(socket, "value");
          client.emit("value", arg);
          assert.deepEqual(await up, [arg]);
        }
        const many = ARGUMENTS.concat(ARGUMENTS);
        const down = waitFor(client, "many");
        socket.emit("many", ...many);
        assert.deepEqual(await down, many);
        const up = waitFor(socket, "many");
        client.emit("many", ...many);
        assert.deepEqual(await up, many);
        const none = waitFor(socket, "none");
        client.emit("none");
        assert.deepEqual(await none, []);
      } finally {
        await f.close();
      }
    });

    it("carries binary nested in objects and arrays both ways", async () => {
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        const client = await f.connect();
        const [socket] = await serverSide;
        const payload = { name: "file", parts: [Buffer.from([1, 2, 3]), { inner: Buffer.from("héllo") }], empty: Buffer.alloc(0) };
        const down = waitFor(client, "bin");
        socket.emit("bin", payload, Buffer.from([255]));
        const [got, second] = await down;
        assert.deepEqual(Buffer.from(got.parts[0]), Buffer.from([1, 2, 3]));
        assert.equal(Buffer.from(got.parts[1].inner).toString(), "héllo");
        assert.equal(Buffer.from(got.empty).length, 0);
        assert.deepEqual(Buffer.from(second), Buffer.from([255]));
        const up = waitFor(socket, "bin");
        client.emit("bin", { deep: [{ data: new Uint8Array([9, 8, 7]) }] }, "tail");
        const [upGot, tail] = await up;
        assert.ok(Buffer.isBuffer(upGot.deep[0].data));
        assert.deepEqual([...upGot.deep[0].data], [9, 8, 7]);
        assert.equal(tail, "tail");
      } finally {
        await f.close();
      }
    });

    it("acknowledges both ways, binary included, and calls each ack once", async () => {
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        const client = await f.connect();
        const [socket] = await serverSide;
        let ackCalls = 0;
        socket.on("ask", (a: number, b: number, ack: (sum: number, bin: Buffer) => void) => {
          ackCalls++;
          ack(a + b, Buffer.from([a, b]));
          ack(-1, Buffer.alloc(0)); // a second answer is not sent
        });
        const [sum, bin] = await withTimeout(
          new Promise<[number, Buffer]>((resolve) => client.emit("ask", 2, 3, (s: number, b: Buffer) => resolve([s, b]))),
          5000,
          "client ack",
        );
        assert.equal(sum, 5);
        assert.deepEqual([...Buffer.from(bin)], [2, 3]);
        assert.equal(ackCalls, 1);
        assert.equal(await client.emitWithAck("ask", 10, 20), 30);

        client.on("question", (q: string, ack: (answer: string) => void) => ack(q.toUpperCase()));
        const answer = await withTimeout(new Promise((resolve) => socket.emit("question", "why", resolve)), 5000, "server ack");
        assert.equal(answer, "WHY");
        assert.equal(await socket.emitWithAck("question", "how"), "HOW");
        assert.equal(await socket.timeout(2000).emitWithAck("question", "when"), "WHEN");
        const [err, timed] = await new Promise<[Error | null, string]>((resolve) =>
          socket.timeout(2000).emit("question", "what", (e: Error | null, a: string) => resolve([e, a])),
        );
        assert.equal(err, null);
        assert.equal(timed, "WHAT");
      } finally {
        await f.close();
      }
    });

    it("times acks out on both sides when nobody answers", async () => {
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        const client = await f.connect();
        const [socket] = await serverSide;
        socket.on("silent", () => {});
        client.on("silent", () => {});
        const started = Date.now();
        const [serverErr] = await new Promise<[Error | null]>((resolve) => socket.timeout(100).emit("silent", (e: Error | null) => resolve([e])));
        assert.ok(serverErr instanceof Error);
        assert.match(serverErr.message, /timed out/);
        assert.ok(Date.now() - started >= 90);
        await assert.rejects(socket.timeout(50).emitWithAck("silent"), /timed out/);
        const [clientErr] = await new Promise<[Error | null]>((resolve) => client.timeout(100).emit("silent", (e: Error | null) => resolve([e])));
        assert.ok(clientErr instanceof Error);
      } finally {
        await f.close();
      }
    });

    it("sends `message` with send(), sees every event with onAny/onAnyOutgoing, and filters with socket.use", async () => {
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        const client = await f.connect();
        const [socket] = await serverSide;
        const incoming: unknown[][] = [];
        const outgoing: unknown[][] = [];
        const first: string[] = [];
        socket.onAny((...args: unknown[]) => incoming.push(args));
        socket.prependAny((ev: string) => first.push(ev));
        socket.onAnyOutgoing((...args: unknown[]) => outgoing.push(args));
        assert.equal(socket.listenersAny().length, 2);
        socket.use(([event, ...args], next) => {
          if (event === "blocked") return next(new Error(`blocked ${String(args[0])}`));
          next();
        });
        const errors: string[] = [];
        socket.on("error", (err) => errors.push(err.message));
        const got = waitFor(client, "message");
        socket.send("hi", 1);
        assert.deepEqual(await got, ["hi", 1]);
        let blockedReached = false;
        socket.on("blocked", () => (blockedReached = true));
        const passed = waitFor(socket, "passed");
        client.emit("blocked", 7);
        client.emit("passed", 8);
        assert.deepEqual(await passed, [8]);
        assert.equal(blockedReached, false);
        assert.deepEqual(errors, ["blocked 7"]);
        assert.deepEqual(incoming, [["blocked", 7], ["passed", 8]]);
        assert.deepEqual(first, ["blocked", "passed"]);
        assert.deepEqual(outgoing, [["message", "hi", 1]]);
        socket.offAny();
        socket.offAnyOutgoing();
        assert.equal(socket.listenersAny().length, 0);
        assert.equal(socket.listenersAnyOutgoing().length, 0);
      } finally {
        await f.close();
      }
    });

    it("throws synchronously on reserved event names emitted by the server", async () => {
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        await f.connect();
        const [socket] = await serverSide;
        for (const ev of ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener", "error"]) {
          assert.throws(() => socket.emit(ev), /reserved event name/);
          assert.throws(() => f.io.emit(ev), /reserved event name/);
          assert.throws(() => socket.broadcast.emit(ev), /reserved event name/);
        }
      } finally {
        await f.close();
      }
    });

    it("client disconnect: 'client namespace disconnect' on the server, rooms still there while disconnecting", async () => {
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        const client = await f.connect();
        const [socket] = await serverSide;
        void socket.join("room1");
        let roomsWhileDisconnecting: string[] = [];
        socket.on("disconnecting", () => (roomsWhileDisconnecting = [...socket.rooms]));
        const gone = waitFor(socket, "disconnect");
        client.disconnect();
        const [reason] = await gone;
        assert.equal(reason, "client namespace disconnect");
        assert.deepEqual(roomsWhileDisconnecting.sort(), [socket.id, "room1"].sort());
        assert.equal(socket.connected, false);
        assert.equal(socket.disconnected, true);
        assert.equal(f.io.sockets.sockets.size, 0);
        assert.equal(f.io.sockets.adapter.rooms.size, 0);
        assert.equal(f.io.sockets.adapter.sids.size, 0);
        await until(() => f.io.engine.clientsCount === 0, 5000, "engine session closed by the client");
      } finally {
        await f.close();
      }
    });

    it("server socket.disconnect(): 'io server disconnect' on the client; the connection stays for other namespaces", async () => {
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        const client = await f.connect();
        const [socket] = await serverSide;
        // A second namespace on the same connection (the client closes a connection left with none).
        f.io.of("/other");
        const other = client.io.socket("/other");
        other.connect();
        await waitFor(other, "connect");
        const clientGone = waitFor(client, "disconnect");
        const serverGone = waitFor(socket, "disconnect");
        socket.disconnect();
        assert.deepEqual((await serverGone)[0], "server namespace disconnect");
        assert.equal((await clientGone)[0], "io server disconnect");
        const stillThere = waitFor(other, "still");
        f.io.of("/other").emit("still", "here");
        assert.deepEqual(await stillThere, ["here"]);
        assert.equal(f.io.engine.clientsCount, 1, "disconnect() without close keeps the engine session");
        other.disconnect();
        assert.equal(socket.emit("late"), true, "emitting on a disconnected socket is harmless");
      } finally {
        await f.close();
      }
    });

    it("server socket.disconnect(true) closes the whole connection", async () => {
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        const client = await f.connect();
        const [socket] = await serverSide;
        const clientGone = waitFor(client, "disconnect");
        const serverGone = waitFor(socket, "disconnect");
        socket.disconnect(true);
        assert.equal((await serverGone)[0], "server namespace disconnect");
        assert.equal((await clientGone)[0], "io server disconnect");
        await until(() => f.io.engine.clientsCount === 0, 5000, "engine session closed");
      } finally {
        await f.close();
      }
    });

    it("a closed transport gives 'transport close'; io.close() gives 'server shutting down'", async () => {
      // On the client, io.close() ends a pending poll without a close packet: "transport error",
      // as with socket.io; a WebSocket gets its close frame: "transport close".
      const clientReasons = transports[0] === "websocket" ? ["transport close"] : ["transport close", "transport error"];
      const f = await startServer({}, transports);
      try {
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        const client = await f.connect();
        const [socket] = await serverSide;
        const gone = waitFor(socket, "disconnect");
        client.io.engine.close();
        assert.equal((await gone)[0], "transport close");

        const second = waitFor<[Socket]>(f.io, "connection");
        const client2 = await f.connect();
        const [socket2] = await second;
        const gone2 = waitFor(socket2, "disconnect");
        const clientGone2 = waitFor(client2, "disconnect");
        void f.io.close();
        assert.equal((await gone2)[0], "server shutting down");
        assert.ok(clientReasons.includes((await clientGone2)[0]), "client reason");
      } finally {
        await f.close();
      }
    });
  });
}

describe("io.close()", () => {
  it("returns a promise that settles once the adapters have closed, a failing one reported", async () => {
    const closedAdapters: string[] = [];
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.message);
    process.on("warning", onWarning);
    class SlowAdapter extends MemoryAdapter {
      override close(): Promise<void> {
        return new Promise((resolve, reject) =>
          setTimeout(() => {
            closedAdapters.push(this.nsp.name);
            if (this.nsp.name === "/broken") reject(new Error("adapter could not close"));
            else resolve();
          }, 30),
        );
      }
    }
    const f = await startServer({ adapter: SlowAdapter }, ["websocket"]);
    try {
      f.io.of("/broken");
      await f.connect();
      let httpClosed = false;
      const closing = f.io.close(() => (httpClosed = true));
      assert.ok(closing instanceof Promise);
      assert.deepEqual(closedAdapters, [], "the adapters close later");
      await withTimeout(closing, 2000, "io.close()");
      assert.deepEqual(closedAdapters.sort(), ["/", "/broken"]);
      await until(() => httpClosed && warnings.includes("adapter could not close"), 2000, "the HTTP server closed and the failure reported");
    } finally {
      process.off("warning", onWarning);
      await f.close();
    }
  });
});
