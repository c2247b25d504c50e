// Test helpers: hand-built frames (independent of src/websocket/frame.ts) and a recording handler.
import type { WebSocketError } from "../../../src/websocket/errors.js";
import type { ReceiverHandler } from "../../../src/websocket/receiver.js";

export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** A 4-byte key, or true for a fixed non-trivial key. */
  mask?: Buffer | true;
  /** Force a length encoding (7, 16 or 64 bits), for non-minimal encodings. */
  lengthBits?: 7 | 16 | 64;
}

/** Builds a frame byte by byte, the way RFC 6455 §5.2 draws it. */
export function makeFrame(spec: FrameSpec): Buffer {
  const payload = typeof spec.payload === "string" ? Buffer.from(spec.payload) : (spec.payload ?? Buffer.alloc(0));
  const bytes: number[] = [];
  bytes.push(
    ((spec.fin ?? true) ? 0x80 : 0) | (spec.rsv1 ? 0x40 : 0) | (spec.rsv2 ? 0x20 : 0) | (spec.rsv3 ? 0x10 : 0) | spec.opcode,
  );
  const maskBit = spec.mask !== undefined ? 0x80 : 0;
  const len = payload.length;
  const bits = spec.lengthBits ?? (len < 126 ? 7 : len < 65536 ? 16 : 64);
  if (bits === 7) bytes.push(maskBit | len);
  else if (bits === 16) bytes.push(maskBit | 126, (len >> 8) & 0xff, len & 0xff);
  else {
    bytes.push(maskBit | 127);
    const hi = Math.floor(len / 2 ** 32);
    bytes.push((hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff);
    bytes.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  let body = payload;
  if (spec.mask !== undefined) {
    const key = spec.mask === true ? Buffer.from([0x37, 0xfa, 0x21, 0x3d]) : spec.mask;
    bytes.push(...key);
    body = Buffer.alloc(len);
    for (let i = 0; i < len; i++) body[i] = payload[i]! ^ key[i % 4]!;
  }
  return Buffer.concat([Buffer.from(bytes), body]);
}

export type ReceiverEvent =
  | { kind: "message"; data: Buffer; isBinary: boolean }
  | { kind: "ping"; data: Buffer }
  | { kind: "pong"; data: Buffer }
  | { kind: "close"; code: number; reason: Buffer }
  | { kind: "error"; error: WebSocketError }
  | { kind: "drain" };

/** A fake receiver handler that records every call, copying buffers (they may be views). */
export class Recorder implements ReceiverHandler {
  readonly events: ReceiverEvent[] = [];
  onMessage(data: Buffer, isBinary: boolean): void {
    this.events.push({ kind: "message", data: Buffer.from(data), isBinary });
  }
  onPing(data: Buffer): void {
    this.events.push({ kind: "ping", data: Buffer.from(data) });
  }
  onPong(data: Buffer): void {
    this.events.push({ kind: "pong", data: Buffer.from(data) });
  }
  onCloseFrame(code: number, reason: Buffer): void {
    this.events.push({ kind: "close", code, reason: Buffer.from(reason) });
  }
  onError(error: WebSocketError): void {
    this.events.push({ kind: "error", error });
  }
  onDrain(): void {
    this.events.push({ kind: "drain" });
  }
  /** Events in a comparable form. */
  summary(): unknown[] {
    return this.events.map((e) => {
      switch (e.kind) {
        case "message":
          return ["message", e.isBinary ? e.data.toString("hex") : e.data.toString(), e.isBinary];
        case "ping":
        case "pong":
          return [e.kind, e.data.toString("hex")];
        case "close":
          return ["close", e.code, e.reason.toString()];
        case "error":
          return ["error", e.error.code, e.error.closeCode];
        default:
          return [e.kind];
      }
    });
  }
}

/** Every way of cutting `bytes` into pieces the tests use: whole, one byte at a time, and in two at every boundary. */
export function* splits(bytes: Buffer): Generator<{ name: string; pieces: Buffer[] }> {
  yield { name: "whole", pieces: [Buffer.from(bytes)] };
  const singles: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) singles.push(Buffer.from(bytes.subarray(i, i + 1)));
  yield { name: "byte by byte", pieces: singles };
  for (let cut = 1; cut < bytes.length; cut++) {
    yield { name: `split at ${cut}`, pieces: [Buffer.from(bytes.subarray(0, cut)), Buffer.from(bytes.subarray(cut))] };
  }
}
