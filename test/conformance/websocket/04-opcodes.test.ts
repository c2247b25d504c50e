// Autobahn section 4 (opcodes): the reserved non-control opcodes 0x3-0x7 and control opcodes
// 0xB-0xF fail the connection with 1002 (RFC 6455 §5.2), with or without a payload, and after a
// valid message that is still echoed.
import { after } from "node:test";
import assert from "node:assert/strict";
import { Opcode } from "../../helpers/frame.js";
import { Harness, bothRoles, expectEcho, expectFailure } from "./harness.js";

const h = await Harness.start();
after(() => h.close());

const RESERVED = [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xd, 0xe, 0xf];

for (const opcode of RESERVED) {
  const kind = opcode < 8 ? "non-control" : "control";
  const hex = `0x${opcode.toString(16)}`;
  bothRoles(h, `4.1 reserved ${kind} opcode ${hex}, empty, fails with 1002`, async (session) => {
    session.peer.send({ opcode });
    await expectFailure(session, 1002);
  });
  bothRoles(h, `4.1 reserved ${kind} opcode ${hex} with a payload, after a text message: echo, then 1002`, async (session) => {
    const { peer } = session;
    peer.sendAll([
      { opcode: Opcode.TEXT, payload: "valid" },
      { opcode, payload: "reserved opcode payload" },
      { opcode: Opcode.PING, payload: "never answered" },
    ]);
    await expectEcho(peer, Opcode.TEXT, "valid");
    const close = await peer.nextClose();
    assert.equal(close.code, 1002);
    assert.deepEqual(close.before, [], "nothing after the bad frame is processed");
    assert.equal(session.messages.length, 1);
  });
}

bothRoles(h, "4.2 reserved opcode 0x3 announced with a 64-bit length fails before its payload arrives", async (session) => {
  const frame = session.peer.build({ opcode: 0x3, payload: Buffer.alloc(70_000) });
  session.peer.send(frame.subarray(0, 14));
  await expectFailure(session, 1002);
});

// A continuation frame with no message to continue is an opcode used out of place.
bothRoles(h, "4.3 a continuation frame with nothing to continue fails with 1002", async (session) => {
  session.peer.send({ opcode: Opcode.CONTINUATION, payload: "orphan" });
  await expectFailure(session, 1002);
});
