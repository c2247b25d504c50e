/**
 * A raw WebSocket endpoint for conformance tests, driven byte by byte: frames built by
 * `buildFrame` go out as they are, and what the other side sends is read back undecoded by
 * `FrameReader`, with a deadline on every wait.
 *
 * `raw-client.ts` (hand-written upgrade against a server under test) and `raw-server.ts` (a
 * hand-written server for a client under test) both end up with a `RawPeer`.
 */
import type net from "node:net";
import { AssertionError } from "node:assert";
import { FrameReader, Opcode, buildFrame, describeFrame, parseClosePayload } from "./frame.js";
import type { FrameSpec, ParsedFrame } from "./frame.js";
import type { HandshakeResponse } from "./raw-client.js";
import type { RawUpgrade } from "./raw-server.js";
import { DEFAULT_TIMEOUT_MS, delay } from "./wait.js";

/** A decoded close frame. `code` is undefined when the close frame had no payload. */
export interface CloseInfo {
  code: number | undefined;
  reason: Buffer;
  /** Every frame received before the close frame, since the last read. */
  before: ParsedFrame[];
  frame: ParsedFrame;
}

/** One reassembled data message. */
export interface RawMessage {
  opcode: number;
  /** Payload of all fragments concatenated, inflated when the first frame had RSV1 and an inflater was given. */
  payload: Buffer;
  /** The data frames that made the message, in order. */
  frames: ParsedFrame[];
  /** Control frames that arrived between the message's fragments. */
  control: ParsedFrame[];
  compressed: boolean;
}

/** Something that can inflate a permessage-deflate message (see deflate.ts). */
export interface MessageInflater {
  inflate(data: Buffer): Promise<Buffer>;
}

/**
 * One side of an open WebSocket connection, driven byte by byte.
 *
 * `role` is the part this raw peer plays: as "client" it masks what it sends and requires the
 * other side's frames to be unmasked; as "server" the other way around (RFC 6455 §5.1).
 *
 * @example
 * const peer = await connectRawClient(port);
 * peer.send({ opcode: Opcode.TEXT, payload: "hello" });
 * const msg = await peer.nextMessage();
 * assert.equal(msg.payload.toString(), "hello");
 * peer.destroy();
 */
export class RawPeer {
  readonly socket: net.Socket;
  readonly role: "client" | "server";
  /** Every frame received, in order, including ones already returned by the `next*` methods. */
  readonly received: ParsedFrame[] = [];
  /** As client: the server's handshake response. */
  response: HandshakeResponse | undefined;
  /** As server: the client's upgrade request. */
  request: RawUpgrade | undefined;
  #reader = new FrameReader();
  #queue: ParsedFrame[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #closed = false;
  #error: Error | undefined;
  readonly #closedPromise: Promise<void>;

  constructor(socket: net.Socket, role: "client" | "server", initial?: Buffer) {
    this.socket = socket;
    this.role = role;
    socket.setNoDelay(true);
    this.#closedPromise = new Promise<void>((resolve) => {
      socket.once("close", () => {
        this.#closed = true;
        this.#ended = true;
        this.#notify();
        resolve();
      });
    });
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("error", (err) => {
      this.#error ??= err;
      this.#notify();
    });
    if (initial !== undefined && initial.length > 0) this.#onData(initial);
    socket.resume();
  }

  /** True once the other side ended its half of the TCP connection (or it closed). */
  get ended(): boolean {
    return this.#ended;
  }

  /** True once the TCP connection is fully closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes received that do not form a whole frame yet. */
  get pendingBytes(): number {
    return this.#reader.pendingBytes;
  }

  /**
   * Sends one frame, or raw bytes. Frames are masked by default when this peer is the client
   * (pass `mask: false` to break the rule on purpose).
   */
  send(frame: FrameSpec | Buffer): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(Buffer.isBuffer(frame) ? frame : this.build(frame));
  }

  /** Sends several frames in a single TCP write, so the other side sees them together. */
  sendAll(frames: (FrameSpec | Buffer)[]): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(Buffer.concat(frames.map((f) => (Buffer.isBuffer(f) ? f : this.build(f)))));
  }

  /**
   * Writes `data` in pieces of `chunkSize` bytes with a short pause between them, so the other
   * side's parser really sees split input.
   */
  async sendChunked(data: Buffer, chunkSize = 1, pauseMs = 1): Promise<void> {
    for (let i = 0; i < data.length; i += chunkSize) {
      if (this.socket.destroyed || this.socket.writableEnded) return;
      this.socket.write(data.subarray(i, i + chunkSize));
      await delay(pauseMs);
    }
  }

  /** Builds a frame with this peer's default masking. */
  build(frame: FrameSpec): Buffer {
    return buildFrame({ ...frame, mask: frame.mask ?? this.role === "client" });
  }

  /**
   * The next frame from the other side, checking the masking rule of RFC 6455 §5.1 unless
   * `checkMask` is false. Rejects when the connection ends first or after `timeoutMs`.
   */
  async nextFrame(timeoutMs = DEFAULT_TIMEOUT_MS, checkMask = true): Promise<ParsedFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.#queue.shift();
      if (frame !== undefined) {
        if (checkMask) this.#checkMask(frame);
        return frame;
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) throw new AssertionError({ message: `connection ended while waiting for a frame (${this.#summary()})` });
      const left = deadline - Date.now();
      if (left <= 0) throw new AssertionError({ message: `timeout after ${timeoutMs}ms waiting for a frame (${this.#summary()})` });
      await this.#waitForActivity(left);
    }
  }

  /**
   * Reads frames until a whole data message arrived (first frame plus continuations up to FIN)
   * and returns it. Control frames in between are collected in `control`. An inflater decodes
   * compressed messages (RSV1 on the first frame).
   */
  async nextMessage(timeoutMs = DEFAULT_TIMEOUT_MS, inflater?: MessageInflater): Promise<RawMessage> {
    const deadline = Date.now() + timeoutMs;
    const frames: ParsedFrame[] = [];
    const control: ParsedFrame[] = [];
    for (;;) {
      const frame = await this.nextFrame(Math.max(1, deadline - Date.now()));
      if (frame.opcode >= 0x8) {
        if (frame.opcode === Opcode.CLOSE) {
          const { code } = parseClosePayload(frame.payload);
          throw new AssertionError({ message: `expected a data message, got a close frame with code ${code ?? "none"}` });
        }
        control.push(frame);
        continue;
      }
      frames.push(frame);
      if (frame.fin) break;
    }
    const first = frames[0] as ParsedFrame;
    const joined = Buffer.concat(frames.map((f) => f.payload));
    const compressed = first.rsv1;
    const payload = compressed && inflater !== undefined ? await inflater.inflate(joined) : joined;
    return { opcode: first.opcode, payload, frames, control, compressed };
  }

  /**
   * Reads frames until a close frame and returns its code and reason, with the frames that came
   * before it. Rejects if the connection ends without a close frame or after `timeoutMs`.
   */
  async nextClose(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseInfo> {
    const deadline = Date.now() + timeoutMs;
    const before: ParsedFrame[] = [];
    for (;;) {
      let frame: ParsedFrame;
      try {
        frame = await this.nextFrame(Math.max(1, deadline - Date.now()));
      } catch (err) {
        const seen = before.map(describeFrame).join(", ");
        throw new AssertionError({ message: `no close frame: ${(err as Error).message}; frames before: [${seen}]` });
      }
      if (frame.opcode === Opcode.CLOSE) {
        const { code, reason } = parseClosePayload(frame.payload);
        return { code, reason, before, frame };
      }
      before.push(frame);
    }
  }

  /** Resolves when the TCP connection is closed; rejects after `timeoutMs`. */
  async waitForClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    if (this.#closed) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AssertionError({ message: `TCP connection still open after ${timeoutMs}ms` })), timeoutMs);
    });
    try {
      await Promise.race([this.#closedPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves when the other side has ended (or fully closed) the TCP connection, without closing
   * our half; rejects after `timeoutMs`.
   */
  async waitForEnd(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new AssertionError({ message: `the other side did not end the TCP connection within ${timeoutMs}ms` });
      await this.#waitForActivity(left);
    }
  }

  /** Frames received and not yet returned by a `next*` call. */
  drain(): ParsedFrame[] {
    return this.#queue.splice(0, this.#queue.length);
  }

  /** Ends our half of the TCP connection (FIN). */
  end(): void {
    this.socket.end();
  }

  /** Destroys the TCP connection at once. Safe to call twice. */
  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    try {
      for (const frame of this.#reader.push(chunk)) {
        this.received.push(frame);
        this.#queue.push(frame);
      }
    } catch (err) {
      this.#error ??= err as Error;
    }
    this.#notify();
  }

  #checkMask(frame: ParsedFrame): void {
    const mustMask = this.role === "server";
    if (frame.masked !== mustMask) {
      throw new AssertionError({
        message: `${mustMask ? "client" : "server"} sent a${frame.masked ? " masked" : "n unmasked"} frame (${describeFrame(frame)}), RFC 6455 §5.1`,
      });
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #waitForActivity(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #summary(): string {
    const last = this.received.slice(-3).map(describeFrame).join(", ");
    return `${this.received.length} frames received${last === "" ? "" : `, last: ${last}`}; ${this.#reader.pendingBytes} bytes pending`;
  }
}
