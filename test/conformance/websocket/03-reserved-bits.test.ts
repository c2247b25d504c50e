// Autobahn section 3 (reserved bits): with no extension negotiated, a frame with RSV1, RSV2 or
// RSV3 set fails the connection with 1002 (RFC 6455 §5.2), whatever its opcode; what came before
// it is still processed and nothing after it is.
import { after } from "node:test";
import assert from "node:assert/strict";
import { Opcode, closePayload } from "../../helpers/frame.js";
import type { FrameSpec } from "../../helpers/frame.js";
import { Harness, bothRoles, expectEcho, expectFailure } from "./harness.js";

const h = await Harness.start();
after(() => h.close());

/** RSV value as Autobahn numbers it: 4 = RSV1, 2 = RSV2, 1 = RSV3. */
function rsv(value: number): Pick<FrameSpec, "rsv1" | "rsv2" | "rsv3"> {
  return { rsv1: (value & 4) !== 0, rsv2: (value & 2) !== 0, rsv3: (value & 1) !== 0 };
}

const OPCODES: [string, FrameSpec][] = [
  ["text", { opcode: Opcode.TEXT, payload: "reserved" }],
  ["binary", { opcode: Opcode.BINARY, payload: Buffer.from([1, 2, 3]) }],
  ["ping", { opcode: Opcode.PING, payload: "ping" }],
  ["pong", { opcode: Opcode.PONG, payload: "pong" }],
  ["close", { opcode: Opcode.CLOSE, payload: closePayload(1000) }],
];

// 3.1, 3.5-3.7 generalised: every non-zero RSV value on every frame type.
for (const [name, spec] of OPCODES) {
  for (let value = 1; value <= 7; value++) {
    bothRoles(h, `3.1 ${name} frame with RSV=${value} fails the connection with 1002`, async (session) => {
      session.peer.send({ ...spec, ...rsv(value) });
      await expectFailure(session, 1002);
      assert.equal(session.messages.length, 0, "the frame was not delivered");
    });
  }
}

bothRoles(h, "3.1 a continuation frame with RSV=1 fails the connection with 1002", async (session) => {
  session.peer.send({ opcode: Opcode.TEXT, payload: "start", fin: false });
  session.peer.send({ opcode: Opcode.CONTINUATION, payload: "end", ...rsv(1) });
  await expectFailure(session, 1002);
  assert.equal(session.messages.length, 0);
});

// 3.2-3.4: a good message, then a bad frame, then a ping. The message is echoed, then close
// 1002, and the ping after the bad frame is never answered.
const sendModes = ["separate writes", "one write", "1-byte chunks"] as const;
for (const mode of sendModes) {
  bothRoles(h, `3.2 text, then text with RSV=2, then ping (${mode}): echo, 1002, no pong`, async (session) => {
    const { peer } = session;
    const frames: FrameSpec[] = [
      { opcode: Opcode.TEXT, payload: "Hello, world!" },
      { opcode: Opcode.TEXT, payload: "Hello, world!", ...rsv(2) },
      { opcode: Opcode.PING, payload: "ping" },
    ];
    if (mode === "separate writes") {
      peer.send(frames[0] as FrameSpec);
      await expectEcho(peer, Opcode.TEXT, "Hello, world!");
      peer.send(frames[1] as FrameSpec);
      peer.send(frames[2] as FrameSpec);
    } else if (mode === "one write") {
      peer.sendAll(frames);
      await expectEcho(peer, Opcode.TEXT, "Hello, world!");
    } else {
      await peer.sendChunked(Buffer.concat(frames.map((f) => peer.build(f))), 1, 0);
      await expectEcho(peer, Opcode.TEXT, "Hello, world!");
    }
    const close = await peer.nextClose();
    assert.equal(close.code, 1002);
    assert.deepEqual(close.before, [], "no pong for the ping after the bad frame");
  });
}
