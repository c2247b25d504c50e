// Both wire formats against messages shaped as @socket.io/redis-adapter 8.x and
// @socket.io/redis-emitter 5.x publish them (built here with notepack.io and JSON, as they do),
// and every malformed message refused with a typed error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { ClassicWire } from "../../../src/adapters/redis/classic-wire.js";
import { ShardedWire } from "../../../src/adapters/redis/sharded-wire.js";
import { RedisAdapterError } from "../../../src/adapters/redis/errors.js";
import type { Inbound, RoomFilter } from "../../../src/adapters/redis/wire.js";
import type { SocketPacket } from "../../../src/protocol/index.js";
import { escapeGlob } from "../../../src/adapters/redis/wire.js";

const require = createRequire(import.meta.url);
const notepack = require(require.resolve("notepack.io", { paths: [require.resolve("@socket.io/redis-adapter")] })) as {
  encode(value: unknown): Buffer;
  decode(data: Buffer): unknown;
};

const holds = (...rooms: string[]): RoomFilter => ({ hasRoom: (room) => rooms.includes(room) });
const anyRoom: RoomFilter = { hasRoom: () => true };
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

function isMalformed(err: unknown): boolean {
  return err instanceof RedisAdapterError && err.code === "REDIS_ERR_MALFORMED_MESSAGE";
}

test("classic: channel names, escaped pattern, subscriptions", () => {
  const wire = new ClassicWire("socket.io", "/", { publishOnSpecificResponseChannel: true });
  assert.equal(wire.broadcastChannel, "socket.io#/#");
  assert.equal(wire.requestChannel, "socket.io-request#/#");
  assert.equal(wire.responseChannel, "socket.io-response#/#");
  assert.equal(wire.nodeChannel("abc"), "socket.io-response#/#abc#");
  assert.deepEqual(wire.subscriptions("abc"), [
    { mode: "pattern", channels: ["socket.io#/#*"] },
    { mode: "channel", channels: ["socket.io-request#/#", "socket.io-response#/#", "socket.io-response#/#abc#", "socket.io-presence#/#"] },
  ]);
  const odd = new ClassicWire("k", "/a*[b]?\\", { publishOnSpecificResponseChannel: true });
  assert.equal(odd.subscriptions("u")[0]?.channels[0], "k#/a\\*\\[b\\]\\?\\\\#*");
  assert.equal(escapeGlob("plain#/"), "plain#/");
});

test("classic: a broadcast is MessagePack [uid, packet, opts], on the room's channel when it targets one room", () => {
  const wire = new ClassicWire("socket.io", "/chat", { publishOnSpecificResponseChannel: true });
  const packet: SocketPacket = { type: 5, nsp: "/chat", data: ["ev", Buffer.from([1, 2])], attachments: 1 };
  const all = wire.broadcast("me", packet, { rooms: [], except: ["x"], flags: { volatile: true } });
  assert.equal(all.channel, "socket.io#/chat#");
  assert.equal(all.sharded, false);
  assert.deepEqual(notepack.decode(all.payload as Buffer), [
    "me",
    { type: 2, nsp: "/chat", data: ["ev", Buffer.from([1, 2])] },
    { rooms: [], except: ["x"], flags: { volatile: true } },
  ]);
  assert.equal(wire.broadcast("me", packet, { rooms: ["r1"], except: [] }).channel, "socket.io#/chat#r1#");
  assert.equal(wire.broadcast("me", packet, { rooms: ["r1", "r2"], except: [] }).channel, "socket.io#/chat#");
  const withAck = wire.broadcast("me", { type: 2, nsp: "/chat", data: ["q"] }, { rooms: ["r1"], except: [] }, "req1");
  assert.equal(withAck.channel, "socket.io-request#/chat#", "a broadcast with acks is a request");
  assert.deepEqual(notepack.decode(withAck.payload as Buffer), {
    uid: "me",
    requestId: "req1",
    type: 7,
    packet: { type: 2, nsp: "/chat", data: ["q"] },
    opts: { rooms: ["r1"], except: [] },
  });
});

test("classic: decoding broadcasts from the official adapter and emitter", () => {
  const wire = new ClassicWire("socket.io", "/", { publishOnSpecificResponseChannel: true });
  const official = notepack.encode(["abc123", { type: 2, data: ["hi", 1], nsp: "/" }, { rooms: ["r1"], except: [7], flags: { compress: false, local: true } }]);
  const decoded = wire.decode("socket.io#/#r1#", official, holds("r1"));
  assert.equal(decoded.kind, "broadcast");
  if (decoded.kind !== "broadcast") return;
  assert.equal(decoded.uid, "abc123");
  assert.deepEqual(decoded.packet, { type: 2, nsp: "/", data: ["hi", 1] });
  assert.deepEqual(decoded.opts.rooms, new Set(["r1"]));
  assert.deepEqual(decoded.opts.except, new Set(["7"]), "numeric rooms become strings");
  assert.deepEqual(decoded.opts.flags, { compress: false }, "`local` never applies on a receiver");
  assert.equal(decoded.requestId, undefined);
  // The room is checked from the channel name alone: garbage for an absent room is never decoded.
  assert.deepEqual(wire.decode("socket.io#/#other#", Buffer.from([0xc1]), holds("r1")), { kind: "ignored" });
  const emitter = notepack.encode(["emitter", { type: 2, data: ["x"], nsp: "/" }, { rooms: [], flags: {}, except: [] }]);
  assert.equal(wire.decode("socket.io#/#", emitter, holds()).kind, "broadcast");
  const noNsp = notepack.encode(["u", { type: 2, data: ["x"] }, { rooms: [], except: [] }]);
  assert.equal(wire.decode("socket.io#/#", noNsp, holds()).kind, "broadcast", "a packet without nsp is for /");
  const otherNsp = notepack.encode(["u", { type: 2, data: ["x"], nsp: "/admin" }, { rooms: [], except: [] }]);
  assert.deepEqual(wire.decode("socket.io#/#", otherNsp, holds()), { kind: "ignored" });
});

test("classic: malformed broadcasts are refused with REDIS_ERR_MALFORMED_MESSAGE", () => {
  const wire = new ClassicWire("socket.io", "/", { publishOnSpecificResponseChannel: true });
  const cases: unknown[] = [
    "not an array",
    ["u", { type: 2, data: ["x"], nsp: "/" }],
    ["u", "packet", { rooms: [] }],
    ["u", { type: 0, data: {}, nsp: "/" }, { rooms: [] }],
    ["u", { type: 2, data: [], nsp: "/" }, { rooms: [] }],
    ["u", { type: 2, data: ["x"], nsp: "/" }, { rooms: "r" }],
    ["u", { type: 2, data: ["x"], nsp: "/" }, { rooms: [{}] }],
    ["u", { type: 2, data: ["x"], nsp: "/" }, null],
    [42, { type: 2, data: ["x"], nsp: "/" }, { rooms: [] }],
  ];
  for (const message of cases) {
    assert.throws(() => wire.decode("socket.io#/#", notepack.encode(message), anyRoom), isMalformed, JSON.stringify(message));
  }
  assert.throws(() => wire.decode("socket.io#/#", Buffer.from("{}"), anyRoom), isMalformed, "broadcasts are never JSON");
});

test("classic: requests are JSON with the official field names; MessagePack when they carry binary", () => {
  const wire = new ClassicWire("socket.io", "/", { publishOnSpecificResponseChannel: true });
  const opts = { rooms: ["a"], except: ["b"] };
  const parse = (payload: string | Buffer) => JSON.parse(String(payload)) as unknown;
  assert.deepEqual(parse(wire.request("me", { kind: "join", opts, rooms: ["c"] }).payload), { uid: "me", type: 2, opts, rooms: ["c"] });
  assert.deepEqual(parse(wire.request("me", { kind: "leave", opts, rooms: ["c"] }).payload), { uid: "me", type: 3, opts, rooms: ["c"] });
  assert.deepEqual(parse(wire.request("me", { kind: "disconnect", opts, close: true }).payload), { uid: "me", type: 4, opts, close: true });
  assert.deepEqual(parse(wire.request("me", { kind: "fetch", opts, requestId: "r" }).payload), { uid: "me", requestId: "r", type: 5, opts });
  assert.deepEqual(parse(wire.request("me", { kind: "serverSideEmit", data: ["e", 1], requestId: undefined }).payload), { uid: "me", type: 6, data: ["e", 1] });
  const out = wire.request("me", { kind: "serverSideEmit", data: ["e", Buffer.from([9])], requestId: "r" });
  assert.equal(out.channel, "socket.io-request#/#");
  assert.ok(Buffer.isBuffer(out.payload) && out.payload[0] !== 0x7b);
  assert.deepEqual(notepack.decode(out.payload as Buffer), { uid: "me", requestId: "r", type: 6, data: ["e", Buffer.from([9])] });
});

test("classic: decoding every request type the official adapter and emitter send", () => {
  const wire = new ClassicWire("socket.io", "/", { publishOnSpecificResponseChannel: true });
  const ch = "socket.io-request#/#";
  const decode = (message: unknown, binary = false): Inbound => wire.decode(ch, binary ? notepack.encode(message) : json(message), anyRoom);
  const opts = { rooms: ["a"], except: [] };
  assert.deepEqual(decode({ uid: "o", requestId: "r", type: 0, rooms: ["a"] }), { kind: "sockets", uid: "o", requestId: "r", rooms: new Set(["a"]) });
  assert.deepEqual(decode({ uid: "o", requestId: "r", type: 1 }), { kind: "allRooms", uid: "o", requestId: "r" });
  assert.deepEqual(decode({ type: 2, opts, rooms: ["x"] }), { kind: "join", uid: undefined, opts: { rooms: new Set(["a"]), except: new Set() }, rooms: ["x"] });
  assert.deepEqual(decode({ uid: "o", type: 3, opts, rooms: ["x"] }), { kind: "leave", uid: "o", opts: { rooms: new Set(["a"]), except: new Set() }, rooms: ["x"] });
  assert.deepEqual(decode({ uid: "o", type: 4, opts, close: true }), { kind: "disconnect", uid: "o", opts: { rooms: new Set(["a"]), except: new Set() }, close: true });
  assert.deepEqual(decode({ uid: "o", requestId: "r", type: 2, sid: "s1", room: "x" }), { kind: "socketJoin", uid: "o", requestId: "r", sid: "s1", room: "x" });
  assert.deepEqual(decode({ uid: "o", requestId: "r", type: 3, sid: "s1", room: "x" }), { kind: "socketLeave", uid: "o", requestId: "r", sid: "s1", room: "x" });
  assert.deepEqual(decode({ uid: "o", requestId: "r", type: 4, sid: "s1", close: false }), { kind: "socketDisconnect", uid: "o", requestId: "r", sid: "s1", close: false });
  assert.deepEqual(decode({ uid: "o", requestId: "r", type: 5, opts }), { kind: "fetch", uid: "o", requestId: "r", opts: { rooms: new Set(["a"]), except: new Set() } });
  assert.deepEqual(decode({ uid: "emitter", type: 6, data: ["e", 1] }), { kind: "serverSideEmit", uid: "emitter", requestId: undefined, data: ["e", 1] });
  assert.deepEqual(decode({ uid: "o", requestId: "r", type: 6, data: ["e", Buffer.from([1])] }, true), {
    kind: "serverSideEmit",
    uid: "o",
    requestId: "r",
    data: ["e", Buffer.from([1])],
  });
  const broadcast = decode({ uid: "o", requestId: "r", type: 7, packet: { type: 2, data: ["q"], nsp: "/" }, opts: { ...opts, flags: { timeout: 100 } } }, true);
  assert.equal(broadcast.kind, "broadcast");
  if (broadcast.kind === "broadcast") {
    assert.equal(broadcast.requestId, "r");
    assert.deepEqual(broadcast.opts.flags, { timeout: 100 });
  }
  assert.deepEqual(decode({ uid: "o", type: 42 }), { kind: "ignored" }, "unknown types are ignored");
  for (const bad of [[1, 2], { uid: 5, type: 6, data: ["e"] }, { type: 6, data: [] }, { type: 6, data: [1] }, { type: 5, opts }, { type: 0, rooms: ["a"] }, { type: 2, sid: 1, room: "x" }]) {
    assert.throws(() => decode(bad), isMalformed, JSON.stringify(bad));
  }
  assert.throws(() => wire.decode(ch, Buffer.from("{not json"), anyRoom), isMalformed);
  assert.throws(() => wire.decode(ch, Buffer.from([0xc1]), anyRoom), isMalformed);
});

test("classic: answers go to the requester's own channel (or the shared one), with our uid added", () => {
  const specific = new ClassicWire("socket.io", "/", { publishOnSpecificResponseChannel: true });
  const shared = new ClassicWire("socket.io", "/", { publishOnSpecificResponseChannel: false });
  assert.equal(specific.response("me", "them", { kind: "done", requestId: "r" }).channel, "socket.io-response#/#them#");
  assert.equal(specific.response("me", undefined, { kind: "done", requestId: "r" }).channel, "socket.io-response#/#");
  assert.equal(shared.response("me", "them", { kind: "done", requestId: "r" }).channel, "socket.io-response#/#");
  const parse = (payload: string | Buffer) => JSON.parse(String(payload)) as unknown;
  const sockets = [{ id: "s", handshake: { auth: {} }, rooms: ["s"], data: { n: 1 } }];
  assert.deepEqual(parse(specific.response("me", "t", { kind: "fetch", requestId: "r", sockets } as never).payload), { requestId: "r", sockets, uid: "me" });
  assert.deepEqual(parse(specific.response("me", "t", { kind: "sockets", requestId: "r", sockets: ["s"] }).payload), { requestId: "r", sockets: ["s"], uid: "me" });
  assert.deepEqual(parse(specific.response("me", "t", { kind: "allRooms", requestId: "r", rooms: ["a"] }).payload), { requestId: "r", rooms: ["a"], uid: "me" });
  assert.deepEqual(parse(specific.response("me", "t", { kind: "serverSideEmit", requestId: "r", value: 3 }).payload), { type: 6, requestId: "r", data: 3, uid: "me" });
  assert.deepEqual(parse(specific.response("me", "t", { kind: "clientCount", requestId: "r", clientCount: 2 }).payload), { type: 8, requestId: "r", clientCount: 2, uid: "me" });
  assert.deepEqual(notepack.decode(specific.response("me", "t", { kind: "ack", requestId: "r", value: "ok" }).payload as Buffer), {
    type: 9,
    requestId: "r",
    packet: "ok",
    uid: "me",
  });
});

test("classic: decoding the official adapter's answers (no uid)", () => {
  const wire = new ClassicWire("socket.io", "/", { publishOnSpecificResponseChannel: true });
  const ch = "socket.io-response#/#";
  const sockets = [{ id: "s", handshake: { auth: {} }, rooms: ["s"], data: null }];
  assert.deepEqual(wire.decode(ch, json({ requestId: "r", sockets }), anyRoom), { kind: "fetchResponse", uid: undefined, requestId: "r", sockets });
  assert.deepEqual(wire.decode(ch + "me#", json({ type: 6, requestId: "r", data: "pong" }), anyRoom), {
    kind: "serverSideEmitResponse",
    uid: undefined,
    requestId: "r",
    value: "pong",
  });
  assert.deepEqual(wire.decode(ch, json({ type: 8, requestId: "r", clientCount: 3 }), anyRoom), { kind: "clientCount", uid: undefined, requestId: "r", clientCount: 3 });
  assert.deepEqual(wire.decode(ch, notepack.encode({ type: 9, requestId: "r", packet: [1] }), anyRoom), { kind: "ack", uid: undefined, requestId: "r", value: [1] });
  assert.deepEqual(wire.decode(ch, json({ requestId: "r", sockets: ["id1"] }), anyRoom), { kind: "ignored" }, "answers to allSockets, never asked by Courant");
  assert.deepEqual(wire.decode(ch, json({ requestId: "r", rooms: ["a"] }), anyRoom), { kind: "ignored" });
  assert.throws(() => wire.decode(ch, json({ sockets: [] }), anyRoom), isMalformed, "no requestId");
  assert.throws(() => wire.decode(ch, json({ type: 8, requestId: "r", clientCount: "3" }), anyRoom), isMalformed);
  assert.throws(() => wire.decode(ch, json({ requestId: "r", sockets: [{ id: "s" }] }), anyRoom), isMalformed, "a socket without rooms");
});

test("classic: heartbeats on the presence channel", () => {
  const wire = new ClassicWire("k", "/", { publishOnSpecificResponseChannel: true });
  for (const kind of ["initial", "heartbeat", "closing"] as const) {
    const out = wire.heartbeat("me", kind);
    assert.equal(out.channel, "k-presence#/#");
    assert.deepEqual(wire.decode(out.channel, Buffer.from(out.payload), anyRoom), { kind: "heartbeat", uid: "me", heartbeat: kind });
  }
  assert.throws(() => wire.decode("k-presence#/#", json({ type: 2 }), anyRoom), isMalformed);
  assert.deepEqual(wire.decode("unrelated", json({}), anyRoom), { kind: "ignored" });
});

test("sharded: channels, and which broadcasts use a room's own channel", () => {
  const dynamic = new ShardedWire("socket.io", "/", "dynamic");
  const fixed = new ShardedWire("socket.io", "/", "static");
  assert.deepEqual(dynamic.subscriptions("me"), [{ mode: "shard", channels: ["socket.io#/#", "socket.io#/#me#", "socket.io-presence#/#"] }]);
  assert.equal(dynamic.roomChannel("news"), "socket.io#/#news#");
  assert.equal(dynamic.roomChannel("x".repeat(20)), undefined, "socket ids (20 characters) never get a channel");
  assert.equal(fixed.roomChannel("news"), undefined);
  const packet: SocketPacket = { type: 2, nsp: "/", data: ["e"] };
  assert.equal(dynamic.broadcast("me", packet, { rooms: ["news"], except: [] }).channel, "socket.io#/#news#");
  assert.equal(dynamic.broadcast("me", packet, { rooms: ["x".repeat(20)], except: [] }).channel, "socket.io#/#");
  assert.equal(dynamic.broadcast("me", packet, { rooms: ["a", "b"], except: [] }).channel, "socket.io#/#");
  assert.equal(dynamic.broadcast("me", packet, { rooms: ["news"], except: [] }, "req").channel, "socket.io#/#", "acks: every server answers");
  assert.equal(fixed.broadcast("me", packet, { rooms: ["news"], except: [] }).channel, "socket.io#/#");
  assert.equal(dynamic.broadcast("me", packet, { rooms: [], except: [] }).sharded, true);
});

test("sharded: { uid, nsp, type, data } as JSON, MessagePack when the data holds binary", () => {
  const wire = new ShardedWire("socket.io", "/", "dynamic");
  const parse = (payload: string | Buffer) => JSON.parse(String(payload)) as unknown;
  const opts = { rooms: ["a"], except: [] };
  assert.deepEqual(parse(wire.broadcast("me", { type: 2, nsp: "/", data: ["e", 1] }, opts).payload), {
    uid: "me",
    nsp: "/",
    type: 3,
    data: { packet: { type: 2, nsp: "/", data: ["e", 1] }, opts },
  });
  const binary = wire.broadcast("me", { type: 5, nsp: "/", data: ["e", Buffer.from([1])], attachments: 1 }, opts, "rq");
  assert.deepEqual(notepack.decode(binary.payload as Buffer), {
    uid: "me",
    nsp: "/",
    type: 3,
    data: { packet: { type: 2, nsp: "/", data: ["e", Buffer.from([1])] }, requestId: "rq", opts },
  });
  assert.deepEqual(parse(wire.request("me", { kind: "join", opts, rooms: ["x"] }).payload), { uid: "me", nsp: "/", type: 4, data: { opts, rooms: ["x"] } });
  assert.deepEqual(parse(wire.request("me", { kind: "leave", opts, rooms: ["x"] }).payload), { uid: "me", nsp: "/", type: 5, data: { opts, rooms: ["x"] } });
  assert.deepEqual(parse(wire.request("me", { kind: "disconnect", opts, close: false }).payload), { uid: "me", nsp: "/", type: 6, data: { opts, close: false } });
  assert.deepEqual(parse(wire.request("me", { kind: "fetch", opts, requestId: "r" }).payload), { uid: "me", nsp: "/", type: 7, data: { opts, requestId: "r" } });
  assert.deepEqual(parse(wire.request("me", { kind: "serverSideEmit", data: ["e"], requestId: "r" }).payload), { uid: "me", nsp: "/", type: 9, data: { requestId: "r", packet: ["e"] } });
  const answer = wire.response("me", "them", { kind: "serverSideEmit", requestId: "r", value: 1 });
  assert.equal(answer.channel, "socket.io#/#them#");
  assert.deepEqual(parse(answer.payload), { uid: "me", nsp: "/", type: 10, data: { requestId: "r", packet: 1 } });
  assert.deepEqual(parse(wire.response("me", "t", { kind: "clientCount", requestId: "r", clientCount: 1 }).payload), { uid: "me", nsp: "/", type: 11, data: { requestId: "r", clientCount: 1 } });
  assert.deepEqual(parse(wire.response("me", "t", { kind: "ack", requestId: "r", value: "v" }).payload), { uid: "me", nsp: "/", type: 12, data: { requestId: "r", packet: "v" } });
  assert.deepEqual(parse(wire.response("me", "t", { kind: "fetch", requestId: "r", sockets: [] }).payload), { uid: "me", nsp: "/", type: 8, data: { requestId: "r", sockets: [] } });
  assert.throws(() => wire.response("me", "t", { kind: "done", requestId: "r" }), TypeError);
});

test("sharded: decoding every message type of the official cluster protocol", () => {
  const wire = new ShardedWire("socket.io", "/", "dynamic");
  const decode = (message: unknown, binary = false): Inbound => wire.decode("socket.io#/#", binary ? notepack.encode(message) : json(message), anyRoom);
  const opts = { rooms: ["a"], except: [] };
  const sets = { rooms: new Set(["a"]), except: new Set() };
  const packet = { type: 2, data: ["e"], nsp: "/" };
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 3, data: { packet, opts } }), { kind: "broadcast", uid: "o", packet, opts: sets, requestId: undefined });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 3, data: { packet, opts, requestId: "r" } }, true), { kind: "broadcast", uid: "o", packet, opts: sets, requestId: "r" });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 4, data: { opts, rooms: ["x"] } }), { kind: "join", uid: "o", opts: sets, rooms: ["x"] });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 5, data: { opts, rooms: ["x"] } }), { kind: "leave", uid: "o", opts: sets, rooms: ["x"] });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 6, data: { opts, close: true } }), { kind: "disconnect", uid: "o", opts: sets, close: true });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 7, data: { opts, requestId: "r" } }), { kind: "fetch", uid: "o", requestId: "r", opts: sets });
  const sockets = [{ id: "s", handshake: {}, rooms: ["s"], data: 1 }];
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 8, data: { requestId: "r", sockets } }), { kind: "fetchResponse", uid: "o", requestId: "r", sockets });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 9, data: { packet: ["e", 1] } }), { kind: "serverSideEmit", uid: "o", requestId: undefined, data: ["e", 1] });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 10, data: { requestId: "r", packet: 2 } }), { kind: "serverSideEmitResponse", uid: "o", requestId: "r", value: 2 });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 11, data: { requestId: "r", clientCount: 4 } }), { kind: "clientCount", uid: "o", requestId: "r", clientCount: 4 });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 12, data: { requestId: "r", packet: "x" } }), { kind: "ack", uid: "o", requestId: "r", value: "x" });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 1 }), { kind: "heartbeat", uid: "o", heartbeat: "initial" });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 2 }), { kind: "heartbeat", uid: "o", heartbeat: "heartbeat" });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 13 }), { kind: "heartbeat", uid: "o", heartbeat: "closing" });
  assert.deepEqual(decode({ uid: "o", nsp: "/other", type: 3, data: { packet, opts } }), { kind: "ignored" });
  assert.deepEqual(decode({ uid: "o", nsp: "/", type: 99, data: {} }), { kind: "ignored" });
  for (const bad of [
    [],
    { uid: "o", nsp: "/", type: 3 },
    { uid: "o", nsp: "/", type: 3, data: { packet: { type: 2, data: "x", nsp: "/" }, opts } },
    { uid: "o", nsp: "/", type: 7, data: { opts } },
    { uid: "o", nsp: "/", type: 8, data: { requestId: "r", sockets: {} } },
    { uid: "o", nsp: "/", type: 11, data: { requestId: "r" } },
    { nsp: "/", type: 2 },
  ]) {
    assert.throws(() => decode(bad), isMalformed, JSON.stringify(bad));
  }
});
