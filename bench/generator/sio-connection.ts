/**
 * The load generator's lean Socket.IO client over a raw WebSocket: a hand-written upgrade to
 * `/socket.io/?EIO=4&transport=websocket`, the Engine.IO open packet answered with `40`, pings
 * (`2`) answered with `3`, and every later frame classified by the first two bytes of its payload
 * only (`42` event, `43` ack, `45` binary event header, binary frames = attachments); payloads are
 * skipped, never copied or decoded (reads arrive through upgrade-socket.ts). Nothing here depends
 * on the implementations under test.
 */
import type net from "node:net";
import { maskedFrame } from "./raw-connection.js";
import { upgradeSocket } from "./upgrade-socket.js";
import type { SocketReader } from "./upgrade-socket.js";

/** What the generator does with one connection's events. */
export interface SioSink {
  /** `count` events (or binary attachments) arrived on `conn`. */
  onDeliveries(conn: SioConnection, count: number): void;
  /** `count` acks arrived on `conn`. */
  onAcks(conn: SioConnection, count: number): void;
  /** A ping arrived `gapMs` after the previous one (or after the connection opened). */
  onPing(gapMs: number): void;
  onClose(conn: SioConnection): void;
}

const PONG = maskedFrame(Buffer.from("3"), 0x1);
const CONNECT = maskedFrame(Buffer.from("40"), 0x1);

const HEAD = 0; // reading the HTTP response head
const FRAME_HEADER = 1; // reading a frame header
const FRAME_PAYLOAD = 2; // skipping a payload (after peeking at its first two bytes)

const CH_0 = 0x30;
const CH_2 = 0x32;
const CH_3 = 0x33;
const CH_4 = 0x34;

/**
 * One client connection. Parser state lives in fields; listeners are module-level functions that
 * find the connection through a symbol (no closure per connection).
 *
 * @example
 * const conn = await SioConnection.open(port, sink);
 * conn.write(maskedFrame(Buffer.from('42["go"]'), 0x1));
 */
export class SioConnection implements SocketReader {
  readonly socket: net.Socket;
  readonly sink: SioSink;
  /** Send times (ms, performance.now()) of the requests still waiting for an ack, oldest first. */
  pending: number[] = [];
  #state = HEAD;
  #head = "";
  #header = Buffer.alloc(14);
  #headerHave = 0;
  #payloadLeft = 0;
  #payloadLength = 0;
  #opcode = 0;
  #p0 = 0;
  #p1 = 0;
  #lastPing = 0;
  #joined = false;
  /** Acks counted in the chunk being fed, reported once at its end (one reply write per chunk). */
  #acks = 0;
  #opened: ((ok: boolean) => void) | undefined;

  private constructor(port: number, sink: SioSink) {
    this.sink = sink;
    this.socket = upgradeSocket(port, "/socket.io/?EIO=4&transport=websocket", this);
  }

  /** Connects, upgrades and joins the main namespace; resolves once `40{...}` arrived. */
  static open(port: number, sink: SioSink): Promise<SioConnection> {
    const conn = new SioConnection(port, sink);
    return new Promise((resolve, reject) => {
      conn.#opened = (ok) => (ok ? resolve(conn) : reject(new Error("Socket.IO handshake failed")));
    });
  }

  write(data: Buffer): void {
    this.socket.write(data);
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onMessage(): void {
    if (this.#opcode === 2) {
      this.sink.onDeliveries(this, 1);
      return;
    }
    if (this.#opcode !== 1) return;
    const p0 = this.#p0;
    if (p0 === CH_4) {
      const p1 = this.#p1;
      if (p1 === CH_2) this.sink.onDeliveries(this, 1);
      else if (p1 === CH_3) this.#acks++;
      else if (p1 === CH_0 && !this.#joined) {
        this.#joined = true;
        this.#lastPing = performance.now();
        const opened = this.#opened;
        this.#opened = undefined;
        opened?.(true);
      }
    } else if (p0 === CH_2 && this.#payloadLength === 1) {
      this.socket.write(PONG);
      const now = performance.now();
      this.sink.onPing(now - this.#lastPing);
      this.#lastPing = now;
    } else if (p0 === CH_0) {
      this.socket.write(CONNECT);
    }
  }

  /** @internal Parses the first `n` bytes of `chunk` (a shared buffer: nothing is kept from it). */
  feed(chunk: Buffer, n: number): void {
    let i = 0;
    if (this.#state === HEAD) {
      this.#head += chunk.toString("latin1", 0, n);
      const end = this.#head.indexOf("\r\n\r\n");
      if (end === -1) return;
      const ok = this.#head.startsWith("HTTP/1.1 101");
      this.#state = FRAME_HEADER;
      i = n - (this.#head.length - (end + 4));
      this.#head = "";
      if (!ok) {
        this.socket.destroy();
        return;
      }
    }
    while (i < n) {
      if (this.#state === FRAME_PAYLOAD) {
        // Peek at the first two payload bytes, skip the rest.
        const offset = this.#payloadLength - this.#payloadLeft;
        if (offset === 0) this.#p0 = chunk[i] as number;
        else if (offset === 1) this.#p1 = chunk[i] as number;
        const take = offset < 2 ? 1 : Math.min(this.#payloadLeft, n - i);
        this.#payloadLeft -= take;
        i += take;
        if (this.#payloadLeft === 0) {
          this.#state = FRAME_HEADER;
          this.#onMessage();
        }
        continue;
      }
      // FRAME_HEADER: 2 bytes, then the extended length (server frames are unmasked).
      this.#header[this.#headerHave++] = chunk[i++] as number;
      if (this.#headerHave < 2) continue;
      const len7 = (this.#header[1] as number) & 0x7f;
      const need = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
      if (this.#headerHave < need) continue;
      this.#opcode = (this.#header[0] as number) & 0x0f;
      this.#payloadLength = len7 === 126 ? this.#header.readUInt16BE(2) : len7 === 127 ? Number(this.#header.readBigUInt64BE(2)) : len7;
      this.#payloadLeft = this.#payloadLength;
      this.#headerHave = 0;
      this.#p0 = 0;
      this.#p1 = 0;
      if (this.#payloadLeft === 0) this.#onMessage();
      else this.#state = FRAME_PAYLOAD;
    }
    const acks = this.#acks;
    if (acks > 0) {
      this.#acks = 0;
      this.sink.onAcks(this, acks);
    }
  }

  /** @internal */
  closed(): void {
    const opened = this.#opened;
    this.#opened = undefined;
    opened?.(false);
    this.sink.onClose(this);
  }
}
