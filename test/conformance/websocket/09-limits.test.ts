// Autobahn section 9 (limits and performance, with bounded sizes): large messages, large
// messages in many fragments, many messages, and maxPayload: a frame header announcing more than
// the limit closes with 1009 before the payload is read, and so does a fragmented message whose
// total goes over it (RFC 6455 §7.4.1, 1009 "message too big").
import { after } from "node:test";
import assert from "node:assert/strict";
import { Opcode } from "../../helpers/frame.js";
import type { FrameSpec } from "../../helpers/frame.js";
import { Harness, bothRoles, expectEcho, expectFailure } from "./harness.js";

const MAX = 1024 * 1024;
const h = await Harness.start({ maxPayload: MAX });
after(() => h.close());
const open = { clientOptions: { maxPayload: MAX } };

function textOf(length: number): Buffer {
  const unit = Buffer.from("BAsd7&jh23 κόσμε ");
  const out = Buffer.alloc(length, 0x2a);
  for (let i = 0; i + unit.length <= length; i += unit.length) unit.copy(out, i);
  return out;
}

function binaryOf(length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 7919) & 0xff;
  return out;
}

// 9.1 / 9.2: single-frame messages up to exactly maxPayload.
for (const size of [64 * 1024, 256 * 1024, MAX]) {
  bothRoles(h, `9.1 text message of ${size / 1024} KiB in one frame`, async ({ peer }) => {
    const payload = textOf(size);
    peer.send({ opcode: Opcode.TEXT, payload });
    await expectEcho(peer, Opcode.TEXT, payload, 10_000);
  }, open);
  bothRoles(h, `9.2 binary message of ${size / 1024} KiB in one frame`, async ({ peer }) => {
    const payload = binaryOf(size);
    peer.send({ opcode: Opcode.BINARY, payload });
    await expectEcho(peer, Opcode.BINARY, payload, 10_000);
  }, open);
}

// 9.3 / 9.4: a large message in fragments of every size from 64 bytes up.
for (const fragment of [64, 256, 1024, 4096, 16 * 1024, 64 * 1024, 256 * 1024]) {
  const total = fragment < 1024 ? 128 * 1024 : MAX;
  for (const [kind, opcode, make] of [
    ["text", Opcode.TEXT, textOf],
    ["binary", Opcode.BINARY, binaryOf],
  ] as const) {
    bothRoles(h, `9.3 ${kind} message of ${total / 1024} KiB in ${fragment}-byte fragments`, async ({ peer }) => {
      const payload = make(total);
      const frames: Buffer[] = [];
      for (let at = 0; at < total; at += fragment) {
        frames.push(peer.build({ opcode: at === 0 ? opcode : Opcode.CONTINUATION, payload: payload.subarray(at, at + fragment), fin: at + fragment >= total }));
      }
      peer.send(Buffer.concat(frames));
      await expectEcho(peer, opcode, payload, 10_000);
    }, open);
  }
}

// 9.5 / 9.6: a 1 MiB frame written in chunks of different sizes.
for (const chunk of [4096, 64 * 1024]) {
  bothRoles(h, `9.5 1 MiB text frame written in ${chunk}-byte chunks`, async ({ peer }) => {
    const payload = textOf(MAX);
    await peer.sendChunked(peer.build({ opcode: Opcode.TEXT, payload }), chunk, 0);
    await expectEcho(peer, Opcode.TEXT, payload, 10_000);
  }, open);
}

// 9.7 / 9.8: many small messages, in order.
for (const [kind, opcode] of [
  ["text", Opcode.TEXT],
  ["binary", Opcode.BINARY],
] as const) {
  bothRoles(h, `9.7 2000 ${kind} messages of 16 bytes round trip in order`, async ({ peer }) => {
    const payloads = Array.from({ length: 2000 }, (_, i) => Buffer.from(`msg ${String(i).padStart(11, "0")} `));
    peer.send(Buffer.concat(payloads.map((payload) => peer.build({ opcode, payload }))));
    for (const payload of payloads) await expectEcho(peer, opcode, payload);
  }, open);
}

// maxPayload: headers that announce too much are refused before their payload is read.
const ANNOUNCED: [string, bigint][] = [
  ["maxPayload + 1", BigInt(MAX + 1)],
  ["4 GiB", 2n ** 32n],
  ["2^53 - 1", 2n ** 53n - 1n],
  ["2^63 - 1", 2n ** 63n - 1n],
];
for (const [name, length] of ANNOUNCED) {
  for (const [kind, opcode] of [
    ["text", Opcode.TEXT],
    ["binary", Opcode.BINARY],
  ] as const) {
    bothRoles(h, `9.9 a ${kind} frame header announcing ${name} bytes closes with 1009 before any payload`, async (session) => {
      session.peer.send({ opcode, payload: Buffer.from("only a little"), announcedLength: length, lengthBits: 64 });
      await expectFailure(session, 1009);
      assert.equal(session.messages.length, 0);
    }, open);
  }
}

bothRoles(h, "9.9 a 64-bit length with the most significant bit set fails (1002 or 1009)", async (session) => {
  session.peer.send({ opcode: Opcode.BINARY, announcedLength: 2n ** 63n, lengthBits: 64 });
  const close = await session.peer.nextClose();
  assert.ok(close.code === 1002 || close.code === 1009, `closed with ${close.code}`);
}, open);

bothRoles(h, "9.10 fragments each under maxPayload but over it in total close with 1009", async (session) => {
  const { peer } = session;
  const part = binaryOf(400 * 1024);
  peer.send({ opcode: Opcode.BINARY, payload: part, fin: false });
  peer.send({ opcode: Opcode.CONTINUATION, payload: part, fin: false });
  // Only the header of the third fragment: 1200 KiB announced in total.
  peer.send(peer.build({ opcode: Opcode.CONTINUATION, payload: part, fin: true }).subarray(0, 14));
  await expectFailure(session, 1009, 5_000);
  assert.equal(session.messages.length, 0);
}, open);

bothRoles(h, "9.10 many small text fragments adding up to maxPayload + 1 close with 1009", async (session) => {
  const { peer } = session;
  const frames: FrameSpec[] = [];
  const part = textOf(64 * 1024);
  for (let i = 0; i < 16; i++) frames.push({ opcode: i === 0 ? Opcode.TEXT : Opcode.CONTINUATION, payload: part, fin: false });
  frames.push({ opcode: Opcode.CONTINUATION, payload: "x", fin: true });
  peer.sendAll(frames);
  await expectFailure(session, 1009, 5_000);
}, open);

bothRoles(h, "9.10 fragments adding up to exactly maxPayload are accepted", async ({ peer }) => {
  const payload = binaryOf(MAX);
  const frames: FrameSpec[] = [];
  for (let at = 0; at < MAX; at += 100_000) {
    frames.push({ opcode: at === 0 ? Opcode.BINARY : Opcode.CONTINUATION, payload: payload.subarray(at, at + 100_000), fin: at + 100_000 >= MAX });
  }
  peer.sendAll(frames);
  await expectEcho(peer, Opcode.BINARY, payload, 10_000);
}, open);
