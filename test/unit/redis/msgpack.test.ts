// The MessagePack codec: spec vectors, byte-for-byte agreement with notepack.io (what the official
// Socket.IO Redis adapter and emitter use), JSON's rules for odd values, and typed errors only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import fc from "fast-check";
import { decodeMsgpack, encodeMsgpack } from "../../../src/adapters/redis/msgpack.js";
import { RedisAdapterError } from "../../../src/adapters/redis/errors.js";

// notepack.io is the dependency of @socket.io/redis-adapter that encodes what goes on Redis.
const require = createRequire(import.meta.url);
const notepack = require(require.resolve("notepack.io", { paths: [require.resolve("@socket.io/redis-adapter")] })) as {
  encode(value: unknown): Buffer;
  decode(data: Buffer): unknown;
};

// Seeded like the fuzz suites, so CI is repeatable; FUZZ_SEED and FUZZ_RUNS explore further.
const seed = Number(process.env.FUZZ_SEED ?? 0x5eed);

const hex = (value: unknown): string => encodeMsgpack(value).toString("hex");

test("spec vectors: every integer width at its boundaries", () => {
  const vectors: [number, string][] = [
    [0, "00"],
    [127, "7f"],
    [128, "cc80"],
    [255, "ccff"],
    [256, "cd0100"],
    [65535, "cdffff"],
    [65536, "ce00010000"],
    [2 ** 32 - 1, "ceffffffff"],
    [2 ** 32, "cf0000000100000000"],
    [2 ** 53, "cf0020000000000000"],
    [-1, "ff"],
    [-32, "e0"],
    [-33, "d0df"],
    [-128, "d080"],
    [-129, "d1ff7f"],
    [-32768, "d18000"],
    [-32769, "d2ffff7fff"],
    [-(2 ** 31), "d280000000"],
    [-(2 ** 31) - 1, "d3ffffffff7fffffff"],
    [-(2 ** 53), "d3ffe0000000000000"],
  ];
  for (const [value, expected] of vectors) {
    assert.equal(hex(value), expected, `encode ${value}`);
    assert.equal(decodeMsgpack(Buffer.from(expected, "hex")), value, `decode ${expected}`);
  }
});

test("integers past 2^63 and infinities travel as float 64, exactly", () => {
  for (const value of [2 ** 64, -(2 ** 63) - 4096, 2 ** 70, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE]) {
    assert.equal(hex(value).slice(0, 2), "cb", String(value));
    assert.equal(decodeMsgpack(encodeMsgpack(value)), value);
  }
  assert.equal(hex(2 ** 64 - 2048), "cffffffffffffff800", "the largest double below 2^64 is still uint 64");
  assert.equal(hex(-(2 ** 63)), "d38000000000000000", "-2^63 is still int 64");
});

test("spec vectors: floats, strings, bin, arrays, maps, nil and booleans", () => {
  assert.equal(hex(1.5), "cb3ff8000000000000");
  assert.equal(hex(-0), "00", "-0 is the integer 0, as JSON writes it");
  assert.ok(Number.isNaN(decodeMsgpack(encodeMsgpack(Number.NaN))));
  assert.equal(decodeMsgpack(Buffer.from("ca3fc00000", "hex")), 1.5, "float 32");
  assert.equal(hex(""), "a0");
  assert.equal(hex("abc"), "a3616263");
  assert.equal(hex("é"), "a2c3a9");
  assert.equal(hex("x".repeat(32)).slice(0, 4), "d920", "str 8 from 32 bytes");
  assert.equal(hex("é".repeat(16)).slice(0, 4), "d920", "32 bytes of UTF-8 in 16 characters");
  assert.equal(hex("x".repeat(256)).slice(0, 6), "da0100", "str 16");
  assert.equal(hex("x".repeat(65536)).slice(0, 10), "db00010000", "str 32");
  assert.equal(hex(Buffer.from([1, 2])), "c4020102");
  assert.equal(hex(new Uint8Array([1, 2]).buffer), "c4020102", "an ArrayBuffer is bin");
  assert.equal(hex(new Uint16Array([0x0102])), "c4020201", "a typed array's bytes, in memory order");
  assert.equal(hex(Buffer.alloc(256)).slice(0, 6), "c50100");
  assert.equal(hex(Buffer.alloc(65536)).slice(0, 10), "c600010000");
  assert.equal(hex([1, [2]]), "920191" + "02");
  assert.equal(hex(new Array(16).fill(0)).slice(0, 6), "dc0010");
  assert.equal(hex({ a: 1 }), "81a16101");
  assert.equal(hex(null), "c0");
  assert.equal(hex([true, false]), "92c3c2");
  const bigMap = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]));
  assert.equal(hex(bigMap).slice(0, 6), "de0010");
  assert.deepEqual(decodeMsgpack(encodeMsgpack(bigMap)), bigMap);
});

test("JSON's rules: toJSON, undefined/function/symbol members skipped, null in arrays; Date as the timestamp extension", () => {
  assert.deepEqual(decodeMsgpack(encodeMsgpack({ a: undefined, b: () => 1, c: Symbol("s"), d: 1 })), { d: 1 });
  assert.deepEqual(decodeMsgpack(encodeMsgpack([undefined, () => 1, Symbol("s")])), [null, null, null]);
  assert.deepEqual(decodeMsgpack(encodeMsgpack({ toJSON: () => ({ x: 1 }) })), { x: 1 });
  assert.deepEqual(decodeMsgpack(encodeMsgpack(new Map([[1, 2]]))), {}, "a Map has no enumerable own keys, as in JSON");
  for (const ms of [0, 1234567890000, 1234567890123, -5000, 2 ** 35 * 1000, -1]) {
    const decoded = decodeMsgpack(encodeMsgpack(new Date(ms)));
    assert.ok(decoded instanceof Date);
    assert.equal(decoded.getTime(), ms);
  }
  assert.equal(hex(new Date("2000-06-13T00:00:00.000Z")), "d6ff39457980", "timestamp 32 (the spec's example)");
  assert.equal(hex(new Date(Number.NaN)), "c0", "an invalid date is null, as in JSON");
  assert.equal(decodeMsgpack(Buffer.from("d40000", "hex")), undefined, "notepack 2.x's undefined");
});

test("a toJSON that encodes again does not corrupt the outer value", () => {
  const inner = { toJSON: () => encodeMsgpack({ nested: true }).length };
  const outer = ["before", inner, "after".repeat(10)];
  assert.deepEqual(decodeMsgpack(encodeMsgpack(outer)), ["before", encodeMsgpack({ nested: true }).length, "after".repeat(10)]);
});

test("decoded maps are plain objects where __proto__ is an own key, never the prototype", () => {
  const bytes = Buffer.concat([Buffer.from("82", "hex"), encodeMsgpack("__proto__"), encodeMsgpack({ polluted: 1 }), encodeMsgpack("a"), encodeMsgpack(1)]);
  const decoded = decodeMsgpack(bytes) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(decoded), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value, { polluted: 1 });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(decodeMsgpack(Buffer.from("8101a162", "hex")), { "1": "b" }, "non-string keys become strings");
});

test("bin decodes to a copy: changing the message buffer afterwards does not change it", () => {
  const bytes = encodeMsgpack([Buffer.from([1, 2, 3])]);
  const decoded = decodeMsgpack(bytes) as Buffer[];
  bytes.fill(0);
  assert.deepEqual([...(decoded[0] as Buffer)], [1, 2, 3]);
  assert.ok(Buffer.isBuffer(decoded[0]));
});

function decodeFails(bytes: Buffer | string, pattern: RegExp): void {
  const buf = typeof bytes === "string" ? Buffer.from(bytes, "hex") : bytes;
  assert.throws(
    () => decodeMsgpack(buf),
    (err: unknown) => err instanceof RedisAdapterError && err.code === "REDIS_ERR_MSGPACK_DECODE" && pattern.test(err.message),
  );
}

test("malformed input gives REDIS_ERR_MSGPACK_DECODE: truncation, trailing bytes, 0xc1, unknown extensions, lying lengths", () => {
  decodeFails("", /truncated/);
  decodeFails("cd01", /truncated/);
  decodeFails("a36162", /truncated/);
  decodeFails("0000", /trailing/);
  decodeFails("c1", /0xc1/);
  decodeFails("d40501", /unknown extension type 5/);
  decodeFails("d5ff0000", /timestamp of 2 bytes/);
  decodeFails("ddffffffff", /truncated/);
  decodeFails("dfffffffff", /truncated/);
  decodeFails("c6ffffffff", /truncated/);
  decodeFails(Buffer.alloc(600, 0x91), /nesting deeper than 512/);
});

test("encoding refuses BigInt and cycles with REDIS_ERR_MSGPACK_ENCODE", () => {
  const isEncodeError = (err: unknown) => err instanceof RedisAdapterError && err.code === "REDIS_ERR_MSGPACK_ENCODE";
  assert.throws(() => encodeMsgpack({ n: 1n }), isEncodeError);
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assert.throws(() => encodeMsgpack(cycle), isEncodeError);
  // The shared buffer is still usable after a failure.
  assert.deepEqual(decodeMsgpack(encodeMsgpack(["ok"])), ["ok"]);
});

/** JSON-like values plus binary and dates: what travels in Socket.IO packets. */
const valueArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    // notepack.io wraps integers past ±2^63 (2^64 encodes as 0); ours are checked alone below.
    fc.double({ noNaN: true, min: -(2 ** 62), max: 2 ** 62 }),
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.string({ minLength: 30, maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
    fc.date({ noInvalidDate: true }),
    fc.array(tie("value"), { maxLength: 20 }),
    // notepack.io assigns a "__proto__" key to the prototype and so loses it; ours keeps it
    // as an own key, which its own test above checks.
    fc.dictionary(
      fc.string({ maxLength: 10 }).filter((key) => key !== "__proto__"),
      tie("value"),
      { maxKeys: 20 },
    ),
  ),
})).value;

/** A comparable view: Buffers as tagged hex, Dates as tagged numbers, -0 as 0. */
function normalize(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { bin: value.toString("hex") };
  if (value instanceof Date) return { date: value.getTime() };
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === "number" && Object.is(value, -0)) return 0;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

test("round trips, and both ways with notepack.io: same bytes, same values", () => {
  fc.assert(
    fc.property(valueArb, (value) => {
      const ours = encodeMsgpack(value);
      assert.deepEqual(normalize(decodeMsgpack(ours)), normalize(value));
      assert.deepEqual(normalize(notepack.decode(ours)), normalize(value), "notepack reads ours");
      assert.deepEqual(normalize(decodeMsgpack(notepack.encode(value))), normalize(value), "we read notepack's");
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 500), seed },
  );
});

test("garbage only ever gives REDIS_ERR_MSGPACK_DECODE (or a value)", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeMsgpack(Buffer.from(bytes));
      } catch (err) {
        assert.ok(err instanceof RedisAdapterError, String(err));
        assert.equal(err.code, "REDIS_ERR_MSGPACK_DECODE");
      }
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 2000), seed },
  );
});
