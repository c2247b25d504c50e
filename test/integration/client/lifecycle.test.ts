// Disconnection reasons, reconnection after a server restart (with the backoff bounds),
// buffering while disconnected and volatile drops, against both servers and every transport setting.
import { after, afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cleanup, connect, nextConnection, SERVERS, sleep, startServer, TRANSPORT_SETTINGS, until, waitFor } from "./harness.js";

afterEach(cleanup);
after(cleanup);

for (const kind of SERVERS) {
  for (const transports of TRANSPORT_SETTINGS) {
    describe(`lifecycle with ${kind.name} server, transports ${transports.join("+")}`, () => {
      test('"io server disconnect": the client stays disconnected until connect()', async () => {
        const server = await startServer(kind);
        const serverSide = nextConnection(server);
        const socket = connect(server, "/", { transports });
        await waitFor(socket, "connect");
        (await serverSide).disconnect();
        const [reason] = await waitFor(socket, "disconnect");
        assert.equal(reason, "io server disconnect");
        assert.equal(socket.active, false);
        await sleep(300); // several reconnection delays
        assert.equal(socket.connected, false);
        assert.equal(socket.io.readyState, "closed");
        socket.connect();
        await waitFor(socket, "connect");
        assert.equal(socket.connected, true);
      });

      test('"io client disconnect": the server hears "client namespace disconnect"', async () => {
        const server = await startServer(kind);
        const serverSide = nextConnection(server);
        const socket = connect(server, "/", { transports });
        await waitFor(socket, "connect");
        const serverSocket = await serverSide;
        const serverReason = waitFor(serverSocket, "disconnect");
        const clientReason = waitFor(socket, "disconnect");
        socket.disconnect();
        assert.deepEqual((await clientReason)[0], "io client disconnect");
        assert.equal((await serverReason)[0], "client namespace disconnect");
        assert.equal(socket.io.readyState, "closed");
      });

      test("an emit and disconnect() right after connecting: the server gets both, in order, every time", async () => {
        // On polling, closing used to abort the long GET before the last POST went out (the abort
        // could reach the server first and read as a transport error), and to send the close
        // packet in the same POST (socket.io handles it before that payload's messages). Repeated
        // to catch races. socket.io itself drops an event that arrives with the DISCONNECT (it
        // dispatches events a tick later), whichever client sends them: there only the reason is checked.
        const server = await startServer(kind);
        for (let i = 0; i < 15; i++) {
          const serverSide = nextConnection(server);
          const socket = connect(server, "/", { transports });
          await waitFor(socket, "connect");
          const serverSocket = await serverSide;
          const seen: string[] = [];
          serverSocket.on("last", (n: number) => seen.push(`last ${n}`));
          const reason = waitFor(serverSocket, "disconnect");
          socket.emit("last", i);
          socket.disconnect();
          seen.push((await reason)[0] as string);
          if (kind.name === "courant") assert.deepEqual(seen, [`last ${i}`, "client namespace disconnect"]);
          else assert.equal(seen.at(-1), "client namespace disconnect");
        }
      });

      test('"transport close" when the server drops the connection, then a reconnection', async () => {
        const server = await startServer(kind);
        const serverSide = nextConnection(server);
        const socket = connect(server, "/", { transports });
        await waitFor(socket, "connect");
        const firstId = socket.id;
        const reconnected = waitFor(socket.io, "reconnect");
        (await serverSide).conn.close();
        const [reason] = await waitFor(socket, "disconnect");
        assert.equal(reason, "transport close");
        assert.equal(socket.active, true);
        await waitFor(socket, "connect");
        assert.deepEqual(await reconnected, [1]);
        assert.notEqual(socket.id, firstId);
      });

      test('"parse error" when the server sends a malformed packet, then a reconnection', async () => {
        const server = await startServer(kind);
        const serverSide = nextConnection(server);
        const socket = connect(server, "/", { transports });
        await waitFor(socket, "connect");
        (await serverSide).conn.send("9 is no Socket.IO packet type");
        const [reason] = await waitFor(socket, "disconnect");
        assert.equal(reason, "parse error");
        await waitFor(socket, "connect");
      });

      test("reconnects after a server restart; emits made meanwhile arrive in order, volatile ones are dropped", async () => {
        const received: unknown[] = [];
        const server = await startServer(kind, {}, (io) => {
          io.on("connection", (s) => s.on("note", (n: unknown) => received.push(n)));
        });
        const socket = connect(server, "/", { transports, reconnectionDelay: 100, reconnectionDelayMax: 400, randomizationFactor: 0.5 });
        await waitFor(socket, "connect");
        socket.emit("note", "before");
        await until(() => received.length === 1, 3000, "the first note");

        // Record when each attempt starts relative to the failure before it.
        const delays: number[] = [];
        let failedAt = 0;
        socket.io.on("close", () => (failedAt = Date.now()));
        socket.io.on("reconnect_error", () => (failedAt = Date.now()));
        socket.io.on("reconnect_attempt", () => delays.push(Date.now() - failedAt));

        const disconnected = waitFor(socket, "disconnect");
        await server.stop();
        await disconnected;
        assert.equal(socket.connected, false);
        for (let i = 1; i <= 3; i++) socket.emit("note", i);
        socket.volatile.emit("note", "volatile");
        assert.equal(socket.sendBuffer.length, 3);

        await until(() => delays.length >= 4, 5000, "four reconnection attempts");
        const reconnected = waitFor(socket.io, "reconnect");
        await server.start();
        await waitFor(socket, "connect", 5000);
        const [attempts] = await reconnected;
        assert.ok(attempts >= 4, `reconnected after ${String(attempts)} attempts`);
        await until(() => received.length === 4, 3000, "the buffered notes");
        assert.deepEqual(received, ["before", 1, 2, 3]);
        assert.equal(socket.sendBuffer.length, 0);

        // Each delay is within [reconnectionDelay, reconnectionDelayMax]: timers never fire early,
        // but a busy machine may run them late, hence the generous upper slack (the exact bounds
        // are checked in test/unit/client/backoff.test.ts).
        for (const delay of delays) {
          assert.ok(delay >= 95 && delay <= 400 + 1000, `delay ${delay} ms out of [100, 400]`);
        }
        assert.ok(delays.some((delay) => delay >= 150), `the delays grow: ${delays.join(", ")}`);
      });

      test("gives up after reconnectionAttempts with reconnect_failed", async () => {
        const server = await startServer(kind);
        const socket = connect(server, "/", { transports, reconnectionAttempts: 2, reconnectionDelay: 20, reconnectionDelayMax: 40 });
        await waitFor(socket, "connect");
        const attempts: number[] = [];
        socket.io.on("reconnect_attempt", (n) => attempts.push(n));
        const errors: unknown[] = [];
        socket.io.on("reconnect_error", (err) => errors.push(err));
        await server.stop();
        await waitFor(socket.io, "reconnect_failed", 5000);
        assert.deepEqual(attempts, [1, 2]);
        assert.equal(errors.length, 2);
        assert.ok(errors[0] instanceof Error);
      });
    });
  }
}
