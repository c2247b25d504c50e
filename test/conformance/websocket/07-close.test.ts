// Autobahn section 7 (close handling): the closing handshake (RFC 6455 §5.5.1, §7), status codes
// (§7.4: 1000-1003, 1007-1014 and 3000-4999 are accepted and echoed; 0-999, 1004-1006, 1015,
// 1016-2999 and 5000+ fail with 1002), close payload rules (1-byte payload 1002, reason must be
// UTF-8 else 1007, at most 125 bytes), nothing processed after a close, and the close() API.
import { after } from "node:test";
import assert from "node:assert/strict";
import { Opcode, closePayload } from "../../helpers/frame.js";
import { withTimeout } from "../../helpers/wait.js";
import { Harness, bothRoles, expectEcho, expectFailure } from "./harness.js";
import type { Session } from "./harness.js";

const h = await Harness.start();
after(() => h.close());

/**
 * After the peer sent a close: the implementation answers with one close frame (returned), the
 * server then closes TCP; a client waits for the (raw) server to do it.
 */
async function expectCloseReply(session: Session): Promise<{ code: number | undefined; reason: Buffer; before: number }> {
  const { peer } = session;
  const close = await peer.nextClose();
  if (session.role === "server") await peer.waitForEnd();
  else peer.end();
  await peer.waitForClosed();
  await withTimeout(session.closed, 2_000, "the implementation's close event");
  return { code: close.code, reason: close.reason, before: close.before.length };
}

// 7.1: the closing handshake, and nothing processed after a close frame.
bothRoles(h, "7.1.1 text echo, then a close 1000: close 1000 echoed, then TCP closed", async (session) => {
  session.peer.send({ opcode: Opcode.TEXT, payload: "Hello World!" });
  await expectEcho(session.peer, Opcode.TEXT, "Hello World!");
  session.peer.send({ opcode: Opcode.CLOSE, payload: closePayload(1000) });
  const reply = await expectCloseReply(session);
  assert.equal(reply.code, 1000);
});

bothRoles(h, "7.1.2 two close frames: one close answered, the second ignored", async (session) => {
  session.peer.sendAll([
    { opcode: Opcode.CLOSE, payload: closePayload(1000) },
    { opcode: Opcode.CLOSE, payload: closePayload(1001) },
  ]);
  const reply = await expectCloseReply(session);
  assert.equal(reply.code, 1000);
  assert.equal(session.peer.received.filter((f) => f.opcode === Opcode.CLOSE).length, 1, "exactly one close frame");
});

bothRoles(h, "7.1.3 close then ping: no pong", async (session) => {
  session.peer.sendAll([
    { opcode: Opcode.CLOSE, payload: closePayload(1000) },
    { opcode: Opcode.PING, payload: "after close" },
  ]);
  const reply = await expectCloseReply(session);
  assert.equal(reply.code, 1000);
  assert.deepEqual(
    session.peer.received.map((f) => f.opcode),
    [Opcode.CLOSE],
    "nothing but the close",
  );
});

bothRoles(h, "7.1.4 close then text: the text is not delivered", async (session) => {
  session.peer.sendAll([
    { opcode: Opcode.CLOSE, payload: closePayload(1000) },
    { opcode: Opcode.TEXT, payload: "after close" },
  ]);
  await expectCloseReply(session);
  assert.equal(session.messages.length, 0);
  assert.deepEqual(
    session.peer.received.map((f) => f.opcode),
    [Opcode.CLOSE],
  );
});

bothRoles(h, "7.1.5 fragment, close, continuation: only the close is answered", async (session) => {
  session.peer.sendAll([
    { opcode: Opcode.TEXT, payload: "fragment1", fin: false },
    { opcode: Opcode.CLOSE, payload: closePayload(1000) },
    { opcode: Opcode.CONTINUATION, payload: "fragment2", fin: true },
  ]);
  await expectCloseReply(session);
  assert.equal(session.messages.length, 0);
});

bothRoles(h, "7.1.6 close then a reserved opcode: no protocol error, just the close", async (session) => {
  session.peer.sendAll([{ opcode: Opcode.CLOSE, payload: closePayload(1000) }, { opcode: 0x5 }]);
  const reply = await expectCloseReply(session);
  assert.equal(reply.code, 1000, "the echoed code is not replaced by 1002");
});

// 7.3: close payload sizes.
bothRoles(h, "7.3.1 close with an empty payload is answered (no code or 1000)", async (session) => {
  session.peer.send({ opcode: Opcode.CLOSE });
  const reply = await expectCloseReply(session);
  assert.ok(reply.code === undefined || reply.code === 1000, `answered with ${reply.code}`);
  const event = await session.closed;
  assert.equal(event.code, 1005, "no status received is reported as 1005 (RFC 6455 §7.1.5)");
});

bothRoles(h, "7.3.2 close with a 1-byte payload fails with 1002", async (session) => {
  session.peer.send({ opcode: Opcode.CLOSE, payload: Buffer.from([0x03]) });
  await expectFailure(session, 1002);
});

bothRoles(h, "7.3.3 close 1000 with no reason is echoed", async (session) => {
  session.peer.send({ opcode: Opcode.CLOSE, payload: closePayload(1000) });
  assert.equal((await expectCloseReply(session)).code, 1000);
});

bothRoles(h, "7.3.4 close 1000 with a short reason is echoed, and the reason reported", async (session) => {
  session.peer.send({ opcode: Opcode.CLOSE, payload: closePayload(1000, "Hello World!") });
  assert.equal((await expectCloseReply(session)).code, 1000);
  const event = await session.closed;
  assert.deepEqual([event.code, event.reason.toString()], [1000, "Hello World!"]);
});

bothRoles(h, "7.3.5 close with a 123-byte reason (125-byte payload) is echoed", async (session) => {
  session.peer.send({ opcode: Opcode.CLOSE, payload: closePayload(1000, "*".repeat(123)) });
  assert.equal((await expectCloseReply(session)).code, 1000);
});

bothRoles(h, "7.3.6 close with a 124-byte reason (126-byte payload) fails with 1002", async (session) => {
  session.peer.send({ opcode: Opcode.CLOSE, payload: closePayload(1000, "*".repeat(124)) });
  await expectFailure(session, 1002);
});

// 7.5: the reason must be valid UTF-8.
for (const [name, reason] of [
  ["a surrogate", Buffer.from([0xce, 0xba, 0xed, 0xa0, 0x80])],
  ["a lone continuation byte", Buffer.from([0x61, 0x80])],
  ["an overlong NUL", Buffer.from([0xc0, 0x80])],
  ["a truncated 4-byte sequence", Buffer.from([0x6f, 0x6b, 0xf0, 0x9f, 0x98])],
] as const) {
  bothRoles(h, `7.5.1 close reason with ${name} fails with 1007`, async (session) => {
    session.peer.send({ opcode: Opcode.CLOSE, payload: closePayload(1000, reason) });
    await expectFailure(session, 1007);
  });
}

bothRoles(h, "7.5.2 close reason with multi-byte UTF-8 is accepted", async (session) => {
  session.peer.send({ opcode: Opcode.CLOSE, payload: closePayload(4000, "κόσμε 😀") });
  assert.equal((await expectCloseReply(session)).code, 4000);
  assert.equal((await session.closed).reason.toString(), "κόσμε 😀");
});

// 7.7: valid status codes are accepted and echoed (RFC 6455 §7.4.1, §7.4.2; IANA registry).
for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) {
  bothRoles(h, `7.7 close code ${code} is valid and echoed`, async (session) => {
    session.peer.send({ opcode: Opcode.CLOSE, payload: closePayload(code, "r") });
    const reply = await expectCloseReply(session);
    assert.equal(reply.code, code);
    assert.equal((await session.closed).code, code, "the close event reports the peer's code");
  });
}

// 7.9: codes that must never be sent on the wire fail the connection with 1002.
for (const code of [0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
  bothRoles(h, `7.9 close code ${code} is invalid: 1002`, async (session) => {
    session.peer.send({ opcode: Opcode.CLOSE, payload: closePayload(code) });
    await expectFailure(session, 1002);
  });
}

// The close() API of the implementation.
bothRoles(h, "7.10 ws.close(code, reason) sends that close; the peer's echo completes the handshake", async (session) => {
  const { peer, ws } = session;
  ws.close(4001, "going away now");
  const close = await peer.nextClose();
  assert.deepEqual([close.code, close.reason.toString()], [4001, "going away now"]);
  assert.equal(ws.readyState, 2, "CLOSING until the peer answers");
  peer.send({ opcode: Opcode.CLOSE, payload: closePayload(4001, "going away now") });
  if (session.role === "server") await peer.waitForEnd();
  else peer.end();
  const event = await withTimeout(session.closed, 2_000, "close event");
  assert.equal(event.code, 4001);
  assert.equal(ws.readyState, 3);
});

bothRoles(h, "7.10 ws.close(1001) from the server side, ws.close(1000) from the client side", async (session) => {
  const code = session.role === "server" ? 1001 : 1000;
  session.ws.close(code);
  const close = await session.peer.nextClose();
  assert.equal(close.code, code);
  assert.equal(close.reason.length, 0);
});

bothRoles(h, "7.10 ws.close() with no code sends an empty close or 1000", async (session) => {
  session.ws.close();
  const close = await session.peer.nextClose();
  assert.ok(close.code === undefined || close.code === 1000, `sent ${close.code}`);
});

bothRoles(h, "7.10 ws.close(1000, 123-byte reason) is allowed", async (session) => {
  session.ws.close(1000, "r".repeat(123));
  const close = await session.peer.nextClose();
  assert.equal(close.frame.payload.length, 125);
});

for (const code of [0, 999, 1004, 1005, 1006, 1015, 2999, 5000]) {
  bothRoles(h, `7.11 ws.close(${code}) throws a TypeError and sends nothing`, async (session) => {
    assert.throws(() => session.ws.close(code, "x"), TypeError);
    session.peer.send({ opcode: Opcode.PING, payload: "still open" });
    const pong = await session.peer.nextFrame();
    assert.equal(pong.opcode, Opcode.PONG, "the connection is still open");
  });
}

bothRoles(h, "7.11 ws.close(1000, 124-byte reason) throws a RangeError", async (session) => {
  assert.throws(() => session.ws.close(1000, "r".repeat(124)), RangeError);
  assert.throws(() => session.ws.close(1000, "é".repeat(62)), RangeError, "the limit counts UTF-8 bytes");
});

bothRoles(h, "7.12 ws.terminate() closes TCP with no close frame; the close event says 1006", async (session) => {
  session.ws.terminate();
  await session.peer.waitForClosed();
  assert.equal(session.peer.received.length, 0, "no close frame");
  assert.equal((await withTimeout(session.closed, 2_000, "close event")).code, 1006);
});

bothRoles(h, "7.13 the peer drops TCP without a close frame: close event 1006", async (session) => {
  session.peer.destroy();
  const event = await withTimeout(session.closed, 2_000, "close event");
  assert.equal(event.code, 1006);
});

bothRoles(h, "7.14 messages sent before close() still go out, in order, before the close frame", async (session) => {
  session.ws.send("one");
  session.ws.send("two");
  session.ws.close(1000, "done");
  assert.equal((await session.peer.nextMessage()).payload.toString(), "one");
  assert.equal((await session.peer.nextMessage()).payload.toString(), "two");
  assert.equal((await session.peer.nextClose()).code, 1000);
});
