import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Utf8Validator, isValidCloseCode, isValidUtf8 } from "../../../src/websocket/validation.js";

describe("close codes (RFC 6455 §7.4)", () => {
  test("sendable codes", () => {
    for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999]) {
      assert.equal(isValidCloseCode(code), true, String(code));
    }
  });
  test("reserved and unassigned codes", () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535, -1, 1000.5]) {
      assert.equal(isValidCloseCode(code), false, String(code));
    }
  });
});

const VALID = ["", "hello", "κόσμε", "€", "𝄞", "\u{10FFFF}", "\uFFFD", "a\u0000b", "日本語のテキスト"];
const INVALID: Array<[string, number[]]> = [
  ["lone continuation", [0x80]],
  ["C0 overlong", [0xc0, 0xaf]],
  ["C1 overlong", [0xc1, 0xbf]],
  ["E0 overlong", [0xe0, 0x80, 0xaf]],
  ["F0 overlong", [0xf0, 0x80, 0x80, 0xaf]],
  ["surrogate D800", [0xed, 0xa0, 0x80]],
  ["surrogate DFFF", [0xed, 0xbf, 0xbf]],
  ["past U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
  ["F5 lead", [0xf5, 0x80, 0x80, 0x80]],
  ["FE", [0xfe]],
  ["FF", [0xff]],
  ["truncated in the middle", [0xe2, 0x82, 0x61]],
];

describe("UTF-8", () => {
  test("whole buffers", () => {
    for (const s of VALID) assert.equal(isValidUtf8(Buffer.from(s)), true, s);
    for (const [name, bytes] of INVALID) assert.equal(isValidUtf8(Buffer.from(bytes)), false, name);
  });

  test("incremental validation matches whole validation at every split", () => {
    const samples = [...VALID.map((s) => Buffer.from(s)), ...INVALID.map(([, b]) => Buffer.from(b)), Buffer.from([0xe2, 0x82])];
    for (const sample of samples) {
      const whole = isValidUtf8(sample);
      for (let cut = 0; cut <= sample.length; cut++) {
        const v = new Utf8Validator();
        const ok = v.write(sample.subarray(0, cut)) && v.write(sample.subarray(cut)) && v.end();
        assert.equal(ok, whole, `${sample.toString("hex")} cut at ${cut}`);
      }
      const v = new Utf8Validator();
      let ok = true;
      for (const byte of sample) ok = ok && v.write(Buffer.from([byte]));
      assert.equal(ok && v.end(), whole, `${sample.toString("hex")} byte by byte`);
    }
  });

  test("fails fast: on the first byte that can never be valid", () => {
    const v = new Utf8Validator();
    assert.equal(v.write(Buffer.from("abc")), true);
    assert.equal(v.write(Buffer.from([0xf0])), true, "could still be a 4-byte sequence");
    assert.equal(v.write(Buffer.from([0x8f])), false, "F0 8F is an overlong prefix");
    const w = new Utf8Validator();
    assert.equal(w.write(Buffer.from([0xed])), true);
    assert.equal(w.write(Buffer.from([0xa0])), false, "ED A0 starts a surrogate");
    const x = new Utf8Validator();
    assert.equal(x.write(Buffer.from([0x61, 0x62, 0xe2, 0x82])), true);
    assert.equal(x.end(), false, "a code point is left open");
    x.reset();
    assert.equal(x.end(), true);
  });

  test("large inputs with a split code point at the end of each piece", () => {
    const text = Buffer.from("ab€".repeat(10_000));
    const v = new Utf8Validator();
    for (let i = 0; i < text.length; i += 997) assert.equal(v.write(text.subarray(i, i + 997)), true);
    assert.equal(v.end(), true);
    const bad = Buffer.from(text);
    bad[15_000] = 0xff;
    const w = new Utf8Validator();
    let failedAt = -1;
    for (let i = 0; i < bad.length; i += 997) {
      if (!w.write(bad.subarray(i, i + 997))) {
        failedAt = i;
        break;
      }
    }
    assert.equal(failedAt, Math.floor(15_000 / 997) * 997);
  });
});
