// Property tests of the Socket.IO codec: any input, in any order, only ever yields packets or
// SocketProtocolError; valid packets (binary nested anywhere) survive encode -> decode, and
// socket.io-parser reads what we write. Seeded and modest by default; `npm run fuzz` runs 20000.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as sio from "socket.io-parser";
import { PacketType, SocketPacketDecoder, SocketProtocolError, encodeSocketPacket } from "../../src/protocol/index.js";
import type { BinaryType, SocketPacket } from "../../src/protocol/index.js";
import { jsonWithBytes } from "../helpers/bytes.js";

const numRuns = Number(process.env.FUZZ_RUNS ?? 300);
const seed = Number(process.env.FUZZ_SEED ?? 0x5eed);
const params = { numRuns, seed };

const codeUnitString = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength });
/** Strings built from the pieces of the grammar, so many inputs get deep into the decoder. */
const grammarPiece = fc.constantFrom(
  ..."0123456789-/,[]{}\":.e ".split(""),
  "5",
  "6",
  "1-",
  "2-",
  "/admin,",
  '"ev"',
  "null",
  "true",
  '{"_placeholder":true,"num":0}',
  '{"_placeholder":true,"num":1}',
  '{"_placeholder":true,"num":-1}',
  '{"_placeholder":true,"num":"__proto__"}',
  '{"__proto__":',
  "9007199254740993",
);
const nearValid = fc.string({ unit: grammarPiece, maxLength: 24 });
const chunkArb: fc.Arbitrary<string | Uint8Array | ArrayBuffer> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(nearValid, codeUnitString(120)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }).map((b) => b.slice().buffer) },
);
const binaryTypes: fc.Arbitrary<BinaryType> = fc.constantFrom("nodebuffer", "arraybuffer", "uint8array");

/** Feeds one chunk; accepts a packet, undefined, or a SocketProtocolError (after which nothing is pending). */
function feed(decoder: SocketPacketDecoder, chunk: string | Uint8Array | ArrayBuffer): SocketPacket | undefined {
  const start = performance.now();
  try {
    const packet = decoder.add(chunk);
    if (packet !== undefined) {
      assert.ok(packet.type >= 0 && packet.type <= 6);
      assert.equal(packet.nsp.charCodeAt(0), 0x2f);
      assert.ok(packet.id === undefined || Number.isSafeInteger(packet.id));
      assert.equal(decoder.awaitingAttachments, false);
    }
    return packet;
  } catch (err) {
    if (!(err instanceof SocketProtocolError) || !err.code.startsWith("SIO_ERR_")) throw err;
    assert.equal(decoder.awaitingAttachments, false, "reset after an error");
    return undefined;
  } finally {
    assert.ok(performance.now() - start < 1000, "decoding took too long");
  }
}

test("any sequence of strings and bytes yields packets or SocketProtocolError only", () => {
  fc.assert(
    fc.property(fc.array(chunkArb, { maxLength: 8 }), binaryTypes, fc.integer({ min: 1, max: 12 }), (chunks, binaryType, maxDepth) => {
      const decoder = new SocketPacketDecoder({ binaryType, maxDepth, maxAttachments: 3 });
      for (const chunk of chunks) feed(decoder, chunk);
      assert.equal(({} as Record<string, unknown>).num, undefined, "no prototype pollution");
    }),
    params,
  );
});

test("any single string into a fresh decoder yields a packet, undefined or SocketProtocolError", () => {
  fc.assert(
    fc.property(fc.oneof(nearValid, codeUnitString(300), fc.string({ unit: "binary" })), (text) => {
      feed(new SocketPacketDecoder(), text);
    }),
    params,
  );
});

// Valid packets: JSON values with binary leaves (Buffer, ArrayBuffer, typed arrays, DataView).
const binaryLeaf: fc.Arbitrary<unknown> = fc.uint8Array({ maxLength: 24 }).chain((bytes) =>
  fc.constantFrom<unknown>(
    Buffer.from(bytes),
    bytes,
    bytes.slice().buffer,
    new DataView(bytes.slice().buffer),
    new Uint8Array([0, ...bytes]).subarray(1),
    new Float64Array(new Uint8Array(bytes.slice(0, bytes.length - (bytes.length % 8))).buffer),
  ),
);
const valueOf = (leaves: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.string({ maxLength: 20 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      ...leaves,
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 4, noNullPrototype: true }),
    ),
  })).value;
const valueArb = valueOf([binaryLeaf]);
// Only EVENT and ACK carry attachments; CONNECT and CONNECT_ERROR data is plain JSON.
const jsonArb = valueOf([]);
const nspArb = fc.oneof(fc.constant("/"), fc.string({ maxLength: 12 }).filter((s) => !s.includes(",")).map((s) => "/" + s));
const idArb = fc.oneof(fc.integer({ min: 0, max: 2 ** 31 }), fc.constant(Number.MAX_SAFE_INTEGER));
// socket.io-parser refuses reserved event names; a prefix keeps ours clear of them.
const eventName = fc.string({ maxLength: 16 }).map((s) => "ev:" + s);

const packetArb: fc.Arbitrary<SocketPacket> = fc.oneof(
  fc.record({ type: fc.constant(PacketType.CONNECT), nsp: nspArb }),
  fc.record({ type: fc.constant(PacketType.CONNECT), nsp: nspArb, data: fc.dictionary(fc.string({ maxLength: 8 }), jsonArb, { maxKeys: 4, noNullPrototype: true }) }),
  fc.record({ type: fc.constant(PacketType.DISCONNECT), nsp: nspArb }),
  fc.record(
    { type: fc.constant(PacketType.EVENT), nsp: nspArb, id: idArb, data: fc.tuple(eventName, fc.array(valueArb, { maxLength: 4 })).map(([n, args]) => [n, ...args]) },
    { requiredKeys: ["type", "nsp", "data"] },
  ),
  fc.record({ type: fc.constant(PacketType.ACK), nsp: nspArb, id: idArb, data: fc.array(valueArb, { maxLength: 4 }) }),
  fc.record({ type: fc.constant(PacketType.CONNECT_ERROR), nsp: nspArb, data: fc.oneof(fc.string(), fc.record({ message: fc.string(), data: jsonArb })) }),
);

const plainType = (type: number): number => (type === PacketType.BINARY_EVENT ? PacketType.EVENT : type === PacketType.BINARY_ACK ? PacketType.ACK : type);

test("encode -> decode gives any valid packet back, binary nested anywhere", () => {
  fc.assert(
    fc.property(packetArb, binaryTypes, (packet, binaryType) => {
      const [header, ...attachments] = encodeSocketPacket(packet);
      const decoder = new SocketPacketDecoder({ binaryType, maxAttachments: 1000 });
      let decoded = decoder.add(header);
      for (const attachment of attachments) {
        assert.equal(decoded, undefined);
        decoded = decoder.add(attachment);
      }
      assert.ok(decoded, header);
      assert.equal(plainType(decoded.type), packet.type);
      assert.equal(decoded.nsp, packet.nsp);
      assert.equal(decoded.id, packet.id);
      assert.equal(decoded.attachments, attachments.length > 0 ? attachments.length : undefined);
      assert.deepEqual(jsonWithBytes(decoded.data), jsonWithBytes(packet.data));
    }),
    params,
  );
});

test("socket.io-parser decodes any valid packet we encode", () => {
  fc.assert(
    fc.property(packetArb, (packet) => {
      const decoder = new sio.Decoder({ maxAttachments: 1000 });
      const out: sio.Packet[] = [];
      decoder.on("decoded", (p: sio.Packet) => out.push(p));
      for (const part of encodeSocketPacket(packet)) decoder.add(part);
      decoder.destroy();
      assert.equal(out.length, 1);
      const theirs = out[0] as sio.Packet;
      assert.equal(plainType(theirs.type), packet.type);
      assert.equal(theirs.nsp, packet.nsp);
      assert.equal(theirs.id, packet.id);
      assert.deepEqual(jsonWithBytes(theirs.data), jsonWithBytes(packet.data));
    }),
    params,
  );
});
