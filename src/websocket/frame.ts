import { randomFillSync } from "node:crypto";

/** RFC 6455 §5.2 opcodes. */
export const OPCODE_CONTINUATION = 0x0;
export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
export const OPCODE_PING = 0x9;
export const OPCODE_PONG = 0xa;

/** RFC 6455 §1.3: appended to Sec-WebSocket-Key before hashing. */
export const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** RFC 6455 §5.5: control frames carry at most 125 bytes. */
export const MAX_CONTROL_PAYLOAD = 125;

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);

/**
 * Bytes needed for a frame header (RFC 6455 §5.2) carrying `payloadLength` bytes.
 *
 * @example
 * ```ts
 * frameHeaderLength(100, false); // 2
 * frameHeaderLength(70_000, true); // 14
 * ```
 */
export function frameHeaderLength(payloadLength: number, masked: boolean): number {
  const base = payloadLength < 126 ? 2 : payloadLength < 65536 ? 4 : 10;
  return masked ? base + 4 : base;
}

/**
 * Writes a frame header into `target` at `offset` and returns the offset just after it (where the
 * masking key goes when `masked`, else the payload). The mask key itself is not written.
 *
 * @example
 * ```ts
 * const buf = Buffer.alloc(frameHeaderLength(5, false) + 5);
 * const at = writeFrameHeader(buf, 0, OPCODE_TEXT, true, false, 5, false);
 * buf.write("hello", at);
 * ```
 */
export function writeFrameHeader(
  target: Buffer,
  offset: number,
  opcode: number,
  fin: boolean,
  rsv1: boolean,
  payloadLength: number,
  masked: boolean,
): number {
  target[offset] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const maskBit = masked ? 0x80 : 0;
  if (payloadLength < 126) {
    target[offset + 1] = maskBit | payloadLength;
    return offset + 2;
  }
  if (payloadLength < 65536) {
    target[offset + 1] = maskBit | 126;
    target.writeUInt16BE(payloadLength, offset + 2);
    return offset + 4;
  }
  target[offset + 1] = maskBit | 127;
  // Lengths stay below 2^53, so the high word is an exact integer division.
  target.writeUInt32BE(Math.floor(payloadLength / 0x100000000), offset + 2);
  target.writeUInt32BE(payloadLength >>> 0, offset + 6);
  return offset + 10;
}

/**
 * XORs `length` bytes of `buf` from `start` with the 4-byte `mask` in place, the mask phase
 * starting at `maskOffset` (the payload index of `buf[start]`, so a payload split across chunks
 * unmasks piece by piece). Masking and unmasking are the same operation (RFC 6455 §5.3).
 *
 * @example
 * ```ts
 * applyMask(payload, 0, payload.length, maskKey, 0);
 * ```
 */
export function applyMask(buf: Buffer, start: number, length: number, mask: Uint8Array, maskOffset: number): void {
  const m0 = mask[maskOffset & 3]!;
  const m1 = mask[(maskOffset + 1) & 3]!;
  const m2 = mask[(maskOffset + 2) & 3]!;
  const m3 = mask[(maskOffset + 3) & 3]!;
  // All-zero masks are legal and make XOR a no-op.
  if ((m0 | m1 | m2 | m3) === 0) return;
  if (length < 32) {
    xorBytes(buf, start, start + length, m0, m1, m2, m3);
    return;
  }
  // Align to 4 bytes so the bulk runs on a Uint32Array view; the lead bytes shift the phase.
  const lead = (4 - ((buf.byteOffset + start) & 3)) & 3;
  xorBytes(buf, start, start + lead, m0, m1, m2, m3);
  const p0 = lead === 0 ? m0 : lead === 1 ? m1 : lead === 2 ? m2 : m3;
  const p1 = lead === 0 ? m1 : lead === 1 ? m2 : lead === 2 ? m3 : m0;
  const p2 = lead === 0 ? m2 : lead === 1 ? m3 : lead === 2 ? m0 : m1;
  const p3 = lead === 0 ? m3 : lead === 1 ? m0 : lead === 2 ? m1 : m2;
  const from = start + lead;
  const words = (length - lead) >>> 2;
  // A word's 4 bytes are read in host order.
  const word = LITTLE_ENDIAN ? (p0 | (p1 << 8) | (p2 << 16) | (p3 << 24)) >>> 0 : ((p0 << 24) | (p1 << 16) | (p2 << 8) | p3) >>> 0;
  const view = new Uint32Array(buf.buffer, buf.byteOffset + from, words);
  for (let w = 0; w < words; w++) view[w] = view[w]! ^ word;
  xorBytes(buf, from + (words << 2), start + length, p0, p1, p2, p3);
}

function xorBytes(buf: Buffer, from: number, to: number, m0: number, m1: number, m2: number, m3: number): void {
  for (let i = from, k = 0; i < to; i++, k++) {
    const phase = k & 3;
    buf[i] = buf[i]! ^ (phase === 0 ? m0 : phase === 1 ? m1 : phase === 2 ? m2 : m3);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

const MASK_POOL_SIZE = 8192;
const maskPool = Buffer.allocUnsafe(MASK_POOL_SIZE);
let maskPoolOffset = MASK_POOL_SIZE;

/**
 * Four fresh random bytes for a client frame's masking key (RFC 6455 §5.3), taken from a pooled
 * 8 KiB random buffer refilled with `randomFillSync` when used up. The returned view is only valid
 * until the next 2048 calls: copy it into the frame at once.
 *
 * @example
 * ```ts
 * nextMaskKey().copy(frame, headerEnd);
 * ```
 */
export function nextMaskKey(): Buffer {
  if (maskPoolOffset === MASK_POOL_SIZE) {
    randomFillSync(maskPool);
    maskPoolOffset = 0;
  }
  const key = maskPool.subarray(maskPoolOffset, maskPoolOffset + 4);
  maskPoolOffset += 4;
  return key;
}

/**
 * Builds one complete frame (header, optional mask key, payload) in a single new Buffer. The
 * payload is copied (and masked in the copy when `masked`), never mutated.
 *
 * @example
 * ```ts
 * socket.write(buildFrame(OPCODE_PING, Buffer.from("hi"), true, false, true));
 * ```
 */
export function buildFrame(opcode: number, payload: Uint8Array, fin: boolean, rsv1: boolean, masked: boolean): Buffer {
  const length = payload.byteLength;
  const frame = Buffer.allocUnsafe(frameHeaderLength(length, masked) + length);
  const at = writeFrameHeader(frame, 0, opcode, fin, rsv1, length, masked);
  if (masked) {
    frame.set(payload, at + 4);
    maskFrameBody(frame, at, length);
  } else {
    frame.set(payload, at);
  }
  return frame;
}

/**
 * Builds a text frame straight from a string: one allocation, the UTF-8 bytes written in place.
 *
 * @example
 * ```ts
 * socket.write(buildTextFrame("hello", true, false));
 * ```
 */
export function buildTextFrame(text: string, fin: boolean, masked: boolean, opcode: number = OPCODE_TEXT): Buffer {
  const length = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(frameHeaderLength(length, masked) + length);
  const at = writeFrameHeader(frame, 0, opcode, fin, false, length, masked);
  if (masked) {
    frame.write(text, at + 4);
    maskFrameBody(frame, at, length);
  } else {
    frame.write(text, at);
  }
  return frame;
}

/**
 * Writes a fresh masking key at `keyAt` and masks, in place, the `length` payload bytes that
 * follow it: the masked tail shared by {@link buildFrame} and {@link buildTextFrame}.
 */
function maskFrameBody(frame: Buffer, keyAt: number, length: number): void {
  const key = nextMaskKey();
  frame[keyAt] = key[0]!;
  frame[keyAt + 1] = key[1]!;
  frame[keyAt + 2] = key[2]!;
  frame[keyAt + 3] = key[3]!;
  applyMask(frame, keyAt + 4, length, frame.subarray(keyAt, keyAt + 4), 0);
}
