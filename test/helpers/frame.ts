/**
 * Hand-built WebSocket frames for tests (RFC 6455 §5.2), independent of the code under test.
 *
 * `buildFrame` writes any frame, including invalid ones (reserved bits, reserved opcodes,
 * oversized control frames, lengths that lie); `FrameReader` decodes raw bytes read from a peer
 * without validating anything, so a test can assert on exactly what was sent.
 */
import { randomBytes } from "node:crypto";

/** Opcodes of RFC 6455 §5.2 (§11.8 registry). */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/** What a frame should look like; everything but `opcode` has a default. */
export interface FrameSpec {
  opcode: number;
  /** Payload bytes; a string is encoded as UTF-8. Default: empty. */
  payload?: Buffer | string;
  /** FIN bit. Default: true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /**
   * Masking: `true` masks with a fresh random key, a 4-byte Buffer masks with that key (all zero
   * is allowed), `false` sends the payload unmasked. Default: false.
   */
  mask?: boolean | Buffer;
  /**
   * Force the length encoding: 7 (only valid up to 125), 16 or 64 bits. Default: the minimal one.
   * Lets a test send non-minimal encodings.
   */
  lengthBits?: 7 | 16 | 64;
  /**
   * Announce this payload length in the header instead of the real one (for "header announces
   * more than maxPayload" cases). The payload written is still `payload`.
   */
  announcedLength?: number | bigint;
}

/**
 * Builds one frame as it goes on the wire.
 *
 * @example
 * socket.write(buildFrame({ opcode: Opcode.TEXT, payload: "hi", mask: true }));
 * socket.write(buildFrame({ opcode: 0x3, mask: Buffer.alloc(4) })); // reserved opcode, zero mask
 */
export function buildFrame(spec: FrameSpec): Buffer {
  const payload = toBuffer(spec.payload ?? Buffer.alloc(0));
  const announced = BigInt(spec.announcedLength ?? payload.length);
  const bits = spec.lengthBits ?? (announced <= 125n ? 7 : announced <= 0xffffn ? 16 : 64);
  const maskKey = spec.mask === true ? randomBytes(4) : spec.mask === false || spec.mask === undefined ? undefined : spec.mask;
  if (maskKey !== undefined && maskKey.length !== 4) throw new RangeError("a mask key is 4 bytes");

  const extra = bits === 7 ? 0 : bits === 16 ? 2 : 8;
  const header = Buffer.alloc(2 + extra + (maskKey === undefined ? 0 : 4));
  header[0] =
    ((spec.fin ?? true) ? 0x80 : 0) |
    (spec.rsv1 === true ? 0x40 : 0) |
    (spec.rsv2 === true ? 0x20 : 0) |
    (spec.rsv3 === true ? 0x10 : 0) |
    (spec.opcode & 0x0f);
  const maskBit = maskKey === undefined ? 0 : 0x80;
  if (bits === 7) {
    if (announced > 125n) throw new RangeError("7-bit length holds at most 125");
    header[1] = maskBit | Number(announced);
  } else if (bits === 16) {
    if (announced > 0xffffn) throw new RangeError("16-bit length holds at most 65535");
    header[1] = maskBit | 126;
    header.writeUInt16BE(Number(announced), 2);
  } else {
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(announced, 2);
  }
  if (maskKey === undefined) return Buffer.concat([header, payload]);
  maskKey.copy(header, 2 + extra);
  return Buffer.concat([header, applyMask(payload, maskKey)]);
}

/**
 * Returns a masked (or, applied twice, unmasked) copy of `data` (RFC 6455 §5.3).
 *
 * @example
 * const clear = applyMask(frame.payload, frame.maskKey!);
 */
export function applyMask(data: Buffer, maskKey: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) out[i] = (data[i] as number) ^ (maskKey[i & 3] as number);
  return out;
}

/**
 * The payload of a close frame: a 2-byte code then a UTF-8 (or raw) reason. With no code, empty.
 *
 * @example
 * buildFrame({ opcode: Opcode.CLOSE, payload: closePayload(1000, "bye"), mask: true });
 */
export function closePayload(code?: number, reason: Buffer | string = ""): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const r = toBuffer(reason);
  const out = Buffer.alloc(2 + r.length);
  out.writeUInt16BE(code, 0);
  r.copy(out, 2);
  return out;
}

/** One frame as read from the wire, payload already unmasked. */
export interface ParsedFrame {
  fin: boolean;
  rsv1: boolean;
  rsv2: boolean;
  rsv3: boolean;
  opcode: number;
  masked: boolean;
  maskKey: Buffer | undefined;
  /** Header plus payload length in bytes, as received. */
  wireLength: number;
  /** The length field's encoding the sender used. */
  lengthBits: 7 | 16 | 64;
  payload: Buffer;
}

/**
 * Decodes frames from a byte stream fed in arbitrary chunks. It validates nothing, so it can
 * show exactly what a peer sent (masked or not, reserved bits, any opcode).
 *
 * @example
 * const reader = new FrameReader();
 * socket.on("data", (chunk) => { for (const f of reader.push(chunk)) frames.push(f); });
 */
export class FrameReader {
  #buffered: Buffer = Buffer.alloc(0);

  /** Bytes received that do not yet form a whole frame. */
  get pendingBytes(): number {
    return this.#buffered.length;
  }

  /** Appends `chunk` and returns every frame now complete, in order. */
  push(chunk: Buffer): ParsedFrame[] {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    const frames: ParsedFrame[] = [];
    for (;;) {
      const frame = this.#next();
      if (frame === undefined) break;
      frames.push(frame);
    }
    return frames;
  }

  #next(): ParsedFrame | undefined {
    const buf = this.#buffered;
    if (buf.length < 2) return undefined;
    const b0 = buf[0] as number;
    const b1 = buf[1] as number;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    let offset = 2;
    let lengthBits: 7 | 16 | 64 = 7;
    if (length === 126) {
      if (buf.length < 4) return undefined;
      length = buf.readUInt16BE(2);
      offset = 4;
      lengthBits = 16;
    } else if (length === 127) {
      if (buf.length < 10) return undefined;
      const big = buf.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`peer announced a ${big}-byte frame`);
      length = Number(big);
      offset = 10;
      lengthBits = 64;
    }
    const maskKey = masked ? buf.subarray(offset, offset + 4) : undefined;
    if (masked) offset += 4;
    if (buf.length < offset + length) return undefined;
    const raw = buf.subarray(offset, offset + length);
    const payload = maskKey === undefined ? Buffer.from(raw) : applyMask(raw, maskKey);
    const frame: ParsedFrame = {
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode: b0 & 0x0f,
      masked,
      maskKey: maskKey === undefined ? undefined : Buffer.from(maskKey),
      wireLength: offset + length,
      lengthBits,
      payload,
    };
    this.#buffered = buf.subarray(offset + length);
    return frame;
  }
}

/**
 * Reads the status code and reason of a close frame's payload. `code` is undefined for an empty
 * payload (RFC 6455 §7.1.5: "no status code was present").
 *
 * @example
 * const { code, reason } = parseClosePayload(frame.payload);
 */
export function parseClosePayload(payload: Buffer): { code: number | undefined; reason: Buffer } {
  if (payload.length < 2) return { code: undefined, reason: Buffer.alloc(0) };
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2) };
}

/** Human-readable one-line summary of a frame, for assertion messages. */
export function describeFrame(frame: ParsedFrame): string {
  const flags = `${frame.fin ? "F" : "-"}${frame.rsv1 ? "1" : "-"}${frame.rsv2 ? "2" : "-"}${frame.rsv3 ? "3" : "-"}${frame.masked ? "M" : "-"}`;
  const head = frame.opcode === Opcode.CLOSE ? ` code=${parseClosePayload(frame.payload).code ?? "none"}` : "";
  return `op=${frame.opcode} ${flags} len=${frame.payload.length}${head}`;
}

function toBuffer(data: Buffer | string): Buffer {
  return typeof data === "string" ? Buffer.from(data, "utf8") : data;
}
