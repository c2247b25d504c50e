import { test } from "node:test";
import assert from "node:assert/strict";
import * as eio from "engine.io-parser";
import {
  ENGINE_PACKET_TYPES,
  EngineProtocolError,
  RECORD_SEPARATOR,
  decodeEnginePacket,
  decodeEnginePayload,
  encodeEnginePacket,
  encodeEnginePayload,
} from "../../../src/protocol/index.js";
import type { EnginePacket, EnginePacketType } from "../../../src/protocol/index.js";
import { bytesOf } from "../../helpers/bytes.js";

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof EngineProtocolError && err.code === code && err.name === "EngineProtocolError");
}

test("every packet type encodes as its digit, with and without text data", () => {
  ENGINE_PACKET_TYPES.forEach((type, digit) => {
    assert.equal(encodeEnginePacket({ type }, true), String(digit));
    assert.equal(encodeEnginePacket({ type, data: "xyz" }, false), `${digit}xyz`);
    assert.deepEqual(decodeEnginePacket(String(digit)), { type });
    assert.deepEqual(decodeEnginePacket(`${digit}xyz`), { type, data: "xyz" });
  });
  assert.equal(encodeEnginePacket({ type: "message", data: "" }, true), "4");
  assert.equal(encodeEnginePacket({ type: "ping", data: "probe" }, true), "2probe");
  assert.equal(encodeEnginePacket({ type: "message", data: "héllo ✓ \u{1f600}" }, true), "4héllo ✓ \u{1f600}");
});

test("open packet carries the handshake JSON untouched", () => {
  const handshake = '{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';
  assert.equal(encodeEnginePacket({ type: "open", data: handshake }, true), "0" + handshake);
  assert.deepEqual(decodeEnginePacket("0" + handshake), { type: "open", data: handshake });
});

test("binary message: raw bytes with supportsBinary, 'b' + base64 without", () => {
  const bytes = new Uint8Array([1, 2, 3, 250]);
  assert.equal(encodeEnginePacket({ type: "message", data: bytes }, true), bytes, "no copy");
  assert.equal(encodeEnginePacket({ type: "message", data: bytes }, false), "bAQID+g==");
  const slab = new Uint8Array([9, 9, 1, 2, 3, 9]);
  assert.equal(encodeEnginePacket({ type: "message", data: slab.subarray(2, 5) }, false), "bAQID", "only the view's bytes");
  assert.equal(encodeEnginePacket({ type: "message", data: new Uint8Array([1, 2, 3]).buffer }, false), "bAQID");
  assert.deepEqual(bytesOf(encodeEnginePacket({ type: "message", data: new Uint8Array([7]).buffer }, true)), [7]);
  assert.equal(encodeEnginePacket({ type: "message", data: new Uint8Array(0) }, false), "b");
});

test("binary data on a non-message packet is a caller mistake (TypeError)", () => {
  assert.throws(() => encodeEnginePacket({ type: "ping", data: new Uint8Array(1) }, true), TypeError);
  assert.throws(() => encodeEnginePacket({ type: "bogus" as EnginePacketType }, true), TypeError);
});

test("decoding bytes gives a binary message in the requested binaryType", () => {
  const input = Buffer.from([5, 6, 7]);
  const asBuffer = decodeEnginePacket(input);
  assert.equal(asBuffer.type, "message");
  assert.ok(Buffer.isBuffer(asBuffer.data));
  assert.equal(asBuffer.data, input, "a Buffer stays the same Buffer");

  const asAb = decodeEnginePacket(input, "arraybuffer").data;
  assert.ok(asAb instanceof ArrayBuffer);
  assert.equal(asAb.byteLength, 3, "a pooled Buffer is copied out to exactly its bytes");
  assert.deepEqual(bytesOf(asAb), [5, 6, 7]);

  const asU8 = decodeEnginePacket(input, "uint8array").data;
  assert.equal(Object.getPrototypeOf(asU8), Uint8Array.prototype);
  assert.deepEqual(bytesOf(asU8), [5, 6, 7]);

  const ab = new Uint8Array([1, 2]).buffer;
  assert.equal(decodeEnginePacket(ab, "arraybuffer").data, ab);
  assert.ok(Buffer.isBuffer(decodeEnginePacket(ab, "nodebuffer").data));
  assert.deepEqual(bytesOf(decodeEnginePacket(ab, "uint8array").data), [1, 2]);
  assert.deepEqual(bytesOf(decodeEnginePacket(new Uint8Array(0)).data), [], "an empty binary message is valid");
});

test("decoding 'b' + base64 gives the bytes in the requested binaryType", () => {
  assert.deepEqual(bytesOf(decodeEnginePacket("bAQID+g==").data), [1, 2, 3, 250]);
  assert.ok(Buffer.isBuffer(decodeEnginePacket("bAQID").data));
  const ab = decodeEnginePacket("bAQID", "arraybuffer").data;
  assert.ok(ab instanceof ArrayBuffer);
  assert.equal(ab.byteLength, 3);
  assert.deepEqual(bytesOf(decodeEnginePacket("bAQ==", "uint8array").data), [1]);
  assert.deepEqual(bytesOf(decodeEnginePacket("bAQI=").data), [1, 2]);
  assert.deepEqual(bytesOf(decodeEnginePacket("bAQI").data), [1, 2], "unpadded base64 is accepted");
  assert.deepEqual(bytesOf(decodeEnginePacket("b").data), []);
});

test("malformed packets throw EngineProtocolError with a stable code", () => {
  throwsCode(() => decodeEnginePacket(""), "EIO_ERR_EMPTY_PACKET");
  for (const bad of ["7", "9hello", "x", "/", "B", " 4", "\x1e"]) throwsCode(() => decodeEnginePacket(bad), "EIO_ERR_UNKNOWN_PACKET_TYPE");
  for (const bad of ["bA", "b!!!!", "bAQ=D", "b====", "bA===", "bAQID=", "bAQ ID", "bAQ\nID", "bAQ-_", "bAQ=", "bé"]) {
    throwsCode(() => decodeEnginePacket(bad), "EIO_ERR_INVALID_BASE64");
  }
  assert.throws(() => decodeEnginePacket(42 as unknown as string), TypeError);
});

test("payloads join packets with the record separator, binary as base64", () => {
  const packets: EnginePacket[] = [
    { type: "message", data: "hello" },
    { type: "ping" },
    { type: "message", data: new Uint8Array([1, 2, 3]) },
    { type: "message", data: "" },
    { type: "noop" },
  ];
  const payload = encodeEnginePayload(packets);
  assert.equal(payload, ["4hello", "2", "bAQID", "4", "6"].join(RECORD_SEPARATOR));
  const decoded = decodeEnginePayload(payload, { binaryType: "uint8array" });
  assert.equal(decoded.length, 5);
  assert.deepEqual(decoded[0], { type: "message", data: "hello" });
  assert.deepEqual(decoded[1], { type: "ping" });
  assert.deepEqual(bytesOf(decoded[2]?.data), [1, 2, 3]);
  assert.deepEqual(decoded[3], { type: "message" }, '"4" alone is a message with no data');
  assert.deepEqual(decoded[4], { type: "noop" });
  assert.equal(encodeEnginePayload([]), "");
  assert.deepEqual(decodeEnginePayload("4one"), [{ type: "message", data: "one" }]);
});

test("malformed payloads: every record must be a valid packet", () => {
  throwsCode(() => decodeEnginePayload(""), "EIO_ERR_EMPTY_PACKET");
  throwsCode(() => decodeEnginePayload("4a\x1e"), "EIO_ERR_EMPTY_PACKET");
  throwsCode(() => decodeEnginePayload("\x1e4a"), "EIO_ERR_EMPTY_PACKET");
  throwsCode(() => decodeEnginePayload("4a\x1e\x1e4b"), "EIO_ERR_EMPTY_PACKET");
  throwsCode(() => decodeEnginePayload("4a\x1e9"), "EIO_ERR_UNKNOWN_PACKET_TYPE");
  throwsCode(() => decodeEnginePayload("4a\x1eb@@@@"), "EIO_ERR_INVALID_BASE64");
  assert.throws(() => decodeEnginePayload(Buffer.from("4a") as unknown as string), TypeError);
});

test("maxPackets bounds a payload before the excess is decoded", () => {
  const three = "4a\x1e4b\x1e4c";
  assert.equal(decodeEnginePayload(three, { maxPackets: 3 }).length, 3);
  throwsCode(() => decodeEnginePayload(three, { maxPackets: 2 }), "EIO_ERR_TOO_MANY_PACKETS");
  throwsCode(() => decodeEnginePayload(Array(10_001).fill("6").join(RECORD_SEPARATOR)), "EIO_ERR_TOO_MANY_PACKETS");
  // The excess record is garbage, but the count is refused first.
  throwsCode(() => decodeEnginePayload("4a\x1e4b\x1e9", { maxPackets: 2 }), "EIO_ERR_TOO_MANY_PACKETS");
});

// Interop with the official engine.io-parser (v5, Engine.IO protocol 4).

function theirEncodePacket(packet: EnginePacket, supportsBinary: boolean): Promise<string | Uint8Array> {
  return new Promise((resolve) => {
    eio.encodePacket(packet as eio.Packet, supportsBinary, (encoded) => resolve(encoded as string | Uint8Array));
  });
}

function theirEncodePayload(packets: EnginePacket[]): Promise<string> {
  return new Promise((resolve) => eio.encodePayload(packets as eio.Packet[], resolve));
}

const interopTable: EnginePacket[] = [
  { type: "open", data: '{"sid":"abc","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}' },
  { type: "close" },
  { type: "ping" },
  { type: "ping", data: "probe" },
  { type: "pong", data: "probe" },
  { type: "message", data: "hello" },
  { type: "message", data: '2["chat",{"text":"ünïcødé ✓ \u{1f600}"}]' },
  { type: "message", data: Buffer.from([0, 1, 2, 255]) },
  { type: "message", data: Buffer.from("a longer binary message that is still small".repeat(5)) },
  { type: "upgrade" },
  { type: "noop" },
];

test("interop: engine.io-parser decodes what we encode, packet by packet", async () => {
  for (const supportsBinary of [true, false]) {
    for (const packet of interopTable) {
      const ours = encodeEnginePacket(packet, supportsBinary);
      const theirs = eio.decodePacket(ours as eio.RawData, "nodebuffer");
      assert.equal(theirs.type, packet.type, JSON.stringify(packet));
      if (typeof packet.data === "string") assert.equal(theirs.data, packet.data);
      else if (packet.data === undefined) assert.equal(theirs.data, undefined);
      else assert.deepEqual(bytesOf(theirs.data), bytesOf(packet.data));
      // And the same wire form as theirs.
      const theirEncoding = await theirEncodePacket(packet, supportsBinary);
      if (typeof theirEncoding === "string") assert.equal(ours, theirEncoding);
      else assert.deepEqual(bytesOf(ours), bytesOf(theirEncoding));
    }
  }
});

test("interop: we decode what engine.io-parser encodes, packet by packet", async () => {
  for (const supportsBinary of [true, false]) {
    for (const packet of interopTable) {
      const encoded = await theirEncodePacket(packet, supportsBinary);
      const ours = decodeEnginePacket(encoded);
      assert.equal(ours.type, packet.type);
      if (typeof packet.data === "string") assert.equal(ours.data, packet.data);
      else if (packet.data === undefined) assert.equal(ours.data, undefined);
      else assert.deepEqual(bytesOf(ours.data), bytesOf(packet.data));
    }
  }
});

test("interop: payloads both ways with engine.io-parser", async () => {
  const ours = encodeEnginePayload(interopTable);
  assert.equal(ours, await theirEncodePayload(interopTable));
  const theirs = eio.decodePayload(ours, "nodebuffer");
  assert.equal(theirs.length, interopTable.length);
  const back = decodeEnginePayload(await theirEncodePayload(interopTable));
  interopTable.forEach((packet, i) => {
    assert.equal(theirs[i]?.type, packet.type);
    assert.equal(back[i]?.type, packet.type);
    if (packet.data instanceof Uint8Array) {
      assert.deepEqual(bytesOf(theirs[i]?.data), bytesOf(packet.data));
      assert.deepEqual(bytesOf(back[i]?.data), bytesOf(packet.data));
    } else {
      assert.equal(theirs[i]?.data, packet.data);
      assert.equal(back[i]?.data, packet.data);
    }
  });
});
