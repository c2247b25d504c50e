// Connection state recovery with the official client, for each transport setting: after a
// forced transport close the client reconnects with the same id, rooms and data, gets every
// packet it missed in order, and `recovered` is true on both sides.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Socket as ClientSocket } from "socket.io-client";
import type { ServerOptions, Socket } from "../../../src/index.js";
import { TRANSPORT_SETTINGS, startServer, until, waitFor } from "./helpers.js";
import type { Fixture } from "./helpers.js";

const RECONNECTING = { reconnection: true, reconnectionDelay: 400, reconnectionDelayMax: 400, randomizationFactor: 0 };

async function recoveryFixture(options: ServerOptions, transports: ("polling" | "websocket")[]) {
  const f = await startServer(options, transports);
  const connections: Socket[] = [];
  f.io.on("connection", (socket: Socket) => connections.push(socket));
  return { f, connections };
}

/** Connects, joins "room1", sets data and sends one event so the client holds an offset. */
async function prepare(f: Fixture, connections: Socket[]): Promise<{ client: ClientSocket; first: Socket; seen: unknown[] }> {
  const client = await f.connect("/", RECONNECTING);
  await until(() => connections.length === 1, 2000, "connection");
  const first = connections[0] as Socket;
  void first.join("room1");
  first.data = { name: "alice" };
  const seen: unknown[] = [];
  client.on("m", (value: unknown) => seen.push(value));
  first.emit("m", "before");
  await until(() => seen.length === 1, 2000, "first event");
  return { client, first, seen };
}

for (const { name, transports } of TRANSPORT_SETTINGS) {
  describe(`connection state recovery, ${name}`, () => {
    it("restores id, rooms, data and the missed packets, in order, after the client's transport closes", async () => {
      const { f, connections } = await recoveryFixture({ connectionStateRecovery: {} }, transports);
      try {
        const { client, first, seen } = await prepare(f, connections);
        assert.equal(first.recovered, false);
        assert.equal(client.recovered, false);
        const oldId = first.id;
        const reasons: string[] = [];
        first.on("disconnect", (reason) => {
          reasons.push(reason);
          // Sent while the client is away.
          f.io.emit("m", "to all");
          f.io.to("room1").emit("m", "to room1");
          f.io.to(oldId).emit("m", "to its id");
          f.io.except("room1").emit("m", "not for room1");
          f.io.to("other-room").emit("m", "not for it");
          f.io.volatile.emit("m", "volatile: not kept");
          f.io.emit("m", "last");
        });
        client.io.engine.close();
        await waitFor(client, "connect", 5000);
        await until(() => connections.length === 2, 2000, "second connection");
        const second = connections[1] as Socket;
        assert.deepEqual(reasons, ["transport close"]);
        assert.equal(second.recovered, true);
        assert.equal(client.recovered, true);
        assert.equal(second.id, oldId);
        assert.equal(client.id, oldId);
        assert.notEqual(second, first);
        assert.deepEqual([...second.rooms].sort(), [oldId, "room1"].sort());
        assert.deepEqual(second.data, { name: "alice" });
        await until(() => seen.length === 5, 3000, "missed packets");
        assert.deepEqual(seen, ["before", "to all", "to room1", "to its id", "last"]);

        // Live again: new packets arrive, and the socket is in its rooms.
        f.io.to("room1").emit("m", "live");
        await until(() => seen.length === 6, 2000, "live packet");
        assert.equal(seen[5], "live");
      } finally {
        await f.close();
      }
    });

    it("recovers after the server closes the transport, skipping the middlewares by default", async () => {
      const { f, connections } = await recoveryFixture({ connectionStateRecovery: { maxDisconnectionDuration: 10_000 } }, transports);
      try {
        let middlewareRuns = 0;
        f.io.use((_socket, next) => {
          middlewareRuns++;
          next();
        });
        const { client, first, seen } = await prepare(f, connections);
        assert.equal(middlewareRuns, 1);
        const clientReasons: string[] = [];
        client.on("disconnect", (reason) => clientReasons.push(reason));
        first.on("disconnect", () => first.nsp.to(first.id).emit("m", "missed"));
        first.conn.close();
        await waitFor(client, "connect", 5000);
        await until(() => connections.length === 2, 2000, "second connection");
        assert.equal(clientReasons.length, 1);
        assert.equal((connections[1] as Socket).recovered, true);
        assert.equal(middlewareRuns, 1, "a recovered socket skips the middlewares");
        await until(() => seen.length === 2, 2000, "missed packet");
        assert.deepEqual(seen, ["before", "missed"]);
      } finally {
        await f.close();
      }
    });

    it("runs the middlewares on recovery when skipMiddlewares is false", async () => {
      const { f, connections } = await recoveryFixture({ connectionStateRecovery: { skipMiddlewares: false } }, transports);
      try {
        let middlewareRuns = 0;
        f.io.use((_socket, next) => {
          middlewareRuns++;
          next();
        });
        const { client } = await prepare(f, connections);
        client.io.engine.close();
        await waitFor(client, "connect", 5000);
        await until(() => connections.length === 2, 2000, "second connection");
        assert.equal((connections[1] as Socket).recovered, true);
        assert.equal(middlewareRuns, 2);
      } finally {
        await f.close();
      }
    });

    it("gives a new session when the client comes back too late, or left on purpose", async () => {
      const { f, connections } = await recoveryFixture({ connectionStateRecovery: { maxDisconnectionDuration: 100 } }, transports);
      try {
        const { client, first } = await prepare(f, connections);
        client.io.engine.close(); // back after ~400 ms, past the 100 ms window
        await waitFor(client, "connect", 5000);
        await until(() => connections.length === 2, 2000, "second connection");
        const second = connections[1] as Socket;
        assert.equal(second.recovered, false);
        assert.equal(client.recovered, false);
        assert.notEqual(second.id, first.id);
        assert.deepEqual([...second.rooms], [second.id]);
        assert.deepEqual(second.data, {});

        // A namespace disconnect asked for by the client is not recoverable.
        client.disconnect();
        await until(() => f.io.sockets.sockets.size === 0, 2000, "disconnect");
        client.connect();
        await waitFor(client, "connect", 5000);
        await until(() => connections.length === 3, 2000, "third connection");
        assert.equal((connections[2] as Socket).recovered, false);
        assert.notEqual((connections[2] as Socket).id, second.id);
      } finally {
        await f.close();
      }
    });
  });
}
