// Autobahn sections 12 and 13 (permessage-deflate, RFC 7692): negotiation of the parameters,
// invalid offers declined or refused, compressed messages of many sizes in both directions,
// context takeover, fragmented compressed messages, RSV1 rules (never on control frames or
// continuations: 1002), and a deflate bomb over maxPayload closing with 1009.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { Opcode, closePayload } from "../../helpers/frame.js";
import type { FrameSpec } from "../../helpers/frame.js";
import { StreamDeflater, StreamInflater, deflateMessage, inflateMessage, parseExtensions } from "../../helpers/deflate.js";
import { connectRawClient, rawHandshake, upgradeRequest } from "../../helpers/raw-client.js";
import type { RawPeer } from "../../helpers/raw-peer.js";
import { withTimeout } from "../../helpers/wait.js";
import { WebSocket } from "../../helpers/websocket-impl.js";
import { Harness, bothRoles, expectFailure } from "./harness.js";
import type { OpenOptions, Session } from "./harness.js";

const MAX = 256 * 1024;
const h = await Harness.start({ perMessageDeflate: true, maxPayload: MAX });
after(() => h.close());

/** Both roles negotiate plain permessage-deflate (context takeover both ways). */
const DEFLATE: OpenOptions = {
  request: { extensions: "permessage-deflate; client_max_window_bits" },
  response: { extensions: "permessage-deflate" },
  clientOptions: { maxPayload: MAX },
};
/** Both roles negotiate no context takeover for the implementation's side. */
const NO_TAKEOVER: OpenOptions = {
  request: { extensions: "permessage-deflate; server_no_context_takeover" },
  response: { extensions: "permessage-deflate; client_no_context_takeover" },
  clientOptions: { maxPayload: MAX },
};

const PARAMS = new Set(["server_no_context_takeover", "client_no_context_takeover", "server_max_window_bits", "client_max_window_bits"]);

/** Checks a server's permessage-deflate answer against the offer (RFC 7692 §7.1). */
function assertValidAnswer(offer: string, answer: string | undefined): Map<string, string | true> {
  const accepted = parseExtensions(answer);
  assert.equal(accepted.length, 1, `one extension accepted: ${answer}`);
  assert.equal(accepted[0]?.name, "permessage-deflate");
  const offered = new Map(parseExtensions(offer)[0]?.params ?? []);
  const params = new Map<string, string | true>();
  for (const [name, value] of accepted[0]?.params ?? []) {
    assert.ok(PARAMS.has(name), `known parameter ${name}`);
    assert.ok(!params.has(name), `parameter ${name} once`);
    params.set(name, value);
    if (name.endsWith("_max_window_bits")) {
      assert.match(String(value), /^(8|9|1[0-5])$/, `${name} value ${String(value)}`);
    }
  }
  if (offered.has("server_no_context_takeover")) assert.ok(params.has("server_no_context_takeover"), "server_no_context_takeover acknowledged");
  if (!offered.has("client_max_window_bits")) assert.ok(!params.has("client_max_window_bits"), "client_max_window_bits only if offered");
  const serverBits = offered.get("server_max_window_bits");
  if (typeof serverBits === "string") {
    const answered = params.get("server_max_window_bits");
    assert.ok(typeof answered === "string" && Number(answered) <= Number(serverBits), `server_max_window_bits ${String(answered)} <= ${serverBits}`);
  }
  return params;
}

/** Compressible valid UTF-8 of exactly `length` bytes (multi-byte words, ASCII padding). */
function compressible(length: number): Buffer {
  const words = ["alpha ", "beta ", "gamma ", "delta ", "κόσμε ", "😀 "];
  const out: string[] = [];
  let size = 0;
  for (let i = 0; ; i++) {
    const w = words[(i * 7) % words.length] as string;
    if (size + Buffer.byteLength(w) > length) break;
    out.push(w);
    size += Buffer.byteLength(w);
  }
  out.push(".".repeat(length - size));
  return Buffer.from(out.join(""));
}

function safeText(length: number): Buffer {
  return Buffer.from("The quick brown fox jumps over the lazy dog. ".repeat(Math.ceil(length / 45) + 1)).subarray(0, length);
}

function pseudoRandom(length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = 0x12345678;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Reads the implementation's next message, inflating it, and checks it. */
async function expectInflatedEcho(peer: RawPeer, inflater: StreamInflater, opcode: number, payload: Buffer, mustCompress: boolean): Promise<void> {
  const msg = await peer.nextMessage(5_000, inflater);
  assert.equal(msg.opcode, opcode);
  if (mustCompress) assert.ok(msg.compressed, "a large compressible message is sent compressed (RSV1)");
  for (const frame of msg.frames.slice(1)) assert.equal(frame.rsv1, false, "RSV1 only on the first frame");
  assert.equal(msg.payload.length, payload.length, "inflated length");
  assert.ok(msg.payload.equals(payload), "inflated bytes");
}

function withInflater(body: (s: Session, inflater: StreamInflater) => Promise<void>): (s: Session) => Promise<void> {
  return async (session) => {
    const inflater = new StreamInflater();
    try {
      await body(session, inflater);
    } finally {
      inflater.close();
    }
  };
}

// 13.x negotiation, server role: each offer is accepted with a valid answer.
const GOOD_OFFERS = [
  "permessage-deflate",
  "permessage-deflate; client_max_window_bits",
  "permessage-deflate; client_max_window_bits=15",
  "permessage-deflate; client_max_window_bits=9",
  "permessage-deflate; server_no_context_takeover",
  "permessage-deflate; client_no_context_takeover",
  "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
  "permessage-deflate; server_max_window_bits=15",
  "permessage-deflate; server_max_window_bits=10",
  "permessage-deflate; server_max_window_bits=9; client_max_window_bits=9",
  'permessage-deflate; server_max_window_bits="12"',
  "permessage-deflate; client_max_window_bits, permessage-deflate",
  "x-unknown-extension, permessage-deflate",
];
for (const offer of GOOD_OFFERS) {
  test(`13.1 offer "${offer}" is accepted with a valid answer, and a compressed round trip works [server]`, async () => {
    const peer = await connectRawClient(h.port, { extensions: offer });
    const inflater = new StreamInflater();
    try {
      const answer = peer.response?.headers["sec-websocket-extensions"];
      assertValidAnswer(offer.startsWith("x-unknown") ? offer.split(", ")[1] ?? "" : offer, answer);
      const payload = compressible(5000);
      peer.send({ opcode: Opcode.TEXT, rsv1: true, payload: deflateMessage(payload) });
      await expectInflatedEcho(peer, inflater, Opcode.TEXT, payload, true);
    } finally {
      inflater.close();
      peer.destroy();
    }
  });
}

// Invalid offers: RFC 7692 §5 says decline (101 without the extension); refusing with 400 is also safe.
const BAD_OFFERS = [
  "permessage-deflate; server_max_window_bits=7",
  "permessage-deflate; server_max_window_bits=16",
  "permessage-deflate; server_max_window_bits=0",
  "permessage-deflate; server_max_window_bits=abc",
  "permessage-deflate; server_max_window_bits=010",
  "permessage-deflate; server_max_window_bits",
  "permessage-deflate; client_max_window_bits=7",
  "permessage-deflate; client_max_window_bits=16",
  "permessage-deflate; client_max_window_bits=x",
  "permessage-deflate; server_no_context_takeover=1",
  "permessage-deflate; client_no_context_takeover=true",
  "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
  "permessage-deflate; client_max_window_bits=10; client_max_window_bits=11",
  "permessage-deflate; foo",
  "permessage-deflate; foo=bar",
  "permessage-deflate;; server_no_context_takeover",
  "permessage-deflate; =10",
  "permessage-deflate; server_max_window_bits=1 0",
];
for (const offer of BAD_OFFERS) {
  test(`13.2 invalid offer "${offer}" is declined or refused, and the server keeps serving [server]`, async () => {
    const res = await rawHandshake(h.port, upgradeRequest({ extensions: offer }));
    try {
      assert.ok(res.status === 101 || res.status === 400, `status ${res.status}`);
      if (res.status === 101) {
        const accepted = parseExtensions(res.headers["sec-websocket-extensions"]);
        assert.deepEqual(accepted, [], `invalid offer declined, got ${res.headers["sec-websocket-extensions"]}`);
        res.peer?.send({ opcode: Opcode.TEXT, payload: "plain" });
        const msg = await res.peer?.nextMessage();
        assert.equal(msg?.payload.toString(), "plain");
      }
    } finally {
      res.peer?.destroy();
    }
    const next = await connectRawClient(h.port);
    next.send({ opcode: Opcode.TEXT, payload: "next client" });
    assert.equal((await next.nextMessage()).payload.toString(), "next client");
    next.destroy();
  });
}

test("13.3 a second offer is used when the first is invalid (or the handshake is refused) [server]", async () => {
  const offer = "permessage-deflate; server_max_window_bits=7, permessage-deflate; client_no_context_takeover";
  const res = await rawHandshake(h.port, upgradeRequest({ extensions: offer }));
  try {
    assert.ok(res.status === 101 || res.status === 400, `status ${res.status}`);
    if (res.status === 101 && res.headers["sec-websocket-extensions"] !== undefined) {
      const params = assertValidAnswer("permessage-deflate; client_no_context_takeover", res.headers["sec-websocket-extensions"]);
      assert.ok(!params.has("server_max_window_bits") || params.get("server_max_window_bits") !== "7");
    }
  } finally {
    res.peer?.destroy();
  }
});

test("13.4 without an offer, the server answers no extension [server]", async () => {
  const peer = await connectRawClient(h.port);
  assert.equal(peer.response?.headers["sec-websocket-extensions"], undefined);
  peer.send({ opcode: Opcode.TEXT, rsv1: true, payload: deflateMessage("not negotiated") });
  const close = await peer.nextClose();
  assert.equal(close.code, 1002, "RSV1 without the extension is a protocol error");
  peer.destroy();
});

// Negotiation, client role: what the client offers and how it treats the server's answer.
test("13.5 the client offers permessage-deflate by default, with client_max_window_bits [client]", async () => {
  const ws = new WebSocket(h.raw.url(), []);
  ws.on("error", () => {});
  try {
    const upgrade = await h.raw.nextUpgrade();
    const offers = parseExtensions(upgrade.headers["sec-websocket-extensions"]);
    assert.equal(offers[0]?.name, "permessage-deflate");
    for (const [name] of offers[0]?.params ?? []) assert.ok(PARAMS.has(name), `known parameter ${name}`);
    upgrade.socket.destroy();
  } finally {
    ws.terminate();
  }
});

test("13.5 with perMessageDeflate: false the client offers no extension [client]", async () => {
  const ws = new WebSocket(h.raw.url(), [], { perMessageDeflate: false });
  ws.on("error", () => {});
  try {
    const upgrade = await h.raw.nextUpgrade();
    assert.equal(upgrade.headers["sec-websocket-extensions"], undefined);
    upgrade.socket.destroy();
  } finally {
    ws.terminate();
  }
});

for (const [name, answer, clientOptions] of [
  ["an extension it did not offer", "x-foo", {}],
  ["permessage-deflate although it offered none", "permessage-deflate", { perMessageDeflate: false }],
  ["server_max_window_bits=7", "permessage-deflate; server_max_window_bits=7", {}],
  ["an unknown parameter", "permessage-deflate; foo=1", {}],
  ["a duplicated parameter", "permessage-deflate; server_no_context_takeover; server_no_context_takeover", {}],
  ["permessage-deflate twice", "permessage-deflate, permessage-deflate", {}],
] as const) {
  test(`13.6 the client fails the handshake when the server answers ${name} [client]`, async () => {
    const ws = new WebSocket(h.raw.url(), [], clientOptions);
    const outcome = new Promise<string>((resolve) => {
      ws.once("open", () => resolve("open"));
      ws.once("error", (err: Error) => resolve(`error: ${err.message}`));
    });
    const upgrade = await h.raw.nextUpgrade();
    const peer = upgrade.accept({ extensions: answer });
    try {
      const result = await withTimeout(outcome, 2_000, "client open or error");
      assert.match(result, /^error/, "the client must not open");
      await peer.waitForClosed();
    } finally {
      peer.destroy();
      ws.terminate();
    }
  });
}

// 12.x: compressed messages of many sizes, both directions, both roles.
for (const size of [0, 16, 64, 256, 1024, 4096, 16384, 65536, 131072]) {
  for (const [kind, opcode, make] of [
    ["text", Opcode.TEXT, compressible],
    ["binary", Opcode.BINARY, pseudoRandom],
  ] as const) {
    bothRoles(
      h,
      `12.1 compressed ${kind} message of ${size} bytes round trips`,
      withInflater(async ({ peer }, inflater) => {
        const payload = make(size);
        peer.send({ opcode, rsv1: true, payload: deflateMessage(payload) });
        await expectInflatedEcho(peer, inflater, opcode, payload, kind === "text" && size >= 4096);
      }),
      DEFLATE,
    );
  }
}

bothRoles(
  h,
  "12.2 uncompressed messages (RSV1 clear) are still accepted when compression is negotiated",
  withInflater(async ({ peer }, inflater) => {
    peer.send({ opcode: Opcode.TEXT, payload: "plain text" });
    await expectInflatedEcho(peer, inflater, Opcode.TEXT, Buffer.from("plain text"), false);
  }),
  DEFLATE,
);

bothRoles(
  h,
  "12.3 messages compressed with context takeover (shared window) round trip",
  withInflater(async ({ peer }, inflater) => {
    const deflater = new StreamDeflater();
    try {
      const payload = compressible(3000);
      const sizes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const data = await deflater.deflate(payload);
        sizes.push(data.length);
        peer.send({ opcode: Opcode.TEXT, rsv1: true, payload: data });
      }
      assert.ok((sizes[1] ?? 0) < (sizes[0] ?? 0), "later messages use the shared window");
      for (let i = 0; i < 5; i++) await expectInflatedEcho(peer, inflater, Opcode.TEXT, payload, true);
    } finally {
      deflater.close();
    }
  }),
  DEFLATE,
);

bothRoles(
  h,
  "12.4 with no context takeover agreed, each compressed message inflates on its own",
  async ({ peer }) => {
    const payload = compressible(8000);
    for (let i = 0; i < 3; i++) peer.send({ opcode: Opcode.TEXT, rsv1: true, payload: deflateMessage(payload) });
    for (let i = 0; i < 3; i++) {
      const msg = await peer.nextMessage(5_000);
      assert.ok(msg.compressed, "compressed");
      assert.ok(inflateMessage(msg.payload).equals(payload), `message ${i} inflates with a fresh window`);
    }
  },
  NO_TAKEOVER,
);

bothRoles(
  h,
  "12.5 a compressed message in fragments (RSV1 on the first only) round trips",
  withInflater(async ({ peer }, inflater) => {
    const payload = compressible(20_000);
    const data = deflateMessage(payload);
    const third = Math.ceil(data.length / 3);
    peer.sendAll([
      { opcode: Opcode.TEXT, rsv1: true, payload: data.subarray(0, third), fin: false },
      { opcode: Opcode.PING, payload: "mid" },
      { opcode: Opcode.CONTINUATION, payload: data.subarray(third, 2 * third), fin: false },
      { opcode: Opcode.CONTINUATION, payload: data.subarray(2 * third), fin: true },
    ]);
    const pong = await peer.nextFrame();
    assert.deepEqual([pong.opcode, pong.rsv1, pong.payload.toString()], [Opcode.PONG, false, "mid"], "control frames are never compressed");
    await expectInflatedEcho(peer, inflater, Opcode.TEXT, payload, true);
  }),
  DEFLATE,
);

bothRoles(
  h,
  "12.6 send(data, { compress: false }) goes out uncompressed",
  async ({ peer, ws }) => {
    const payload = compressible(10_000);
    ws.send(payload, { binary: false, compress: false });
    const msg = await peer.nextMessage();
    assert.equal(msg.compressed, false);
    assert.ok(msg.payload.equals(payload));
  },
  DEFLATE,
);

bothRoles(
  h,
  "12.7 ws.extensions names permessage-deflate once negotiated",
  async ({ ws }) => {
    assert.match(ws.extensions, /permessage-deflate/);
  },
  DEFLATE,
);

// RSV rules with the extension negotiated (RFC 7692 §6: RSV1 means "compressed" on the first frame of a data message only).
for (const [name, frame] of [
  ["ping", { opcode: Opcode.PING, rsv1: true, payload: "p" }],
  ["pong", { opcode: Opcode.PONG, rsv1: true, payload: "p" }],
  ["close", { opcode: Opcode.CLOSE, rsv1: true, payload: closePayload(1000) }],
] as [string, FrameSpec][]) {
  bothRoles(
    h,
    `12.8 RSV1 on a ${name} frame fails with 1002`,
    async (session) => {
      session.peer.send(frame);
      await expectFailure(session, 1002);
    },
    DEFLATE,
  );
}

bothRoles(
  h,
  "12.9 RSV1 on a continuation frame fails with 1002",
  async (session) => {
    const data = deflateMessage(compressible(2000));
    session.peer.sendAll([
      { opcode: Opcode.TEXT, rsv1: true, payload: data.subarray(0, 10), fin: false },
      { opcode: Opcode.CONTINUATION, rsv1: true, payload: data.subarray(10), fin: true },
    ]);
    await expectFailure(session, 1002);
  },
  DEFLATE,
);

for (const bits of [{ rsv2: true }, { rsv3: true }]) {
  bothRoles(
    h,
    `12.10 ${Object.keys(bits)[0]} with compression negotiated still fails with 1002`,
    async (session) => {
      session.peer.send({ opcode: Opcode.TEXT, rsv1: true, ...bits, payload: deflateMessage("x") });
      await expectFailure(session, 1002);
    },
    DEFLATE,
  );
}

// Decompression limits and errors.
for (const [name, size] of [
  ["maxPayload + 1 bytes", MAX + 1],
  ["16 MiB", 16 * 1024 * 1024],
] as const) {
  bothRoles(
    h,
    `12.11 a deflate bomb inflating to ${name} closes with 1009`,
    async (session) => {
      const bomb = deflateMessage(Buffer.alloc(size));
      assert.ok(bomb.length < MAX, "the compressed frame itself is under maxPayload");
      session.peer.send({ opcode: Opcode.BINARY, rsv1: true, payload: bomb });
      await expectFailure(session, 1009, 5_000);
      assert.equal(session.messages.length, 0);
    },
    DEFLATE,
  );
}

bothRoles(
  h,
  "12.11 a fragmented deflate bomb closes with 1009",
  async (session) => {
    const bomb = deflateMessage(Buffer.alloc(4 * MAX));
    const half = Math.ceil(bomb.length / 2);
    session.peer.sendAll([
      { opcode: Opcode.BINARY, rsv1: true, payload: bomb.subarray(0, half), fin: false },
      { opcode: Opcode.CONTINUATION, payload: bomb.subarray(half), fin: true },
    ]);
    await expectFailure(session, 1009, 5_000);
  },
  DEFLATE,
);

bothRoles(
  h,
  "12.12 compressed text that inflates to invalid UTF-8 fails with 1007",
  async (session) => {
    session.peer.send({ opcode: Opcode.TEXT, rsv1: true, payload: deflateMessage(Buffer.from([0x61, 0xed, 0xa0, 0x80])) });
    await expectFailure(session, 1007);
  },
  DEFLATE,
);

bothRoles(
  h,
  "12.13 data that is not valid deflate fails the connection (1007 or 1002)",
  async (session) => {
    session.peer.send({ opcode: Opcode.BINARY, rsv1: true, payload: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x02]) });
    const close = await session.peer.nextClose();
    assert.ok(close.code === 1007 || close.code === 1002, `closed with ${close.code}`);
  },
  DEFLATE,
);

bothRoles(
  h,
  "12.14 the implementation's own large messages are compressed and inflate correctly",
  withInflater(async ({ peer, ws }, inflater) => {
    const payloads = [compressible(2048), safeText(50_000), compressible(100_000)];
    for (const payload of payloads) ws.send(payload, { binary: true });
    for (const payload of payloads) await expectInflatedEcho(peer, inflater, Opcode.BINARY, payload, true);
  }),
  DEFLATE,
);
