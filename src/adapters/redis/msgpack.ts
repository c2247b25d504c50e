// MessagePack (https://github.com/msgpack/msgpack/blob/master/spec.md), the encoding the
// Socket.IO Redis adapter and emitter use on Redis. Values map as JSON.stringify would map them
// (toJSON is honoured, undefined/function/symbol members are skipped, in arrays they become nil),
// except that binary data is `bin` (decoded as a Buffer) and a Date is the timestamp extension.

import { RedisAdapterError } from "./errors.js";

/** Nesting limit of both directions: deep enough for any real payload, far below the stack limit. */
const MAX_DEPTH = 512;
const TIMESTAMP_EXT = -1;
const TWO_32 = 0x1_0000_0000;

function encodeError(message: string): RedisAdapterError {
  return new RedisAdapterError("REDIS_ERR_MSGPACK_ENCODE", message);
}

function decodeError(message: string): RedisAdapterError {
  return new RedisAdapterError("REDIS_ERR_MSGPACK_DECODE", message);
}

/** Writes into one growing buffer, reused between calls (the result is copied out). */
class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  value(value: unknown, depth: number): void {
    switch (typeof value) {
      case "string":
        this.string(value);
        return;
      case "number":
        this.number(value);
        return;
      case "boolean":
        this.ensure(1);
        this.buf[this.pos++] = value ? 0xc3 : 0xc2;
        return;
      case "object":
        if (value === null) break;
        this.object(value, depth);
        return;
      case "bigint":
        throw encodeError("a BigInt cannot be encoded (give it a toJSON method)");
      default:
        // undefined, function and symbol: JSON's null in arrays (skipped in objects by the caller).
        break;
    }
    this.ensure(1);
    this.buf[this.pos++] = 0xc0;
  }

  string(value: string): void {
    const length = value.length;
    if (length < 32) {
      // Short ASCII strings (event names, room names, ids) are copied by hand: no native call.
      this.ensure(length + 1);
      const buf = this.buf;
      const start = this.pos;
      let i = 0;
      for (; i < length; i++) {
        const c = value.charCodeAt(i);
        if (c > 0x7f) break;
        buf[start + 1 + i] = c;
      }
      if (i === length) {
        buf[start] = 0xa0 | length;
        this.pos = start + 1 + length;
        return;
      }
    }
    const bytes = Buffer.byteLength(value);
    this.ensure(bytes + 5);
    const buf = this.buf;
    if (bytes < 32) {
      buf[this.pos++] = 0xa0 | bytes;
    } else if (bytes < 0x100) {
      buf[this.pos++] = 0xd9;
      buf[this.pos++] = bytes;
    } else if (bytes < 0x10000) {
      buf[this.pos++] = 0xda;
      buf.writeUInt16BE(bytes, this.pos);
      this.pos += 2;
    } else {
      buf[this.pos++] = 0xdb;
      buf.writeUInt32BE(bytes, this.pos);
      this.pos += 4;
    }
    this.pos += buf.write(value, this.pos, "utf8");
  }

  number(value: number): void {
    this.ensure(9);
    const buf = this.buf;
    if (Number.isInteger(value) && value >= -0x8000_0000_0000_0000 && value < 0x1_0000_0000_0000_0000) {
      if (value >= 0) {
        if (value < 0x80) {
          buf[this.pos++] = value;
        } else if (value < 0x100) {
          buf[this.pos++] = 0xcc;
          buf[this.pos++] = value;
        } else if (value < 0x10000) {
          buf[this.pos++] = 0xcd;
          buf.writeUInt16BE(value, this.pos);
          this.pos += 2;
        } else if (value < TWO_32) {
          buf[this.pos++] = 0xce;
          buf.writeUInt32BE(value, this.pos);
          this.pos += 4;
        } else {
          buf[this.pos++] = 0xcf;
          buf.writeUInt32BE(Math.floor(value / TWO_32), this.pos);
          buf.writeUInt32BE(value % TWO_32, this.pos + 4);
          this.pos += 8;
        }
      } else if (value >= -32) {
        buf[this.pos++] = value & 0xff;
      } else if (value >= -0x80) {
        buf[this.pos++] = 0xd0;
        buf.writeInt8(value, this.pos);
        this.pos += 1;
      } else if (value >= -0x8000) {
        buf[this.pos++] = 0xd1;
        buf.writeInt16BE(value, this.pos);
        this.pos += 2;
      } else if (value >= -0x8000_0000) {
        buf[this.pos++] = 0xd2;
        buf.writeInt32BE(value, this.pos);
        this.pos += 4;
      } else {
        buf[this.pos++] = 0xd3;
        buf.writeBigInt64BE(BigInt(value), this.pos);
        this.pos += 8;
      }
      return;
    }
    buf[this.pos++] = 0xcb;
    buf.writeDoubleBE(value, this.pos);
    this.pos += 8;
  }

  bytes(view: Uint8Array): void {
    const length = view.byteLength;
    this.ensure(length + 5);
    const buf = this.buf;
    if (length < 0x100) {
      buf[this.pos++] = 0xc4;
      buf[this.pos++] = length;
    } else if (length < 0x10000) {
      buf[this.pos++] = 0xc5;
      buf.writeUInt16BE(length, this.pos);
      this.pos += 2;
    } else {
      buf[this.pos++] = 0xc6;
      buf.writeUInt32BE(length, this.pos);
      this.pos += 4;
    }
    buf.set(view, this.pos);
    this.pos += length;
  }

  header(count: number, fix: number, sixteen: number): void {
    this.ensure(5);
    const buf = this.buf;
    if (count < 16) {
      buf[this.pos++] = fix | count;
    } else if (count < 0x10000) {
      buf[this.pos++] = sixteen;
      buf.writeUInt16BE(count, this.pos);
      this.pos += 2;
    } else {
      buf[this.pos++] = sixteen + 1;
      buf.writeUInt32BE(count, this.pos);
      this.pos += 4;
    }
  }

  object(value: object, depth: number): void {
    if (depth >= MAX_DEPTH) throw encodeError(`nesting deeper than ${MAX_DEPTH} (or a cycle)`);
    if (Array.isArray(value)) {
      const length = value.length;
      this.header(length, 0x90, 0xdc);
      for (let i = 0; i < length; i++) this.value(value[i], depth + 1);
      return;
    }
    if (ArrayBuffer.isView(value)) {
      this.bytes(value instanceof Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      return;
    }
    if (value instanceof ArrayBuffer) {
      this.bytes(new Uint8Array(value));
      return;
    }
    if (value instanceof Date) {
      this.date(value);
      return;
    }
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") {
      this.value((toJSON as (key: string) => unknown).call(value, ""), depth + 1);
      return;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    let count = 0;
    for (let i = 0; i < keys.length; i++) if (isEncodable(record[keys[i] as string])) count++;
    this.header(count, 0x80, 0xde);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const item = record[key];
      if (!isEncodable(item)) continue;
      this.string(key);
      this.value(item, depth + 1);
    }
  }

  /** The timestamp extension, in its smallest form: 32-bit seconds, 34+30-bit, or 96-bit. */
  date(value: Date): void {
    const ms = value.getTime();
    if (Number.isNaN(ms)) {
      // JSON.stringify gives null for an invalid date.
      this.ensure(1);
      this.buf[this.pos++] = 0xc0;
      return;
    }
    const seconds = Math.floor(ms / 1000);
    const nanos = (ms - seconds * 1000) * 1_000_000;
    this.ensure(15);
    const buf = this.buf;
    if (seconds >= 0 && seconds < 0x4_0000_0000) {
      if (nanos === 0 && seconds < TWO_32) {
        buf[this.pos++] = 0xd6;
        buf[this.pos++] = TIMESTAMP_EXT & 0xff;
        buf.writeUInt32BE(seconds, this.pos);
        this.pos += 4;
        return;
      }
      buf[this.pos++] = 0xd7;
      buf[this.pos++] = TIMESTAMP_EXT & 0xff;
      // nanoseconds in the upper 30 bits, seconds in the lower 34.
      buf.writeUInt32BE(nanos * 4 + Math.floor(seconds / TWO_32), this.pos);
      buf.writeUInt32BE(seconds % TWO_32, this.pos + 4);
      this.pos += 8;
      return;
    }
    buf[this.pos++] = 0xc7;
    buf[this.pos++] = 12;
    buf[this.pos++] = TIMESTAMP_EXT & 0xff;
    buf.writeUInt32BE(nanos, this.pos);
    buf.writeBigInt64BE(BigInt(seconds), this.pos + 4);
    this.pos += 12;
  }
}

function isEncodable(value: unknown): boolean {
  const type = typeof value;
  return type !== "undefined" && type !== "function" && type !== "symbol";
}

let shared: Writer | null = new Writer(8192);

/**
 * Encodes `value` as one MessagePack value. Integers take their smallest integer form, other
 * numbers float 64; Buffers, typed arrays and ArrayBuffers become `bin`; a Date the timestamp
 * extension; anything with `toJSON` what it returns.
 *
 * @throws RedisAdapterError `REDIS_ERR_MSGPACK_ENCODE` for a BigInt, a cycle or nesting past 512.
 * @example
 * ```ts
 * encodeMsgpack(["uid", { type: 2, data: ["hi"], nsp: "/" }]); // <Buffer 92 a3 75 69 64 83 ...>
 * ```
 */
export function encodeMsgpack(value: unknown): Buffer {
  // A toJSON that encodes again must not write into the buffer in use.
  const writer = shared ?? new Writer(256);
  shared = null;
  try {
    writer.pos = 0;
    writer.value(value, 0);
    return Buffer.from(writer.buf.subarray(0, writer.pos));
  } finally {
    // Keep the shared buffer from growing for good after one huge message.
    if (writer.buf.length <= 1 << 20) shared = writer;
    else shared = new Writer(8192);
  }
}

/** Reads one value from a buffer, checking every length against what is left. */
class Reader {
  readonly buf: Buffer;
  pos = 0;

  constructor(buf: Buffer) {
    this.buf = buf;
  }

  need(n: number): void {
    if (this.pos + n > this.buf.length) throw decodeError(`truncated at byte ${this.pos}: ${n} more bytes needed`);
  }

  value(depth: number): unknown {
    this.need(1);
    const buf = this.buf;
    const byte = buf[this.pos++] as number;
    if (byte < 0x80) return byte;
    if (byte >= 0xe0) return byte - 0x100;
    if (byte < 0x90) return this.map(byte & 0x0f, depth);
    if (byte < 0xa0) return this.array(byte & 0x0f, depth);
    if (byte < 0xc0) return this.string(byte & 0x1f);
    let n: number;
    switch (byte) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
        this.need(1);
        return this.bin(buf[this.pos++] as number);
      case 0xc5:
        return this.bin(this.u16());
      case 0xc6:
        return this.bin(this.u32());
      case 0xc7:
        this.need(1);
        return this.ext(buf[this.pos++] as number);
      case 0xc8:
        return this.ext(this.u16());
      case 0xc9:
        return this.ext(this.u32());
      case 0xca:
        this.need(4);
        n = buf.readFloatBE(this.pos);
        this.pos += 4;
        return n;
      case 0xcb:
        this.need(8);
        n = buf.readDoubleBE(this.pos);
        this.pos += 8;
        return n;
      case 0xcc:
        this.need(1);
        return buf[this.pos++] as number;
      case 0xcd:
        return this.u16();
      case 0xce:
        return this.u32();
      case 0xcf:
        this.need(8);
        n = buf.readUInt32BE(this.pos) * TWO_32 + buf.readUInt32BE(this.pos + 4);
        this.pos += 8;
        return n;
      case 0xd0:
        this.need(1);
        return buf.readInt8(this.pos++);
      case 0xd1:
        this.need(2);
        n = buf.readInt16BE(this.pos);
        this.pos += 2;
        return n;
      case 0xd2:
        this.need(4);
        n = buf.readInt32BE(this.pos);
        this.pos += 4;
        return n;
      case 0xd3:
        this.need(8);
        n = buf.readInt32BE(this.pos) * TWO_32 + buf.readUInt32BE(this.pos + 4);
        this.pos += 8;
        return n;
      case 0xd4:
        return this.ext(1);
      case 0xd5:
        return this.ext(2);
      case 0xd6:
        return this.ext(4);
      case 0xd7:
        return this.ext(8);
      case 0xd8:
        return this.ext(16);
      case 0xd9:
        this.need(1);
        return this.string(buf[this.pos++] as number);
      case 0xda:
        return this.string(this.u16());
      case 0xdb:
        return this.string(this.u32());
      case 0xdc:
        return this.array(this.u16(), depth);
      case 0xdd:
        return this.array(this.u32(), depth);
      case 0xde:
        return this.map(this.u16(), depth);
      case 0xdf:
        return this.map(this.u32(), depth);
      default:
        // 0xc1 is never used (spec: "never used").
        throw decodeError(`invalid type byte 0x${byte.toString(16)} at byte ${this.pos - 1}`);
    }
  }

  u16(): number {
    this.need(2);
    const n = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return n;
  }

  u32(): number {
    this.need(4);
    const n = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return n;
  }

  string(length: number): string {
    this.need(length);
    const buf = this.buf;
    const start = this.pos;
    this.pos += length;
    if (length < 16) {
      let s = "";
      for (let i = start; i < start + length; i++) {
        const c = buf[i] as number;
        if (c > 0x7f) return buf.toString("utf8", start, start + length);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return buf.toString("utf8", start, start + length);
  }

  bin(length: number): Buffer {
    this.need(length);
    // A copy: the message buffer may be a view of a larger read buffer.
    const out = Buffer.allocUnsafe(length);
    this.buf.copy(out, 0, this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  array(count: number, depth: number): unknown[] {
    if (depth >= MAX_DEPTH) throw decodeError(`nesting deeper than ${MAX_DEPTH}`);
    // Each item takes at least one byte: refuse a count the buffer cannot hold before allocating.
    this.need(count);
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) out[i] = this.value(depth + 1);
    return out;
  }

  map(count: number, depth: number): Record<string, unknown> {
    if (depth >= MAX_DEPTH) throw decodeError(`nesting deeper than ${MAX_DEPTH}`);
    this.need(count * 2);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const rawKey = this.value(depth + 1);
      const key = typeof rawKey === "string" ? rawKey : String(rawKey);
      const item = this.value(depth + 1);
      if (key === "__proto__") {
        // An own property, as JSON.parse makes it: never the prototype setter.
        Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = item;
      }
    }
    return out;
  }

  ext(length: number): unknown {
    this.need(length + 1);
    const buf = this.buf;
    const type = buf.readInt8(this.pos);
    const start = this.pos + 1;
    this.pos = start + length;
    if (type === TIMESTAMP_EXT) {
      if (length === 4) return new Date(buf.readUInt32BE(start) * 1000);
      if (length === 8) {
        const high = buf.readUInt32BE(start);
        const nanos = Math.floor(high / 4);
        const seconds = (high & 0x3) * TWO_32 + buf.readUInt32BE(start + 4);
        return new Date(seconds * 1000 + Math.floor(nanos / 1_000_000));
      }
      if (length === 12) {
        const nanos = buf.readUInt32BE(start);
        const seconds = Number(buf.readBigInt64BE(start + 4));
        return new Date(seconds * 1000 + Math.floor(nanos / 1_000_000));
      }
      throw decodeError(`a timestamp of ${length} bytes`);
    }
    // notepack.io 2.x wrote undefined as fixext 1, type 0, data 0.
    if (type === 0 && length === 1 && buf[start] === 0) return undefined;
    throw decodeError(`unknown extension type ${type}`);
  }
}

/**
 * Decodes one MessagePack value that fills `data` exactly. Maps become plain objects (keys as
 * strings), `bin` a Buffer (a copy), the timestamp extension a Date; integers past 2^53 lose
 * precision, as JSON's do.
 *
 * @throws RedisAdapterError `REDIS_ERR_MSGPACK_DECODE` for truncated or trailing bytes, the
 * unused type byte 0xc1, an unknown extension, or nesting past 512.
 * @example
 * ```ts
 * decodeMsgpack(Buffer.from("92a1610c", "hex")); // ["a", 12]
 * ```
 */
export function decodeMsgpack(data: Uint8Array): unknown {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const reader = new Reader(buf);
  const value = reader.value(0);
  if (reader.pos !== buf.length) throw decodeError(`${buf.length - reader.pos} trailing bytes after the value`);
  return value;
}
