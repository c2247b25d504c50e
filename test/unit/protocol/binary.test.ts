import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SocketProtocolError,
  deconstructPacket,
  findPlaceholders,
  hasBinary,
  isBinary,
  reconstructPacket,
} from "../../../src/protocol/index.js";
import { bytesOf } from "../../helpers/bytes.js";

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof SocketProtocolError && err.code === code);
}

const kinds: [string, () => ArrayBuffer | ArrayBufferView][] = [
  ["Buffer", () => Buffer.from([1, 2, 3])],
  ["ArrayBuffer", () => new Uint8Array([1, 2, 3]).buffer],
  ["Uint8Array", () => new Uint8Array([1, 2, 3])],
  ["Float32Array", () => new Float32Array([1.5, -2])],
  ["DataView", () => new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2)],
  ["Uint16Array view with offset", () => new Uint16Array(new Uint8Array([0, 0, 1, 2, 3, 4]).buffer, 2, 2)],
];

test("isBinary: ArrayBuffer and every ArrayBufferView, nothing else", () => {
  for (const [name, make] of kinds) assert.equal(isBinary(make()), true, name);
  for (const value of [null, undefined, 0, "abc", [], {}, [1, 2], { byteLength: 3 }, new Date(), new Map()]) {
    assert.equal(isBinary(value), false, String(value));
  }
});

test("hasBinary finds binary nested anywhere in arrays and objects", () => {
  for (const [name, make] of kinds) {
    assert.equal(hasBinary(make()), true, `${name} at the root`);
    assert.equal(hasBinary(["ev", make()]), true, `${name} in an array`);
    assert.equal(hasBinary(["ev", { a: { b: [1, { c: make() }] } }]), true, `${name} deep inside`);
  }
  assert.equal(hasBinary(["ev", { a: [1, "two", null, true, { b: "x".repeat(100_000) }] }]), false);
  assert.equal(hasBinary("plain string"), false);
  assert.equal(hasBinary(undefined), false);
});

test("hasBinary looks where JSON.stringify looks: own enumerable properties and toJSON results", () => {
  assert.equal(hasBinary([new Date()]), false, "Date.toJSON gives a string");
  assert.equal(hasBinary([{ toJSON: () => Buffer.from("x") }]), true, "toJSON returning binary");
  assert.equal(hasBinary([{ toJSON: () => ({ nested: [new Uint8Array(1)] }) }]), true);
  assert.equal(hasBinary([{ hidden: Buffer.from("x"), toJSON: () => "safe" }]), false, "toJSON hides the Buffer");
  const nonEnumerable = {};
  Object.defineProperty(nonEnumerable, "secret", { value: Buffer.from("x"), enumerable: false });
  assert.equal(hasBinary([nonEnumerable]), false, "non-enumerable properties are not serialized");
  const inherited = Object.create({ inheritedBuffer: Buffer.from("x") }) as object;
  assert.equal(hasBinary([inherited]), false, "inherited properties are not serialized");
  assert.equal(hasBinary([new Map([["k", Buffer.from("x")]])]), false, "a Map serializes as {}");
});

test("hasBinary throws RangeError on circular or too deep data instead of recursing forever", () => {
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;
  circular.again = circular;
  assert.throws(() => hasBinary(["ev", circular]), RangeError);
  let deep: unknown = "leaf";
  for (let i = 0; i < 10; i++) deep = [deep];
  assert.equal(hasBinary(deep, 10), false);
  assert.throws(() => hasBinary(deep, 9), RangeError);
});

test("deconstructPacket replaces binaries by numbered placeholders, leaves the input alone", () => {
  const file = Buffer.from("hi");
  const floats = new Float32Array([1, 2]);
  const view = new DataView(new Uint8Array([5, 6, 7]).buffer, 1, 2);
  const input = ["upload", { file, meta: { name: "a.txt", parts: [floats, view] } }, new Uint8Array([1]).buffer];
  const snapshot = JSON.stringify(input);
  const { data, buffers } = deconstructPacket(input);
  assert.deepEqual(data, [
    "upload",
    { file: { _placeholder: true, num: 0 }, meta: { name: "a.txt", parts: [{ _placeholder: true, num: 1 }, { _placeholder: true, num: 2 }] } },
    { _placeholder: true, num: 3 },
  ]);
  assert.equal(buffers.length, 4);
  assert.equal(buffers[0], file, "a Buffer is sent as is");
  assert.equal(buffers[1]?.buffer, floats.buffer, "views share the caller's memory");
  assert.deepEqual(bytesOf(buffers[1]), bytesOf(floats));
  assert.deepEqual(bytesOf(buffers[2]), [6, 7]);
  assert.deepEqual(bytesOf(buffers[3]), [1]);
  assert.equal(JSON.stringify(input), snapshot, "input unchanged");
  assert.equal((input[1] as { file: unknown }).file, file);
});

test("deconstructPacket keeps an own __proto__ key as data and serializes toJSON values", () => {
  const withProto = JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
  withProto.bin = new Uint8Array([1]);
  const { data } = deconstructPacket([withProto, new Date(0)]);
  const json = JSON.stringify(data);
  assert.equal(json, '[{"__proto__":{"polluted":true},"bin":{"_placeholder":true,"num":0}},"1970-01-01T00:00:00.000Z"]');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("reconstructPacket puts every attachment back in place", () => {
  for (const [name, make] of kinds) {
    const original = ["ev", { a: [1, make()], b: make() }];
    const { data, buffers } = deconstructPacket(original);
    const parsed: unknown = JSON.parse(JSON.stringify(data));
    const rebuilt = reconstructPacket(parsed, buffers.map((b) => Buffer.from(b)), { binaryType: "nodebuffer" }) as [string, { a: [number, Buffer]; b: Buffer }];
    assert.ok(Buffer.isBuffer(rebuilt[1].a[1]), name);
    assert.deepEqual(bytesOf(rebuilt[1].a[1]), bytesOf(make()), name);
    assert.deepEqual(bytesOf(rebuilt[1].b), bytesOf(make()), name);
  }
  const asAb = reconstructPacket([{ _placeholder: true, num: 0 }], [new Uint8Array([4])], { binaryType: "arraybuffer" }) as unknown[];
  assert.ok(asAb[0] instanceof ArrayBuffer);
  assert.deepEqual(bytesOf(reconstructPacket({ _placeholder: true, num: 0 }, [new Uint8Array([4])])), [4], "a root placeholder");
  assert.equal(reconstructPacket("text", []), "text");
});

test("reconstructPacket never writes through __proto__", () => {
  const parsed: unknown = JSON.parse('["ev",{"__proto__":{"_placeholder":true,"num":0}}]');
  const rebuilt = reconstructPacket(parsed, [new Uint8Array([1, 2])], { binaryType: "uint8array" }) as [string, object];
  const holder = rebuilt[1];
  assert.equal(Object.getPrototypeOf(holder), Object.prototype, "prototype unchanged");
  assert.deepEqual(bytesOf(Object.getOwnPropertyDescriptor(holder, "__proto__")?.value), [1, 2], "an own data property");
  assert.equal(({} as Record<string, unknown>)[0], undefined);
});

test("reconstructPacket rejects placeholders that do not name one attachment", () => {
  const bad = ['"splice"', '"__proto__"', "-1", "1e3", "1.5", '"0"', "null", "2", "true"];
  for (const num of bad) {
    throwsCode(() => reconstructPacket(JSON.parse(`["ev",{"_placeholder":true,"num":${num}}]`), [new Uint8Array(1), new Uint8Array(1)]), "SIO_ERR_INVALID_PLACEHOLDER");
  }
  throwsCode(() => reconstructPacket(JSON.parse('["ev",{"_placeholder":true}]'), [new Uint8Array(1)]), "SIO_ERR_INVALID_PLACEHOLDER");
  throwsCode(
    () => reconstructPacket(JSON.parse('["ev",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]'), [new Uint8Array(1), new Uint8Array(1)]),
    "SIO_ERR_INVALID_PLACEHOLDER",
  );
  throwsCode(() => reconstructPacket(JSON.parse('["ev",{"_placeholder":true,"num":0}]'), [new Uint8Array(1), new Uint8Array(1)]), "SIO_ERR_ATTACHMENT_MISMATCH");
  throwsCode(() => reconstructPacket(JSON.parse('["ev"]'), [new Uint8Array(1)]), "SIO_ERR_ATTACHMENT_MISMATCH");
  throwsCode(() => reconstructPacket("ev", [new Uint8Array(1)]), "SIO_ERR_ATTACHMENT_MISMATCH");
  // Not a placeholder unless _placeholder is exactly true: plain data then.
  assert.deepEqual(reconstructPacket(JSON.parse('["ev",{"_placeholder":"yes","num":0}]'), []), ["ev", { _placeholder: "yes", num: 0 }]);
});

test("findPlaceholders enforces maxDepth, the root counting as 1", () => {
  const at = (depth: number): unknown => JSON.parse("[".repeat(depth - 1) + '{"_placeholder":true,"num":0}' + "]".repeat(depth - 1));
  assert.equal(findPlaceholders(at(5), 1, 5).keys.length, 1);
  throwsCode(() => findPlaceholders(at(6), 1, 5), "SIO_ERR_TOO_DEEP");
  throwsCode(() => reconstructPacket(at(3), [new Uint8Array(1)], { maxDepth: 2 }), "SIO_ERR_TOO_DEEP");
});
