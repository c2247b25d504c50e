/**
 * The load generator's lean WebSocket client: a hand-written upgrade, one pre-masked frame
 * written again and again, and received frames counted from their headers only (payloads are
 * skipped, never copied or decoded; reads arrive through upgrade-socket.ts). Nothing here depends
 * on the implementations under test.
 */
import type net from "node:net";
import { randomBytes } from "node:crypto";
import { upgradeSocket } from "./upgrade-socket.js";
import type { SocketReader } from "./upgrade-socket.js";

/** What the generator does with one connection's events. */
export interface ConnectionSink {
  /** `frames` whole data frames just arrived on `conn`. */
  onFrames(conn: RawConnection, frames: number): void;
  onClose(conn: RawConnection): void;
}


const HEAD = 0; // reading the HTTP response head
const FRAME_HEADER = 1; // reading a frame header
const FRAME_PAYLOAD = 2; // skipping a payload

/**
 * One client connection. Parser state lives in fields (no closure per connection).
 *
 * @example
 * const conn = await RawConnection.open(port, sink, masked("hello"));
 * conn.sendRepeated(8);
 */
export class RawConnection implements SocketReader {
  readonly socket: net.Socket;
  readonly sink: ConnectionSink;
  /** The frame this connection sends (masked once, with this connection's key). */
  frame: Buffer;
  /** `frame` repeated, so several sends are one write. */
  #repeated: Buffer;
  #state = HEAD;
  #head = "";
  #header = Buffer.alloc(14);
  #headerHave = 0;
  #payloadLeft = 0;
  #opcode = 0;
  #opened: ((ok: boolean) => void) | undefined;

  private constructor(port: number, path: string, sink: ConnectionSink, frame: Buffer) {
    this.sink = sink;
    this.frame = frame;
    this.#repeated = frame;
    this.socket = upgradeSocket(port, path, this);
  }

  /** Connects and upgrades; resolves once the 101 arrived (rejects otherwise). */
  static open(port: number, sink: ConnectionSink, frame: Buffer, path = "/"): Promise<RawConnection> {
    const conn = new RawConnection(port, path, sink, frame);
    return new Promise((resolve, reject) => {
      conn.#opened = (ok) => (ok ? resolve(conn) : reject(new Error("upgrade failed")));
    });
  }

  /** Writes this connection's frame `count` times in one write. */
  sendRepeated(count: number): void {
    if (count <= 0) return;
    const size = this.frame.length;
    if (this.#repeated.length < count * size) {
      this.#repeated = Buffer.concat(Array.from({ length: Math.max(count, 2 * (this.#repeated.length / size)) }, () => this.frame));
    }
    this.socket.write(this.#repeated.subarray(0, count * size));
  }

  /** Writes any bytes. */
  write(data: Buffer): void {
    this.socket.write(data);
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** @internal Parses the first `n` bytes of `chunk` (a shared buffer: nothing is kept from it). */
  feed(chunk: Buffer, n: number): void {
    let i = 0;
    let frames = 0;
    if (this.#state === HEAD) {
      const text = chunk.toString("latin1", 0, n);
      this.#head += text;
      const end = this.#head.indexOf("\r\n\r\n");
      if (end === -1) return;
      const ok = this.#head.startsWith("HTTP/1.1 101");
      this.#state = FRAME_HEADER;
      i = n - (this.#head.length - (end + 4));
      this.#head = "";
      const opened = this.#opened;
      this.#opened = undefined;
      opened?.(ok);
      if (!ok) {
        this.socket.destroy();
        return;
      }
    }
    while (i < n) {
      if (this.#state === FRAME_PAYLOAD) {
        const take = Math.min(this.#payloadLeft, n - i);
        this.#payloadLeft -= take;
        i += take;
        if (this.#payloadLeft === 0) {
          this.#state = FRAME_HEADER;
          if (this.#opcode === 1 || this.#opcode === 2) frames++;
        }
        continue;
      }
      // FRAME_HEADER: gather 2 bytes, then the extended length (server frames are unmasked).
      this.#header[this.#headerHave++] = chunk[i++] as number;
      if (this.#headerHave < 2) continue;
      const len7 = (this.#header[1] as number) & 0x7f;
      const need = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
      if (this.#headerHave < need) continue;
      this.#opcode = (this.#header[0] as number) & 0x0f;
      this.#payloadLeft = len7 === 126 ? this.#header.readUInt16BE(2) : len7 === 127 ? Number(this.#header.readBigUInt64BE(2)) : len7;
      this.#headerHave = 0;
      if (this.#payloadLeft === 0) {
        if (this.#opcode === 1 || this.#opcode === 2) frames++;
      } else {
        this.#state = FRAME_PAYLOAD;
      }
    }
    if (frames > 0) this.sink.onFrames(this, frames);
  }

  /** @internal */
  closed(): void {
    const opened = this.#opened;
    this.#opened = undefined;
    opened?.(false);
    this.sink.onClose(this);
  }
}

/**
 * A client frame (FIN, masked with a random key) carrying `payload`.
 *
 * @example
 * const frame = maskedFrame(Buffer.alloc(100, 0x61), 0x2);
 */
export function maskedFrame(payload: Buffer, opcode: number): Buffer {
  const length = payload.length;
  const extra = length > 0xffff ? 8 : length > 125 ? 2 : 0;
  const out = Buffer.alloc(2 + extra + 4 + length);
  out[0] = 0x80 | opcode;
  if (extra === 0) out[1] = 0x80 | length;
  else if (extra === 2) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  const key = randomBytes(4);
  key.copy(out, 2 + extra);
  const start = 6 + extra;
  for (let i = 0; i < length; i++) out[start + i] = (payload[i] as number) ^ (key[i & 3] as number);
  return out;
}
