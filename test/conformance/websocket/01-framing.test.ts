// Autobahn section 1 (framing): text and binary messages of every length class, the 7/16/64-bit
// length encodings, input split at odd boundaries, and the masking rules of RFC 6455 §5.1/§5.3.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { Opcode, buildFrame } from "../../helpers/frame.js";
import { Harness, bothRoles, expectEcho, expectFailure } from "./harness.js";
import { WebSocket } from "../../helpers/websocket-impl.js";

const h = await Harness.start({ maxPayload: 4 * 1024 * 1024 });
after(() => h.close());

/** Payload lengths on each side of the 7-bit / 16-bit / 64-bit length encodings (RFC 6455 §5.2). */
const LENGTHS = [0, 1, 2, 124, 125, 126, 127, 128, 1000, 65534, 65535, 65536, 65537, 262144];

function minimalBits(length: number): 7 | 16 | 64 {
  return length <= 125 ? 7 : length <= 0xffff ? 16 : 64;
}

function textOf(length: number): string {
  let s = "";
  while (s.length < length) s += "The quick brown fox jumps over the lazy dog. ";
  return s.slice(0, length);
}

function binaryOf(length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

// 1.1.x: text messages of each length, echoed byte-exact, with the minimal length encoding.
for (const length of LENGTHS) {
  bothRoles(h, `1.1 text message of ${length} bytes`, async ({ peer }) => {
    const payload = textOf(length);
    peer.send({ opcode: Opcode.TEXT, payload });
    const msg = await peer.nextMessage(5_000);
    assert.equal(msg.opcode, Opcode.TEXT);
    assert.equal(msg.payload.toString(), payload);
    assert.equal(msg.frames[0]?.lengthBits, minimalBits(msg.frames[0]?.payload.length ?? 0), "minimal length encoding");
  });
}

// 1.2.x: binary messages of each length.
for (const length of LENGTHS) {
  bothRoles(h, `1.2 binary message of ${length} bytes`, async ({ peer }) => {
    const payload = binaryOf(length);
    peer.send({ opcode: Opcode.BINARY, payload });
    await expectEcho(peer, Opcode.BINARY, payload, 5_000);
  });
}

// 1.1.8 / 1.2.8: a frame written in small chunks, so the parser sees partial headers and payloads.
for (const [length, chunk] of [
  [20, 1],
  [130, 3],
  [300, 7],
  [65536, 997],
] as const) {
  bothRoles(h, `1.1.8 text of ${length} bytes written in ${chunk}-byte chunks`, async ({ peer }) => {
    const payload = textOf(length);
    await peer.sendChunked(peer.build({ opcode: Opcode.TEXT, payload }), chunk, chunk === 1 ? 1 : 0);
    await expectEcho(peer, Opcode.TEXT, payload, 5_000);
  });
}

// Every split point of a frame with a 64-bit length: header bytes cut anywhere.
bothRoles(h, "1.3 a 64-bit-length frame split at every header byte", async ({ peer }) => {
  const payload = binaryOf(70_000);
  const frame = peer.build({ opcode: Opcode.BINARY, payload });
  const headerLength = frame.length - payload.length;
  for (let cut = 1; cut <= headerLength; cut++) {
    peer.send(frame.subarray(0, cut));
    await new Promise((resolve) => setTimeout(resolve, 2));
    peer.send(frame.subarray(cut));
    await expectEcho(peer, Opcode.BINARY, payload, 5_000);
  }
});

bothRoles(h, "1.4 many frames in one TCP write are echoed in order", async ({ peer }) => {
  const payloads = Array.from({ length: 50 }, (_, i) => `message ${i} ${"x".repeat(i * 7)}`);
  peer.sendAll(payloads.map((payload) => ({ opcode: Opcode.TEXT, payload })));
  for (const payload of payloads) await expectEcho(peer, Opcode.TEXT, payload);
});

bothRoles(h, "1.5 a 64-bit length used for a short payload (non-minimal encoding) is read correctly", async ({ peer }) => {
  // RFC 6455 §5.2 requires senders to use the minimal encoding but gives receivers no duty to
  // reject; what matters is that the length is read from the right field.
  peer.send({ opcode: Opcode.TEXT, payload: "abc", lengthBits: 64 });
  peer.send({ opcode: Opcode.TEXT, payload: "de", lengthBits: 16 });
  await expectEcho(peer, Opcode.TEXT, "abc");
  await expectEcho(peer, Opcode.TEXT, "de");
});

// Masking (RFC 6455 §5.1, §5.3).
bothRoles(
  h,
  "1.6 the server closes 1002 on an unmasked client frame",
  async (session) => {
    session.peer.send({ opcode: Opcode.TEXT, payload: "unmasked", mask: false });
    await expectFailure(session, 1002);
    assert.equal(session.messages.length, 0, "the unmasked frame was not delivered");
  },
  { roles: ["server"] },
);

bothRoles(
  h,
  "1.6 the server closes 1002 on an unmasked empty ping",
  async (session) => {
    session.peer.send({ opcode: Opcode.PING, mask: false });
    await expectFailure(session, 1002);
  },
  { roles: ["server"] },
);

bothRoles(
  h,
  "1.7 the client closes 1002 on a masked server frame",
  async (session) => {
    session.peer.send({ opcode: Opcode.TEXT, payload: "masked", mask: true });
    await expectFailure(session, 1002);
    assert.equal(session.messages.length, 0, "the masked frame was not delivered");
  },
  { roles: ["client"] },
);

bothRoles(
  h,
  "1.8 an all-zero masking key is a valid mask",
  async ({ peer }) => {
    peer.send({ opcode: Opcode.TEXT, payload: "zero key", mask: Buffer.alloc(4) });
    peer.send({ opcode: Opcode.BINARY, payload: binaryOf(300), mask: Buffer.alloc(4) });
    await expectEcho(peer, Opcode.TEXT, "zero key");
    await expectEcho(peer, Opcode.BINARY, binaryOf(300));
  },
  { roles: ["server"] },
);

bothRoles(
  h,
  "1.9 the client masks every frame with fresh random-looking keys",
  async ({ peer, ws }) => {
    for (let i = 0; i < 64; i++) ws.send(`m${i}`);
    ws.ping(Buffer.from("p"));
    const keys = new Set<string>();
    let zeroKeys = 0;
    for (let i = 0; i < 65; i++) {
      const frame = await peer.nextFrame(); // nextFrame fails on any unmasked client frame
      assert.ok(frame.maskKey !== undefined);
      keys.add(frame.maskKey.toString("hex"));
      if (frame.maskKey.readUInt32BE(0) === 0) zeroKeys++;
      if (i < 64) assert.equal(frame.payload.toString(), `m${i}`);
      else assert.equal(frame.opcode, Opcode.PING);
    }
    assert.ok(keys.size >= 60, `mask keys repeat too often: ${keys.size} distinct of 65`);
    assert.ok(zeroKeys <= 1, "mask keys are not all zero");
  },
  { roles: ["client"] },
);

// The send() API: strings are text, buffers binary, `fin: false` fragments.
bothRoles(h, "1.10 send(string) is a text frame and send(Buffer) a binary frame", async ({ peer, ws }) => {
  ws.send("text");
  ws.send(Buffer.from([1, 2, 3]));
  ws.send(Buffer.from("as text"), { binary: false });
  const a = await peer.nextFrame();
  const b = await peer.nextFrame();
  const c = await peer.nextFrame();
  assert.deepEqual([a.opcode, a.fin, a.payload.toString()], [Opcode.TEXT, true, "text"]);
  assert.deepEqual([b.opcode, b.fin, [...b.payload]], [Opcode.BINARY, true, [1, 2, 3]]);
  assert.deepEqual([c.opcode, c.payload.toString()], [Opcode.TEXT, "as text"]);
});

bothRoles(h, "1.11 send(data, { fin: false }) writes a fragmented message", async ({ peer, ws }) => {
  ws.send("frag", { fin: false });
  ws.send("ment", { fin: false });
  ws.send("ed", { fin: true });
  const frames = [await peer.nextFrame(), await peer.nextFrame(), await peer.nextFrame()];
  assert.deepEqual(
    frames.map((f) => [f.opcode, f.fin, f.payload.toString()]),
    [
      [Opcode.TEXT, false, "frag"],
      [Opcode.CONTINUATION, false, "ment"],
      [Opcode.CONTINUATION, true, "ed"],
    ],
  );
});

// Prepared messages: one unmasked frame built once, written as is to any number of sockets.
test("1.12 WebSocket.prepare + sendPrepared write the exact pre-built frame [server]", async () => {
  const prepare = WebSocket.prepare;
  assert.equal(typeof prepare, "function", "WebSocket.prepare exists");
  const text = prepare?.call(WebSocket, "hello");
  const binary = prepare?.call(WebSocket, Buffer.from([9, 8, 7]), { binary: true });
  const big = prepare?.call(WebSocket, textOf(300));
  const sessions = [await h.open("server"), await h.open("server")];
  try {
    for (const { ws } of sessions) {
      assert.equal(typeof ws.sendPrepared, "function", "ws.sendPrepared exists");
      ws.sendPrepared?.(text);
      ws.sendPrepared?.(binary);
      ws.sendPrepared?.(big);
    }
    for (const { peer } of sessions) {
      const a = await peer.nextFrame();
      const b = await peer.nextFrame();
      const c = await peer.nextFrame();
      // Unmasked, FIN, no RSV, minimal length: the frame is byte-identical to the hand-built one.
      assert.ok(buildFrame({ opcode: a.opcode, payload: a.payload }).equals(Buffer.from([0x81, 5, ...Buffer.from("hello")])));
      assert.deepEqual([a.fin, a.rsv1, a.masked, a.wireLength], [true, false, false, 7]);
      assert.deepEqual([b.opcode, b.fin, b.masked, [...b.payload], b.wireLength], [Opcode.BINARY, true, false, [9, 8, 7], 5]);
      assert.deepEqual([c.opcode, c.fin, c.lengthBits, c.wireLength], [Opcode.TEXT, true, 16, 304]);
      assert.equal(c.payload.toString(), textOf(300));
    }
  } finally {
    for (const s of sessions) h.dispose(s);
  }
});
