// A fleet mixing one official socket.io server with @socket.io/redis-adapter 8.x (O) and two
// Courant servers (A on node-redis, B on ioredis) on one Redis, as during a migration: broadcasts
// and requests both ways, each delivery counted. Classic wire, then the sharded one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { expectDeliveries, RecordingClient, ServerProcess, skip, sleep, uniqueKey, waitUntil } from "./helpers.js";

const BINARY = Buffer.from([9, 8, 7, 0, 255]);

interface Mixed {
  O: ServerProcess;
  A: ServerProcess;
  B: ServerProcess;
  clients: Record<string, RecordingClient>;
}

async function withMixedFleet(sharded: boolean, run: (fleet: Mixed) => Promise<void>): Promise<void> {
  const key = uniqueKey(sharded ? "mixed-sharded" : "mixed");
  const servers = await Promise.all([
    ServerProcess.start({ impl: "socketio", name: "O", key, sharded, client: "node-redis" }),
    ServerProcess.start({ name: "A", key, sharded, client: "node-redis" }),
    ServerProcess.start({ name: "B", key, sharded, client: "ioredis" }),
  ]);
  const [O, A, B] = servers as [ServerProcess, ServerProcess, ServerProcess];
  const clients: Record<string, RecordingClient> = {
    o1: new RecordingClient(O.url, "o1", { rooms: ["r1"] }),
    o2: new RecordingClient(O.url, "o2", { transports: ["polling"] }),
    a1: new RecordingClient(A.url, "a1", { rooms: ["r1"] }),
    b1: new RecordingClient(B.url, "b1", { rooms: ["r2"], transports: ["polling"] }),
  };
  try {
    await Promise.all(Object.values(clients).map((c) => c.connected()));
    await waitUntil(async () => (await A.call("fetchSockets")).sockets?.length === 4, "A sees the 4 sockets");
    await waitUntil(async () => (await O.call("fetchSockets")).sockets?.length === 4, "O sees the 4 sockets");
    await sleep(200);
    await run({ O, A, B, clients });
  } finally {
    for (const client of Object.values(clients)) client.close();
    await Promise.all(servers.map((s) => s.close()));
  }
}

async function mixedScenario(fleet: Mixed): Promise<void> {
  const { O, A, B, clients } = fleet;
  const everyone = ["o1", "o2", "a1", "b1"];

  // Counting servers: the official server counts Courant's, Courant counts the official one.
  for (const server of [O, A, B]) assert.deepEqual(await server.call("serverCount"), { count: 3 }, server.name);

  // Broadcasts, both ways.
  await O.call("emit", { event: "from-O", args: ["x", BINARY] });
  await O.call("emit", { event: "O-to-r1", rooms: ["r1"] });
  await O.call("emit", { event: "O-except-r1", except: ["r1"] });
  await O.call("emit", { event: "O-to-a1-id", rooms: [clients.a1!.id] });
  await O.call("socketBroadcast", { socketId: clients.o1!.id, event: "o1-broadcast" });
  await A.call("emit", { event: "from-A", args: [{ bytes: BINARY }] });
  await A.call("emit", { event: "A-to-r1", rooms: ["r1"] });
  await B.call("emit", { event: "B-to-r1-r2", rooms: ["r1", "r2"], except: [clients.o1!.id] });
  await B.call("emit", { event: "B-to-o2-id", rooms: [clients.o2!.id] });
  await A.call("socketBroadcast", { socketId: clients.a1!.id, event: "a1-broadcast", rooms: ["r1"] });
  await A.call("emit", { event: "A-local", flags: { local: true } });
  await expectDeliveries(fleet.clients, {
    "from-O": everyone,
    "O-to-r1": ["o1", "a1"],
    "O-except-r1": ["o2", "b1"],
    "O-to-a1-id": ["a1"],
    "o1-broadcast": ["o2", "a1", "b1"],
    "from-A": everyone,
    "A-to-r1": ["o1", "a1"],
    "B-to-r1-r2": ["a1", "b1"],
    "B-to-o2-id": ["o2"],
    "a1-broadcast": ["o1"],
    "A-local": ["a1"],
  });
  for (const name of ["a1", "b1"]) {
    const [text, bytes] = clients[name]!.argsOf("from-O")[0] as [string, Uint8Array];
    assert.equal(text, "x");
    assert.deepEqual([...Buffer.from(bytes)], [...BINARY], `O's binary at ${name}`);
  }
  for (const name of ["o1", "o2"]) {
    const [{ bytes }] = clients[name]!.argsOf("from-A")[0] as [{ bytes: Uint8Array }];
    assert.deepEqual([...Buffer.from(bytes)], [...BINARY], `A's binary at ${name}`);
  }

  // fetchSockets, both ways.
  for (const server of [O, A]) {
    const result = await server.call("fetchSockets");
    assert.equal(result.error, undefined, JSON.stringify(result.error));
    const byName = new Map<string, any>(result.sockets.map((s: any) => [s.data.name, s]));
    assert.deepEqual([...byName.keys()].sort(), ["a1", "b1", "o1", "o2"], `fetchSockets on ${server.name}`);
    assert.deepEqual(byName.get("o1").rooms, [clients.o1!.id, "r1"].sort());
    assert.deepEqual(byName.get("a1").rooms, [clients.a1!.id, "r1"].sort());
    assert.equal(byName.get("b1").data.server, "B");
    assert.equal(byName.get("o2").auth.name, "o2");
  }
  const r1 = await B.call("fetchSockets", { rooms: ["r1"] });
  assert.deepEqual(r1.sockets.map((s: any) => s.data.name).sort(), ["a1", "o1"]);

  // Remote sockets and socketsJoin across implementations.
  await O.call("remote", { target: clients.b1!.id, op: "join", room: "vip" });
  await A.call("socketsJoin", { rooms: ["r1"], room: "vip" });
  await waitUntil(async () => {
    const result = await O.call("fetchSockets", { rooms: ["vip"] });
    return result.sockets?.length === 3;
  }, "b1, o1 and a1 joined vip");
  await sleep(200);
  await O.call("emit", { event: "O-to-vip", rooms: ["vip"] });
  await B.call("emit", { event: "B-to-vip", rooms: ["vip"] });
  await A.call("remote", { target: clients.o2!.id, op: "emit", event: "A-direct-to-o2" });
  await expectDeliveries(fleet.clients, { "O-to-vip": ["o1", "a1", "b1"], "B-to-vip": ["o1", "a1", "b1"], "A-direct-to-o2": ["o2"] });
  await O.call("socketsLeave", { rooms: ["vip"], room: "vip", except: [clients.o1!.id] });
  await waitUntil(async () => (await A.call("fetchSockets", { rooms: ["vip"] })).sockets?.length === 1, "only o1 left in vip");

  // serverSideEmit with acks, both ways.
  assert.deepEqual((await A.call("serverSideEmitWithAck", { event: "whoami" })).responses.sort(), ["B", "O"]);
  assert.deepEqual((await O.call("serverSideEmitWithAck", { event: "whoami" })).responses.sort(), ["A", "B"]);
  await O.call("serverSideEmit", { event: "note", args: ["from O"] });
  await waitUntil(async () => (await A.call("state")).serverEvents.length === 1 && (await B.call("state")).serverEvents.length === 1, "A and B got O's note");

  // Broadcast acknowledgements, both ways.
  assert.deepEqual((await A.call("emitWithAck", { event: "ask", flags: { timeout: 4000 } })).responses.sort(), everyone.slice().sort());
  assert.deepEqual((await O.call("emitWithAck", { event: "ask", flags: { timeout: 4000 } })).responses.sort(), everyone.slice().sort());
  assert.deepEqual((await O.call("emitWithAck", { event: "ask", rooms: ["r2"], flags: { timeout: 4000 } })).responses, ["b1"]);

  // Disconnections, both ways.
  await O.call("disconnectSockets", { rooms: ["r2"] });
  await waitUntil(() => !clients.b1!.socket.connected, "b1 disconnected by O");
  await A.call("remote", { target: clients.o2!.id, op: "disconnect" });
  await waitUntil(() => !clients.o2!.socket.connected, "o2 disconnected by A");
  assert.ok(clients.o1!.socket.connected && clients.a1!.socket.connected);
}

test("classic wire: official socket.io + @socket.io/redis-adapter and Courant in one fleet", { skip }, () => withMixedFleet(false, mixedScenario));

test("sharded wire: official createShardedAdapter and Courant's in one fleet", { skip }, () => withMixedFleet(true, mixedScenario));
