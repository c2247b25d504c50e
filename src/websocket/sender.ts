import type { Duplex } from "node:stream";
import { WebSocketError } from "./errors.js";
import {
  EMPTY_BUFFER,
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_CONTINUATION,
  OPCODE_TEXT,
  applyMask,
  buildFrame,
  buildTextFrame,
  frameHeaderLength,
  nextMaskKey,
  writeFrameHeader,
} from "./frame.js";
import type { PerMessageDeflate } from "./permessage-deflate.js";
import { kBatchWritten } from "./internal.js";

/**
 * Completion callback of a send: called once, with an error if the frame was not written.
 *
 * @example
 * ```ts
 * ws.send("hello", (err) => { if (err) console.error("not sent", err); });
 * ```
 */
export type SendCallback = (error?: Error | null) => void;

/** Payloads up to this size are copied next to their header: one writev entry beats two. */
const MERGE_LIMIT = 1024;

/** A send waiting behind a compression job, in order. */
interface QueuedSend {
  kind: "data" | "control" | "frame";
  opcode: number;
  data: Buffer | string;
  fin: boolean;
  compress: boolean;
  mask: boolean;
  cb: SendCallback | undefined;
  size: number;
}

/**
 * Turns messages into frames on one socket (RFC 6455 §5). Writes made in the same tick are corked
 * together and flushed on `process.nextTick` as one `writev`. Large payloads go out as header +
 * payload (two writes, never concatenated); client frames are masked in a copy with keys from a
 * pooled random buffer. While permessage-deflate compresses a message, later sends wait in a queue
 * so frames stay in order.
 *
 * @example
 * ```ts
 * const sender = new Sender(socket, null);
 * sender.sendData("hello", false, true, false, false, undefined);
 * ```
 */
/** Told when a tick's batch has left the socket's buffer (a method, so no closure per connection). */
export interface DrainTarget {
  [kBatchWritten](error: Error | null | undefined): void;
}

export class Sender {
  readonly #socket: Duplex;
  readonly #deflate: PerMessageDeflate | null;
  #corked = false;
  #firstFragment = true;
  #compressMessage = false;
  #deflating = false;
  #queue: QueuedSend[] = [];
  #queuedBytes = 0;
  #drainTarget: DrainTarget | null = null;
  #aborted = false;
  /** Bytes of the 101 response corked in this tick's batch: the protocol's, not the application's. */
  #preamble = 0;

  constructor(socket: Duplex, deflate: PerMessageDeflate | null) {
    this.#socket = socket;
    this.#deflate = deflate;
  }

  /** Bytes accepted but not handed to the kernel: waiting for compression, plus the socket's buffer. */
  get bufferedAmount(): number {
    return this.#queuedBytes + this.#socket.writableLength - this.#preamble;
  }

  /** Nothing is waiting for compression. */
  get idle(): boolean {
    return !this.#deflating;
  }

  /**
   * Told once each tick's batch has left the socket's buffer: at once if the kernel took it all,
   * else through an empty write queued behind it. Used for `onDrain`.
   */
  setDrainTarget(target: DrainTarget | null): void {
    this.#drainTarget = target;
  }

  /**
   * Sends a data frame (or one fragment with `fin: false`; later fragments become continuation
   * frames). `compress` asks for permessage-deflate, applied from the message's first fragment
   * if negotiated and the message is at least `threshold` bytes.
   */
  sendData(data: Buffer | string, binary: boolean, fin: boolean, compress: boolean, mask: boolean, cb: SendCallback | undefined): void {
    if (this.#deflating) {
      this.#enqueue("data", binary ? OPCODE_BINARY : OPCODE_TEXT, data, fin, compress, mask, cb);
      return;
    }
    let opcode = binary ? OPCODE_BINARY : OPCODE_TEXT;
    let rsv1 = false;
    if (this.#firstFragment) {
      const deflate = this.#deflate;
      rsv1 =
        compress &&
        deflate !== null &&
        deflate.canCompress &&
        (typeof data === "string" ? Buffer.byteLength(data) : data.length) >= deflate.threshold;
      this.#compressMessage = rsv1;
    } else {
      opcode = OPCODE_CONTINUATION;
    }
    const compressing = this.#compressMessage;
    this.#firstFragment = fin;
    if (compressing) {
      this.#startDeflate(typeof data === "string" ? Buffer.from(data) : data, opcode, rsv1, fin, mask, cb);
      return;
    }
    if (typeof data === "string") {
      this.#write(buildTextFrame(data, fin, mask, opcode), cb);
    } else {
      this.#writeFrame(opcode, data, fin, false, mask, cb);
    }
  }

  /** Sends a control frame (close, ping, pong); the caller checks the 125-byte limit. */
  sendControl(opcode: number, data: Buffer, mask: boolean, cb: SendCallback | undefined): void {
    if (this.#deflating) {
      this.#enqueue("control", opcode, data, true, false, mask, cb);
      return;
    }
    this.#write(buildFrame(opcode, data, true, false, mask), cb);
  }

  /** Sends a close frame with an optional code and reason (RFC 6455 §5.5.1). */
  sendClose(code: number | undefined, reason: Buffer, mask: boolean, cb: SendCallback | undefined): void {
    let payload = EMPTY_BUFFER;
    if (code !== undefined) {
      payload = Buffer.allocUnsafe(2 + reason.length);
      payload.writeUInt16BE(code, 0);
      reason.copy(payload, 2);
    }
    this.sendControl(OPCODE_CLOSE, payload, mask, cb);
  }

  /**
   * Writes the server's 101 response ahead of everything else, in the same batch as the first
   * messages (one write for the handshake and the Engine.IO open packet). It does not count in
   * `bufferedAmount`.
   */
  sendPreamble(response: Buffer): void {
    this.#preamble = response.length;
    this.#write(response, undefined);
  }

  /** Writes an already built frame as is (no copy, no re-encode). */
  sendFrame(frame: Buffer, cb: SendCallback | undefined): void {
    if (this.#deflating) {
      this.#enqueue("frame", 0, frame, true, false, false, cb);
      return;
    }
    this.#write(frame, cb);
  }

  /** Fails everything still queued (the socket is gone); later sends are dropped with an error. */
  abort(error: Error | (() => Error)): void {
    this.#aborted = true;
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    this.#queuedBytes = 0;
    // Made only when a callback will see it: an Error's stack trace is costly, and most closes have none to tell.
    const reason = typeof error === "function" ? error() : error;
    for (const item of queue) if (item.cb !== undefined) item.cb(reason);
  }

  #enqueue(
    kind: QueuedSend["kind"],
    opcode: number,
    data: Buffer | string,
    fin: boolean,
    compress: boolean,
    mask: boolean,
    cb: SendCallback | undefined,
  ): void {
    const size = typeof data === "string" ? Buffer.byteLength(data) : data.length;
    this.#queuedBytes += size;
    this.#queue.push({ kind, opcode, data, fin, compress, mask, cb, size });
  }

  #startDeflate(data: Buffer, opcode: number, rsv1: boolean, fin: boolean, mask: boolean, cb: SendCallback | undefined): void {
    this.#deflating = true;
    this.#queuedBytes += data.length;
    const size = data.length;
    this.#deflate!.compress(data, fin, (error, compressed) => {
      this.#queuedBytes -= size;
      this.#deflating = false;
      if (this.#aborted) {
        if (cb !== undefined) cb(error ?? notOpenError());
        return;
      }
      if (error !== null) {
        // Only happens when the extension was closed: the connection is going away.
        if (cb !== undefined) cb(error);
        this.abort(error);
        return;
      }
      if (mask) {
        // Our own output buffer: mask it in place behind a separate header.
        const header = Buffer.allocUnsafe(frameHeaderLength(compressed.length, true));
        const at = writeFrameHeader(header, 0, opcode, fin, rsv1, compressed.length, true);
        nextMaskKey().copy(header, at);
        applyMask(compressed, 0, compressed.length, header.subarray(at, at + 4), 0);
        this.#write(header, undefined);
        this.#write(compressed, cb);
      } else {
        this.#writeFrame(opcode, compressed, fin, rsv1, false, cb);
      }
      this.#dequeue();
    });
  }

  #dequeue(): void {
    while (!this.#deflating && this.#queue.length > 0) {
      const item = this.#queue.shift()!;
      this.#queuedBytes -= item.size;
      if (item.kind === "data") {
        this.sendData(item.data, item.opcode === OPCODE_BINARY, item.fin, item.compress, item.mask, item.cb);
      } else if (item.kind === "control") {
        this.sendControl(item.opcode, item.data as Buffer, item.mask, item.cb);
      } else {
        this.sendFrame(item.data as Buffer, item.cb);
      }
    }
  }

  #writeFrame(opcode: number, data: Buffer, fin: boolean, rsv1: boolean, mask: boolean, cb: SendCallback | undefined): void {
    if (mask || data.length <= MERGE_LIMIT) {
      this.#write(buildFrame(opcode, data, fin, rsv1, mask), cb);
      return;
    }
    const header = Buffer.allocUnsafe(frameHeaderLength(data.length, false));
    writeFrameHeader(header, 0, opcode, fin, rsv1, data.length, false);
    this.#write(header, undefined);
    this.#write(data, cb);
  }

  #write(buf: Buffer, cb: SendCallback | undefined): void {
    const socket = this.#socket;
    if (!this.#corked) {
      this.#corked = true;
      socket.cork();
      corkedSenders.push(this);
      if (corkedSenders.length === 1) process.nextTick(flushCorkedSenders);
    }
    socket.write(buf, cb);
  }

  /** Lets this tick's corked batch go now, ahead of the end of the tick (the socket is about to be destroyed). */
  flushNow(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.#preamble = 0;
    this.#socket.uncork();
  }

  /** @internal End of the tick: let the corked batch go as one writev. */
  static flush(sender: Sender): void {
    sender.flushNow();
    const socket = sender.#socket;
    const target = sender.#drainTarget;
    if (target === null || socket.destroyed) return;
    // Usually the kernel took the whole batch at once; otherwise an empty write reports when it has.
    if (socket.writableLength === 0) target[kBatchWritten](null);
    else socket.write(EMPTY_BUFFER, (error?: Error | null) => target[kBatchWritten](error));
  }
}

/**
 * The senders that wrote this tick, flushed together by one `nextTick` (a broadcast to thousands
 * of sockets schedules one callback, not one per socket).
 */
let corkedSenders: Sender[] = [];

function flushCorkedSenders(): void {
  const senders = corkedSenders;
  corkedSenders = [];
  for (let i = 0; i < senders.length; i++) {
    try {
      Sender.flush(senders[i]!);
    } catch (err) {
      // A throwing drain listener must not leave the other sockets corked; it still surfaces.
      process.nextTick(rethrow, err);
    }
  }
}

function rethrow(err: unknown): never {
  throw err;
}

function notOpenError(): WebSocketError {
  return new WebSocketError("WS_ERR_NOT_OPEN", "WebSocket is not open", 1006);
}
