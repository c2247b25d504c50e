// Autobahn section 6 (UTF-8 handling): text messages must be valid UTF-8 (RFC 6455 §5.6, §8.1),
// otherwise the connection fails with 1007. The sequences follow Markus Kuhn's UTF-8 decoder
// stress test, as Autobahn's 6.x cases do. Validation must fail fast: an invalid sequence inside
// a fragment of an unfinished message closes the connection without waiting for the rest.
import { after } from "node:test";
import assert from "node:assert/strict";
import { Opcode } from "../../helpers/frame.js";
import type { FrameSpec } from "../../helpers/frame.js";
import { Harness, bothRoles, expectEcho, expectFailure } from "./harness.js";

const h = await Harness.start();
after(() => h.close());

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
const KOSME = hex("ce ba e1 bd b9 cf 83 ce bc ce b5"); // "κόσμε"

/** [case, description, bytes] that are valid UTF-8. */
const VALID: [string, string, Buffer][] = [
  ["6.1.1", "empty", Buffer.alloc(0)],
  ["6.2.1", "Latin-1 supplement", Buffer.from("Hello-µ@ßöäüàá-UTF-8!!")],
  ["6.5.1", "κόσμε", KOSME],
  ["6.5.2", "CJK and emoji", Buffer.from("日本語テキスト 中文 한국어 😀🎉👍🏽")],
  ["6.5.3", "astral plane (math alphanumerics, Linear B)", Buffer.from("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐀀𐀁 𝟘𝟙")],
  ["6.5.4", "embedded NUL", Buffer.from("a\u0000b")],
  ["6.7.1", "first 1-byte sequence U+0000", hex("00")],
  ["6.7.2", "first 2-byte sequence U+0080", hex("c2 80")],
  ["6.7.3", "first 3-byte sequence U+0800", hex("e0 a0 80")],
  ["6.7.4", "first 4-byte sequence U+10000", hex("f0 90 80 80")],
  ["6.9.1", "last 1-byte sequence U+007F", hex("7f")],
  ["6.9.2", "last 2-byte sequence U+07FF", hex("df bf")],
  ["6.9.3", "last 3-byte sequence U+FFFF", hex("ef bf bf")],
  ["6.9.4", "last 4-byte sequence U+10FFFF", hex("f4 8f bf bf")],
  ["6.11.1", "U+D7FF (before the surrogates)", hex("ed 9f bf")],
  ["6.11.2", "U+E000 (after the surrogates)", hex("ee 80 80")],
  ["6.11.3", "U+FFFD replacement character", hex("ef bf bd")],
  ["6.22.1", "noncharacter U+FFFE", hex("ef bf be")],
  ["6.22.2", "noncharacter U+1FFFE", hex("f0 9f bf be")],
  ["6.22.3", "noncharacter U+10FFFE", hex("f4 8f bf be")],
  ["6.22.4", "noncharacters U+FDD0..U+FDEF", Buffer.from(Array.from({ length: 32 }, (_, i) => String.fromCodePoint(0xfdd0 + i)).join(""))],
  ["6.23.1", "byte order mark U+FEFF", hex("ef bb bf")],
];

/** [case, description, bytes] that are not valid UTF-8. */
const INVALID: [string, string, Buffer][] = [
  ["6.3.1", "κόσμε, a surrogate, then 'edited'", Buffer.concat([KOSME, hex("ed a0 80"), Buffer.from("edited")])],
  ["6.8.1", "5-byte sequence", hex("f8 88 80 80 80")],
  ["6.8.2", "6-byte sequence", hex("fc 84 80 80 80 80")],
  ["6.10.1", "U+1FFFFF as 4 bytes", hex("f7 bf bf bf")],
  ["6.10.2", "U+3FFFFFF as 5 bytes", hex("fb bf bf bf bf")],
  ["6.10.3", "U+7FFFFFFF as 6 bytes", hex("fd bf bf bf bf bf")],
  ["6.11.5", "U+110000 (above the Unicode range)", hex("f4 90 80 80")],
  ["6.12.1", "lone continuation 0x80", hex("80")],
  ["6.12.2", "lone continuation 0xbf", hex("bf")],
  ["6.12.3", "2 continuation bytes", hex("80 bf")],
  ["6.12.4", "3 continuation bytes", hex("80 bf 80")],
  ["6.12.5", "4 continuation bytes", hex("80 bf 80 bf")],
  ["6.12.6", "5 continuation bytes", hex("80 bf 80 bf 80")],
  ["6.12.7", "6 continuation bytes", hex("80 bf 80 bf 80 bf")],
  ["6.12.8", "all 64 continuation bytes", Buffer.from(Array.from({ length: 64 }, (_, i) => 0x80 + i))],
  ["6.13.1", "2-byte leads each followed by a space", Buffer.from(Array.from({ length: 32 }, (_, i) => [0xc0 + i, 0x20]).flat())],
  ["6.13.2", "3-byte leads each followed by a space", Buffer.from(Array.from({ length: 16 }, (_, i) => [0xe0 + i, 0x20]).flat())],
  ["6.13.3", "4-byte leads each followed by a space", Buffer.from(Array.from({ length: 8 }, (_, i) => [0xf0 + i, 0x20]).flat())],
  ["6.13.4", "5-byte leads each followed by a space", hex("f8 20 f9 20 fa 20 fb 20")],
  ["6.13.5", "6-byte leads each followed by a space", hex("fc 20 fd 20")],
  ["6.14.1", "2-byte sequence missing its last byte (U+0000)", hex("c0")],
  ["6.14.2", "3-byte sequence missing its last byte (U+0000)", hex("e0 80")],
  ["6.14.3", "4-byte sequence missing its last byte (U+0000)", hex("f0 80 80")],
  ["6.14.4", "5-byte sequence missing its last byte", hex("f8 80 80 80")],
  ["6.14.5", "6-byte sequence missing its last byte", hex("fc 80 80 80 80")],
  ["6.14.6", "2-byte sequence missing its last byte (U+07FF)", hex("df")],
  ["6.14.7", "3-byte sequence missing its last byte (U+FFFF)", hex("ef bf")],
  ["6.14.8", "4-byte sequence missing its last byte (U+1FFFFF)", hex("f7 bf bf")],
  ["6.14.9", "5-byte sequence missing its last byte", hex("fb bf bf bf")],
  ["6.14.10", "6-byte sequence missing its last byte", hex("fd bf bf bf bf")],
  ["6.14.11", "valid text ending in a truncated 3-byte sequence", Buffer.concat([Buffer.from("abc"), hex("e2 82")])],
  ["6.15.1", "all the truncated sequences concatenated", hex("c0 e0 80 f0 80 80 f8 80 80 80 fc 80 80 80 80 df ef bf f7 bf bf fb bf bf bf fd bf bf bf bf")],
  ["6.16.1", "impossible byte 0xfe", hex("fe")],
  ["6.16.2", "impossible byte 0xff", hex("ff")],
  ["6.16.3", "impossible bytes fe fe ff ff", hex("fe fe ff ff")],
  ["6.17.1", "overlong '/' in 2 bytes", hex("c0 af")],
  ["6.17.2", "overlong '/' in 3 bytes", hex("e0 80 af")],
  ["6.17.3", "overlong '/' in 4 bytes", hex("f0 80 80 af")],
  ["6.17.4", "overlong '/' in 5 bytes", hex("f8 80 80 80 af")],
  ["6.17.5", "overlong '/' in 6 bytes", hex("fc 80 80 80 80 af")],
  ["6.18.1", "maximum overlong 2-byte U+007F", hex("c1 bf")],
  ["6.18.2", "maximum overlong 3-byte U+07FF", hex("e0 9f bf")],
  ["6.18.3", "maximum overlong 4-byte U+FFFF", hex("f0 8f bf bf")],
  ["6.18.4", "maximum overlong 5-byte", hex("f8 87 bf bf bf")],
  ["6.18.5", "maximum overlong 6-byte", hex("fc 83 bf bf bf bf")],
  ["6.19.1", "overlong NUL in 2 bytes", hex("c0 80")],
  ["6.19.2", "overlong NUL in 3 bytes", hex("e0 80 80")],
  ["6.19.3", "overlong NUL in 4 bytes", hex("f0 80 80 80")],
  ["6.19.4", "overlong NUL in 5 bytes", hex("f8 80 80 80 80")],
  ["6.19.5", "overlong NUL in 6 bytes", hex("fc 80 80 80 80 80")],
  ["6.20.1", "lone surrogate U+D800", hex("ed a0 80")],
  ["6.20.2", "lone surrogate U+DB7F", hex("ed ad bf")],
  ["6.20.3", "lone surrogate U+DB80", hex("ed ae 80")],
  ["6.20.4", "lone surrogate U+DBFF", hex("ed af bf")],
  ["6.20.5", "lone surrogate U+DC00", hex("ed b0 80")],
  ["6.20.6", "lone surrogate U+DF80", hex("ed be 80")],
  ["6.20.7", "lone surrogate U+DFFF", hex("ed bf bf")],
  ["6.21.1", "surrogate pair U+D800 U+DC00", hex("ed a0 80 ed b0 80")],
  ["6.21.2", "surrogate pair U+D800 U+DFFF", hex("ed a0 80 ed bf bf")],
  ["6.21.3", "surrogate pair U+DB7F U+DC00", hex("ed ad bf ed b0 80")],
  ["6.21.4", "surrogate pair U+DB7F U+DFFF", hex("ed ad bf ed bf bf")],
  ["6.21.5", "surrogate pair U+DB80 U+DC00", hex("ed ae 80 ed b0 80")],
  ["6.21.6", "surrogate pair U+DB80 U+DFFF", hex("ed ae 80 ed bf bf")],
  ["6.21.7", "surrogate pair U+DBFF U+DC00", hex("ed af bf ed b0 80")],
  ["6.21.8", "surrogate pair U+DBFF U+DFFF", hex("ed af bf ed bf bf")],
];

// 6.6: every prefix of "κόσμε": valid exactly when it ends on a character boundary.
const BOUNDARIES = new Set([0, 2, 5, 7, 9, 11]);
for (let cut = 1; cut <= KOSME.length; cut++) {
  (BOUNDARIES.has(cut) ? VALID : INVALID).push([`6.6.${cut}`, `first ${cut} bytes of κόσμε`, KOSME.subarray(0, cut)]);
}

for (const [id, description, bytes] of VALID) {
  bothRoles(h, `${id} valid text: ${description}, in one frame, is echoed`, async ({ peer }) => {
    peer.send({ opcode: Opcode.TEXT, payload: bytes });
    await expectEcho(peer, Opcode.TEXT, bytes);
  });
  if (bytes.length < 2) continue;
  bothRoles(h, `${id} valid text: ${description}, one byte per fragment (sequences cut across fragments), is echoed`, async ({ peer }) => {
    peer.sendAll(
      Array.from(bytes, (_, i): FrameSpec => ({ opcode: i === 0 ? Opcode.TEXT : Opcode.CONTINUATION, payload: bytes.subarray(i, i + 1), fin: i === bytes.length - 1 })),
    );
    await expectEcho(peer, Opcode.TEXT, bytes);
  });
}

for (const [id, description, bytes] of INVALID) {
  bothRoles(h, `${id} invalid text: ${description}, fails with 1007`, async (session) => {
    session.peer.send({ opcode: Opcode.TEXT, payload: bytes });
    await expectFailure(session, 1007);
    assert.equal(session.messages.length, 0, "the invalid message was not delivered");
  });
}

bothRoles(h, "6.2.2 valid text split into 2 fragments at every byte offset", async ({ peer }) => {
  const bytes = Buffer.from("Hello-µ@ßöäüàá-UTF-8!! κόσμε 😀");
  for (let cut = 0; cut <= bytes.length; cut++) {
    peer.sendAll([
      { opcode: Opcode.TEXT, payload: bytes.subarray(0, cut), fin: false },
      { opcode: Opcode.CONTINUATION, payload: bytes.subarray(cut), fin: true },
    ]);
    await expectEcho(peer, Opcode.TEXT, bytes);
  }
});

bothRoles(h, "6.2.3 invalid bytes in a binary message are not checked", async ({ peer }) => {
  const bytes = hex("ff fe ed a0 80 c0 af 80");
  peer.send({ opcode: Opcode.BINARY, payload: bytes });
  await expectEcho(peer, Opcode.BINARY, bytes);
});

// 6.4: fail fast. Each case sends fragments without FIN up to the invalid bytes and never sends
// the rest: the close must come anyway.
const FAIL_FAST: [string, string, FrameSpec[]][] = [
  [
    "6.4.1",
    "κόσμε, then U+110000 in the next fragment",
    [
      { opcode: Opcode.TEXT, payload: KOSME, fin: false },
      { opcode: Opcode.CONTINUATION, payload: hex("f4 90 80 80"), fin: false },
    ],
  ],
  [
    "6.4.2",
    "κόσμε + 0xf4 in one fragment, 0x90 in the next",
    [
      { opcode: Opcode.TEXT, payload: Buffer.concat([KOSME, hex("f4")]), fin: false },
      { opcode: Opcode.CONTINUATION, payload: hex("90"), fin: false },
    ],
  ],
  ["6.4.5", "a surrogate in the first fragment", [{ opcode: Opcode.TEXT, payload: Buffer.concat([Buffer.from("ok "), hex("ed a0 80")]), fin: false }]],
  ["6.4.6", "an overlong '/' in the first fragment", [{ opcode: Opcode.TEXT, payload: hex("41 c0 af"), fin: false }]],
  ["6.4.7", "a lone continuation byte in the first fragment", [{ opcode: Opcode.TEXT, payload: hex("41 42 80"), fin: false }]],
  ["6.4.8", "byte 0xff in the first fragment", [{ opcode: Opcode.TEXT, payload: hex("ff"), fin: false }]],
  ["6.4.9", "a 5-byte lead in the first fragment", [{ opcode: Opcode.TEXT, payload: hex("f8 88"), fin: false }]],
  [
    "6.4.10",
    "a surrogate split across fragments (0xed | 0xa0 0x80)",
    [
      { opcode: Opcode.TEXT, payload: Buffer.concat([Buffer.from("abc"), hex("ed")]), fin: false },
      { opcode: Opcode.CONTINUATION, payload: hex("a0 80"), fin: false },
    ],
  ],
  [
    "6.4.11",
    "an overlong 3-byte lead split from its continuation (0xe0 | 0x80)",
    [
      { opcode: Opcode.TEXT, payload: hex("e0"), fin: false },
      { opcode: Opcode.CONTINUATION, payload: hex("80"), fin: false },
    ],
  ],
  [
    "6.4.12",
    "a valid fragment, a ping, then an invalid fragment",
    [
      { opcode: Opcode.TEXT, payload: "valid start", fin: false },
      { opcode: Opcode.PING, payload: "p" },
      { opcode: Opcode.CONTINUATION, payload: hex("c1 bf"), fin: false },
    ],
  ],
];

for (const [id, description, frames] of FAIL_FAST) {
  bothRoles(h, `${id} fail fast: ${description}, no FIN sent, fails with 1007 without the rest`, async (session) => {
    const { peer } = session;
    for (const frame of frames) {
      peer.send(frame);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const close = await peer.nextClose(1_500);
    assert.equal(close.code, 1007);
    assert.ok(close.before.every((f) => f.opcode === Opcode.PONG), "only pongs before the close");
    assert.equal(session.messages.length, 0);
  });
}

bothRoles(h, "6.4.13 a truncated sequence at the end of a non-final fragment is not an error yet", async ({ peer }) => {
  const euro = hex("e2 82 ac");
  peer.send({ opcode: Opcode.TEXT, payload: Buffer.concat([Buffer.from("price: "), euro.subarray(0, 2)]), fin: false });
  peer.send({ opcode: Opcode.PING, payload: "still open?" });
  const pong = await peer.nextFrame();
  assert.equal(pong.opcode, Opcode.PONG, "the connection is still open after the partial sequence");
  peer.send({ opcode: Opcode.CONTINUATION, payload: Buffer.concat([euro.subarray(2), Buffer.from("5")]), fin: true });
  await expectEcho(peer, Opcode.TEXT, "price: €5");
});

bothRoles(h, "6.4.14 a truncated sequence in the final fragment fails with 1007", async (session) => {
  session.peer.sendAll([
    { opcode: Opcode.TEXT, payload: Buffer.from("abc"), fin: false },
    { opcode: Opcode.CONTINUATION, payload: hex("f0 9f 98"), fin: true },
  ]);
  await expectFailure(session, 1007);
});
