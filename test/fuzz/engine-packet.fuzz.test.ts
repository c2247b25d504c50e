// Property tests of the Engine.IO codec: garbage only ever yields typed errors, and valid
// packets survive encode -> decode. Seeded and modest by default; `npm run fuzz` runs 20000.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ENGINE_PACKET_TYPES,
  EngineProtocolError,
  decodeEnginePacket,
  decodeEnginePayload,
  encodeEnginePacket,
  encodeEnginePayload,
} from "../../src/protocol/index.js";
import type { BinaryType, EnginePacket } from "../../src/protocol/index.js";
import { bytesOf } from "../helpers/bytes.js";

const numRuns = Number(process.env.FUZZ_RUNS ?? 300);
const seed = Number(process.env.FUZZ_SEED ?? 0x5eed);
const params = { numRuns, seed };

/** Any UTF-16 code unit, lone surrogates included. */
const codeUnitString = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength });
/** Strings made of characters that mean something to the codec. */
const nearValid = fc.string({ unit: fc.constantFrom(..."0123456789b/+=\x1eAQIDz é".split("")), maxLength: 64 });
const binaryTypes: fc.Arbitrary<BinaryType> = fc.constantFrom("nodebuffer", "arraybuffer", "uint8array");

/** Runs `fn`, accepting only success or an EngineProtocolError, and no slow call. */
function onlyTypedErrors(fn: () => unknown): void {
  const start = performance.now();
  try {
    fn();
  } catch (err) {
    if (!(err instanceof EngineProtocolError) || !err.code.startsWith("EIO_ERR_")) throw err;
  }
  assert.ok(performance.now() - start < 1000, "decoding took too long");
}

test("any string decodes to a packet or an EngineProtocolError", () => {
  fc.assert(
    fc.property(fc.oneof(codeUnitString(200), nearValid, fc.string({ unit: "binary" })), binaryTypes, (text, binaryType) => {
      onlyTypedErrors(() => {
        const packet = decodeEnginePacket(text, binaryType);
        assert.ok(ENGINE_PACKET_TYPES.includes(packet.type));
      });
      onlyTypedErrors(() => {
        for (const packet of decodeEnginePayload(text, { maxPackets: 8, binaryType })) assert.ok(ENGINE_PACKET_TYPES.includes(packet.type));
      });
    }),
    params,
  );
});

test("any bytes decode to a binary message with the same bytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), binaryTypes, fc.boolean(), (bytes, binaryType, asArrayBuffer) => {
      const input = asArrayBuffer ? bytes.slice().buffer : bytes;
      const packet = decodeEnginePacket(input, binaryType);
      assert.equal(packet.type, "message");
      assert.deepEqual(bytesOf(packet.data), Array.from(bytes));
    }),
    params,
  );
});

test("an accepted 'b' packet holds exactly what its base64 says", () => {
  const base64ish = fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".split("")), maxLength: 40 });
  fc.assert(
    fc.property(base64ish, (body) => {
      let packet: EnginePacket | undefined;
      onlyTypedErrors(() => {
        packet = decodeEnginePacket("b" + body, "uint8array");
      });
      if (packet === undefined) return;
      assert.deepEqual(bytesOf(packet.data), Array.from(Buffer.from(body, "base64")));
      assert.equal(body.replace(/=+$/, "").includes("="), false, "'=' only at the end");
    }),
    params,
  );
});

const textData = codeUnitString(100);
const packetArb: fc.Arbitrary<EnginePacket> = fc.oneof(
  fc.record({ type: fc.constantFrom(...ENGINE_PACKET_TYPES) }),
  fc.record({ type: fc.constantFrom(...ENGINE_PACKET_TYPES), data: textData }),
  fc.record({ type: fc.constant("message" as const), data: fc.uint8Array({ maxLength: 256 }) }),
);

function assertSamePacket(actual: EnginePacket | undefined, expected: EnginePacket): void {
  assert.ok(actual);
  assert.equal(actual.type, expected.type);
  if (expected.data instanceof Uint8Array) assert.deepEqual(bytesOf(actual.data), Array.from(expected.data));
  else assert.equal(actual.data, expected.data === "" ? undefined : expected.data, "an empty string is no data");
}

test("encode -> decode gives the packet back, binary or not", () => {
  fc.assert(
    fc.property(packetArb, fc.boolean(), (packet, supportsBinary) => {
      assertSamePacket(decodeEnginePacket(encodeEnginePacket(packet, supportsBinary)), packet);
    }),
    params,
  );
});

test("payload encode -> decode gives the packets back", () => {
  // The record separator cannot appear inside a text packet of a payload (v4 §Payload).
  const noSeparator = packetArb.filter((p) => typeof p.data !== "string" || !p.data.includes("\x1e"));
  fc.assert(
    fc.property(fc.array(noSeparator, { minLength: 1, maxLength: 20 }), (packets) => {
      const decoded = decodeEnginePayload(encodeEnginePayload(packets), { binaryType: "uint8array" });
      assert.equal(decoded.length, packets.length);
      packets.forEach((packet, i) => assertSamePacket(decoded[i], packet));
    }),
    params,
  );
});
