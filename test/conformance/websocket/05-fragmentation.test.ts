// Autobahn section 5 (fragmentation): messages split into any number of fragments, control
// frames interleaved between fragments (RFC 6455 §5.4), and the errors: fragmented control
// frames, continuations with nothing to continue, a new message before the last one ended.
import { after } from "node:test";
import assert from "node:assert/strict";
import { Opcode, closePayload } from "../../helpers/frame.js";
import type { FrameSpec } from "../../helpers/frame.js";
import { Harness, bothRoles, expectEcho, expectFailure } from "./harness.js";

const h = await Harness.start();
after(() => h.close());

/** Splits `payload` into `count` fragments of (nearly) equal size: first `opcode`, then continuations. */
function fragments(opcode: number, payload: Buffer, count: number): FrameSpec[] {
  const size = Math.ceil(payload.length / count);
  return Array.from({ length: count }, (_, i) => ({
    opcode: i === 0 ? opcode : Opcode.CONTINUATION,
    payload: payload.subarray(i * size, Math.min(payload.length, (i + 1) * size)),
    fin: i === count - 1,
  }));
}

// 5.1 / 5.2: control frames must not be fragmented (RFC 6455 §5.5).
for (const [name, opcode] of [
  ["ping", Opcode.PING],
  ["pong", Opcode.PONG],
  ["close", Opcode.CLOSE],
] as const) {
  bothRoles(h, `5.1 a ${name} with FIN clear, then a continuation, fails with 1002`, async (session) => {
    session.peer.sendAll([
      { opcode, payload: opcode === Opcode.CLOSE ? closePayload(1000) : "frag", fin: false },
      { opcode: Opcode.CONTINUATION, payload: "ment" },
    ]);
    await expectFailure(session, 1002);
  });
}

// 5.3-5.5 generalised: text and binary messages in 1..1000 fragments, sent three ways.
const PAYLOAD = Buffer.from("Hello, fragmented world! ".repeat(40));
for (const count of [1, 2, 3, 10, 100, 1000]) {
  for (const [kind, opcode] of [
    ["text", Opcode.TEXT],
    ["binary", Opcode.BINARY],
  ] as const) {
    bothRoles(h, `5.3 ${kind} message in ${count} fragment(s), one write each`, async ({ peer }) => {
      for (const frame of fragments(opcode, PAYLOAD, count)) peer.send(frame);
      await expectEcho(peer, opcode, PAYLOAD);
    });
  }
}

bothRoles(h, "5.4 text message in 2 fragments, both in one write", async ({ peer }) => {
  peer.sendAll(fragments(Opcode.TEXT, Buffer.from("fragment1fragment2"), 2));
  await expectEcho(peer, Opcode.TEXT, "fragment1fragment2");
});

bothRoles(h, "5.5 text message in 2 fragments, written in 1-byte chunks", async ({ peer }) => {
  const bytes = Buffer.concat(fragments(Opcode.TEXT, Buffer.from("fragment1fragment2"), 2).map((f) => peer.build(f)));
  await peer.sendChunked(bytes, 1, 0);
  await expectEcho(peer, Opcode.TEXT, "fragment1fragment2");
});

bothRoles(h, "5.5 empty fragments: empty start, empty continuations, empty final", async ({ peer }) => {
  peer.sendAll([
    { opcode: Opcode.TEXT, payload: "", fin: false },
    { opcode: Opcode.CONTINUATION, payload: "", fin: false },
    { opcode: Opcode.CONTINUATION, payload: "abc", fin: false },
    { opcode: Opcode.CONTINUATION, payload: "", fin: true },
  ]);
  await expectEcho(peer, Opcode.TEXT, "abc");
});

bothRoles(h, "5.5 an entirely empty fragmented binary message", async ({ peer }) => {
  peer.sendAll([
    { opcode: Opcode.BINARY, fin: false },
    { opcode: Opcode.CONTINUATION, fin: true },
  ]);
  await expectEcho(peer, Opcode.BINARY, Buffer.alloc(0));
});

// 5.6-5.8: control frames between fragments are handled at once (RFC 6455 §5.4).
for (const mode of ["separate writes", "one write", "1-byte chunks"] as const) {
  bothRoles(h, `5.6 fragmented text with a ping in between (${mode}): pong first, then the echo`, async ({ peer }) => {
    const frames: FrameSpec[] = [
      { opcode: Opcode.TEXT, payload: "fragment1", fin: false },
      { opcode: Opcode.PING, payload: "ping payload" },
      { opcode: Opcode.CONTINUATION, payload: "fragment2", fin: true },
    ];
    if (mode === "separate writes") {
      peer.send(frames[0] as FrameSpec);
      peer.send(frames[1] as FrameSpec);
      const pong = await peer.nextFrame();
      assert.deepEqual([pong.opcode, pong.payload.toString()], [Opcode.PONG, "ping payload"], "pong answered mid-message");
      peer.send(frames[2] as FrameSpec);
      await expectEcho(peer, Opcode.TEXT, "fragment1fragment2");
      return;
    }
    const bytes = Buffer.concat(frames.map((f) => peer.build(f)));
    if (mode === "one write") peer.send(bytes);
    else await peer.sendChunked(bytes, 1, 0);
    const pong = await peer.nextFrame();
    assert.deepEqual([pong.opcode, pong.payload.toString()], [Opcode.PONG, "ping payload"]);
    await expectEcho(peer, Opcode.TEXT, "fragment1fragment2");
  });
}

bothRoles(h, "5.6 a pong and an unsolicited pong between fragments are ignored", async ({ peer }) => {
  peer.sendAll([
    { opcode: Opcode.BINARY, payload: Buffer.from([1]), fin: false },
    { opcode: Opcode.PONG, payload: "unsolicited" },
    { opcode: Opcode.CONTINUATION, payload: Buffer.from([2]), fin: false },
    { opcode: Opcode.PONG },
    { opcode: Opcode.CONTINUATION, payload: Buffer.from([3]), fin: true },
  ]);
  const msg = await peer.nextMessage();
  assert.deepEqual([msg.opcode, [...msg.payload]], [Opcode.BINARY, [1, 2, 3]]);
  assert.equal(msg.control.length, 0, "no answer to pongs");
});

// 5.9-5.14: a continuation frame with no message in progress (RFC 6455 §5.4).
for (const fin of [true, false]) {
  for (const mode of ["separate writes", "one write", "1-byte chunks"] as const) {
    bothRoles(h, `5.9 a continuation (FIN=${fin ? 1 : 0}) with no message started, then a text (${mode}): 1002`, async (session) => {
      const { peer } = session;
      const frames: FrameSpec[] = [
        { opcode: Opcode.CONTINUATION, payload: "fragment1", fin },
        { opcode: Opcode.TEXT, payload: "fragment2", fin: false },
        { opcode: Opcode.CONTINUATION, payload: "fragment3", fin: true },
      ];
      if (mode === "separate writes") for (const f of frames) peer.send(f);
      else if (mode === "one write") peer.sendAll(frames);
      else await peer.sendChunked(Buffer.concat(frames.map((f) => peer.build(f))), 1, 0);
      await expectFailure(session, 1002);
      assert.equal(session.messages.length, 0, "nothing delivered");
    });
  }
}

// 5.15-5.18: a data frame that is not a continuation while a fragmented message is in progress.
bothRoles(h, "5.15 a complete fragmented text, then a continuation and a new text interleaved: echo, then 1002", async (session) => {
  const { peer } = session;
  peer.sendAll([
    { opcode: Opcode.TEXT, payload: "fragment1", fin: false },
    { opcode: Opcode.CONTINUATION, payload: "fragment2", fin: true },
    { opcode: Opcode.CONTINUATION, payload: "fragment3", fin: false },
    { opcode: Opcode.TEXT, payload: "fragment4", fin: true },
  ]);
  await expectEcho(peer, Opcode.TEXT, "fragment1fragment2");
  const close = await peer.nextClose();
  assert.equal(close.code, 1002);
});

bothRoles(h, "5.18 a new text message before the fragmented one ended fails with 1002", async (session) => {
  session.peer.sendAll([
    { opcode: Opcode.TEXT, payload: "fragment1", fin: false },
    { opcode: Opcode.TEXT, payload: "fragment2", fin: true },
  ]);
  await expectFailure(session, 1002);
  assert.equal(session.messages.length, 0);
});

bothRoles(h, "5.18 a binary frame inside a fragmented text message fails with 1002", async (session) => {
  session.peer.sendAll([
    { opcode: Opcode.TEXT, payload: "fragment1", fin: false },
    { opcode: Opcode.BINARY, payload: Buffer.from([1, 2]), fin: false },
  ]);
  await expectFailure(session, 1002);
});

bothRoles(h, "5.18 a text frame inside a fragmented binary message fails with 1002", async (session) => {
  session.peer.sendAll([
    { opcode: Opcode.BINARY, payload: Buffer.from([1]), fin: false },
    { opcode: Opcode.CONTINUATION, payload: Buffer.from([2]), fin: false },
    { opcode: Opcode.TEXT, payload: "x", fin: true },
  ]);
  await expectFailure(session, 1002);
});

// 5.19 / 5.20: many fragments with several pings interleaved.
for (const mode of ["paced", "one write"] as const) {
  bothRoles(h, `5.19 text in 5 fragments with 2 pings in between (${mode}): 2 pongs, then the echo`, async ({ peer }) => {
    const frames: FrameSpec[] = [
      { opcode: Opcode.TEXT, payload: "fragment1", fin: false },
      { opcode: Opcode.CONTINUATION, payload: "fragment2", fin: false },
      { opcode: Opcode.PING, payload: "pongme 1!" },
      { opcode: Opcode.CONTINUATION, payload: "fragment3", fin: false },
      { opcode: Opcode.CONTINUATION, payload: "fragment4", fin: false },
      { opcode: Opcode.PING, payload: "pongme 2!" },
      { opcode: Opcode.CONTINUATION, payload: "fragment5", fin: true },
    ];
    if (mode === "one write") peer.sendAll(frames);
    else {
      for (const frame of frames) {
        peer.send(frame);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    for (const payload of ["pongme 1!", "pongme 2!"]) {
      const pong = await peer.nextFrame();
      assert.deepEqual([pong.opcode, pong.payload.toString()], [Opcode.PONG, payload]);
    }
    await expectEcho(peer, Opcode.TEXT, "fragment1fragment2fragment3fragment4fragment5");
  });
}

// A close frame in the middle of a fragmented message ends the connection cleanly; the
// unfinished message is never delivered (RFC 6455 §5.4 allows control frames between fragments).
bothRoles(h, "5.21 a close between fragments is answered with a close; the partial message is dropped", async (session) => {
  const { peer } = session;
  peer.sendAll([
    { opcode: Opcode.TEXT, payload: "fragment1", fin: false },
    { opcode: Opcode.CLOSE, payload: closePayload(1000, "mid-message") },
  ]);
  const close = await peer.nextClose();
  assert.equal(close.code, 1000);
  assert.deepEqual(close.before, []);
  if (session.role === "client") peer.end(); // the server closes TCP first (RFC 6455 §7.1.1)
  await peer.waitForClosed();
  assert.equal(session.messages.length, 0, "the unfinished message was not delivered");
});

bothRoles(h, "5.22 two fragmented messages back to back keep their boundaries", async ({ peer }) => {
  peer.sendAll([
    ...fragments(Opcode.TEXT, Buffer.from("first message"), 3),
    ...fragments(Opcode.BINARY, Buffer.from([1, 2, 3, 4, 5, 6]), 4),
    { opcode: Opcode.TEXT, payload: "third" },
  ]);
  await expectEcho(peer, Opcode.TEXT, "first message");
  await expectEcho(peer, Opcode.BINARY, Buffer.from([1, 2, 3, 4, 5, 6]));
  await expectEcho(peer, Opcode.TEXT, "third");
});
