import { test } from "node:test";
import assert from "node:assert/strict";
import * as sio from "socket.io-parser";
import {
  DEFAULT_MAX_DEPTH,
  PacketType,
  SocketPacketDecoder,
  SocketProtocolError,
  checkDecodedPacket,
  encodeSocketPacket,
} from "../../../src/protocol/index.js";
import type { SocketPacket } from "../../../src/protocol/index.js";
import { jsonWithBytes } from "../../helpers/bytes.js";

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof SocketProtocolError && err.code === code && err.name === "SocketProtocolError", code);
}

/** Decodes a whole encoded packet (header + attachments) with a fresh decoder. */
function decodeAll(parts: readonly (string | Uint8Array)[], decoder = new SocketPacketDecoder()): SocketPacket {
  let packet: SocketPacket | undefined;
  parts.forEach((part, i) => {
    packet = decoder.add(part);
    assert.equal(packet === undefined, i < parts.length - 1, "complete exactly at the last part");
  });
  assert.ok(packet);
  assert.equal(decoder.awaitingAttachments, false);
  return packet;
}

test("encoding: every packet type, namespaces and ids", () => {
  const table: [SocketPacket, string][] = [
    [{ type: PacketType.CONNECT, nsp: "/" }, "0"],
    [{ type: PacketType.CONNECT, nsp: "/admin" }, "0/admin,"],
    [{ type: PacketType.CONNECT, nsp: "/", data: { token: "123" } }, '0{"token":"123"}'],
    [{ type: PacketType.CONNECT, nsp: "/admin", data: { sid: "oSO0OpakMV_3jnilAAAA" } }, '0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}'],
    [{ type: PacketType.DISCONNECT, nsp: "/" }, "1"],
    [{ type: PacketType.DISCONNECT, nsp: "/admin" }, "1/admin,"],
    [{ type: PacketType.EVENT, nsp: "/", data: ["hello", 1] }, '2["hello",1]'],
    [{ type: PacketType.EVENT, nsp: "/admin", data: ["project:delete", 123], id: 456 }, '2/admin,456["project:delete",123]'],
    [{ type: PacketType.EVENT, nsp: "/", data: ["ev"], id: 0 }, '20["ev"]'],
    [{ type: PacketType.ACK, nsp: "/admin", data: [], id: 456 }, "3/admin,456[]"],
    [{ type: PacketType.ACK, nsp: "/", data: [{ ok: true }], id: 7 }, '37[{"ok":true}]'],
    [{ type: PacketType.CONNECT_ERROR, nsp: "/", data: { message: "Not authorized" } }, '4{"message":"Not authorized"}'],
    [{ type: PacketType.CONNECT_ERROR, nsp: "/admin", data: "Invalid namespace" }, '4/admin,"Invalid namespace"'],
    [{ type: PacketType.EVENT, nsp: "/", data: ["d", new Date(0), undefined, () => 1] }, '2["d","1970-01-01T00:00:00.000Z",null,null]'],
  ];
  for (const [packet, expected] of table) assert.deepEqual(encodeSocketPacket(packet), [expected]);
});

test("encoding: EVENT/ACK with binary anywhere become BINARY_EVENT/BINARY_ACK with attachments", () => {
  const buf = Buffer.from([1, 2, 3]);
  const [header, ...attachments] = encodeSocketPacket({ type: PacketType.EVENT, nsp: "/", data: ["hello", buf] });
  assert.equal(header, '51-["hello",{"_placeholder":true,"num":0}]');
  assert.deepEqual(attachments, [buf]);

  const encoded = encodeSocketPacket({ type: PacketType.ACK, nsp: "/admin", id: 456, data: [{ a: new Float32Array([1]), b: [new Uint8Array([9]).buffer] }] });
  assert.equal(encoded[0], '62-/admin,456[{"a":{"_placeholder":true,"num":0},"b":[{"_placeholder":true,"num":1}]}]');
  assert.equal(encoded.length, 3);

  // A BINARY_* type with no binary in the data is sent as the plain type (there is nothing to attach).
  assert.deepEqual(encodeSocketPacket({ type: PacketType.BINARY_EVENT, nsp: "/", data: ["x"] }), ['2["x"]']);
  assert.deepEqual(encodeSocketPacket({ type: PacketType.BINARY_ACK, nsp: "/", id: 1, data: [] }), ["31[]"]);
});

test("encoding: caller mistakes are TypeErrors", () => {
  assert.throws(() => encodeSocketPacket({ type: 7 as PacketType, nsp: "/" }), TypeError);
  assert.throws(() => encodeSocketPacket({ type: PacketType.EVENT, nsp: "admin", data: ["x"] }), TypeError);
  assert.throws(() => encodeSocketPacket({ type: PacketType.EVENT, nsp: "/a,b", data: ["x"] }), TypeError);
  assert.throws(() => encodeSocketPacket({ type: PacketType.EVENT, nsp: "", data: ["x"] }), TypeError);
  for (const id of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN]) {
    assert.throws(() => encodeSocketPacket({ type: PacketType.EVENT, nsp: "/", id, data: ["x"] }), TypeError, String(id));
  }
  assert.throws(() => encodeSocketPacket({ type: PacketType.EVENT, nsp: "/", data: ["x", 1n] }), TypeError);
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  assert.throws(() => encodeSocketPacket({ type: PacketType.EVENT, nsp: "/", data: ["x", circular] }));
});

test("decoding: every packet type, namespaces and ids", () => {
  const d = new SocketPacketDecoder();
  assert.deepEqual(d.add("0"), { type: 0, nsp: "/" });
  assert.deepEqual(d.add('0{"token":"123"}'), { type: 0, nsp: "/", data: { token: "123" } });
  assert.deepEqual(d.add("0/admin,"), { type: 0, nsp: "/admin" });
  assert.deepEqual(d.add("0/admin"), { type: 0, nsp: "/admin" }, "a namespace may end the packet without a comma");
  assert.deepEqual(d.add('0/admin,{"sid":"x"}'), { type: 0, nsp: "/admin", data: { sid: "x" } });
  assert.deepEqual(d.add("1"), { type: 1, nsp: "/" });
  assert.deepEqual(d.add("1/admin,"), { type: 1, nsp: "/admin" });
  assert.deepEqual(d.add('2["hello",1]'), { type: 2, nsp: "/", data: ["hello", 1] });
  assert.deepEqual(d.add('2/admin,456["project:delete",123]'), { type: 2, nsp: "/admin", id: 456, data: ["project:delete", 123] });
  assert.deepEqual(d.add('20["ev"]'), { type: 2, nsp: "/", id: 0, data: ["ev"] });
  assert.deepEqual(d.add('2/,["ev"]'), { type: 2, nsp: "/", data: ["ev"] });
  assert.deepEqual(d.add("3/admin,456[]"), { type: 3, nsp: "/admin", id: 456, data: [] });
  assert.deepEqual(d.add(`3${Number.MAX_SAFE_INTEGER}[]`), { type: 3, nsp: "/", id: Number.MAX_SAFE_INTEGER, data: [] });
  assert.deepEqual(d.add('4{"message":"Not authorized"}'), { type: 4, nsp: "/", data: { message: "Not authorized" } });
  assert.deepEqual(d.add('4/admin,"Invalid namespace"'), { type: 4, nsp: "/admin", data: "Invalid namespace" });
  assert.deepEqual(d.add('2["a",{"__proto__":{"x":1}}]')?.data, JSON.parse('["a",{"__proto__":{"x":1}}]'));
  assert.equal(d.awaitingAttachments, false);
});

test("decoding binary packets: waits for every attachment, then puts them in place", () => {
  for (const binaryType of ["nodebuffer", "arraybuffer", "uint8array"] as const) {
    const d = new SocketPacketDecoder({ binaryType });
    assert.equal(d.add('52-/admin,9["upload",{"a":{"_placeholder":true,"num":0},"b":[{"_placeholder":true,"num":1}]}]'), undefined);
    assert.equal(d.awaitingAttachments, true);
    assert.equal(d.add(Buffer.from([1, 2])), undefined);
    assert.equal(d.awaitingAttachments, true);
    const packet = d.add(new Uint8Array([3]).buffer);
    assert.ok(packet);
    assert.equal(d.awaitingAttachments, false);
    assert.equal(packet.type, PacketType.BINARY_EVENT);
    assert.equal(packet.nsp, "/admin");
    assert.equal(packet.id, 9);
    assert.equal(packet.attachments, 2);
    const [name, body] = packet.data as [string, { a: unknown; b: [unknown] }];
    assert.equal(name, "upload");
    const check = (value: unknown, expected: number[]): void => {
      if (binaryType === "nodebuffer") assert.ok(Buffer.isBuffer(value));
      else if (binaryType === "arraybuffer") assert.ok(value instanceof ArrayBuffer);
      else assert.equal(Object.getPrototypeOf(value), Uint8Array.prototype);
      const view = value instanceof ArrayBuffer ? new Uint8Array(value) : (value as Uint8Array);
      assert.deepEqual(Array.from(view), expected);
    };
    check(body.a, [1, 2]);
    check(body.b[0], [3]);
  }
  const ack = decodeAll(["61-3[{\"_placeholder\":true,\"num\":0}]", new Uint8Array([7])]);
  assert.equal(ack.type, PacketType.BINARY_ACK);
  assert.equal(ack.id, 3);
});

test("round trips: encode then decode gives the packet back, binary nested anywhere", () => {
  const packets: SocketPacket[] = [
    { type: PacketType.CONNECT, nsp: "/" },
    { type: PacketType.CONNECT, nsp: "/a/b", data: { auth: { token: "t", list: [1, 2] } } },
    { type: PacketType.DISCONNECT, nsp: "/x" },
    { type: PacketType.EVENT, nsp: "/", data: ["e", null, true, 1.5, "ünï ✓", { deep: [[[]]] }] },
    { type: PacketType.EVENT, nsp: "/room", id: 42, data: ["e", Buffer.from("buf"), { f: new Float32Array([1.25, 2]) }, [new DataView(new Uint8Array([1, 2, 3]).buffer)]] },
    { type: PacketType.ACK, nsp: "/", id: 1, data: [new Uint8Array([255]).buffer] },
    { type: PacketType.ACK, nsp: "/", id: 2, data: [] },
    { type: PacketType.CONNECT_ERROR, nsp: "/", data: { message: "nope", data: { code: 3 } } },
  ];
  const d = new SocketPacketDecoder({ binaryType: "uint8array" });
  for (const packet of packets) {
    const encoded = encodeSocketPacket(packet);
    const decoded = decodeAll(encoded, d);
    assert.deepEqual(jsonWithBytes(decoded.data), jsonWithBytes(packet.data));
    assert.equal(decoded.nsp, packet.nsp);
    assert.equal(decoded.id, packet.id);
    assert.equal(decoded.attachments, encoded.length > 1 ? encoded.length - 1 : undefined);
  }
});

test("malformed packets throw SocketProtocolError with stable codes", () => {
  const table: [string, string][] = [
    ["", "SIO_ERR_EMPTY_PACKET"],
    ["7", "SIO_ERR_INVALID_PACKET_TYPE"],
    ["/", "SIO_ERR_INVALID_PACKET_TYPE"],
    ["a[]", "SIO_ERR_INVALID_PACKET_TYPE"],
    ['2[{"toString":"foo"}]', "SIO_ERR_INVALID_PAYLOAD"],
    ["2[null]", "SIO_ERR_INVALID_PAYLOAD"],
    ["2[1]", "SIO_ERR_INVALID_PAYLOAD"],
    ["2[]", "SIO_ERR_INVALID_PAYLOAD"],
    ["2{}", "SIO_ERR_INVALID_PAYLOAD"],
    ['2"ev"', "SIO_ERR_INVALID_PAYLOAD"],
    ["2", "SIO_ERR_INVALID_PAYLOAD"],
    ["2/admin,", "SIO_ERR_INVALID_PAYLOAD"],
    ["0[]", "SIO_ERR_INVALID_PAYLOAD"],
    ["0null", "SIO_ERR_INVALID_PAYLOAD"],
    ['0"x"', "SIO_ERR_INVALID_PAYLOAD"],
    ["1{}", "SIO_ERR_INVALID_PAYLOAD"],
    ['1"bye"', "SIO_ERR_INVALID_PAYLOAD"],
    ["31{}", "SIO_ERR_INVALID_PAYLOAD"],
    ["4", "SIO_ERR_INVALID_PAYLOAD"],
    ["4[]", "SIO_ERR_INVALID_PAYLOAD"],
    ["4null", "SIO_ERR_INVALID_PAYLOAD"],
    ["3[]", "SIO_ERR_INVALID_ACK_ID"],
    ["01{}", "SIO_ERR_INVALID_ACK_ID"],
    ["11", "SIO_ERR_INVALID_ACK_ID"],
    ['41"x"', "SIO_ERR_INVALID_ACK_ID"],
    ['29007199254740992["a"]', "SIO_ERR_INVALID_ACK_ID"],
    ['2123456789012345678901234567890["a"]', "SIO_ERR_INVALID_ACK_ID"],
    ['2["a"]x', "SIO_ERR_INVALID_JSON"],
    ['2["a"', "SIO_ERR_INVALID_JSON"],
    ['2-1["a"]', "SIO_ERR_INVALID_JSON"],
    ["2admin,[\"a\"]", "SIO_ERR_INVALID_JSON"],
    ["2['a']", "SIO_ERR_INVALID_JSON"],
    ['2["a"],', "SIO_ERR_INVALID_JSON"],
    ['5["a"]', "SIO_ERR_INVALID_ATTACHMENTS"],
    ['5-["a"]', "SIO_ERR_INVALID_ATTACHMENTS"],
    ['50-["a"]', "SIO_ERR_INVALID_ATTACHMENTS"],
    ['51["a"]', "SIO_ERR_INVALID_ATTACHMENTS"],
    ["51", "SIO_ERR_INVALID_ATTACHMENTS"],
    ['6x-1[]', "SIO_ERR_INVALID_ATTACHMENTS"],
    ['511-["a"]', "SIO_ERR_TOO_MANY_ATTACHMENTS"],
    ['51000000000-["a"]', "SIO_ERR_TOO_MANY_ATTACHMENTS"],
    ['51-["a",{"_placeholder":true,"num":"splice"}]', "SIO_ERR_INVALID_PLACEHOLDER"],
    ['51-["a",{"_placeholder":true,"num":"__proto__"}]', "SIO_ERR_INVALID_PLACEHOLDER"],
    ['51-["a",{"_placeholder":true,"num":-1}]', "SIO_ERR_INVALID_PLACEHOLDER"],
    ['51-["a",{"_placeholder":true,"num":1e3}]', "SIO_ERR_INVALID_PLACEHOLDER"],
    ['51-["a",{"_placeholder":true,"num":1}]', "SIO_ERR_INVALID_PLACEHOLDER"],
    ['51-["a",{"_placeholder":true,"num":0.5}]', "SIO_ERR_INVALID_PLACEHOLDER"],
    ['52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]', "SIO_ERR_INVALID_PLACEHOLDER"],
    ['52-["a",{"_placeholder":true,"num":0}]', "SIO_ERR_ATTACHMENT_MISMATCH"],
    ['51-["a"]', "SIO_ERR_ATTACHMENT_MISMATCH"],
    ['51-[{"_placeholder":true,"num":0}]', "SIO_ERR_INVALID_PAYLOAD"],
    ['61-{"_placeholder":true,"num":0}', "SIO_ERR_INVALID_ACK_ID"],
    ['61-1{"_placeholder":true,"num":0}', "SIO_ERR_INVALID_PAYLOAD"],
    [`2["a",${"[".repeat(DEFAULT_MAX_DEPTH)}${"]".repeat(DEFAULT_MAX_DEPTH)}]`, "SIO_ERR_TOO_DEEP"],
    [`2["a",${'{"k":'.repeat(DEFAULT_MAX_DEPTH)}1${"}".repeat(DEFAULT_MAX_DEPTH)}]`, "SIO_ERR_TOO_DEEP"],
    [`51-["a",${"[".repeat(DEFAULT_MAX_DEPTH - 1)}{"_placeholder":true,"num":0}${"]".repeat(DEFAULT_MAX_DEPTH - 1)}]`, "SIO_ERR_TOO_DEEP"],
  ];
  const d = new SocketPacketDecoder();
  for (const [input, code] of table) {
    throwsCode(() => d.add(input), code);
    assert.equal(d.awaitingAttachments, false, `${input}: nothing buffered after an error`);
  }
  assert.deepEqual(d.add('2["still works"]'), { type: 2, nsp: "/", data: ["still works"] });
});

test("nesting up to maxDepth is accepted, the root counting as 1", () => {
  const d = new SocketPacketDecoder();
  const atMax = `2["a",${"[".repeat(DEFAULT_MAX_DEPTH - 1)}${"]".repeat(DEFAULT_MAX_DEPTH - 1)}]`;
  assert.equal(d.add(atMax)?.type, PacketType.EVENT);
  const small = new SocketPacketDecoder({ maxDepth: 2 });
  assert.deepEqual(small.add('2["a",[1]]')?.data, ["a", [1]]);
  throwsCode(() => small.add('2["a",[[1]]]'), "SIO_ERR_TOO_DEEP");
  throwsCode(() => small.add('2["a",{"b":{}}]'), "SIO_ERR_TOO_DEEP");
  // A long payload that is wide, not deep, passes the walk.
  const wide = JSON.stringify(["a", Array.from({ length: 500 }, (_, i) => ({ i, tags: ["x", "y"] }))]);
  assert.equal(d.add("2" + wide)?.type, PacketType.EVENT);
  // Extremely deep JSON is refused with a typed error, not a stack overflow.
  throwsCode(() => d.add(`2["a",${"[".repeat(200_000)}${"]".repeat(200_000)}]`), "SIO_ERR_TOO_DEEP");
});

test("maxAttachments caps the count while the header is read, before any buffering", () => {
  const d = new SocketPacketDecoder({ maxAttachments: 2 });
  throwsCode(() => d.add('53-["a"]'), "SIO_ERR_TOO_MANY_ATTACHMENTS");
  throwsCode(() => d.add('51000000000-["a"]'), "SIO_ERR_TOO_MANY_ATTACHMENTS");
  assert.equal(d.awaitingAttachments, false);
  const ok = decodeAll(['52-["a",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]', new Uint8Array([0]), new Uint8Array([1])], d);
  const [name, second, third] = ok.data as [string, Uint8Array, Uint8Array];
  assert.equal(name, "a");
  assert.deepEqual([...second, ...third], [1, 0], "placeholders may come in any order");
  const none = new SocketPacketDecoder({ maxAttachments: 0 });
  throwsCode(() => none.add('51-["a",{"_placeholder":true,"num":0}]'), "SIO_ERR_TOO_MANY_ATTACHMENTS");
  assert.throws(() => new SocketPacketDecoder({ maxAttachments: -1 }), RangeError);
  assert.throws(() => new SocketPacketDecoder({ maxDepth: 0 }), RangeError);
});

test("state errors: binary with nothing pending, text mid-reconstruction; the decoder resets", () => {
  const d = new SocketPacketDecoder();
  throwsCode(() => d.add(new Uint8Array([1])), "SIO_ERR_UNEXPECTED_BINARY");
  throwsCode(() => d.add(new Uint8Array([1]).buffer), "SIO_ERR_UNEXPECTED_BINARY");
  assert.equal(d.add('52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]'), undefined);
  assert.equal(d.add(new Uint8Array([1])), undefined);
  throwsCode(() => d.add('2["b"]'), "SIO_ERR_UNEXPECTED_TEXT");
  assert.equal(d.awaitingAttachments, false, "reset after the error");
  throwsCode(() => d.add(new Uint8Array([2])), "SIO_ERR_UNEXPECTED_BINARY");
  assert.deepEqual(d.add('2["b"]'), { type: 2, nsp: "/", data: ["b"] });

  assert.equal(d.add('51-["a",{"_placeholder":true,"num":0}]'), undefined);
  d.reset();
  assert.equal(d.awaitingAttachments, false);
  throwsCode(() => d.add(new Uint8Array([2])), "SIO_ERR_UNEXPECTED_BINARY");
  assert.throws(() => d.add(5 as unknown as string), TypeError);
});

test("decoding never writes to prototypes", () => {
  const d = new SocketPacketDecoder();
  const packet = decodeAll(['51-["a",{"__proto__":{"_placeholder":true,"num":0}},{"constructor":{"prototype":{"polluted":1}}}]', new Uint8Array([1])], d);
  const holder = (packet.data as object[])[1] as object;
  assert.equal(Object.getPrototypeOf(holder), Object.prototype);
  assert.ok(Object.hasOwn(holder, "__proto__"));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal((Object.prototype as Record<string, unknown>)[0], undefined);
});

// Interop with the official socket.io-parser (Socket.IO protocol 5).

function theirDecode(parts: readonly (string | Uint8Array)[]): sio.Packet {
  const decoder = new sio.Decoder();
  const out: sio.Packet[] = [];
  decoder.on("decoded", (packet: sio.Packet) => out.push(packet));
  for (const part of parts) decoder.add(part);
  decoder.destroy();
  assert.equal(out.length, 1);
  return out[0] as sio.Packet;
}

const interopTable: SocketPacket[] = [
  { type: PacketType.CONNECT, nsp: "/" },
  { type: PacketType.CONNECT, nsp: "/admin", data: { token: "abc" } },
  { type: PacketType.DISCONNECT, nsp: "/admin" },
  { type: PacketType.EVENT, nsp: "/", data: ["message", "hello ✓", { n: 1, list: [true, null] }] },
  { type: PacketType.EVENT, nsp: "/chat", id: 12, data: ["ask", 1] },
  { type: PacketType.EVENT, nsp: "/", data: ["bin", Buffer.from([1, 2, 3]), { nested: [Buffer.from([4])] }] },
  { type: PacketType.EVENT, nsp: "/x", id: 3, data: ["bin", { deep: { deeper: Buffer.from("deep") } }] },
  { type: PacketType.ACK, nsp: "/chat", id: 12, data: ["answer"] },
  { type: PacketType.ACK, nsp: "/", id: 99, data: [Buffer.from([9, 9])] },
  { type: PacketType.CONNECT_ERROR, nsp: "/", data: { message: "Not authorized", data: { reason: "token" } } },
  { type: PacketType.CONNECT_ERROR, nsp: "/admin", data: "Invalid namespace" },
];

test("interop: socket.io-parser produces the same wire form and decodes ours", () => {
  const encoder = new sio.Encoder();
  for (const packet of interopTable) {
    const ours = encodeSocketPacket(packet);
    const theirs = encoder.encode({ ...packet } as sio.Packet) as (string | Uint8Array)[];
    assert.equal(ours[0], theirs[0], "same header");
    assert.deepEqual(jsonWithBytes(ours.slice(1)), jsonWithBytes(theirs.slice(1)), "same attachments");
    const decoded = theirDecode(ours);
    assert.equal(decoded.nsp, packet.nsp);
    assert.equal(decoded.id, packet.id);
    assert.deepEqual(jsonWithBytes(decoded.data), jsonWithBytes(packet.data));
  }
});

test("interop: we decode what socket.io-parser encodes", () => {
  const encoder = new sio.Encoder();
  const d = new SocketPacketDecoder();
  for (const packet of interopTable) {
    const theirs = encoder.encode({ ...packet } as sio.Packet) as (string | Uint8Array)[];
    const decoded = decodeAll(theirs, d);
    assert.equal(decoded.nsp, packet.nsp);
    assert.equal(decoded.id, packet.id);
    assert.equal(decoded.type === 5 ? 2 : decoded.type === 6 ? 3 : decoded.type, packet.type);
    assert.deepEqual(jsonWithBytes(decoded.data), jsonWithBytes(packet.data));
  }
});

test("checkDecodedPacket: what another codec decoded is held to the built-in decoder's rules", () => {
  assert.deepEqual(checkDecodedPacket({ type: 2, nsp: "/", data: ["hi", 1], extra: "dropped" }), { type: 2, nsp: "/", data: ["hi", 1] });
  assert.deepEqual(checkDecodedPacket({ type: 3, nsp: "/chat", id: 7, data: [] }), { type: 3, nsp: "/chat", id: 7, data: [] });
  assert.deepEqual(checkDecodedPacket({ type: 0, nsp: "/", data: { token: "t" } }), { type: 0, nsp: "/", data: { token: "t" } });
  assert.deepEqual(checkDecodedPacket({ type: 1, nsp: "/a" }), { type: 1, nsp: "/a" });
  const table: [unknown, string][] = [
    [null, "SIO_ERR_INVALID_PACKET"],
    ["2[]", "SIO_ERR_INVALID_PACKET"],
    [{ type: 7, nsp: "/", data: ["x"] }, "SIO_ERR_INVALID_PACKET_TYPE"],
    [{ type: 1.5, nsp: "/" }, "SIO_ERR_INVALID_PACKET_TYPE"],
    [{ type: "2", nsp: "/", data: ["x"] }, "SIO_ERR_INVALID_PACKET_TYPE"],
    [{ type: 2, data: ["x"] }, "SIO_ERR_INVALID_NAMESPACE"],
    [{ type: 2, nsp: "chat", data: ["x"] }, "SIO_ERR_INVALID_NAMESPACE"],
    [{ type: 2, nsp: "/", id: -1, data: ["x"] }, "SIO_ERR_INVALID_ACK_ID"],
    [{ type: 2, nsp: "/", id: "1", data: ["x"] }, "SIO_ERR_INVALID_ACK_ID"],
    [{ type: 3, nsp: "/", data: [] }, "SIO_ERR_INVALID_ACK_ID"],
    [{ type: 0, nsp: "/", id: 1 }, "SIO_ERR_INVALID_ACK_ID"],
    [{ type: 2, nsp: "/", data: [1] }, "SIO_ERR_INVALID_PAYLOAD"],
    [{ type: 2, nsp: "/", data: "x" }, "SIO_ERR_INVALID_PAYLOAD"],
    [{ type: 0, nsp: "/", data: [] }, "SIO_ERR_INVALID_PAYLOAD"],
    [{ type: 1, nsp: "/", data: {} }, "SIO_ERR_INVALID_PAYLOAD"],
    [{ type: 4, nsp: "/", data: 3 }, "SIO_ERR_INVALID_PAYLOAD"],
  ];
  for (const [value, code] of table) throwsCode(() => checkDecodedPacket(value), code);
});
