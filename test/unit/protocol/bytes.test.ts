import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_BINARY_TYPE, decodeBase64, encodeBase64, toBinaryType, toUint8Array } from "../../../src/protocol/index.js";
import type * as Bytes from "../../../src/protocol/bytes.js";

/** A fresh copy of bytes.ts loaded with no global Buffer, as in a browser. */
async function loadWithoutBuffer(): Promise<typeof Bytes> {
  const g = globalThis as { Buffer?: unknown };
  const saved = g.Buffer;
  delete g.Buffer;
  try {
    return (await import(`../../../src/protocol/bytes.js?browser=${Date.now()}`)) as typeof Bytes;
  } finally {
    g.Buffer = saved;
  }
}

const samples: number[][] = [[], [0], [1, 2], [1, 2, 3], [255, 254, 253, 252], Array.from({ length: 70_000 }, (_, i) => (i * 7) & 255)];

test("base64 matches Node's encoder, with and without Buffer", async () => {
  const browser = await loadWithoutBuffer();
  assert.equal(browser.DEFAULT_BINARY_TYPE, "arraybuffer", "browsers default to ArrayBuffer");
  assert.equal(DEFAULT_BINARY_TYPE, "nodebuffer");
  for (const sample of samples) {
    const bytes = new Uint8Array(sample);
    const expected = Buffer.from(bytes).toString("base64");
    assert.equal(encodeBase64(bytes), expected);
    assert.equal(browser.encodeBase64(bytes), expected);
    assert.deepEqual(Array.from(decodeBase64(expected) ?? [-1]), sample.length === 0 ? [] : sample);
    assert.deepEqual(Array.from(browser.decodeBase64(expected) ?? [-1]), sample.length === 0 ? [] : sample);
  }
  for (const bad of ["A", "A===", "AB=C", "AB C", "AB\tC", "ABC-", "ABCD=", "=", "ab*d"]) {
    assert.equal(decodeBase64(bad), undefined, bad);
    assert.equal(browser.decodeBase64(bad), undefined, bad);
  }
  assert.deepEqual(Array.from(decodeBase64("xxAQIDyy", 2, 6) ?? []), [1, 2, 3], "a range of a longer string");
});

test("toBinaryType without Buffer falls back to Uint8Array for nodebuffer", async () => {
  const browser = await loadWithoutBuffer();
  const out = browser.toBinaryType(new Uint8Array([1, 2]).buffer, "nodebuffer");
  assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype);
  assert.deepEqual(Array.from(out as Uint8Array), [1, 2]);
});

test("toUint8Array and toBinaryType give views without copying when they can", () => {
  const f = new Float32Array([1]);
  const view = toUint8Array(f);
  assert.equal(view.buffer, f.buffer);
  assert.equal(view.byteLength, 4);
  const u8 = new Uint8Array([1]);
  assert.equal(toUint8Array(u8), u8);
  const whole = new Uint8Array([1, 2, 3]);
  assert.equal(toBinaryType(whole, "arraybuffer"), whole.buffer, "a view over its whole buffer hands out that buffer");
  const part = whole.subarray(1);
  const copied = toBinaryType(part, "arraybuffer") as ArrayBuffer;
  assert.notEqual(copied, whole.buffer);
  assert.deepEqual(Array.from(new Uint8Array(copied)), [2, 3]);
  const asBuffer = toBinaryType(part, "nodebuffer");
  assert.ok(Buffer.isBuffer(asBuffer));
  assert.equal(asBuffer.buffer, whole.buffer, "a Buffer view, no copy");
  assert.equal(toBinaryType(u8, "uint8array"), u8);
});
