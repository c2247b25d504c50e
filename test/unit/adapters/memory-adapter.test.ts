// The in-memory adapter without I/O: room bookkeeping and events, the implicit own room, who a
// broadcast reaches, and that a broadcast is encoded and prepared once for all recipients.

import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryAdapter } from "../../../src/adapters/memory/memory-adapter.js";
import { PacketType } from "../../../src/protocol/index.js";
import type { SocketPacket } from "../../../src/protocol/index.js";
import { FakeNamespace } from "./fake-namespace.js";

function setup(): { nsp: FakeNamespace; adapter: MemoryAdapter } {
  const nsp = new FakeNamespace("/chat");
  const adapter = new MemoryAdapter(nsp);
  nsp.adapter = adapter;
  return { nsp, adapter };
}

const event = (...data: unknown[]): SocketPacket => ({ type: PacketType.EVENT, nsp: "/", data });

test("rooms are Map<room, Set<id>> and Map<id, Set<room>>; the own room is implicit", () => {
  const { nsp, adapter } = setup();
  const [a, b] = nsp.connect("a", "b");
  const events: string[] = [];
  for (const name of ["create-room", "delete-room", "join-room", "leave-room"]) {
    adapter.on(name, (room: string, id?: string) => events.push(id === undefined ? `${name} ${room}` : `${name} ${room} ${id}`));
  }
  void adapter.addAll("a", ["a"]);
  assert.equal(adapter.sids.size, 0, "joining its own room stores nothing");
  assert.equal(adapter.rooms.size, 0);
  assert.deepEqual(a?.rooms, new Set(["a"]));

  void adapter.addAll("a", ["r1", "r2"]);
  void adapter.addAll("b", new Set(["r1"]));
  void adapter.addAll("a", ["r1"]); // already in
  assert.deepEqual(adapter.rooms.get("r1"), new Set(["a", "b"]));
  assert.deepEqual(adapter.sids.get("a"), new Set(["r1", "r2"]));
  assert.deepEqual(adapter.socketRooms("a"), new Set(["a", "r1", "r2"]));
  assert.deepEqual(b?.rooms, new Set(["b", "r1"]));
  assert.equal(adapter.socketRooms("unknown"), undefined);

  void adapter.del("a", "r2");
  void adapter.del("a", "r2"); // not in it any more
  void adapter.del("a", "a"); // its own room: no-op
  adapter.delAll("b");
  assert.deepEqual(adapter.rooms.get("r1"), new Set(["a"]));
  assert.equal(adapter.sids.has("b"), false);
  adapter.delAll("a");
  assert.equal(adapter.rooms.size, 0);
  assert.equal(adapter.sids.size, 0);
  assert.deepEqual(events, [
    "create-room r1",
    "join-room r1 a",
    "create-room r2",
    "join-room r2 a",
    "join-room r1 b",
    "leave-room r2 a",
    "delete-room r2",
    "leave-room r1 b",
    "leave-room r1 a",
    "delete-room r1",
  ]);
});

test("a broadcast is encoded and prepared once, whatever the number of recipients", () => {
  const { nsp, adapter } = setup();
  const sockets = nsp.connect("a", "b", "c", "d");
  const packet = event("news", { n: 1 }, Buffer.from([1, 2]));
  adapter.broadcast(packet, { rooms: new Set() });
  assert.equal(nsp.prepared.length, 1);
  assert.deepEqual(nsp.prepared[0]?.[0], '51-/chat,["news",{"n":1},{"_placeholder":true,"num":0}]');
  assert.deepEqual([...(nsp.prepared[0]?.[1] as Uint8Array)], [1, 2]);
  const first = sockets[0]?.delivered[0]?.prepared;
  for (const socket of sockets) {
    assert.equal(socket.delivered.length, 1);
    assert.equal(socket.delivered[0]?.prepared, first, "the same prepared object for everyone");
  }
  assert.equal(packet.nsp, "/chat");

  adapter.broadcast(event("nobody"), { rooms: new Set(["empty"]) });
  assert.equal(nsp.prepared.length, 1, "nothing is encoded for a broadcast that reaches nobody");
});

test("recipients: rooms (each socket once), socket ids, except rooms and ids, volatile", () => {
  const { nsp, adapter } = setup();
  const [a, b, c, d] = nsp.connect("a", "b", "c", "d");
  a?.join(["red", "blue"]);
  b?.join("red");
  c?.join("blue");
  const send = (name: string, rooms: string[], except: string[] = [], volatile = false) =>
    adapter.broadcast(event(name), { rooms: new Set(rooms), except: new Set(except), flags: { volatile } });
  send("all", []);
  send("red", ["red"]);
  send("red+blue", ["red", "blue"]);
  send("to d", ["d"]);
  send("to d and red", ["d", "red"]);
  send("all but red", [], ["red"]);
  send("all but b", [], ["b"]);
  send("red but a", ["red"], ["a"]);
  send("blue but red", ["blue"], ["red"]);
  send("unknown room", ["nope"]);
  if (d !== undefined) d.conn.writable = false;
  send("volatile", [], [], true);
  assert.deepEqual(a?.events(), ["all", "red", "red+blue", "to d and red", "all but b", "volatile"]);
  assert.deepEqual(b?.events(), ["all", "red", "red+blue", "to d and red", "red but a", "volatile"]);
  assert.deepEqual(c?.events(), ["all", "red+blue", "all but red", "all but b", "blue but red", "volatile"]);
  assert.deepEqual(d?.events(), ["all", "to d", "to d and red", "all but red", "all but b"]);
});

test("broadcastWithAck: one ack id for every recipient, the count, each response", () => {
  const { nsp, adapter } = setup();
  const [a, b, c] = nsp.connect("a", "b", "c");
  c?.join("muted");
  const counts: number[] = [];
  const responses: unknown[] = [];
  const packet = event("poll");
  adapter.broadcastWithAck(packet, { rooms: new Set(), except: new Set(["muted"]) }, (n) => counts.push(n), (r) => responses.push(r));
  assert.equal(packet.id, 0);
  assert.deepEqual(counts, [2]);
  assert.equal(nsp.prepared.length, 1);
  assert.equal(nsp.prepared[0]?.[0], "2/chat,0[\"poll\"]");
  assert.equal(c?.acks.size, 0);
  a?.acks.get(0)?.("from a");
  b?.acks.get(0)?.("from b");
  assert.deepEqual(responses, ["from a", "from b"]);
  const next = event("poll");
  adapter.broadcastWithAck(next, { rooms: new Set(["nobody"]) }, (n) => counts.push(n), () => {});
  assert.equal(next.id, 1, "ids come from the namespace counter");
  assert.deepEqual(counts, [2, 0]);
});

test("sockets, fetchSockets, addSockets, delSockets, disconnectSockets, serverCount, serverSideEmit", async () => {
  const { nsp, adapter } = setup();
  const [a, b, c] = nsp.connect("a", "b", "c");
  a?.join("r");
  b?.join("r");
  assert.deepEqual(await adapter.sockets(new Set()), new Set(["a", "b", "c"]));
  assert.deepEqual(await adapter.sockets(new Set(["r"])), new Set(["a", "b"]));
  const fetched = await adapter.fetchSockets({ rooms: new Set(["r"]), except: new Set(["b"]) });
  assert.deepEqual(fetched, [a]);
  adapter.addSockets({ rooms: new Set(["r"]) }, ["x", "y"]);
  assert.deepEqual(adapter.rooms.get("x"), new Set(["a", "b"]));
  adapter.delSockets({ rooms: new Set(["x"]) }, ["y"]);
  assert.equal(adapter.rooms.has("y"), false);
  adapter.disconnectSockets({ rooms: new Set(["r"]) }, true);
  assert.equal(a?.disconnectedWith, true);
  assert.equal(b?.disconnectedWith, true);
  assert.equal(c?.disconnectedWith, undefined);
  assert.deepEqual([...nsp.sockets.keys()], ["c"]);
  assert.equal(adapter.rooms.size, 0);
  assert.equal(await adapter.serverCount(), 1);
  const acked = await new Promise<unknown[]>((resolve) => adapter.serverSideEmit(["hello", (err: unknown, responses: unknown[]) => resolve([err, responses])]));
  assert.deepEqual(acked, [null, []]);
  adapter.serverSideEmit(["no ack"]);
  assert.deepEqual(nsp.serverSideEmits, [], "nothing loops back to this server");
  assert.equal(await adapter.restoreSession("pid", "offset"), null);
});
