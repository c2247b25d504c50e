// What the Node client adds or chooses: extraHeaders and query on every request, cookies kept for
// sticky sessions (polling and the WebSocket upgrade), rememberUpgrade, the engine's upgrade
// event, a custom parser; against both servers.
import { after, afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { encodeSocketPacket, SocketPacketDecoder } from "../../../src/protocol/index.js";
import type { SocketPacket } from "../../../src/protocol/index.js";
import { io, Manager } from "../../../src/client/index.js";
import { cleanup, connect, nextConnection, SERVERS, startServer, until, waitFor } from "./harness.js";

afterEach(cleanup);
after(cleanup);

for (const kind of SERVERS) {
  describe(`Node client features with ${kind.name} server`, () => {
    for (const transports of [["polling"], ["websocket"]] as const) {
      test(`extraHeaders and query reach the server (${transports[0]})`, async () => {
        const server = await startServer(kind);
        const serverSide = nextConnection(server);
        connect(server, "/", { transports: [...transports], extraHeaders: { "x-token": "t0k3n" }, query: { room: "a b", n: 1 } });
        const s = await serverSide;
        assert.equal(s.handshake.headers["x-token"], "t0k3n");
        assert.equal(s.handshake.query["room"], "a b");
        assert.equal(s.handshake.query["n"], "1");
        assert.equal(s.handshake.query["EIO"], "4");
      });
    }

    test("the cookie the server sets comes back on later requests and on the WebSocket upgrade", async () => {
      const seen: { transport: string | null; cookie: string | undefined }[] = [];
      const server = await startServer(kind, { cookie: { name: "sticky", path: "/", httpOnly: true, sameSite: "lax" } }, (io) => {
        io.engine.on("headers", (_headers: unknown, req: IncomingMessage) => {
          const url = new URL(req.url ?? "/", "http://x");
          if (url.searchParams.has("sid")) seen.push({ transport: url.searchParams.get("transport"), cookie: req.headers.cookie });
        });
      });
      const socket = connect(server, "/", { transports: ["polling", "websocket"] });
      await waitFor(socket, "connect");
      const sid = socket.io.engine?.id as string;
      await until(() => socket.io.engine?.transport.name === "websocket", 3000, "the upgrade");
      await until(() => seen.some((s) => s.transport === "websocket"), 3000, "the upgrade request");
      assert.ok(seen.length >= 2);
      for (const request of seen) assert.equal(request.cookie, `sticky=${sid}`, JSON.stringify(request));
    });

    test('the engine emits "upgrade"; rememberUpgrade starts the next connection on WebSocket', async () => {
      const server = await startServer(kind);
      const first = connect(server, "/", { transports: ["polling", "websocket"] });
      assert.equal(first.io.engine?.transport.name, "polling");
      const upgraded = waitFor(first.io.engine as never, "upgrade");
      await waitFor(first, "connect");
      const [transport] = await upgraded;
      assert.equal((transport as { name: string }).name, "websocket");
      assert.equal(first.io.engine?.transport, transport);
      // Events still flow after the upgrade.
      server.io.on("connection", (s) => s.on("echo", (n: number, ack: (n: number) => void) => ack(n)));
      const second = connect(server, "/", { transports: ["polling", "websocket"], rememberUpgrade: true });
      await waitFor(second, "connect");
      assert.equal(second.io.engine?.transport.name, "websocket");
      assert.equal(await second.emitWithAck("echo", 5), 5);
      const third = connect(server, "/", { transports: ["polling", "websocket"] });
      await waitFor(third, "connect");
      assert.equal(third.io.engine?.transport.name, "polling");
    });

    test("a custom parser (socket.io-parser's shape: a Decoder that emits \"decoded\") is used both ways", async () => {
      let encoded = 0;
      let decoded = 0;
      class Encoder {
        encode(packet: SocketPacket): (string | Uint8Array)[] {
          encoded++;
          return encodeSocketPacket(packet);
        }
      }
      class Decoder extends EventEmitter {
        readonly #inner = new SocketPacketDecoder();
        add(chunk: string | Uint8Array | ArrayBuffer): void {
          const packet = this.#inner.add(chunk);
          if (packet === undefined) return;
          decoded++;
          this.emit("decoded", packet);
        }
        destroy(): void {
          this.#inner.reset();
        }
      }
      const server = await startServer(kind, {}, (io) => {
        io.on("connection", (s) => s.on("echo", (data: unknown, ack: (d: unknown) => void) => ack(data)));
      });
      const socket = connect(server, "/", { parser: { Encoder, Decoder } });
      const payload = { text: "x", bytes: Buffer.from([1, 2, 3]) };
      assert.deepEqual(await socket.emitWithAck("echo", payload), payload);
      assert.ok(encoded >= 2, `encoded ${encoded}`); // CONNECT and the event
      assert.ok(decoded >= 2, `decoded ${decoded}`); // CONNECT reply and the ack
    });

    test("io() shares one Manager per server between namespaces, unless forceNew or multiplex: false", async () => {
      const server = await startServer(kind, {}, (srv) => void srv.of("/admin"));
      const main = io(server.url);
      const admin = io(server.url + "/admin");
      const again = io(server.url);
      const separate = io(server.url + "/admin", { multiplex: false });
      const all = [main, admin, again, separate];
      try {
        assert.equal(admin.io, main.io);
        assert.notEqual(again.io, main.io, "the same namespace twice: a new connection");
        assert.notEqual(separate.io, main.io);
        assert.equal(io.connect, io);
        assert.equal(io.Manager, Manager);
        await Promise.all(all.map((socket) => waitFor(socket, "connect")));
        assert.equal(server.io.engine.clientsCount, 3);
      } finally {
        for (const socket of all) socket.io.close();
      }
    });

    test('compress(false) still delivers; the Manager emits "packet" for each packet it decodes', async () => {
      const server = await startServer(kind, {}, (srv) => {
        srv.on("connection", (s) => s.on("big", (text: string, ack: (n: number) => void) => ack(text.length)));
      });
      const socket = connect(server, "/", { transports: ["websocket"] });
      const packets: { type: number; nsp: string }[] = [];
      socket.io.on("packet", (packet) => packets.push(packet));
      await waitFor(socket, "connect");
      assert.equal(await socket.compress(false).emitWithAck("big", "x".repeat(5000)), 5000);
      assert.equal(await socket.compress(true).emitWithAck("big", "y".repeat(5000)), 5000);
      assert.deepEqual(
        packets.map((p) => [p.type, p.nsp]),
        [
          [0, "/"],
          [3, "/"],
          [3, "/"],
        ],
      );
    });

    test("a Manager made by hand, with autoConnect off, connects on open() and serves several namespaces", async () => {
      const server = await startServer(kind, {}, (io) => void io.of("/b"));
      const manager = new Manager(server.url, { autoConnect: false, reconnectionDelay: 50 });
      assert.equal(manager.readyState, "closed");
      const a = manager.socket("/");
      const b = manager.socket("/b");
      assert.equal(a.active, false);
      const opened = new Promise<Error | undefined>((resolve) => manager.open(resolve));
      assert.equal(await opened, undefined);
      a.connect();
      b.connect();
      await Promise.all([waitFor(a, "connect"), waitFor(b, "connect")]);
      assert.equal(manager.socket("/b"), b);
      a.disconnect();
      assert.equal(manager.readyState, "open", "still used by /b");
      b.disconnect();
      assert.equal(manager.readyState, "closed");
    });
  });
}
