// Property tests of the RFC 6455 frame parser (src/websocket/receiver.ts): any byte string, cut
// into any chunks, yields messages, control frames, or one typed WebSocketError, never an escaping
// exception or a hang; the outcome does not depend on how the bytes were split; and frames written
// by our Sender (fragmented, masked, compressed) come back as the messages that were sent.
// Seeded and modest by default; `npm run fuzz` runs 20000.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Duplex } from "node:stream";
import fc from "fast-check";
import { WebSocketError } from "../../src/websocket/errors.js";
import { PerMessageDeflate, resolveDeflateOptions } from "../../src/websocket/permessage-deflate.js";
import { Receiver, type ReceiverHandler } from "../../src/websocket/receiver.js";
import { Sender } from "../../src/websocket/sender.js";
import { isValidUtf8 } from "../../src/websocket/validation.js";

const numRuns = Number(process.env.FUZZ_RUNS ?? 300);
const seed = Number(process.env.FUZZ_SEED ?? 0x5eed);
const params = { numRuns, seed };
/** Async properties (zlib, nextTick flushes) cost more per run. */
const asyncParams = { numRuns: Math.max(20, Math.floor(numRuns / 4)), seed };

/** Close codes a receiver may put on its error (RFC 6455 §7.4.1), or 1006 for none. */
const RECEIVER_CLOSE_CODES = new Set([1002, 1007, 1009]);

type Event =
  | readonly ["message", string, boolean]
  | readonly ["ping", string]
  | readonly ["pong", string]
  | readonly ["close", number, string]
  | readonly ["error", string, number];

/** Records every handler call in a comparable form, and every rule a handler call must respect. */
class Recorder implements ReceiverHandler {
  readonly events: Event[] = [];
  /** A handler call after the receiver said it was finished (close frame or error). */
  lateCall = false;
  drains = 0;
  #ended = false;

  onMessage(data: Buffer, isBinary: boolean): void {
    this.#check();
    if (!isBinary) assert.ok(isValidUtf8(data), "text message with invalid UTF-8 was delivered");
    this.events.push(["message", data.toString("hex"), isBinary]);
  }
  onPing(data: Buffer): void {
    this.#check();
    assert.ok(data.length <= 125, "control payload over 125 bytes");
    this.events.push(["ping", data.toString("hex")]);
  }
  onPong(data: Buffer): void {
    this.#check();
    assert.ok(data.length <= 125, "control payload over 125 bytes");
    this.events.push(["pong", data.toString("hex")]);
  }
  onCloseFrame(code: number, reason: Buffer): void {
    this.#check();
    this.#ended = true;
    this.events.push(["close", code, reason.toString("hex")]);
  }
  onError(error: WebSocketError): void {
    this.#check();
    this.#ended = true;
    assert.ok(error instanceof WebSocketError, "onError got something other than a WebSocketError");
    assert.match(error.code, /^WS_ERR_/);
    assert.ok(RECEIVER_CLOSE_CODES.has(error.closeCode), `unexpected close code ${error.closeCode} for ${error.code}`);
    this.events.push(["error", error.code, error.closeCode]);
  }
  onDrain(): void {
    this.drains++;
  }
  #check(): void {
    if (this.#ended) this.lateCall = true;
  }
}

/** Feeds copies of `chunks` (the receiver unmasks in place) synchronously, then finishes. */
function feedSync(chunks: readonly Uint8Array[], isServer: boolean, maxPayload: number): Recorder {
  const recorder = new Recorder();
  const receiver = new Receiver({ isServer, maxPayload, perMessageDeflate: null }, recorder);
  const start = performance.now();
  for (const chunk of chunks) receiver.write(Buffer.from(chunk));
  assert.equal(receiver.finish(), true, "nothing can be in flight without permessage-deflate");
  assert.ok(performance.now() - start < 1000, "parsing took too long");
  assert.equal(recorder.lateCall, false, "handler called after a close frame or an error");
  assert.ok(recorder.events.filter((e) => e[0] === "error").length <= 1, "onError called twice");
  return recorder;
}

/** Cuts `bytes` at the given (sorted, deduplicated) offsets. */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const at of points) {
    out.push(bytes.subarray(from, at));
    from = at;
  }
  out.push(bytes.subarray(from));
  return out;
}

/** One frame header + payload with every field chosen freely, valid or not (RFC 6455 §5.2). */
const rawFrame = fc
  .record({
    fin: fc.boolean(),
    rsv: fc.integer({ min: 0, max: 7 }),
    // Mostly the defined opcodes, sometimes reserved ones.
    opcode: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(0x0, 0x1, 0x2, 0x8, 0x9, 0xa) }, fc.integer({ min: 0, max: 15 })),
    mask: fc.option(fc.uint8Array({ minLength: 4, maxLength: 4 }), { freq: 3 }),
    payload: fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.string({ maxLength: 30 }).map((s) => new Uint8Array(Buffer.from(s))),
      // A close payload: a code (valid or not) and a short reason.
      fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.string({ maxLength: 10 })).map(([code, reason]) => {
        const b = Buffer.alloc(2 + Buffer.byteLength(reason));
        b.writeUInt16BE(code, 0);
        b.write(reason, 2);
        return new Uint8Array(b);
      }),
      fc.uint8Array({ minLength: 126, maxLength: 300 }),
    ),
    lengthBits: fc.constantFrom<7 | 16 | 64 | undefined>(undefined, undefined, 16, 64),
    /** Lie about the length: up to 2^64-1, which must be refused from the header alone. */
    announced: fc.option(fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 400n })), { freq: 8 }),
  })
  .map(({ fin, rsv, opcode, mask, payload, lengthBits, announced }) => {
    const length = announced ?? BigInt(payload.length);
    const bits = lengthBits ?? (length <= 125n ? 7 : length <= 0xffffn ? 16 : 64);
    const header: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
    const maskBit = mask === null ? 0 : 0x80;
    if (bits === 7 && length <= 125n) header.push(maskBit | Number(length));
    else if (bits !== 64 && length <= 0xffffn) header.push(maskBit | 126, Number(length >> 8n), Number(length & 0xffn));
    else {
      header.push(maskBit | 127);
      for (let shift = 56n; shift >= 0n; shift -= 8n) header.push(Number((length >> shift) & 0xffn));
    }
    const body = Buffer.from(payload);
    if (mask !== null) {
      header.push(...mask);
      for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ mask[i % 4]!;
    }
    return new Uint8Array(Buffer.concat([Buffer.from(header), body]));
  });

const frameStream = fc.array(rawFrame, { maxLength: 6 }).map((frames) => new Uint8Array(Buffer.concat(frames)));
const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), frameStream);
const cuts = fc.array(fc.nat(), { maxLength: 8 });
const maxPayloads = fc.constantFrom(0, 0, 1, 64, 200, 1 << 20);

test("any bytes, in any chunks, give messages or one typed error, never a throw", () => {
  fc.assert(
    fc.property(anyBytes, cuts, fc.boolean(), maxPayloads, (bytes, at, isServer, maxPayload) => {
      const recorder = feedSync(split(bytes, at), isServer, maxPayload);
      if (maxPayload > 0) {
        for (const e of recorder.events) if (e[0] === "message") assert.ok(e[1].length / 2 <= maxPayload, "message over maxPayload");
      }
    }),
    params,
  );
});

test("the outcome does not depend on where the input is split", () => {
  fc.assert(
    fc.property(frameStream, cuts, fc.boolean(), maxPayloads, (bytes, at, isServer, maxPayload) => {
      const whole = feedSync([bytes], isServer, maxPayload).events;
      const pieces = feedSync(split(bytes, at), isServer, maxPayload).events;
      const bytewise = feedSync(split(bytes, Array.from(bytes, (_, i) => i)), isServer, maxPayload).events;
      assert.deepEqual(pieces, whole);
      assert.deepEqual(bytewise, whole);
    }),
    params,
  );
});

test("a header announcing up to 2^64-1 bytes over maxPayload is refused with 1009 before any payload", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1025n, max: (1n << 63n) - 1n }), fc.boolean(), (length, isServer) => {
      const header = Buffer.alloc(isServer ? 14 : 10);
      header[0] = 0x82;
      header[1] = (isServer ? 0x80 : 0) | 127;
      header.writeBigUInt64BE(length, 2);
      const events = feedSync([header], isServer, 1024).events;
      assert.deepEqual(events, [["error", "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", 1009]]);
    }),
    params,
  );
});

/** A Duplex that keeps what the Sender writes. */
function sink(): { socket: Duplex; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
    writev(entries, callback) {
      for (const entry of entries) chunks.push(Buffer.from(entry.chunk as Buffer));
      callback();
    },
  });
  return { socket, chunks };
}

interface Outgoing {
  binary: boolean;
  data: Buffer;
  /** Fragment sizes: the message goes out as this many frames (the last takes the rest). */
  fragments: number[];
  /** A ping sent before this message. */
  ping: Buffer | null;
}

const outgoing: fc.Arbitrary<Outgoing> = fc.record({
  binary: fc.boolean(),
  data: fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 1000, maxLength: 70_000 })).map((a) => Buffer.from(a)),
  fragments: fc.array(fc.nat({ max: 300 }), { maxLength: 3 }),
  ping: fc.option(fc.uint8Array({ maxLength: 125 }).map((a) => Buffer.from(a)), { freq: 4 }),
});

/** Text payloads must be UTF-8: fuzzed bytes become their latin1 rendering re-encoded. */
function payloadOf(message: Outgoing): Buffer {
  return message.binary ? message.data : Buffer.from(message.data.toString("latin1"));
}

/** Sends `messages` through a Sender (client side: masked) and returns the bytes it wrote. */
async function sendAll(messages: readonly Outgoing[], deflate: PerMessageDeflate | null): Promise<Buffer> {
  const { socket, chunks } = sink();
  const sender = new Sender(socket, deflate);
  let pending = 0;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the sender did not finish in time")), 10_000);
    const sent = (error?: Error | null): void => {
      if (error) {
        clearTimeout(timer);
        reject(error);
      } else if (--pending === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    for (const message of messages) {
      if (message.ping !== null) {
        pending++;
        sender.sendControl(0x9, message.ping, true, sent);
      }
      const payload = payloadOf(message);
      let from = 0;
      for (const size of message.fragments) {
        // Text fragments are cut on byte boundaries: a code point may span frames (§5.6).
        const to = Math.min(payload.length, from + size);
        pending++;
        sender.sendData(payload.subarray(from, to), message.binary, false, true, true, sent);
        from = to;
      }
      pending++;
      sender.sendData(payload.subarray(from), message.binary, true, true, true, sent);
    }
    pending++;
    sender.sendClose(1000, Buffer.from("bye"), true, sent);
  });
  await done;
  socket.destroy();
  return Buffer.concat(chunks);
}

function expected(messages: readonly Outgoing[]): Event[] {
  const events: Event[] = [];
  for (const message of messages) {
    if (message.ping !== null) events.push(["ping", message.ping.toString("hex")]);
    events.push(["message", payloadOf(message).toString("hex"), message.binary]);
  }
  events.push(["close", 1000, Buffer.from("bye").toString("hex")]);
  return events;
}

function makeDeflate(isServer: boolean): PerMessageDeflate {
  const resolved = resolveDeflateOptions({ threshold: 64, concurrencyLimit: 2 }, true);
  const negotiated = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  return new PerMessageDeflate(resolved, negotiated, isServer, 0);
}

/** Feeds `chunks` to a server-side receiver, honouring `write() === false`, until a close or error. */
async function receiveAll(chunks: readonly Uint8Array[], deflate: PerMessageDeflate | null): Promise<Event[]> {
  const recorder = new Recorder();
  const receiver = new Receiver({ isServer: true, maxPayload: 0, perMessageDeflate: deflate }, recorder);
  const ended = (): boolean => recorder.events.some((e) => e[0] === "close" || e[0] === "error");
  const deadline = Date.now() + 10_000;
  for (const chunk of chunks) {
    if (!receiver.write(Buffer.from(chunk))) {
      const before = recorder.drains;
      while (recorder.drains === before && !ended()) {
        if (Date.now() > deadline) throw new Error("the receiver never drained");
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  while (!ended()) {
    if (Date.now() > deadline) throw new Error("the receiver never reported the close frame");
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(recorder.lateCall, false);
  return recorder.events;
}

test("frames built by our Sender round-trip through the receiver, however the bytes are split", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(outgoing, { maxLength: 5 }), cuts, async (messages, at) => {
      const wire = await sendAll(messages, null);
      assert.deepEqual(await receiveAll(split(wire, at), null), expected(messages));
    }),
    asyncParams,
  );
});

test("permessage-deflate: compressed frames from our Sender round-trip, in order", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(outgoing, { maxLength: 4 }), cuts, async (messages, at) => {
      const clientDeflate = makeDeflate(false);
      const serverDeflate = makeDeflate(true);
      try {
        const wire = await sendAll(messages, clientDeflate);
        assert.deepEqual(await receiveAll(split(wire, at), serverDeflate), expected(messages));
      } finally {
        clientDeflate.close();
        serverDeflate.close();
      }
    }),
    asyncParams,
  );
});
