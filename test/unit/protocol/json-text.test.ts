// stringifyJson writes exactly what JSON.stringify writes, throws where it throws, and takes its
// fast path only for plain data.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { stringifyJson } from "../../../src/protocol/index.js";

const seed = Number(process.env.FUZZ_SEED ?? 0x5eed);
const numRuns = Number(process.env.FUZZ_RUNS ?? 2000);

const same = (value: unknown): void => assert.equal(stringifyJson(value), JSON.stringify(value));

test("event arguments: strings, numbers, booleans, null, nested arrays and plain objects", () => {
  same(["chat message", "hello"]);
  same(["x".repeat(91)]);
  same([{ user: "alice", text: "hi", at: 1733300000000, read: false, to: null }]);
  same([1, -0, 0.1, 1e21, 1e-7, -5e-324, Number.MAX_SAFE_INTEGER]);
  same([[], {}, [[]], [{}], { a: [] }]);
  same({ "": 1, "1": 2, b: 3, a: 4 }); // integer keys first, then insertion order, as Object.keys
});

test("what JSON changes: NaN and Infinity become null; undefined, functions and symbols become null in arrays and vanish from objects", () => {
  same([NaN, Infinity, -Infinity, undefined, () => 1, Symbol("s")]);
  same({ a: undefined, b: () => 1, c: Symbol("s"), d: 1 });
  // eslint-disable-next-line no-sparse-arrays
  same([1, , 3]);
  assert.equal(stringifyJson(undefined), undefined);
  assert.equal(stringifyJson(() => 1), undefined);
  same("top-level string");
  same(42);
});

test("strings that need escaping: quotes, backslashes, controls, lone and paired surrogates", () => {
  same(['say "hi"', "back\\slash", "line\nbreak\ttab\u0000\u001f", "\ud83d\ude00", "lone \ud83d", "lone \ude00", "\u007f\u2028\u2029"]);
  same({ 'key "quoted"': 1, "key\n": 2, "\ud800": 3 });
});

test("values with their own rules go to JSON.stringify: toJSON, Dates, boxed primitives, Maps, class instances, array subclasses", () => {
  class Point {
    constructor(readonly x: number) {}
  }
  class List extends Array<number> {}
  same([new Date(0), { toJSON: (key: string) => `key=${key}` }, [{ toJSON: () => "inner" }]]);
  same([Object("boxed"), Object(1), Object(true), new Map([[1, 2]]), new Set([1]), new Point(1), List.from([1, 2])]);
  same([Object.assign(Object.create(null) as object, { a: 1 })]);
  same([new Uint8Array([1, 2])]);
  const withToJson = Object.assign([1, 2], { toJSON: (key: string) => `array at ${key}` });
  same([withToJson, { list: withToJson }]);
  same(withToJson);
});

test("deep data beyond the fast path's depth gives the same text", () => {
  let deep: unknown = "leaf";
  for (let i = 0; i < 30; i++) deep = i % 2 === 0 ? [deep] : { d: deep };
  same(deep);
});

test("it throws where JSON.stringify throws: BigInt, cycles, throwing getters and toJSON", () => {
  const thrown = (value: unknown): unknown => {
    try {
      JSON.stringify(value);
    } catch (err) {
      return (err as Error).constructor;
    }
    assert.fail("JSON.stringify did not throw");
  };
  const cycle: unknown[] = [];
  cycle.push(cycle);
  const cyclicObject: Record<string, unknown> = {};
  cyclicObject.self = { back: cyclicObject };
  const boom = new Error("boom");
  for (const value of [[1n], { n: 1n }, cycle, cyclicObject]) {
    assert.throws(() => stringifyJson(value), thrown(value) as new () => Error);
  }
  assert.throws(() => stringifyJson([{ get a() { throw boom; } }]), (err) => err === boom);
  assert.throws(() => stringifyJson([{ toJSON() { throw boom; } }]), (err) => err === boom);
});

test("any value fast-check makes gives JSON.stringify's text (or its error)", () => {
  const outcome = (write: (value: unknown) => string | undefined, value: unknown): unknown => {
    try {
      return write(value);
    } catch (err) {
      return { threw: (err as Error).constructor.name };
    }
  };
  const anything = fc.anything({
    maxDepth: 10,
    stringUnit: "binary",
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
  });
  fc.assert(
    fc.property(fc.oneof(anything, fc.array(anything)), (value) => {
      assert.deepEqual(outcome(stringifyJson, value), outcome(JSON.stringify, value));
    }),
    { numRuns, seed },
  );
});
