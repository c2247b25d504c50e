import { test, describe } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { Receiver } from "../../../src/websocket/receiver.js";
import { PerMessageDeflate, resolveDeflateOptions } from "../../../src/websocket/permessage-deflate.js";
import { Recorder, makeFrame, splits } from "./helpers.js";

const TEXT = 0x1;
const BINARY = 0x2;
const CONT = 0x0;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

function closePayload(code: number, reason = ""): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

function run(bytes: Buffer[], options: { isServer?: boolean; maxPayload?: number } = {}): unknown[] {
  const recorder = new Recorder();
  const receiver = new Receiver(
    { isServer: options.isServer ?? false, maxPayload: options.maxPayload ?? 0, perMessageDeflate: null },
    recorder,
  );
  for (const piece of bytes) receiver.write(piece);
  return recorder.summary();
}

/** Feeds `input` whole, byte by byte and split at every boundary; each must give `expected`. */
function checkAllSplits(input: Buffer, expected: unknown[], options: { isServer?: boolean; maxPayload?: number } = {}): void {
  for (const { name, pieces } of splits(input)) {
    assert.deepEqual(run(pieces, options), expected, name);
  }
}

describe("receiver: valid frames, whole and split at every byte", () => {
  test("RFC 6455 §5.7 examples", () => {
    checkAllSplits(Buffer.from("810548656c6c6f", "hex"), [["message", "Hello", false]]);
    // A masked "Hello" from a client, as in the RFC.
    checkAllSplits(Buffer.from("818537fa213d7f9f4d5158", "hex"), [["message", "Hello", false]], { isServer: true });
    // Fragmented unmasked text.
    checkAllSplits(Buffer.from("010348656c80026c6f", "hex"), [["message", "Hello", false]]);
    // Unmasked ping and masked pong.
    checkAllSplits(Buffer.from("890548656c6c6f", "hex"), [["ping", "48656c6c6f"]]);
    checkAllSplits(Buffer.from("8a8537fa213d7f9f4d5158", "hex"), [["pong", "48656c6c6f"]], { isServer: true });
  });

  test("16-bit and 64-bit lengths, masked and unmasked", () => {
    const p256 = Buffer.alloc(256, 0xab);
    checkAllSplits(makeFrame({ opcode: BINARY, payload: p256 }), [["message", p256.toString("hex"), true]]);
    checkAllSplits(makeFrame({ opcode: BINARY, payload: p256, mask: true }), [["message", p256.toString("hex"), true]], { isServer: true });
    const p64k = Buffer.alloc(65536);
    for (let i = 0; i < p64k.length; i++) p64k[i] = i & 0xff;
    const frame = makeFrame({ opcode: BINARY, payload: p64k, mask: true });
    assert.equal(frame[1]! & 0x7f, 127);
    // Whole, in 1000-byte pieces, and in two at a few boundaries (every byte would take too long here).
    const expected = [["message", p64k.toString("hex"), true]];
    assert.deepEqual(run([Buffer.from(frame)], { isServer: true }), expected);
    const pieces: Buffer[] = [];
    for (let i = 0; i < frame.length; i += 1000) pieces.push(Buffer.from(frame.subarray(i, i + 1000)));
    assert.deepEqual(run(pieces, { isServer: true }), expected);
    for (const cut of [1, 2, 9, 10, 13, 14, 15, 33, 5000, frame.length - 1]) {
      assert.deepEqual(run([Buffer.from(frame.subarray(0, cut)), Buffer.from(frame.subarray(cut))], { isServer: true }), expected, `cut ${cut}`);
    }
  });

  test("non-minimal length encodings are accepted (like ws)", () => {
    checkAllSplits(makeFrame({ opcode: TEXT, payload: "hi", lengthBits: 16 }), [["message", "hi", false]]);
    checkAllSplits(makeFrame({ opcode: TEXT, payload: "hi", lengthBits: 64 }), [["message", "hi", false]]);
  });

  test("empty messages and empty control frames", () => {
    checkAllSplits(makeFrame({ opcode: TEXT }), [["message", "", false]]);
    checkAllSplits(makeFrame({ opcode: BINARY, mask: true }), [["message", "", true]], { isServer: true });
    checkAllSplits(makeFrame({ opcode: PING }), [["ping", ""]]);
    checkAllSplits(makeFrame({ opcode: CLOSE }), [["close", 1005, ""]]);
  });

  test("control frames interleaved in a fragmented message", () => {
    const input = Buffer.concat([
      makeFrame({ opcode: TEXT, payload: "fra", fin: false, mask: true }),
      makeFrame({ opcode: PING, payload: "p1", mask: true }),
      makeFrame({ opcode: CONT, payload: "gme", fin: false, mask: true }),
      makeFrame({ opcode: PONG, payload: "p2", mask: true }),
      makeFrame({ opcode: CONT, payload: "nted", fin: true, mask: true }),
    ]);
    checkAllSplits(input, [["ping", Buffer.from("p1").toString("hex")], ["pong", Buffer.from("p2").toString("hex")], ["message", "fragmented", false]], {
      isServer: true,
    });
  });

  test("a code point split across fragments is joined", () => {
    const euro = Buffer.from("€"); // e2 82 ac
    const input = Buffer.concat([
      makeFrame({ opcode: TEXT, payload: Buffer.concat([Buffer.from("a"), euro.subarray(0, 1)]), fin: false }),
      makeFrame({ opcode: CONT, payload: euro.subarray(1, 2), fin: false }),
      makeFrame({ opcode: CONT, payload: Buffer.concat([euro.subarray(2), Buffer.from("b")]) }),
    ]);
    checkAllSplits(input, [["message", "a€b", false]]);
  });

  test("close frames with code and reason; nothing after a close frame is processed", () => {
    checkAllSplits(makeFrame({ opcode: CLOSE, payload: closePayload(1000, "bye"), mask: true }), [["close", 1000, "bye"]], { isServer: true });
    const input = Buffer.concat([makeFrame({ opcode: CLOSE, payload: closePayload(4000) }), makeFrame({ opcode: TEXT, payload: "late" })]);
    checkAllSplits(input, [["close", 4000, ""]]);
  });

  test("an all-zero mask and several messages in one chunk", () => {
    const zero = Buffer.alloc(4);
    const input = Buffer.concat([
      makeFrame({ opcode: TEXT, payload: "one", mask: zero }),
      makeFrame({ opcode: BINARY, payload: Buffer.from([1, 2, 3]), mask: true }),
      makeFrame({ opcode: TEXT, payload: "three", mask: Buffer.from([1, 2, 3, 4]) }),
    ]);
    checkAllSplits(input, [["message", "one", false], ["message", "010203", true], ["message", "three", false]], { isServer: true });
  });

  test("multi-byte text in one frame", () => {
    checkAllSplits(makeFrame({ opcode: TEXT, payload: "κόσμε 𝄞 日本", mask: true }), [["message", "κόσμε 𝄞 日本", false]], { isServer: true });
  });
});

describe("receiver: protocol errors close with the right code", () => {
  const cases: Array<{ name: string; input: Buffer; code: string; close: number; isServer?: boolean; maxPayload?: number }> = [
    { name: "RSV1 without an extension", input: makeFrame({ opcode: TEXT, payload: "x", rsv1: true }), code: "WS_ERR_UNEXPECTED_RSV_1", close: 1002 },
    { name: "RSV2", input: makeFrame({ opcode: TEXT, payload: "x", rsv2: true }), code: "WS_ERR_UNEXPECTED_RSV_2_3", close: 1002 },
    { name: "RSV3", input: makeFrame({ opcode: TEXT, payload: "x", rsv3: true }), code: "WS_ERR_UNEXPECTED_RSV_2_3", close: 1002 },
    ...[3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf].map((op) => ({
      name: `reserved opcode ${op}`,
      input: makeFrame({ opcode: op, payload: "x" }),
      code: "WS_ERR_INVALID_OPCODE",
      close: 1002,
    })),
    { name: "continuation with no message", input: makeFrame({ opcode: CONT, payload: "x" }), code: "WS_ERR_INVALID_OPCODE", close: 1002 },
    {
      name: "new data frame inside a fragmented message",
      input: Buffer.concat([makeFrame({ opcode: TEXT, payload: "a", fin: false }), makeFrame({ opcode: BINARY, payload: "b" })]),
      code: "WS_ERR_INVALID_OPCODE",
      close: 1002,
    },
    { name: "fragmented ping", input: makeFrame({ opcode: PING, payload: "x", fin: false }), code: "WS_ERR_EXPECTED_FIN", close: 1002 },
    { name: "fragmented close", input: makeFrame({ opcode: CLOSE, fin: false }), code: "WS_ERR_EXPECTED_FIN", close: 1002 },
    {
      name: "126-byte ping",
      input: makeFrame({ opcode: PING, payload: Buffer.alloc(126) }),
      code: "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
      close: 1002,
    },
    { name: "1-byte close", input: makeFrame({ opcode: CLOSE, payload: Buffer.from([3]) }), code: "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", close: 1002 },
    { name: "unmasked client frame", input: makeFrame({ opcode: TEXT, payload: "x" }), code: "WS_ERR_EXPECTED_MASK", close: 1002, isServer: true },
    { name: "masked server frame", input: makeFrame({ opcode: TEXT, payload: "x", mask: true }), code: "WS_ERR_UNEXPECTED_MASK", close: 1002 },
    {
      name: "64-bit length with the MSB set",
      input: Buffer.from("827f8000000000000001", "hex"),
      code: "WS_ERR_INVALID_PAYLOAD_LENGTH",
      close: 1002,
    },
    { name: "64-bit length past 2^53", input: Buffer.from("827f0040000000000000", "hex"), code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", close: 1009 },
    {
      name: "a header over maxPayload (before any payload arrives)",
      input: Buffer.from("827e0401", "hex"),
      code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
      close: 1009,
      maxPayload: 1024,
    },
    {
      name: "fragments whose total is over maxPayload",
      input: Buffer.concat([makeFrame({ opcode: BINARY, payload: Buffer.alloc(600), fin: false }), Buffer.from("807e0200", "hex")]),
      code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
      close: 1009,
      maxPayload: 1024,
    },
    { name: "invalid UTF-8 text", input: makeFrame({ opcode: TEXT, payload: Buffer.from([0xce, 0xba, 0xff]) }), code: "WS_ERR_INVALID_UTF8", close: 1007 },
    { name: "overlong encoding", input: makeFrame({ opcode: TEXT, payload: Buffer.from([0xc0, 0xaf]) }), code: "WS_ERR_INVALID_UTF8", close: 1007 },
    { name: "surrogate", input: makeFrame({ opcode: TEXT, payload: Buffer.from([0xed, 0xa0, 0x80]) }), code: "WS_ERR_INVALID_UTF8", close: 1007 },
    { name: "past U+10FFFF", input: makeFrame({ opcode: TEXT, payload: Buffer.from([0xf4, 0x90, 0x80, 0x80]) }), code: "WS_ERR_INVALID_UTF8", close: 1007 },
    {
      name: "a message ending inside a code point",
      input: Buffer.concat([makeFrame({ opcode: TEXT, payload: "ok", fin: false }), makeFrame({ opcode: CONT, payload: Buffer.from([0xe2, 0x82]) })]),
      code: "WS_ERR_INVALID_UTF8",
      close: 1007,
    },
    {
      name: "invalid UTF-8 close reason",
      input: makeFrame({ opcode: CLOSE, payload: Buffer.concat([closePayload(1000), Buffer.from([0xff])]) }),
      code: "WS_ERR_INVALID_UTF8",
      close: 1007,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      checkAllSplits(c.input, [["error", c.code, c.close]], { isServer: c.isServer ?? false, maxPayload: c.maxPayload ?? 0 });
    });
  }

  test("close codes: only 1000-1003, 1007-1014 and 3000-4999 are accepted", () => {
    const bad = [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];
    const good = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
    for (const code of bad) {
      assert.deepEqual(run([makeFrame({ opcode: CLOSE, payload: closePayload(code) })]), [["error", "WS_ERR_INVALID_CLOSE_CODE", 1002]], `code ${code}`);
    }
    for (const code of good) {
      assert.deepEqual(run([makeFrame({ opcode: CLOSE, payload: closePayload(code) })]), [["close", code, ""]], `code ${code}`);
    }
  });

  test("nothing is processed after an error, and the error is reported once", () => {
    const input = Buffer.concat([makeFrame({ opcode: 3 }), makeFrame({ opcode: TEXT, payload: "after" }), makeFrame({ opcode: 4 })]);
    assert.deepEqual(run([input]), [["error", "WS_ERR_INVALID_OPCODE", 1002]]);
    const recorder = new Recorder();
    const receiver = new Receiver({ isServer: false, maxPayload: 0, perMessageDeflate: null }, recorder);
    receiver.write(makeFrame({ opcode: 3 }));
    receiver.write(makeFrame({ opcode: 4 }));
    receiver.write(makeFrame({ opcode: TEXT, payload: "x" }));
    assert.equal(recorder.events.length, 1);
    assert.equal(receiver.done, true);
  });
});

describe("receiver: fail fast", () => {
  test("invalid UTF-8 in the first fragment fails before the message ends", () => {
    const recorder = new Recorder();
    const receiver = new Receiver({ isServer: true, maxPayload: 0, perMessageDeflate: null }, recorder);
    receiver.write(makeFrame({ opcode: TEXT, payload: Buffer.from([0x61, 0xf8, 0x62]), fin: false, mask: true }));
    assert.deepEqual(recorder.summary(), [["error", "WS_ERR_INVALID_UTF8", 1007]]);
  });

  test("invalid UTF-8 fails as soon as the bad byte arrives inside a frame still being received", () => {
    const payload = Buffer.alloc(10_000, 0x61);
    payload[100] = 0xc0;
    const frame = makeFrame({ opcode: TEXT, payload, mask: true });
    const recorder = new Recorder();
    const receiver = new Receiver({ isServer: true, maxPayload: 0, perMessageDeflate: null }, recorder);
    receiver.write(Buffer.from(frame.subarray(0, 14 + 50)));
    assert.deepEqual(recorder.summary(), [], "still valid so far");
    receiver.write(Buffer.from(frame.subarray(64, 14 + 200)));
    assert.deepEqual(recorder.summary(), [["error", "WS_ERR_INVALID_UTF8", 1007]]);
  });

  test("a code point cut by a fragment that can never complete fails at once", () => {
    const recorder = new Recorder();
    const receiver = new Receiver({ isServer: false, maxPayload: 0, perMessageDeflate: null }, recorder);
    receiver.write(makeFrame({ opcode: TEXT, payload: Buffer.from([0xe0]), fin: false }));
    assert.deepEqual(recorder.summary(), []);
    receiver.write(makeFrame({ opcode: CONT, payload: Buffer.from([0x80]), fin: false })); // E0 80: overlong
    assert.deepEqual(recorder.summary(), [["error", "WS_ERR_INVALID_UTF8", 1007]]);
  });

  test("a frame announcing more than maxPayload fails on its header alone", () => {
    const recorder = new Recorder();
    const receiver = new Receiver({ isServer: false, maxPayload: 1000, perMessageDeflate: null }, recorder);
    receiver.write(Buffer.from("827f0000000100000000", "hex")); // 4 GiB announced, nothing sent
    assert.deepEqual(recorder.summary(), [["error", "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", 1009]]);
    assert.equal(receiver.bufferedBytes, 0);
  });
});

describe("receiver: pause and resume", () => {
  test("no message is delivered while paused; resume delivers the rest in order", async () => {
    const recorder = new Recorder();
    const receiver = new Receiver({ isServer: false, maxPayload: 0, perMessageDeflate: null }, recorder);
    const origin = recorder.onMessage.bind(recorder);
    recorder.onMessage = (data, isBinary) => {
      origin(data, isBinary);
      if (data.toString() === "1") receiver.pause();
    };
    const ok = receiver.write(Buffer.concat([makeFrame({ opcode: TEXT, payload: "1" }), makeFrame({ opcode: TEXT, payload: "2" }), makeFrame({ opcode: TEXT, payload: "3" })]));
    assert.equal(ok, false, "write reports that the receiver is behind");
    assert.deepEqual(recorder.summary(), [["message", "1", false]]);
    receiver.resume();
    assert.deepEqual(recorder.summary(), [["message", "1", false]], "resume delivers on the next tick");
    await new Promise((r) => process.nextTick(r));
    assert.deepEqual(recorder.summary(), [["message", "1", false], ["message", "2", false], ["message", "3", false], ["drain"]]);
  });

  test("finish() parses what is buffered even while paused", () => {
    const recorder = new Recorder();
    const receiver = new Receiver({ isServer: false, maxPayload: 0, perMessageDeflate: null }, recorder);
    receiver.pause();
    receiver.write(Buffer.concat([makeFrame({ opcode: TEXT, payload: "a" }), makeFrame({ opcode: TEXT, payload: "b" })]));
    assert.deepEqual(recorder.summary(), []);
    assert.equal(receiver.finish(), true);
    assert.deepEqual(recorder.summary(), [["message", "a", false], ["message", "b", false]]);
  });
});

describe("receiver: permessage-deflate", () => {
  function makeDeflate(maxPayload: number, isServer = true): PerMessageDeflate {
    const resolved = resolveDeflateOptions({ concurrencyLimit: 2 }, true);
    const params = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
    return new PerMessageDeflate(resolved, params, isServer, maxPayload);
  }

  function compressed(text: string | Buffer): Buffer {
    const out = zlib.deflateRawSync(text, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    assert.deepEqual([...out.subarray(out.length - 4)], [0, 0, 0xff, 0xff]);
    return out.subarray(0, out.length - 4);
  }

  async function feed(pieces: Buffer[], maxPayload = 0): Promise<unknown[]> {
    const recorder = new Recorder();
    const deflate = makeDeflate(maxPayload);
    const receiver = new Receiver({ isServer: true, maxPayload, perMessageDeflate: deflate }, recorder);
    const settled = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out")), 5000);
      const check = (): void => {
        const last = recorder.events.at(-1);
        if (last !== undefined && (last.kind === "error" || last.kind === "drain" || last.kind === "close")) {
          clearTimeout(timer);
          resolve();
        } else setTimeout(check, 2);
      };
      check();
    });
    for (const piece of pieces) receiver.write(piece);
    await settled;
    deflate.close();
    return recorder.summary().filter((e) => (e as string[])[0] !== "drain");
  }

  test("RFC 7692 §7.2.3.1 example, whole and split at every byte", async () => {
    // "Hello" compressed, masked: c1 07 f2 48 cd c9 c9 07 00.
    const frame = makeFrame({ opcode: TEXT, rsv1: true, payload: Buffer.from("f248cdc9c90700", "hex"), mask: true });
    const closeFrame = makeFrame({ opcode: CLOSE, payload: closePayload(1000), mask: true });
    for (const { name, pieces } of splits(frame)) {
      const events = await feed([...pieces, Buffer.from(closeFrame)]);
      assert.deepEqual(events, [["message", "Hello", false], ["close", 1000, ""]], name);
    }
  });

  test("compressed fragments, interleaved pings, and context takeover across messages", async () => {
    const deflater = zlib.createDeflateRaw();
    const chunks: Buffer[] = [];
    deflater.on("data", (c: Buffer) => chunks.push(c));
    const flush = async (data: string): Promise<Buffer> => {
      deflater.write(data);
      await new Promise<void>((r) => deflater.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
      const out = Buffer.concat(chunks.splice(0));
      return out.subarray(0, out.length - 4);
    };
    const m1 = await flush("hello hello hello");
    const m2 = await flush("hello hello hello"); // uses the shared window: much shorter
    deflater.close();
    assert.ok(m2.length < m1.length);
    const input = Buffer.concat([
      makeFrame({ opcode: TEXT, rsv1: true, payload: m1.subarray(0, 5), fin: false, mask: true }),
      makeFrame({ opcode: PING, payload: "p", mask: true }),
      makeFrame({ opcode: CONT, payload: m1.subarray(5), mask: true }),
      makeFrame({ opcode: TEXT, rsv1: true, payload: m2, mask: true }),
      makeFrame({ opcode: BINARY, payload: Buffer.from([9]), mask: true }),
      makeFrame({ opcode: CLOSE, payload: closePayload(1000), mask: true }),
    ]);
    const events = await feed([input]);
    assert.deepEqual(events, [
      ["ping", "70"],
      ["message", "hello hello hello", false],
      ["message", "hello hello hello", false],
      ["message", "09", true],
      ["close", 1000, ""],
    ]);
  });

  test("RSV1 on control and continuation frames is a protocol error even with the extension", async () => {
    assert.deepEqual(await feed([makeFrame({ opcode: PING, rsv1: true, mask: true })]), [["error", "WS_ERR_UNEXPECTED_RSV_1", 1002]]);
    const input = Buffer.concat([
      makeFrame({ opcode: TEXT, rsv1: true, payload: compressed("ab").subarray(0, 2), fin: false, mask: true }),
      makeFrame({ opcode: CONT, rsv1: true, payload: Buffer.from([0]), mask: true }),
    ]);
    assert.deepEqual(await feed([input]), [["error", "WS_ERR_UNEXPECTED_RSV_1", 1002]]);
  });

  test("a deflate bomb stops at maxPayload with 1009", async () => {
    const bomb = compressed(Buffer.alloc(10 * 1024 * 1024));
    assert.ok(bomb.length < 20_000);
    const events = await feed([makeFrame({ opcode: BINARY, rsv1: true, payload: bomb, mask: true })], 64 * 1024);
    assert.deepEqual(events, [["error", "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", 1009]]);
  });

  test("invalid compressed data closes with 1007", async () => {
    const events = await feed([makeFrame({ opcode: BINARY, rsv1: true, payload: Buffer.from([0xff, 0xff, 0xff, 0x00]), mask: true })]);
    assert.deepEqual(events, [["error", "WS_ERR_INFLATE", 1007]]);
  });

  test("compressed text that inflates to invalid UTF-8 closes with 1007", async () => {
    const events = await feed([makeFrame({ opcode: TEXT, rsv1: true, payload: compressed(Buffer.from([0x61, 0xff])), mask: true })]);
    assert.deepEqual(events, [["error", "WS_ERR_INVALID_UTF8", 1007]]);
  });

  test("write() returns false while inflating and onDrain follows", async () => {
    const recorder = new Recorder();
    const deflate = makeDeflate(0);
    const receiver = new Receiver({ isServer: true, maxPayload: 0, perMessageDeflate: deflate }, recorder);
    const ok = receiver.write(makeFrame({ opcode: TEXT, rsv1: true, payload: compressed("abc"), mask: true }));
    assert.equal(ok, false);
    const more = receiver.write(makeFrame({ opcode: TEXT, payload: "plain", mask: true }));
    assert.equal(more, false, "still behind");
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no drain")), 5000);
      const check = (): void => {
        if (recorder.events.some((e) => e.kind === "drain")) {
          clearTimeout(timer);
          resolve();
        } else setTimeout(check, 2);
      };
      check();
    });
    deflate.close();
    assert.deepEqual(recorder.summary(), [["message", "abc", false], ["message", "plain", false], ["drain"]]);
  });
});
