// Rooms and broadcasts with the official client, for each transport setting: who receives
// io.emit / to / except / socket.broadcast / socket.to, acks collected from many clients,
// fetchSockets and friends, serverSideEmit, and volatile packets under backpressure.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Socket as ClientSocket } from "socket.io-client";
import type { Socket } from "../../../src/index.js";
import { TRANSPORT_SETTINGS, connectMany, record, startServer, until, waitFor } from "./helpers.js";

/** Waits until every client got a "sync" sent after the broadcasts: per-connection order makes absence observable. */
async function sync(pairs: { client: ClientSocket; socket: Socket }[]): Promise<void> {
  await Promise.all(
    pairs.map(({ client, socket }) => {
      const got = waitFor(client, "sync");
      socket.emit("sync");
      return got;
    }),
  );
}

for (const { name, transports } of TRANSPORT_SETTINGS) {
  describe(`rooms and broadcasts, ${name}`, () => {
    it("io.emit reaches everyone; socket.broadcast.emit everyone but the sender", async () => {
      const f = await startServer({}, transports);
      try {
        const pairs = await connectMany(f, 3);
        const seen = pairs.map(({ client }) => record(client, "news"));
        f.io.emit("news", "to all");
        (pairs[0] as (typeof pairs)[0]).socket.broadcast.emit("news", "from 0");
        await sync(pairs);
        assert.deepEqual(seen, [["to all"], ["to all", "from 0"], ["to all", "from 0"]]);
        assert.equal(f.io.engine.clientsCount, 3);
        assert.equal(f.io.sockets.sockets.size, 3);
      } finally {
        await f.close();
      }
    });

    it("rooms: to / in / several rooms once each / to(socketId) / socket.to excludes the sender / leave", async () => {
      const f = await startServer({}, transports);
      try {
        const pairs = await connectMany(f, 4);
        const [a, b, c, d] = pairs as [(typeof pairs)[0], (typeof pairs)[0], (typeof pairs)[0], (typeof pairs)[0]];
        void a.socket.join("red");
        void b.socket.join(["red", "blue"]);
        void c.socket.join("blue");
        assert.deepEqual([...b.socket.rooms].sort(), [b.socket.id, "blue", "red"].sort());
        const seen = pairs.map(({ client }) => record(client, "m"));
        f.io.to("red").emit("m", "red");
        f.io.in("blue").emit("m", "blue");
        f.io.to("red").to("blue").emit("m", "red+blue");
        f.io.to(["red", "blue"]).emit("m", "red,blue");
        f.io.to(d.socket.id).emit("m", "direct");
        a.socket.to("red").emit("m", "a to red");
        a.socket.to("blue").emit("m", "a to blue");
        f.io.to("nobody-here").emit("m", "lost");
        await sync(pairs);
        assert.deepEqual(seen[0], ["red", "red+blue", "red,blue"]);
        assert.deepEqual(seen[1], ["red", "blue", "red+blue", "red,blue", "a to red", "a to blue"]);
        assert.deepEqual(seen[2], ["blue", "red+blue", "red,blue", "a to blue"]);
        assert.deepEqual(seen[3], ["direct"]);

        void b.socket.leave("red");
        void c.socket.leave(["blue"]);
        assert.equal(f.io.sockets.adapter.rooms.has("blue"), true);
        assert.deepEqual([...(f.io.sockets.adapter.rooms.get("red") ?? [])], [a.socket.id]);
        f.io.to("red").emit("m", "red again");
        f.io.to("blue").emit("m", "blue again");
        await sync(pairs);
        assert.deepEqual(seen[0]?.slice(3), ["red again"]);
        assert.deepEqual(seen[1]?.slice(6), ["blue again"]);
        assert.deepEqual(seen[2]?.slice(4), []);
      } finally {
        await f.close();
      }
    });

    it("except: a room, a socket id, combined with to()", async () => {
      const f = await startServer({}, transports);
      try {
        const pairs = await connectMany(f, 3);
        const [a, b, c] = pairs as [(typeof pairs)[0], (typeof pairs)[0], (typeof pairs)[0]];
        void a.socket.join("muted");
        void b.socket.join("team");
        void c.socket.join("team");
        const seen = pairs.map(({ client }) => record(client, "m"));
        f.io.except("muted").emit("m", "not muted");
        f.io.except(b.socket.id).emit("m", "not b");
        f.io.to("team").except(c.socket.id).emit("m", "team but c");
        f.io.except(["muted", "team"]).emit("m", "nobody");
        b.socket.broadcast.except("muted").emit("m", "b to unmuted others");
        await sync(pairs);
        assert.deepEqual(seen[0], ["not b"]);
        assert.deepEqual(seen[1], ["not muted", "team but c"]);
        assert.deepEqual(seen[2], ["not muted", "not b", "b to unmuted others"]);
      } finally {
        await f.close();
      }
    });

    it("timeout().emit collects acks from several clients, with an error and the responses received when some are silent", async () => {
      const f = await startServer({}, transports);
      try {
        const pairs = await connectMany(f, 3);
        pairs.forEach(({ client }, i) => {
          client.on("poll", (question: string, ack: (answer: string) => void) => ack(`${question}:${i}`));
          client.on("partial", (ack: (answer: number) => void) => {
            if (i !== 1) ack(i);
          });
        });
        const [err, responses] = await new Promise<[Error | null, string[]]>((resolve) =>
          f.io.timeout(2000).emit("poll", "q", (e: Error | null, r: string[]) => resolve([e, r])),
        );
        assert.equal(err, null);
        assert.deepEqual([...responses].sort(), ["q:0", "q:1", "q:2"]);

        const started = Date.now();
        const [err2, partial] = await new Promise<[Error | null, number[]]>((resolve) =>
          f.io.timeout(150).emit("partial", (e: Error | null, r: number[]) => resolve([e, r])),
        );
        assert.ok(err2 instanceof Error);
        assert.match(err2.message, /timed out/);
        assert.ok(Date.now() - started >= 140);
        assert.deepEqual([...partial].sort(), [0, 2]);

        assert.deepEqual((await f.io.timeout(2000).emitWithAck("poll", "w")).sort(), ["w:0", "w:1", "w:2"]);
        await assert.rejects(f.io.timeout(100).emitWithAck("partial"), /timed out/);
        const [a] = pairs as [(typeof pairs)[0]];
        void a.socket.join("solo");
        assert.deepEqual(await f.io.to("solo").timeout(2000).emitWithAck("poll", "s"), ["s:0"]);
        assert.deepEqual(await f.io.to("empty-room").timeout(2000).emitWithAck("poll", "e"), []);
        assert.deepEqual((await a.socket.broadcast.timeout(2000).emitWithAck("poll", "b")).sort(), ["b:1", "b:2"]);
      } finally {
        await f.close();
      }
    });

    it("fetchSockets / socketsJoin / socketsLeave / disconnectSockets, and what a fetched socket can do", async () => {
      const f = await startServer({}, transports);
      try {
        const pairs = await connectMany(f, 3);
        const [a, b, c] = pairs as [(typeof pairs)[0], (typeof pairs)[0], (typeof pairs)[0]];
        a.socket.data = { name: "alice" };
        b.socket.data = { name: "bob" };
        void a.socket.join("r");
        void b.socket.join("r");
        const all = await f.io.fetchSockets();
        assert.deepEqual(all.map((s) => s.id).sort(), pairs.map((p) => p.socket.id).sort());
        const inR = await f.io.in("r").fetchSockets();
        assert.deepEqual(inR.map((s) => s.id).sort(), [a.socket.id, b.socket.id].sort());
        const remoteA = inR.find((s) => s.id === a.socket.id);
        assert.ok(remoteA !== undefined);
        assert.deepEqual(remoteA.data, { name: "alice" });
        assert.ok(remoteA.rooms.has("r") && remoteA.rooms.has(a.socket.id));
        assert.equal(remoteA.handshake.address, "127.0.0.1");
        assert.deepEqual((await f.io.except("r").fetchSockets()).map((s) => s.id), [c.socket.id]);

        const got = waitFor(a.client, "hello");
        remoteA.emit("hello", "from fetch");
        assert.deepEqual(await got, ["from fetch"]);
        a.client.on("ask", (ack: (v: string) => void) => ack("single"));
        const [err, single] = await new Promise<[Error | null, string]>((resolve) =>
          remoteA.timeout(2000).emit("ask", (e: Error | null, v: string) => resolve([e, v])),
        );
        assert.equal(err, null);
        assert.equal(single, "single", "a fetched socket's ack gets one response, not an array");
        remoteA.join("vip");
        assert.ok(a.socket.rooms.has("vip"));
        remoteA.leave("vip");
        assert.ok(!a.socket.rooms.has("vip"));

        f.io.socketsJoin("everyone");
        assert.deepEqual([...(f.io.sockets.adapter.rooms.get("everyone") ?? [])].sort(), pairs.map((p) => p.socket.id).sort());
        f.io.in("r").socketsJoin(["x", "y"]);
        assert.ok(b.socket.rooms.has("x") && b.socket.rooms.has("y") && !c.socket.rooms.has("x"));
        f.io.in("r").socketsLeave("r");
        assert.equal(f.io.sockets.adapter.rooms.has("r"), false);
        assert.deepEqual(await f.io.in("x").allSockets(), new Set([a.socket.id, b.socket.id]));

        const bGone = waitFor(b.client, "disconnect");
        (await f.io.in(b.socket.id).fetchSockets())[0]?.disconnect();
        assert.equal((await bGone)[0], "io server disconnect");
        const aGone = waitFor(a.client, "disconnect");
        f.io.in("x").disconnectSockets(true);
        assert.equal((await aGone)[0], "io server disconnect");
        // a's connection closed by the server; b's by its client (no namespace left on it).
        await until(() => f.io.engine.clientsCount === 1, 5000, "a's and b's connections closed");
        const cGone = waitFor(c.client, "disconnect");
        f.io.disconnectSockets();
        assert.equal((await cGone)[0], "io server disconnect");
        assert.equal(f.io.sockets.sockets.size, 0);
      } finally {
        await f.close();
      }
    });

    it("serverSideEmit: no other server in one process, so acks get an empty list", async () => {
      const f = await startServer({}, transports);
      try {
        let heardLocally = false;
        f.io.on("ping-servers", () => (heardLocally = true));
        assert.equal(f.io.serverSideEmit("ping-servers", 1), true);
        const [err, responses] = await new Promise<[Error | null, unknown[]]>((resolve) =>
          f.io.serverSideEmit("ping-servers", (e: Error | null, r: unknown[]) => resolve([e, r])),
        );
        assert.equal(err, null);
        assert.deepEqual(responses, []);
        assert.deepEqual(await f.io.serverSideEmitWithAck("ping-servers"), []);
        assert.deepEqual(await f.io.of("/other").serverSideEmitWithAck("x"), []);
        assert.equal(heardLocally, false, "the emitting server does not hear itself");
        assert.throws(() => f.io.serverSideEmit("disconnect"), /reserved/);
      } finally {
        await f.close();
      }
    });

    it("volatile packets are dropped while the transport is not writable; other packets are not", async () => {
      const f = await startServer({}, transports);
      try {
        const [pair] = await connectMany(f, 1);
        const { client, socket } = pair as (typeof pairs)[0];
        type Pairs = typeof pair;
        const pairs: NonNullable<Pairs>[] = [pair as NonNullable<Pairs>];
        if (transports.length === 2) await until(() => socket.conn.transport.name === "websocket", 5000, "upgrade");
        const volatileSeen = record(client, "v");
        const after = record(client, "after");
        const big = waitFor(client, "big", 20_000);

        // Writable now: a volatile packet goes out (one per wait: a WebSocket that holds a
        // packet is not writable until it is flushed, as with socket.io).
        await spinUntil(() => socket.conn.writable);
        socket.volatile.emit("v", "while writable");
        await spinUntil(() => socket.conn.writable);
        f.io.volatile.emit("v", "broadcast while writable");

        socket.emit("big", "x".repeat(8 * 1024 * 1024));
        await spinUntil(() => !socket.conn.writable);
        // Same tick as the check: the transport is still not writable.
        assert.equal(socket.conn.writable, false);
        for (let i = 0; i < 50; i++) {
          socket.volatile.emit("v", i);
          f.io.volatile.emit("v", `b${i}`);
          f.io.to(socket.id).volatile.emit("v", `r${i}`);
        }
        socket.emit("after", 1);
        f.io.emit("after", 2);
        await big;
        await sync(pairs);
        assert.deepEqual(after, [1, 2]);
        assert.deepEqual(volatileSeen, ["while writable", "broadcast while writable"]);
      } finally {
        await f.close();
      }
    });

    it("compress(false) and local still deliver; the adapter reports room events", async () => {
      const f = await startServer({}, transports);
      try {
        const events: string[] = [];
        const adapter = f.io.sockets.adapter;
        adapter.on("create-room", (room: string) => events.push(`create ${room}`));
        adapter.on("join-room", (room: string) => events.push(`join ${room}`));
        adapter.on("leave-room", (room: string) => events.push(`leave ${room}`));
        adapter.on("delete-room", (room: string) => events.push(`delete ${room}`));
        const pairs = await connectMany(f, 1);
        const [{ client, socket }] = pairs as [(typeof pairs)[0]];
        const seen = record(client, "m");
        f.io.compress(false).emit("m", "uncompressed");
        f.io.local.emit("m", "local");
        socket.compress(false).emit("m", "socket uncompressed");
        await sync(pairs);
        assert.deepEqual(seen, ["uncompressed", "local", "socket uncompressed"]);
        void socket.join("room");
        void socket.leave("room");
        assert.deepEqual(events, ["create room", "join room", "leave room", "delete room"]);
        assert.equal(adapter.sids.has(socket.id), false, "a socket in no room but its own holds no Set");
      } finally {
        await f.close();
      }
    });
  });
}

/** Checks `condition` once per event-loop turn (no 5 ms gaps that could miss a short window). */
function spinUntil(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error("condition never became true"));
      else setImmediate(check);
    };
    check();
  });
}
