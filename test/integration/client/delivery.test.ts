// Delivery guarantees: `retries` (each emit resent until acknowledged, one at a time, in order)
// and connection state recovery (same id, missed events delivered), against both servers.
import { after, afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cleanup, connect, nextConnection, SERVERS, sleep, startServer, TRANSPORT_SETTINGS, until, waitFor } from "./harness.js";

afterEach(cleanup);
after(cleanup);

for (const kind of SERVERS) {
  describe(`ordering and payload limits with ${kind.name} server`, () => {
    test("emits made during the upgrade from polling arrive complete and in order", async () => {
      const received: number[] = [];
      const server = await startServer(kind, {}, (io) => {
        io.on("connection", (s) => s.on("n", (n: number) => received.push(n)));
      });
      const socket = connect(server, "/", { transports: ["polling", "websocket"] });
      const upgraded = waitFor(socket.io.engine as never, "upgrade");
      let n = 0;
      const timer = setInterval(() => {
        for (let i = 0; i < 20; i++) socket.emit("n", n++);
      }, 2);
      await upgraded;
      for (let i = 0; i < 20; i++) socket.emit("n", n++);
      clearInterval(timer);
      await until(() => received.length === n, 5000, `${n} events`);
      assert.deepEqual(
        received,
        Array.from({ length: n }, (_, i) => i),
      );
    });

    test("a polling write larger than the server's maxHttpBufferSize is split into several requests", async () => {
      const received: number[] = [];
      const server = await startServer(kind, { maxHttpBufferSize: 10_000 }, (io) => {
        io.on("connection", (s) => s.on("chunk", (i: number, _text: string) => received.push(i)));
      });
      const socket = connect(server, "/", { transports: ["polling"] });
      await waitFor(socket, "connect");
      // 20 × ~2 KB buffered in one tick: 40 KB, four times the limit.
      for (let i = 0; i < 20; i++) socket.emit("chunk", i, "z".repeat(2000));
      await until(() => received.length === 20, 5000, "every chunk");
      assert.deepEqual(
        received,
        Array.from({ length: 20 }, (_, i) => i),
      );
      assert.equal(socket.connected, true);
    });
  });
}

for (const kind of SERVERS) {
  for (const transports of TRANSPORT_SETTINGS) {
    describe(`delivery with ${kind.name} server, transports ${transports.join("+")}`, () => {
      test("retries: an emit whose ack is withheld at first is resent and acknowledged once", async () => {
        const deliveries: unknown[] = [];
        const server = await startServer(kind, {}, (io) => {
          io.on("connection", (s) =>
            s.on("job", (n: number, ack: (result: string) => void) => {
              deliveries.push(n);
              // The first delivery of each job goes unanswered.
              if (deliveries.filter((d) => d === n).length > 1) ack(`done ${n}`);
            }),
          );
        });
        const socket = connect(server, "/", { transports, retries: 3, ackTimeout: 400 });
        const results: unknown[][] = [];
        socket.emit("job", 1, (...args: unknown[]) => results.push(args));
        socket.emit("job", 2, (...args: unknown[]) => results.push(args));
        await until(() => results.length === 2, 5000, "both acknowledgements");
        assert.deepEqual(results, [
          [null, "done 1"],
          [null, "done 2"],
        ]);
        // One in flight at a time, in order: job 2 is only sent once job 1 is acknowledged.
        assert.deepEqual(deliveries, [1, 1, 2, 2]);
        await sleep(300);
        assert.equal(results.length, 2, "each callback runs once");
      });

      test("retries: out of tries, the callback gets the timeout error once", async () => {
        let deliveries = 0;
        const server = await startServer(kind, {}, (io) => {
          io.on("connection", (s) => s.on("lost", () => void deliveries++));
        });
        const socket = connect(server, "/", { transports, retries: 2, ackTimeout: 80 });
        const errors: unknown[] = [];
        socket.emit("lost", (err: unknown) => errors.push(err));
        await until(() => errors.length === 1, 5000, "the final error");
        assert.ok(errors[0] instanceof Error);
        assert.equal((errors[0] as Error).message, "operation has timed out");
        assert.equal(deliveries, 3);
        await sleep(200);
        assert.equal(errors.length, 1);
      });

      test("connection state recovery: same id, recovered, missed events delivered after a forced drop", async () => {
        const server = await startServer(kind, { connectionStateRecovery: { maxDisconnectionDuration: 10_000, skipMiddlewares: true } });
        const serverSide = nextConnection(server);
        const socket = connect(server, "/", { transports, reconnectionDelay: 300, reconnectionDelayMax: 300 });
        const events: unknown[][] = [];
        socket.on("news", (...args: unknown[]) => events.push(args));
        await waitFor(socket, "connect");
        assert.equal(socket.recovered, false);
        const firstId = socket.id;
        const serverSocket = await serverSide;
        serverSocket.emit("news", "before");
        await until(() => events.length === 1, 3000, "the first event");

        const dropped = waitFor(serverSocket, "disconnect");
        const clientSaw = waitFor(socket, "disconnect");
        serverSocket.conn.close();
        await dropped;
        server.io.emit("news", "missed 1");
        server.io.emit("news", "missed 2", { n: 2 });
        assert.equal((await clientSaw)[0], "transport close");

        const restored = nextConnection(server);
        await waitFor(socket, "connect", 5000);
        assert.equal(socket.recovered, true);
        assert.equal(socket.id, firstId);
        assert.equal((await restored).recovered, true);
        await until(() => events.length === 3, 3000, "the missed events");
        // With recovery on, the server appends each event's offset as a last argument.
        assert.deepEqual(
          events.map((args) => args.slice(0, -1)),
          [["before"], ["missed 1"], ["missed 2", { n: 2 }]],
        );
        for (const args of events) assert.equal(typeof args[args.length - 1], "string");
      });

      test("connection state recovery: a new session when the server forgot the old one", async () => {
        const server = await startServer(kind, { connectionStateRecovery: { maxDisconnectionDuration: 10_000, skipMiddlewares: true } });
        const socket = connect(server, "/", { transports });
        await waitFor(socket, "connect");
        const firstId = socket.id;
        const disconnected = waitFor(socket, "disconnect");
        await server.stop();
        await disconnected;
        await server.start(); // a new server: no stored sessions
        await waitFor(socket, "connect", 5000);
        assert.equal(socket.recovered, false);
        assert.notEqual(socket.id, firstId);
      });
    });
  }
}
