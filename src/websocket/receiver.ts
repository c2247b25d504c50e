import { WebSocketError, type WebSocketErrorCode } from "./errors.js";
import {
  EMPTY_BUFFER,
  MAX_CONTROL_PAYLOAD,
  OPCODE_BINARY,
  OPCODE_CLOSE,
  OPCODE_CONTINUATION,
  OPCODE_PING,
  OPCODE_PONG,
  OPCODE_TEXT,
  applyMask,
} from "./frame.js";
import type { PerMessageDeflate } from "./permessage-deflate.js";
import { Utf8Validator, isValidCloseCode, isValidUtf8 } from "./validation.js";

/** What the receiver reports; methods are called with `this` = the handler. */
export interface ReceiverHandler {
  /** A whole message (fragments joined, inflated); text is valid UTF-8. */
  onMessage(data: Buffer, isBinary: boolean): void;
  onPing(data: Buffer): void;
  onPong(data: Buffer): void;
  /** A valid close frame; nothing after it is processed. `code` is 1005 when the frame had none. */
  onCloseFrame(code: number, reason: Buffer): void;
  /** A protocol violation or limit; nothing after it is processed. Called at most once. */
  onError(error: WebSocketError): void;
  /** The receiver caught up after `write()` returned false (or, after `finish()`, it is done). */
  onDrain(): void;
}

/** How a {@link Receiver} checks frames. */
export interface ReceiverOptions {
  /** Server side: frames must be masked. Client side: they must not be. */
  isServer: boolean;
  /** Largest message in bytes (after inflating); 0 for no limit. */
  maxPayload: number;
  /** The negotiated extension, or null: RSV1 is then a protocol error. */
  perMessageDeflate: PerMessageDeflate | null;
}

const GET_INFO = 0;
const GET_PAYLOAD_LENGTH_16 = 1;
const GET_PAYLOAD_LENGTH_64 = 2;
const GET_MASK = 3;
const GET_DATA = 4;
const INFLATING = 5;
/** After a close frame or an error: input is ignored. */
const DONE = 6;

/** Scratch space for the current masking key, filled just before each unmask (parsing is synchronous). */
const MASK_KEY = new Uint8Array(4);

/**
 * The RFC 6455 frame parser: a state machine fed Buffers, with no socket. It unmasks payloads in
 * place, validates text incrementally (failing fast, even inside an unfinished message), enforces
 * `maxPayload` from the frame header before buffering, joins fragments and inflates
 * permessage-deflate messages in order.
 *
 * @example
 * ```ts
 * const receiver = new Receiver({ isServer: true, maxPayload: 1 << 20, perMessageDeflate: null }, handler);
 * socket.on("data", (chunk) => { if (!receiver.write(chunk)) socket.pause(); });
 * ```
 */
export class Receiver {
  readonly #handler: ReceiverHandler;
  readonly #isServer: boolean;
  readonly #maxPayload: number;
  readonly #deflate: PerMessageDeflate | null;

  #buffers: Buffer[] = [];
  /** Bytes of `#buffers[0]` already parsed (cheaper than a new view per header). */
  #offset = 0;
  #bufferedBytes = 0;
  #state = GET_INFO;
  #looping = false;
  #paused = false;
  #finishing = false;
  #needDrain = false;

  // Current frame.
  #fin = false;
  #opcode = 0;
  #masked = false;
  /** The frame's masking key as two 16-bit halves (small integers: no Buffer per connection). */
  #maskHigh = 0;
  #maskLow = 0;
  #payloadLength = 0;
  /** Pieces of a frame payload that spans chunks, already unmasked (and validated for text). */
  #framePieces: Buffer[] | null = null;
  #frameReceived = 0;

  // Current message (0 = none in progress).
  #messageOpcode = 0;
  #messageCompressed = false;
  #messageLength = 0;
  /** The fragments of a message in progress (null when none: most messages are one frame). */
  #fragments: Buffer[] | null = null;
  #fragmentsLength = 0;
  /** Created by the first text message that needs state carried across pieces (most never do). */
  #utf8: Utf8Validator | null = null;
  /** Bound once per receiver, and only with permessage-deflate. */
  readonly #onInflated: ((error: WebSocketError | null, data: Buffer) => void) | null;

  constructor(options: ReceiverOptions, handler: ReceiverHandler) {
    this.#handler = handler;
    this.#isServer = options.isServer;
    this.#maxPayload = options.maxPayload;
    this.#deflate = options.perMessageDeflate;
    this.#onInflated = this.#deflate === null ? null : (error, data) => this.#inflated(error, data);
  }

  /** Bytes received but not parsed yet. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** True once a close frame or an error ended parsing. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /**
   * Parses as much of `chunk` (and what was buffered before) as it can. Returns false when the
   * receiver is behind (inflating or paused): stop feeding it until `onDrain`. The chunk's bytes
   * are unmasked in place and may be handed to the handler as views.
   */
  write(chunk: Buffer): boolean {
    if (this.#state === DONE) return true;
    if (chunk.length > 0) {
      this.#buffers.push(chunk);
      this.#bufferedBytes += chunk.length;
    }
    if (!this.#looping && this.#state !== INFLATING && (!this.#paused || this.#finishing)) this.#loop();
    if (this.#state === INFLATING || (this.#paused && !this.#finishing)) {
      this.#needDrain = true;
      return false;
    }
    return true;
  }

  /** Stops delivering messages after the current one; data keeps being buffered. */
  pause(): void {
    this.#paused = true;
  }

  /** Delivers what was buffered while paused (on the next tick, never from inside a handler call). */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    process.nextTick(receiverResume, this);
  }

  /**
   * The input has ended: parse everything buffered regardless of `pause()`. Returns true when
   * nothing is left in flight; otherwise `onDrain` is called once the last inflate finishes.
   */
  finish(): boolean {
    this.#finishing = true;
    if (!this.#looping && this.#state !== INFLATING && this.#state !== DONE) this.#loop();
    if (this.#state !== INFLATING) return true;
    this.#needDrain = true;
    return false;
  }

  /** Drops everything buffered and ignores further input (the connection is being torn down). */
  stop(): void {
    this.#state = DONE;
    this.#buffers = [];
    this.#offset = 0;
    this.#bufferedBytes = 0;
    this.#framePieces = null;
    this.#fragments = null;
  }

  /** @internal Resumes parsing after `resume()`. */
  static resumeNow(receiver: Receiver): void {
    if (receiver.#paused || receiver.#looping || receiver.#state === INFLATING || receiver.#state === DONE) return;
    receiver.#loop();
    receiver.#maybeDrain();
  }

  #maybeDrain(): void {
    if (this.#needDrain && this.#state !== INFLATING && (!this.#paused || this.#finishing)) {
      this.#needDrain = false;
      this.#handler.onDrain();
    }
  }

  #loop(): void {
    this.#looping = true;
    try {
      let more = true;
      while (more && (!this.#paused || this.#finishing)) {
        switch (this.#state) {
          case GET_INFO:
            more = this.#getInfo();
            break;
          case GET_PAYLOAD_LENGTH_16:
            more = this.#getPayloadLength16();
            break;
          case GET_PAYLOAD_LENGTH_64:
            more = this.#getPayloadLength64();
            break;
          case GET_MASK:
            more = this.#getMask();
            break;
          case GET_DATA:
            more = this.#getData();
            break;
          default:
            // INFLATING or DONE
            more = false;
        }
      }
    } finally {
      this.#looping = false;
    }
  }

  /** `n` bytes from the buffered chunks: a view when one chunk holds them, else a copy. */
  #consume(n: number): Buffer {
    this.#bufferedBytes -= n;
    const first = this.#buffers[0]!;
    const offset = this.#offset;
    const available = first.length - offset;
    if (n <= available) {
      if (n === available) {
        this.#buffers.shift();
        this.#offset = 0;
        return offset === 0 ? first : first.subarray(offset);
      }
      this.#offset = offset + n;
      return first.subarray(offset, offset + n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const buf = this.#buffers[0]!;
      const start = this.#offset;
      const take = Math.min(buf.length - start, n - at);
      buf.copy(out, at, start, start + take);
      at += take;
      if (start + take === buf.length) {
        this.#buffers.shift();
        this.#offset = 0;
      } else {
        this.#offset = start + take;
      }
    }
    return out;
  }

  /** Up to `max` bytes from the first buffered chunk, as a view. */
  #consumeUpTo(max: number): Buffer {
    const available = this.#buffers[0]!.length - this.#offset;
    return this.#consume(available <= max ? available : max);
  }

  /** Skips `n` bytes known to sit in the first chunk. */
  #advance(n: number): void {
    this.#bufferedBytes -= n;
    const offset = this.#offset + n;
    if (offset === this.#buffers[0]!.length) {
      this.#buffers.shift();
      this.#offset = 0;
    } else {
      this.#offset = offset;
    }
  }

  /** Whether the first chunk holds `n` more bytes. */
  #firstHas(n: number): boolean {
    const first = this.#buffers[0];
    return first !== undefined && first.length - this.#offset >= n;
  }

  #fail(code: WebSocketErrorCode, message: string, closeCode: number): false {
    this.#state = DONE;
    this.#buffers = [];
    this.#offset = 0;
    this.#bufferedBytes = 0;
    this.#framePieces = null;
    this.#fragments = null;
    this.#handler.onError(new WebSocketError(code, message, closeCode));
    return false;
  }

  /** RFC 6455 §5.2: the first two header bytes. */
  #getInfo(): boolean {
    if (this.#bufferedBytes < 2) return false;
    let b0: number;
    let b1: number;
    if (this.#firstHas(2)) {
      const first = this.#buffers[0]!;
      b0 = first[this.#offset]!;
      b1 = first[this.#offset + 1]!;
      this.#advance(2);
    } else {
      const head = this.#consume(2);
      b0 = head[0]!;
      b1 = head[1]!;
    }
    if ((b0 & 0x30) !== 0) return this.#fail("WS_ERR_UNEXPECTED_RSV_2_3", "RSV2 and RSV3 must be clear", 1002);
    const rsv1 = (b0 & 0x40) !== 0;
    const opcode = b0 & 0x0f;
    const fin = (b0 & 0x80) !== 0;
    const length7 = b1 & 0x7f;
    if (opcode === OPCODE_CONTINUATION) {
      // RFC 7692 §6.1: RSV1 belongs to the first frame of a message only.
      if (rsv1) return this.#fail("WS_ERR_UNEXPECTED_RSV_1", "RSV1 must be clear on a continuation frame", 1002);
      if (this.#messageOpcode === 0) return this.#fail("WS_ERR_INVALID_OPCODE", "Continuation frame with no message in progress", 1002);
    } else if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) {
      if (this.#messageOpcode !== 0) return this.#fail("WS_ERR_INVALID_OPCODE", "Expected a continuation frame", 1002);
      if (rsv1 && this.#deflate === null) return this.#fail("WS_ERR_UNEXPECTED_RSV_1", "RSV1 must be clear", 1002);
      this.#messageOpcode = opcode;
      this.#messageCompressed = rsv1;
      this.#messageLength = 0;
      this.#utf8?.reset();
    } else if (opcode === OPCODE_CLOSE || opcode === OPCODE_PING || opcode === OPCODE_PONG) {
      // RFC 6455 §5.5: control frames are short and never fragmented.
      if (rsv1) return this.#fail("WS_ERR_UNEXPECTED_RSV_1", "RSV1 must be clear on a control frame", 1002);
      if (!fin) return this.#fail("WS_ERR_EXPECTED_FIN", "Control frames must not be fragmented", 1002);
      if (length7 > MAX_CONTROL_PAYLOAD) {
        return this.#fail("WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", `Control frame payload of ${length7} bytes`, 1002);
      }
    } else {
      return this.#fail("WS_ERR_INVALID_OPCODE", `Invalid opcode ${opcode}`, 1002);
    }
    const masked = (b1 & 0x80) !== 0;
    // RFC 6455 §5.1: clients always mask, servers never do.
    if (this.#isServer && !masked) return this.#fail("WS_ERR_EXPECTED_MASK", "Client frames must be masked", 1002);
    if (!this.#isServer && masked) return this.#fail("WS_ERR_UNEXPECTED_MASK", "Server frames must not be masked", 1002);
    this.#fin = fin;
    this.#opcode = opcode;
    this.#masked = masked;
    if (length7 === 126) {
      this.#state = GET_PAYLOAD_LENGTH_16;
      return true;
    }
    if (length7 === 127) {
      this.#state = GET_PAYLOAD_LENGTH_64;
      return true;
    }
    return this.#haveLength(length7);
  }

  #getPayloadLength16(): boolean {
    if (this.#bufferedBytes < 2) return false;
    if (this.#firstHas(2)) {
      const length = this.#buffers[0]!.readUInt16BE(this.#offset);
      this.#advance(2);
      return this.#haveLength(length);
    }
    return this.#haveLength(this.#consume(2).readUInt16BE(0));
  }

  #getPayloadLength64(): boolean {
    if (this.#bufferedBytes < 8) return false;
    const buf = this.#consume(8);
    const high = buf.readUInt32BE(0);
    // RFC 6455 §5.2: the most significant bit of a 64-bit length must be 0.
    if (high >= 0x80000000) return this.#fail("WS_ERR_INVALID_PAYLOAD_LENGTH", "Payload length has its most significant bit set", 1002);
    // Past 2^53 - 1 the length is not an exact number; nobody can send that much anyway.
    if (high > 0x1fffff) return this.#fail("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", "Payload length over 2^53 - 1", 1009);
    return this.#haveLength(high * 0x100000000 + buf.readUInt32BE(4));
  }

  #haveLength(length: number): boolean {
    this.#payloadLength = length;
    if (this.#opcode < OPCODE_CLOSE) {
      // Fragments count toward the message: the limit applies before anything is buffered.
      this.#messageLength += length;
      if (this.#maxPayload > 0 && this.#messageLength > this.#maxPayload) {
        return this.#fail("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", "Max payload size exceeded", 1009);
      }
    }
    this.#state = this.#masked ? GET_MASK : GET_DATA;
    return true;
  }

  #getMask(): boolean {
    if (this.#bufferedBytes < 4) return false;
    let key: Buffer;
    let at = 0;
    if (this.#firstHas(4)) {
      key = this.#buffers[0]!;
      at = this.#offset;
      this.#advance(4);
    } else {
      key = this.#consume(4);
    }
    this.#maskHigh = (key[at]! << 8) | key[at + 1]!;
    this.#maskLow = (key[at + 2]! << 8) | key[at + 3]!;
    this.#state = GET_DATA;
    return true;
  }

  /** Unmasks `data` in place, `offset` bytes into the frame's payload. */
  #unmask(data: Buffer, offset: number): void {
    const high = this.#maskHigh;
    const low = this.#maskLow;
    MASK_KEY[0] = high >>> 8;
    MASK_KEY[1] = high & 0xff;
    MASK_KEY[2] = low >>> 8;
    MASK_KEY[3] = low & 0xff;
    applyMask(data, 0, data.length, MASK_KEY, offset);
  }

  #validator(): Utf8Validator {
    return (this.#utf8 ??= new Utf8Validator());
  }

  /** Whether this frame's payload is uncompressed text to validate as it arrives. */
  #validatesRaw(): boolean {
    return this.#opcode < OPCODE_CLOSE && this.#messageOpcode === OPCODE_TEXT && !this.#messageCompressed;
  }

  #getData(): boolean {
    const length = this.#payloadLength;
    let data: Buffer;
    if (length === 0) {
      data = EMPTY_BUFFER;
    } else if (this.#frameReceived === 0 && this.#firstHas(length)) {
      // The whole payload sits in one chunk: a view, unmasked in place.
      data = this.#consume(length);
      if (this.#masked) this.#unmask(data, 0);
      if (this.#validatesRaw()) {
        // A whole message in one frame needs no carried state: one native check.
        const valid = this.#fin && this.#fragments === null ? isValidUtf8(data) : this.#validator().write(data);
        if (!valid) return this.#fail("WS_ERR_INVALID_UTF8", "Invalid UTF-8 sequence", 1007);
      }
    } else {
      // The payload spans chunks: unmask and validate each piece as it comes (fail fast), join at the end.
      const validates = this.#validatesRaw();
      while (this.#bufferedBytes > 0 && this.#frameReceived < length) {
        const piece = this.#consumeUpTo(length - this.#frameReceived);
        if (this.#masked) this.#unmask(piece, this.#frameReceived);
        if (validates && !this.#validator().write(piece)) return this.#fail("WS_ERR_INVALID_UTF8", "Invalid UTF-8 sequence", 1007);
        (this.#framePieces ??= []).push(piece);
        this.#frameReceived += piece.length;
      }
      if (this.#frameReceived < length) return false;
      const pieces = this.#framePieces!;
      data = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, length);
      this.#framePieces = null;
      this.#frameReceived = 0;
    }
    this.#state = GET_INFO;
    if (this.#opcode >= OPCODE_CLOSE) return this.#controlFrame(data);
    return this.#dataFrame(data);
  }

  #controlFrame(data: Buffer): boolean {
    if (this.#opcode === OPCODE_CLOSE) {
      let code = 1005;
      let reason = EMPTY_BUFFER;
      if (data.length === 1) return this.#fail("WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", "Close frame of 1 byte", 1002);
      if (data.length >= 2) {
        code = data.readUInt16BE(0);
        if (!isValidCloseCode(code)) return this.#fail("WS_ERR_INVALID_CLOSE_CODE", `Invalid close code ${code}`, 1002);
        reason = data.subarray(2);
        if (!isValidUtf8(reason)) return this.#fail("WS_ERR_INVALID_UTF8", "Invalid UTF-8 in close reason", 1007);
      }
      // RFC 6455 §5.5.1: nothing is processed after a close frame.
      this.#state = DONE;
      this.#buffers = [];
      this.#bufferedBytes = 0;
      this.#fragments = null;
      this.#handler.onCloseFrame(code, reason);
      return false;
    }
    if (this.#opcode === OPCODE_PING) this.#handler.onPing(data);
    else this.#handler.onPong(data);
    return this.#state !== DONE;
  }

  #dataFrame(data: Buffer): boolean {
    if (this.#messageCompressed) {
      this.#state = INFLATING;
      const validator = this.#messageOpcode === OPCODE_TEXT ? this.#validator() : null;
      this.#deflate!.decompress(data, this.#fin, validator, this.#onInflated!);
      return false;
    }
    if (!this.#fin) {
      (this.#fragments ??= []).push(data);
      this.#fragmentsLength += data.length;
      return true;
    }
    let message = data;
    const fragments = this.#fragments;
    if (fragments !== null) {
      fragments.push(data);
      message = Buffer.concat(fragments, this.#fragmentsLength + data.length);
      this.#fragments = null;
      this.#fragmentsLength = 0;
    }
    return this.#deliver(message);
  }

  #deliver(message: Buffer): boolean {
    const isBinary = this.#messageOpcode === OPCODE_BINARY;
    // The last fragment may have left a code point unfinished.
    if (!isBinary && this.#utf8 !== null && !this.#utf8.end()) return this.#fail("WS_ERR_INVALID_UTF8", "Invalid UTF-8 sequence", 1007);
    this.#messageOpcode = 0;
    this.#messageCompressed = false;
    this.#messageLength = 0;
    this.#handler.onMessage(message, isBinary);
    return this.#state !== DONE;
  }

  #inflated(error: WebSocketError | null, data: Buffer): void {
    if (this.#state !== INFLATING) return;
    if (error !== null) {
      this.#fail(error.code, error.message, error.closeCode);
      return;
    }
    this.#state = GET_INFO;
    if (this.#fin && !this.#deliver(data)) return;
    if (this.#looping) return;
    this.#loop();
    this.#maybeDrain();
  }
}

function receiverResume(receiver: Receiver): void {
  Receiver.resumeNow(receiver);
}
