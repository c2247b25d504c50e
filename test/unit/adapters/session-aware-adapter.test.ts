// Connection state recovery in the adapter: offsets appended to logged packets, sessions kept
// and restored once with the packets they missed (by rooms and except), and the bounds.

import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionAwareAdapter } from "../../../src/adapters/memory/session-aware-adapter.js";
import type { ResolvedRecoveryOptions } from "../../../src/adapters/adapter.js";
import { PacketType } from "../../../src/protocol/index.js";
import type { SocketPacket } from "../../../src/protocol/index.js";
import { FakeNamespace } from "./fake-namespace.js";

function setup(recovery: Partial<ResolvedRecoveryOptions> = {}): { nsp: FakeNamespace; adapter: SessionAwareAdapter } {
  const nsp = new FakeNamespace("/", { maxDisconnectionDuration: 60_000, skipMiddlewares: true, maxLoggedPackets: 1000, ...recovery });
  const adapter = new SessionAwareAdapter(nsp);
  nsp.adapter = adapter;
  return { nsp, adapter };
}

const event = (...data: unknown[]): SocketPacket => ({ type: PacketType.EVENT, nsp: "/", data });

/** Broadcasts and returns the offset the adapter appended. */
function send(adapter: SessionAwareAdapter, packet: SocketPacket, rooms: string[] = [], except: string[] = []): string | undefined {
  adapter.broadcast(packet, { rooms: new Set(rooms), except: new Set(except) });
  const data = packet.data as unknown[];
  return typeof data.at(-1) === "string" && data.length > 1 ? (data.at(-1) as string) : undefined;
}

test("EVENT broadcasts get an offset as last argument; acks and volatile packets are not logged", () => {
  const { nsp, adapter } = setup();
  const [a] = nsp.connect("a");
  const first = event("m", 1);
  const offset1 = send(adapter, first);
  const offset2 = send(adapter, event("m", 2));
  assert.equal(typeof offset1, "string");
  assert.notEqual(offset1, offset2);
  assert.deepEqual(a?.delivered[0]?.packet.data, ["m", 1, offset1]);
  assert.ok(String(nsp.prepared[0]?.[0]).endsWith(`,"${offset1}"]`), "the offset is on the wire");

  const withAck: SocketPacket = { type: PacketType.EVENT, nsp: "/", data: ["m", 3], id: 7 };
  adapter.broadcast(withAck, { rooms: new Set() });
  assert.deepEqual(withAck.data, ["m", 3]);
  const volatile = event("m", 4);
  adapter.broadcast(volatile, { rooms: new Set(), flags: { volatile: true } });
  assert.deepEqual(volatile.data, ["m", 4]);
  adapter.close();
});

test("a session is restored once, with the packets it missed in order, filtered by its rooms", async () => {
  const { nsp, adapter } = setup();
  nsp.connect("a", "b");
  const last = send(adapter, event("m", "seen"), [], []);
  assert.ok(last !== undefined);
  adapter.persistSession({ sid: "a", pid: "pid-a", rooms: ["a", "r1"], data: { n: 1 } });
  nsp.sockets.delete("a");
  send(adapter, event("m", "all"));
  send(adapter, event("m", "r1"), ["r1"]);
  send(adapter, event("m", "r2"), ["r2"]);
  send(adapter, event("m", "own id"), ["a"]);
  send(adapter, event("m", "all but r1"), [], ["r1"]);
  send(adapter, event("m", "all but a"), [], ["a"]);
  send(adapter, event("m", "r1 or r2"), ["r2", "r1"]);
  const session = await adapter.restoreSession("pid-a", last);
  assert.ok(session !== null);
  assert.equal(session.sid, "a");
  assert.deepEqual(session.rooms, ["a", "r1"]);
  assert.deepEqual(session.data, { n: 1 });
  assert.deepEqual(
    session.missedPackets.map((data) => data.slice(0, 2)),
    [["m", "all"], ["m", "r1"], ["m", "own id"], ["m", "r1 or r2"]],
  );
  assert.ok(session.missedPackets.every((data) => typeof data[2] === "string"), "each keeps its offset");
  assert.equal(await adapter.restoreSession("pid-a", last), null, "restored once");
  adapter.close();
});

test("no session: unknown pid, unknown or foreign offset, expired window", async () => {
  const { nsp, adapter } = setup({ maxDisconnectionDuration: 50 });
  nsp.connect("a");
  const offset = send(adapter, event("m", 1)) as string;
  adapter.persistSession({ sid: "a", pid: "p1", rooms: ["a"], data: {} });
  assert.equal(await adapter.restoreSession("nope", offset), null);
  adapter.persistSession({ sid: "a", pid: "p2", rooms: ["a"], data: {} });
  assert.equal(await adapter.restoreSession("p2", "not-an-offset"), null);
  adapter.persistSession({ sid: "a", pid: "p3", rooms: ["a"], data: {} });
  const other = setup().adapter;
  const foreign = send(other, event("m", 1)) as string;
  other.close();
  assert.equal(await adapter.restoreSession("p3", foreign), null, "another adapter's offset");
  adapter.persistSession({ sid: "a", pid: "p4", rooms: ["a"], data: {} });
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(await adapter.restoreSession("p4", offset), null, "past maxDisconnectionDuration");
  adapter.close();
});

test("the log keeps at most maxLoggedPackets: an offset that fell out gives no session", async () => {
  const { nsp, adapter } = setup({ maxLoggedPackets: 3 });
  nsp.connect("a");
  const offsets = Array.from({ length: 6 }, (_, i) => send(adapter, event("m", i)) as string);
  adapter.persistSession({ sid: "a", pid: "old", rooms: ["a"], data: {} });
  assert.equal(await adapter.restoreSession("old", offsets[0] as string), null);
  adapter.persistSession({ sid: "a", pid: "recent", rooms: ["a"], data: {} });
  send(adapter, event("m", 6));
  const session = await adapter.restoreSession("recent", offsets[4] as string);
  assert.deepEqual(session?.missedPackets.map((data) => data[1]), [5, 6]);

  // Many packets: the log is compacted and stays bounded, offsets keep resolving.
  for (let i = 0; i < 5000; i++) send(adapter, event("m", i));
  adapter.persistSession({ sid: "a", pid: "late", rooms: ["a"], data: {} });
  const tail = send(adapter, event("m", "tail")) as string;
  send(adapter, event("m", "after tail"));
  const late = await adapter.restoreSession("late", tail);
  assert.deepEqual(late?.missedPackets.map((data) => data[1]), ["after tail"]);
  adapter.close();
});
