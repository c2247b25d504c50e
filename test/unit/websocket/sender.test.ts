import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { Duplex } from "node:stream";
import { applyMask, buildFrame, buildTextFrame, frameHeaderLength, nextMaskKey, writeFrameHeader } from "../../../src/websocket/frame.js";
import { Sender } from "../../../src/websocket/sender.js";
import { PreparedMessage } from "../../../src/websocket/prepared-message.js";
import { PerMessageDeflate, resolveDeflateOptions } from "../../../src/websocket/permessage-deflate.js";
import { Receiver } from "../../../src/websocket/receiver.js";
import { Recorder, makeFrame } from "./helpers.js";

/** A Duplex that records each batch handed to the "kernel" (one writev = one batch). */
class RecordingSocket extends Duplex {
  batches: Buffer[][] = [];
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.batches.push([chunk]);
    cb();
  }
  override _writev(chunks: Array<{ chunk: Buffer }>, cb: (e?: Error | null) => void): void {
    this.batches.push(chunks.map((c) => c.chunk));
    cb();
  }
  bytes(): Buffer {
    return Buffer.concat(this.batches.flat());
  }
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function parse(bytes: Buffer, isServer: boolean): unknown[] {
  const recorder = new Recorder();
  new Receiver({ isServer, maxPayload: 0, perMessageDeflate: null }, recorder).write(bytes);
  return recorder.summary();
}

describe("frame building", () => {
  test("headers match hand-built frames for every length encoding", () => {
    for (const length of [0, 1, 125, 126, 127, 65535, 65536, 70_000]) {
      const payload = Buffer.alloc(length, 0x5a);
      const ours = buildFrame(0x2, payload, true, false, false);
      assert.deepEqual(ours, makeFrame({ opcode: 0x2, payload }), `length ${length}`);
      assert.equal(frameHeaderLength(length, false), ours.length - length);
    }
    const header = Buffer.alloc(14);
    assert.equal(writeFrameHeader(header, 0, 0x1, false, true, 300, true), 4);
    assert.deepEqual([...header.subarray(0, 4)], [0x41, 0xfe, 0x01, 0x2c]);
  });

  test("text frames are written straight from strings", () => {
    assert.deepEqual(buildTextFrame("héllo", true, false), makeFrame({ opcode: 0x1, payload: "héllo" }));
    const masked = buildTextFrame("héllo", true, true);
    assert.deepEqual(parse(masked, true), [["message", "héllo", false]]);
  });

  test("masking leaves the caller's payload untouched and round-trips", () => {
    const payload = Buffer.from("do not touch me, I am the user's buffer".repeat(3));
    const copy = Buffer.from(payload);
    const frame = buildFrame(0x2, payload, true, false, true);
    assert.deepEqual(payload, copy);
    assert.deepEqual(parse(frame, true), [["message", copy.toString("hex"), true]]);
  });

  test("applyMask matches a byte-wise XOR at every offset, length and phase", () => {
    const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
    const base = Buffer.alloc(200);
    for (let i = 0; i < base.length; i++) base[i] = (i * 31) & 0xff;
    for (const start of [0, 1, 2, 3, 5]) {
      for (const length of [0, 1, 3, 4, 31, 32, 33, 64, 100, 150]) {
        for (const phase of [0, 1, 2, 3]) {
          const a = Buffer.from(base);
          applyMask(a, start, length, mask, phase);
          const b = Buffer.from(base);
          for (let i = 0; i < length; i++) b[start + i] = b[start + i]! ^ mask[(phase + i) & 3]!;
          assert.deepEqual(a, b, `start ${start} length ${length} phase ${phase}`);
        }
      }
    }
    const zero = Buffer.from(base);
    applyMask(zero, 0, 200, Buffer.alloc(4), 0);
    assert.deepEqual(zero, base);
  });

  test("mask keys come from a random pool and change", () => {
    const keys = new Set<string>();
    for (let i = 0; i < 5000; i++) keys.add(nextMaskKey().toString("hex"));
    assert.ok(keys.size > 4900);
  });

  test("prepared messages hold one unmasked frame", () => {
    const text = new PreparedMessage("héllo");
    assert.deepEqual(text.frame, makeFrame({ opcode: 0x1, payload: "héllo" }));
    assert.equal(text.byteLength, 6);
    assert.equal(text.binary, false);
    assert.equal(text.payload.toString(), "héllo");
    const bin = new PreparedMessage(new Uint8Array([1, 2, 3]));
    assert.deepEqual(bin.frame, makeFrame({ opcode: 0x2, payload: Buffer.from([1, 2, 3]) }));
    assert.equal(bin.binary, true);
    const big = new PreparedMessage(Buffer.alloc(70_000, 1), { binary: true } as never);
    assert.equal(big.byteLength, 70_000);
    assert.equal(new PreparedMessage("abc", true).binary, true);
    assert.equal(new PreparedMessage(Buffer.from("abc"), false).frame[0], 0x81);
  });
});

describe("sender", () => {
  test("sends in one tick are coalesced into one writev", async () => {
    const socket = new RecordingSocket();
    const sender = new Sender(socket, null);
    for (let i = 0; i < 50; i++) sender.sendData(`message ${i}`, false, true, false, false, undefined);
    sender.sendFrame(new PreparedMessage("prepared").frame, undefined);
    assert.equal(socket.batches.length, 0, "nothing leaves before the tick ends");
    await tick();
    assert.equal(socket.batches.length, 1);
    assert.equal(socket.batches[0]!.length, 51);
    const events = parse(socket.bytes(), false);
    assert.equal(events.length, 51);
    assert.deepEqual(events[50], ["message", "prepared", false]);
  });

  test("large payloads go as header + the caller's buffer, never concatenated", async () => {
    const socket = new RecordingSocket();
    const sender = new Sender(socket, null);
    const big = Buffer.alloc(1 << 20, 3);
    sender.sendData(big, true, true, false, false, undefined);
    await tick();
    assert.equal(socket.batches[0]!.length, 2);
    assert.equal(socket.batches[0]![1], big, "the same Buffer object");
    assert.equal(socket.batches[0]![0]!.length, 10);
  });

  test("fragments: first frame carries the opcode, the rest are continuations", async () => {
    const socket = new RecordingSocket();
    const sender = new Sender(socket, null);
    sender.sendData("ab", false, false, false, true, undefined);
    sender.sendData("cd", false, false, false, true, undefined);
    sender.sendData("ef", false, true, false, true, undefined);
    await tick();
    const bytes = socket.bytes();
    assert.equal(bytes[0], 0x01);
    assert.equal(bytes[8], 0x00);
    assert.equal(bytes[16], 0x80);
    assert.deepEqual(parse(bytes, true), [["message", "abcdef", false]]);
  });

  test("callbacks run once the frame is written", async () => {
    const socket = new RecordingSocket();
    const sender = new Sender(socket, null);
    const calls: string[] = [];
    sender.sendData("a", false, true, false, false, (e) => calls.push(`a:${e ?? "ok"}`));
    sender.sendData(Buffer.alloc(5000), true, true, false, false, (e) => calls.push(`b:${e ?? "ok"}`));
    await tick();
    await tick();
    assert.deepEqual(calls, ["a:ok", "b:ok"]);
  });

  test("compression keeps frames in order behind an async deflate, and bufferedAmount counts the queue", async () => {
    const socket = new RecordingSocket();
    const params = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
    const deflate = new PerMessageDeflate(resolveDeflateOptions({ threshold: 10 }, true), params, true, 0);
    const inflate = new PerMessageDeflate(resolveDeflateOptions({}, true), params, false, 0);
    const sender = new Sender(socket, deflate);
    sender.sendData("compress me please ".repeat(20), false, true, true, false, undefined);
    sender.sendData("tiny", false, true, true, false, undefined);
    sender.sendControl(0x9, Buffer.from("ping"), false, undefined);
    sender.sendFrame(new PreparedMessage("prepared").frame, undefined);
    assert.equal(sender.idle, false);
    assert.ok(sender.bufferedAmount >= 380 + 4 + 4 + 10);
    const done = new Promise<void>((resolve) => sender.sendData("x".repeat(100), false, true, true, false, () => resolve()));
    await done;
    await tick();
    const recorder = new Recorder();
    const receiver = new Receiver({ isServer: false, maxPayload: 0, perMessageDeflate: inflate }, recorder);
    receiver.write(socket.bytes());
    await new Promise<void>((resolve) => {
      const check = (): void => (recorder.events.filter((e) => e.kind === "message").length >= 4 ? resolve() : void setTimeout(check, 2));
      check();
    });
    assert.deepEqual(recorder.summary().filter((e) => (e as string[])[0] !== "drain"), [
      ["message", "compress me please ".repeat(20), false],
      ["message", "tiny", false],
      ["ping", Buffer.from("ping").toString("hex")],
      ["message", "prepared", false],
      ["message", "x".repeat(100), false],
    ]);
    const first = socket.bytes()[0]!;
    assert.equal(first & 0x40, 0x40, "RSV1 on the compressed message");
    deflate.close();
    inflate.close();
  });

  test("abort fails queued sends", async () => {
    const socket = new RecordingSocket();
    const params = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
    const deflate = new PerMessageDeflate(resolveDeflateOptions({ threshold: 0 }, true), params, true, 0);
    const sender = new Sender(socket, deflate);
    const errors: string[] = [];
    sender.sendData("abc", false, true, true, false, (e) => errors.push(`first ${e ? "error" : "ok"}`));
    sender.sendData("def", false, true, true, false, (e) => errors.push(`second ${e ? "error" : "ok"}`));
    sender.abort(new Error("gone"));
    deflate.close();
    await tick();
    assert.deepEqual(errors.sort(), ["first error", "second error"]);
  });
});
