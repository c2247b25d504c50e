// Our client (Node) against our server and the official socket.io server, for each transport
// setting: connection, events both ways with every argument type, acks both ways, binary,
// namespaces sharing one connection, middleware errors, auth.
import { after, afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cleanup, connect, nextConnection, SERVERS, startServer, TRANSPORT_SETTINGS, until, waitFor } from "./harness.js";

/** Arguments of every JSON type, plus binary in several forms and places. */
function everyArgument(): unknown[] {
  return [
    "text",
    "",
    "héllo ✓ 😀",
    0,
    -42.5,
    Number.MAX_SAFE_INTEGER,
    true,
    false,
    null,
    { a: 1, nested: { list: [1, "two", null, { deep: true }] } },
    [1, [2, [3]]],
    Buffer.from([1, 2, 3]),
    new Uint8Array([250, 251]),
    new Uint8Array([7, 8, 9]).buffer,
    { file: Buffer.from("abc"), meta: { parts: [Buffer.from([0]), "x"] } },
  ];
}

/** What `everyArgument()` looks like after a round trip (binary arrives as Buffer in Node). */
function asReceived(value: unknown): unknown {
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(asReceived);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asReceived(v)]));
  return value;
}

afterEach(cleanup);
after(cleanup);

for (const kind of SERVERS) {
  for (const transports of TRANSPORT_SETTINGS) {
    describe(`client ↔ ${kind.name} server, transports ${transports.join("+")}`, () => {
      test("connects, gets an id, and reports its transport", async () => {
        const server = await startServer(kind);
        const serverSide = nextConnection(server);
        const socket = connect(server, "/", { transports });
        await waitFor(socket, "connect");
        const serverSocket = await serverSide;
        assert.equal(socket.connected, true);
        assert.equal(socket.disconnected, false);
        assert.equal(socket.active, true);
        assert.equal(socket.id, serverSocket.id);
        assert.equal(socket.io.engine?.transport.name, transports[0]);
        assert.equal(socket.io.engine?.id, serverSocket.conn.id);
      });

      test("sends and receives events with every argument type, both ways", async () => {
        const server = await startServer(kind, {}, (io) => {
          io.on("connection", (s) => s.on("echo", (...args: unknown[]) => s.emit("echoed", ...args)));
        });
        const socket = connect(server, "/", { transports });
        const received = waitFor(socket, "echoed");
        const args = everyArgument();
        socket.emit("echo", ...args);
        assert.deepEqual(await received, asReceived(args));
        // no arguments at all
        const empty = waitFor(socket, "echoed");
        socket.emit("echo");
        assert.deepEqual(await empty, []);
      });

      test("acknowledgements both ways, with binary, timeouts and emitWithAck", async () => {
        const server = await startServer(kind, {}, (io) => {
          io.on("connection", (s) => {
            s.on("sum", (a: number, b: number, ack: (n: number, bytes: Buffer) => void) => ack(a + b, Buffer.from([a, b])));
            s.on("silent", () => {});
          });
        });
        const serverSide = nextConnection(server);
        const socket = connect(server, "/", { transports });
        socket.on("question", (q: string, bytes: Buffer, ack: (answer: string, b: Buffer) => void) => ack(q.toUpperCase(), Buffer.concat([bytes, bytes])));
        const serverSocket = await serverSide;

        const [sum, bytes] = await new Promise<[number, Buffer]>((resolve) => socket.emit("sum", 2, 3, (n: number, b: Buffer) => resolve([n, b])));
        assert.equal(sum, 5);
        assert.deepEqual(bytes, Buffer.from([2, 3]));

        assert.equal(await socket.emitWithAck("sum", 10, 20), 30);
        assert.equal(await socket.timeout(2000).emitWithAck("sum", 1, 1), 2);
        const [err, n] = await new Promise<[Error | null, number]>((resolve) =>
          socket.timeout(2000).emit("sum", 4, 4, (e: Error | null, value: number) => resolve([e, value])),
        );
        assert.equal(err, null);
        assert.equal(n, 8);

        const started = Date.now();
        const timedOut = await new Promise<Error | null>((resolve) => socket.timeout(100).emit("silent", (e: Error | null) => resolve(e)));
        assert.ok(timedOut instanceof Error);
        assert.equal(timedOut.message, "operation has timed out");
        assert.ok(Date.now() - started >= 95);
        await assert.rejects(socket.timeout(50).emitWithAck("silent"), /operation has timed out/);

        const answer = await serverSocket.timeout(2000).emitWithAck("question", "why", Buffer.from([9]));
        assert.equal(answer, "WHY");
      });

      test("namespaces share one connection; forceNew does not", async () => {
        const server = await startServer(kind, {}, (io) => {
          io.of("/admin").on("connection", (s) => s.on("whoami", (ack: (nsp: string) => void) => ack(s.nsp.name)));
          io.on("connection", (s) => s.on("whoami", (ack: (nsp: string) => void) => ack(s.nsp.name)));
        });
        const main = connect(server, "/", { transports });
        const admin = main.io.socket("/admin");
        assert.equal(admin.io, main.io);
        await Promise.all([waitFor(main, "connect"), waitFor(admin, "connect")]);
        assert.equal(await main.emitWithAck("whoami"), "/");
        assert.equal(await admin.emitWithAck("whoami"), "/admin");
        assert.notEqual(main.id, admin.id);
        assert.equal(server.io.engine.clientsCount, 1);

        const other = connect(server, "/admin", { transports });
        assert.notEqual(other.io, main.io);
        await waitFor(other, "connect");
        assert.equal(server.io.engine.clientsCount, 2);

        // leaving one namespace keeps the connection for the other
        admin.disconnect();
        assert.equal(admin.connected, false);
        assert.equal(await main.emitWithAck("whoami"), "/");
      });

      test("connect_error carries the middleware's message and data; auth reaches the server", async () => {
        const server = await startServer(kind, {}, (io) => {
          io.of("/secure").use((s, next) => {
            if (s.handshake.auth["token"] === "good") return next();
            const err = new Error("not authorized") as Error & { data: unknown };
            err.data = { code: 42, hint: ["retry"] };
            next(err);
          });
          io.of("/secure").on("connection", (s) => s.emit("welcome", s.handshake.auth));
        });
        const refused = connect(server, "/secure", { transports, auth: { token: "bad" } });
        const [err] = await waitFor<[Error & { data: unknown }]>(refused, "connect_error");
        assert.equal(err.message, "not authorized");
        assert.deepEqual(err.data, { code: 42, hint: ["retry"] });
        assert.equal(refused.connected, false);
        assert.equal(refused.active, false);

        // connect() again with a better auth, given as a function
        refused.auth = (cb) => cb({ token: "good", extra: 1 });
        const welcome = waitFor(refused, "welcome");
        refused.connect();
        assert.deepEqual(await welcome, [{ token: "good", extra: 1 }]);
        assert.equal(refused.connected, true);
      });

      test("onAny, prependAny, offAny and the outgoing catch-all listeners", async () => {
        const server = await startServer(kind, {}, (io) => {
          io.on("connection", (s) => s.onAny((ev: string, ...args: unknown[]) => s.emit(`re:${ev}`, ...args)));
        });
        const socket = connect(server, "/", { transports });
        const seen: string[] = [];
        const outgoing: unknown[][] = [];
        const first = (ev: string): void => void seen.push(`first:${ev}`);
        socket.onAny((ev: string) => seen.push(ev));
        socket.prependAny(first);
        socket.onAnyOutgoing((...args: unknown[]) => outgoing.push(args));
        assert.equal(socket.listenersAny().length, 2);
        const done = waitFor(socket, "re:ping");
        socket.emit("ping", 1, "a");
        await done;
        assert.deepEqual(seen, ["first:re:ping", "re:ping"]);
        assert.deepEqual(outgoing, [["ping", 1, "a"]]);
        socket.offAny(first);
        socket.offAnyOutgoing();
        const again = waitFor(socket, "re:pong");
        socket.emit("pong");
        await again;
        assert.deepEqual(seen, ["first:re:ping", "re:ping", "re:pong"]);
        assert.equal(outgoing.length, 1);
        assert.deepEqual(socket.listenersAnyOutgoing(), []);
      });

      test("send() is a message event; reserved names throw", async () => {
        const server = await startServer(kind, {}, (io) => {
          io.on("connection", (s) => s.on("message", (...args: unknown[]) => s.send(...args)));
        });
        const socket = connect(server, "/", { transports });
        const echoed = waitFor(socket, "message");
        socket.send("hi", { x: 1 });
        assert.deepEqual(await echoed, ["hi", { x: 1 }]);
        assert.throws(() => socket.emit("connect"), /reserved event name/);
        assert.throws(() => socket.emit("disconnect"), /reserved event name/);
      });
    });
  }
}

test("socket.io-client 4.8's transport exports name the transports: [Fetch], [WebSocket], [XHR, NodeWebSocket] with its upgrade", async () => {
  const { Fetch, NodeWebSocket, NodeXHR, WebSocket, XHR } = await import("../../../src/client/index.js");
  const server = await startServer(SERVERS[0]);
  const polling = connect(server, "/", { transports: [Fetch] });
  const ws = connect(server, "/", { transports: [WebSocket], forceNew: true });
  await Promise.all([waitFor(polling, "connect"), waitFor(ws, "connect")]);
  assert.equal(polling.io.engine?.transport.name, "polling");
  assert.equal(ws.io.engine?.transport.name, "websocket");
  assert.equal(NodeXHR, XHR);
  const upgrading = connect(server, "/", { transports: [XHR, NodeWebSocket], forceNew: true });
  await waitFor(upgrading, "connect");
  await until(() => upgrading.io.engine?.transport.name === "websocket", 3000, "the upgrade to WebSocket");
  assert.equal(polling.io.engine?.transport.name, "polling", "[Fetch] never upgrades");
});
