// Autobahn section 2 (ping/pong): a ping is answered by a pong with the same payload
// (RFC 6455 §5.5.2/§5.5.3), unsolicited pongs are ignored, control payloads stay within 125
// bytes (§5.5), and the ping/pong API works in both directions.
import { after } from "node:test";
import assert from "node:assert/strict";
import { Opcode } from "../../helpers/frame.js";
import type { RawPeer } from "../../helpers/raw-peer.js";
import { withTimeout } from "../../helpers/wait.js";
import { Harness, bothRoles, expectFailure } from "./harness.js";

const h = await Harness.start();
after(() => h.close());

function bytes(length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 13) & 0xff));
}

async function expectPong(peer: RawPeer, payload: Buffer): Promise<void> {
  const frame = await peer.nextFrame();
  assert.equal(frame.opcode, Opcode.PONG, "a pong answers the ping");
  assert.ok(frame.fin, "pong is not fragmented");
  assert.ok(frame.payload.equals(payload), `pong payload (${frame.payload.length} bytes) equals the ping's (${payload.length})`);
}

// 2.1-2.4: pings of allowed sizes are answered with the same payload.
for (const length of [0, 1, 10, 64, 124, 125]) {
  bothRoles(h, `2.1 ping with a ${length}-byte payload gets a pong with the same payload`, async ({ peer }) => {
    const payload = bytes(length);
    peer.send({ opcode: Opcode.PING, payload });
    await expectPong(peer, payload);
  });
}

bothRoles(h, "2.2 ping with a UTF-8 text payload", async ({ peer }) => {
  const payload = Buffer.from("Hello, 世界 🌍");
  peer.send({ opcode: Opcode.PING, payload });
  await expectPong(peer, payload);
});

bothRoles(h, "2.3 ping with every byte value 0x00-0x7c (binary, not UTF-8 checked)", async ({ peer }) => {
  const payload = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc0, ...Array.from({ length: 120 }, (_, i) => i)]);
  peer.send({ opcode: Opcode.PING, payload });
  await expectPong(peer, payload);
});

// 2.5: a control frame payload above 125 bytes is a protocol error (RFC 6455 §5.5).
for (const length of [126, 127, 1000, 65536]) {
  bothRoles(h, `2.5 ping with a ${length}-byte payload fails the connection with 1002`, async (session) => {
    session.peer.send({ opcode: Opcode.PING, payload: bytes(length) });
    await expectFailure(session, 1002);
  });
  bothRoles(h, `2.5 pong with a ${length}-byte payload fails the connection with 1002`, async (session) => {
    session.peer.send({ opcode: Opcode.PONG, payload: bytes(length) });
    await expectFailure(session, 1002);
  });
}

bothRoles(h, "2.5 a 126-byte ping announced with a 16-bit length is refused before its payload arrives", async (session) => {
  const frame = session.peer.build({ opcode: Opcode.PING, payload: bytes(126) });
  session.peer.send(frame.subarray(0, 8)); // header (and mask key) only
  await expectFailure(session, 1002);
});

bothRoles(h, "2.6 ping with a 125-byte payload written in 1-byte chunks", async ({ peer }) => {
  const payload = bytes(125);
  await peer.sendChunked(peer.build({ opcode: Opcode.PING, payload }), 9, 1);
  await expectPong(peer, payload);
});

// 2.7-2.9: unsolicited pongs get no answer. A ping sent after them proves it: its pong must be the first frame back.
bothRoles(h, "2.7 an unsolicited empty pong is ignored", async ({ peer }) => {
  peer.sendAll([{ opcode: Opcode.PONG }, { opcode: Opcode.PING, payload: "after" }]);
  await expectPong(peer, Buffer.from("after"));
});

bothRoles(h, "2.8 an unsolicited pong with a payload is ignored", async ({ peer }) => {
  peer.sendAll([{ opcode: Opcode.PONG, payload: "unsolicited" }, { opcode: Opcode.PING, payload: "after" }]);
  await expectPong(peer, Buffer.from("after"));
});

bothRoles(h, "2.9 an unsolicited pong then a ping: only the ping is answered", async ({ peer }) => {
  peer.sendAll([
    { opcode: Opcode.PONG, payload: "ignored" },
    { opcode: Opcode.PING, payload: "ping-1" },
    { opcode: Opcode.TEXT, payload: "marker" },
  ]);
  await expectPong(peer, Buffer.from("ping-1"));
  const msg = await peer.nextMessage();
  assert.equal(msg.payload.toString(), "marker");
});

bothRoles(h, "2.10 ten pings in one write get ten pongs, in order", async ({ peer }) => {
  peer.sendAll(Array.from({ length: 10 }, (_, i) => ({ opcode: Opcode.PING, payload: `ping ${i}` })));
  for (let i = 0; i < 10; i++) await expectPong(peer, Buffer.from(`ping ${i}`));
});

bothRoles(h, "2.11 ten pings written in 1-byte chunks get ten pongs, in order", async ({ peer }) => {
  const all = Buffer.concat(Array.from({ length: 10 }, (_, i) => peer.build({ opcode: Opcode.PING, payload: `p${i}` })));
  await peer.sendChunked(all, 3, 0);
  for (let i = 0; i < 10; i++) await expectPong(peer, Buffer.from(`p${i}`));
});

// The ping/pong API at the public surface.
bothRoles(h, "2.12 ws.ping(data) sends a ping and the answer is emitted as 'pong'", async ({ peer, ws }) => {
  const gotPong = new Promise<Buffer>((resolve) => ws.once("pong", (data: Buffer) => resolve(data)));
  ws.ping(Buffer.from("are you there"));
  const ping = await peer.nextFrame();
  assert.equal(ping.opcode, Opcode.PING);
  assert.equal(ping.payload.toString(), "are you there");
  peer.send({ opcode: Opcode.PONG, payload: ping.payload });
  assert.equal((await withTimeout(gotPong, 2000, "'pong' event")).toString(), "are you there");
});

bothRoles(h, "2.13 a received ping is emitted as 'ping' with its payload", async ({ peer, ws }) => {
  const gotPing = new Promise<Buffer>((resolve) => ws.once("ping", (data: Buffer) => resolve(data)));
  peer.send({ opcode: Opcode.PING, payload: "knock" });
  assert.equal((await withTimeout(gotPing, 2000, "'ping' event")).toString(), "knock");
  await expectPong(peer, Buffer.from("knock"));
});

bothRoles(h, "2.14 ws.pong(data) sends an unsolicited pong", async ({ peer, ws }) => {
  ws.pong(Buffer.from("heartbeat"));
  const frame = await peer.nextFrame();
  assert.deepEqual([frame.opcode, frame.fin, frame.payload.toString()], [Opcode.PONG, true, "heartbeat"]);
});
