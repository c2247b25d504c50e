// Emitting from a process that is not a server: the official @socket.io/redis-emitter reaching
// Courant's clients, and Courant's own Emitter (classic and sharded) reaching the clients of
// Courant and of official socket.io servers. Each delivery counted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Emitter as OfficialEmitter } from "@socket.io/redis-emitter";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { Emitter, RedisAdapterError } from "../../../src/adapters/redis/index.js";
import { expectDeliveries, RecordingClient, REDIS_URL, ServerProcess, skip, sleep, uniqueKey, waitUntil } from "./helpers.js";

const BINARY = Buffer.from([1, 2, 3, 254]);

/** What both emitters offer, as the scenario uses it. */
interface EmitterLike {
  emit(ev: string, ...args: unknown[]): unknown;
  to(room: string | string[]): OperatorLike;
  except(room: string | string[]): OperatorLike;
  in(room: string | string[]): OperatorLike;
  of(nsp: string): EmitterLike;
  readonly volatile: OperatorLike;
  compress(compress: boolean): OperatorLike;
  serverSideEmit(ev: string, ...args: unknown[]): unknown;
}
interface OperatorLike {
  emit(ev: string, ...args: unknown[]): unknown;
  to(room: string | string[]): OperatorLike;
  except(room: string | string[]): OperatorLike;
  socketsJoin(rooms: string | string[]): void;
  socketsLeave(rooms: string | string[]): void;
  disconnectSockets(close?: boolean): void;
}

interface Fleet {
  servers: ServerProcess[];
  clients: Record<string, RecordingClient>;
}

async function withFleet(key: string, sharded: boolean, run: (fleet: Fleet) => Promise<void>): Promise<void> {
  const servers = await Promise.all([
    ServerProcess.start({ name: "A", key, sharded, client: "node-redis" }),
    ServerProcess.start({ impl: "socketio", name: "O", key, sharded, client: "node-redis" }),
  ]);
  const [A, O] = servers as [ServerProcess, ServerProcess];
  const clients: Record<string, RecordingClient> = {
    a1: new RecordingClient(A.url, "a1", { rooms: ["r1"] }),
    a2: new RecordingClient(A.url, "a2", { rooms: ["r2"], transports: ["polling"] }),
    adminA: new RecordingClient(A.url, "adminA", { nsp: "/admin" }),
    o1: new RecordingClient(O.url, "o1", { rooms: ["r1"] }),
  };
  try {
    await Promise.all(Object.values(clients).map((c) => c.connected()));
    await waitUntil(async () => (await A.call("fetchSockets")).sockets?.length === 3, "A sees the 3 sockets of /");
    await sleep(200);
    await run({ servers, clients });
  } finally {
    for (const client of Object.values(clients)) client.close();
    await Promise.all(servers.map((s) => s.close()));
  }
}

async function emitterScenario(emitter: EmitterLike, fleet: Fleet): Promise<void> {
  const { clients, servers } = fleet;
  emitter.emit("all", "x", BINARY, { nested: { bytes: BINARY } });
  emitter.to("r1").emit("to-r1");
  emitter.to(["r1", "r2"]).except("r2").emit("r1-r2-except-r2");
  emitter.except("r1").emit("except-r1");
  emitter.to(clients.a1!.id).emit("to-a1-id");
  emitter.of("/admin").emit("admin");
  emitter.of("admin").to("nowhere").emit("admin-nowhere");
  emitter.compress(false).emit("uncompressed");
  await expectDeliveries(
    clients,
    {
      all: ["a1", "a2", "o1"],
      "to-r1": ["a1", "o1"],
      "r1-r2-except-r2": ["a1", "o1"],
      "except-r1": ["a2"],
      "to-a1-id": ["a1"],
      admin: ["adminA"],
      "admin-nowhere": [],
      uncompressed: ["a1", "a2", "o1"],
    },
  );
  // Alone: right after a burst a transport may still be busy, and a volatile packet is then dropped.
  emitter.volatile.emit("volatile");
  await expectDeliveries(clients, { volatile: ["a1", "o1"] }, new Set(["volatile:a2"]));
  for (const name of ["a1", "a2", "o1"]) {
    const [text, bytes, { nested }] = clients[name]!.argsOf("all")[0] as [string, Uint8Array, { nested: { bytes: Uint8Array } }];
    assert.equal(text, "x");
    assert.deepEqual([...Buffer.from(bytes)], [...BINARY], `binary at ${name}`);
    assert.deepEqual([...Buffer.from(nested.bytes)], [...BINARY], `nested binary at ${name}`);
  }

  emitter.in("r2").socketsJoin("r9");
  await waitUntil(async () => (await servers[0]!.call("fetchSockets", { rooms: ["r9"] })).sockets?.length === 1, "a2 joined r9");
  await sleep(200);
  emitter.to("r9").emit("to-r9");
  await expectDeliveries(clients, { "to-r9": ["a2"] });
  emitter.in("r1").socketsJoin(["r9"]);
  await waitUntil(async () => (await servers[0]!.call("fetchSockets", { rooms: ["r9"] })).sockets?.length === 3, "a1 and o1 joined r9");
  emitter.in("r2").socketsLeave("r9");
  await waitUntil(async () => (await servers[0]!.call("fetchSockets", { rooms: ["r9"] })).sockets?.length === 2, "a2 left r9");
  await sleep(200);
  emitter.to("r9").emit("to-r9-again");
  await expectDeliveries(clients, { "to-r9-again": ["a1", "o1"] });

  emitter.serverSideEmit("note", "from the emitter", 42);
  await waitUntil(
    async () => (await Promise.all(servers.map((s) => s.call("state")))).every((state) => state.serverEvents.length === 1),
    "every server got the note",
  );
  for (const server of servers) assert.deepEqual((await server.call("state")).serverEvents, [["from the emitter", 42]], server.name);

  emitter.in("r2").disconnectSockets(true);
  await waitUntil(() => !clients.a2!.socket.connected, "a2 disconnected");
  await sleep(100);
  assert.ok(clients.a1!.socket.connected && clients.o1!.socket.connected);
}

test("the official @socket.io/redis-emitter reaches Courant's clients (and the official server's)", { skip }, async () => {
  const key = uniqueKey("official-emitter");
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    const emitter = new OfficialEmitter(client, { key });
    await withFleet(key, false, (fleet) => emitterScenario(emitter as unknown as EmitterLike, fleet));
  } finally {
    await client.close();
  }
});

test("Courant's Emitter (ioredis) reaches the clients of Courant and official servers", { skip }, async () => {
  const key = uniqueKey("emitter");
  const client = new Redis(REDIS_URL);
  try {
    const emitter = new Emitter(client, { key });
    await withFleet(key, false, (fleet) => emitterScenario(emitter, fleet));
  } finally {
    await client.quit();
  }
});

test("Courant's Emitter, sharded (node-redis), reaches sharded Courant and official servers", { skip }, async () => {
  const key = uniqueKey("emitter-sharded");
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    const emitter = new Emitter(client, { key, sharded: true });
    await withFleet(key, true, (fleet) => emitterScenario(emitter, fleet));
  } finally {
    await client.close();
  }
});

test("Emitter: reserved names and acks are caller mistakes; a failed publish goes to onError", { skip }, async () => {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const errors: RedisAdapterError[] = [];
  const emitter = new Emitter(client, { key: uniqueKey("emitter-errors"), onError: (err) => errors.push(err) });
  assert.throws(() => emitter.emit("connect"), /"connect" is a reserved event name/);
  assert.throws(() => emitter.to("r").emit("disconnecting"), /reserved/);
  assert.throws(
    () => emitter.serverSideEmit("ev", () => {}),
    (err: unknown) => err instanceof RedisAdapterError && err.code === "REDIS_ERR_ACK_UNSUPPORTED",
  );
  assert.throws(
    () => new Emitter({ on() {} } as never),
    (err: unknown) => err instanceof RedisAdapterError && err.code === "REDIS_ERR_UNSUPPORTED_CLIENT",
  );
  await client.close();
  emitter.emit("after-close");
  await waitUntil(() => errors.length === 1, "the failed publish reported");
  assert.equal(errors[0]?.code, "REDIS_ERR_PUBLISH");
  assert.ok(errors[0]?.cause instanceof Error);
});
