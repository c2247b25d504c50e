import { OPCODE_BINARY, OPCODE_TEXT, buildFrame, buildTextFrame } from "./frame.js";

/**
 * What `send()` accepts.
 *
 * @example
 * ```ts
 * const data: SendData = new Uint8Array([1, 2, 3]);
 * ws.send(data);
 * ```
 */
export type SendData = string | Buffer | ArrayBuffer | ArrayBufferView;

/**
 * A Buffer view over binary data, without copying.
 *
 * @example
 * ```ts
 * toBuffer(new Uint8Array([1, 2, 3])).length; // 3
 * ```
 */
export function toBuffer(data: Exclude<SendData, string>): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError("Data must be a string, Buffer, ArrayBuffer or ArrayBufferView");
}

/**
 * One frame built once, unmasked (for server-side sockets) and uncompressed (RSV1 = 0, valid
 * even where permessage-deflate was negotiated), written as the same Buffer to many sockets by
 * `sendPrepared`. Create it with `WebSocket.prepare`.
 *
 * @example
 * ```ts
 * const message = WebSocket.prepare("tick");
 * for (const ws of wss.clients) ws.sendPrepared(message);
 * ```
 */
export class PreparedMessage {
  /** The whole frame: header and payload. */
  readonly frame: Buffer;
  /** The payload size in bytes. */
  readonly byteLength: number;
  readonly binary: boolean;

  constructor(data: SendData, binary?: boolean) {
    if (typeof data === "string") {
      if (binary === true) {
        const buf = Buffer.from(data);
        this.frame = buildFrame(OPCODE_BINARY, buf, true, false, false);
        this.byteLength = buf.length;
      } else {
        this.frame = buildTextFrame(data, true, false);
        this.byteLength = payloadLengthOf(this.frame);
      }
      this.binary = binary === true;
    } else {
      const buf = toBuffer(data);
      this.binary = binary !== false;
      this.frame = buildFrame(this.binary ? OPCODE_BINARY : OPCODE_TEXT, buf, true, false, false);
      this.byteLength = buf.length;
    }
  }

  /** The payload, as a view into `frame`. */
  get payload(): Buffer {
    return this.frame.subarray(this.frame.length - this.byteLength);
  }
}

/** Payload length of an unmasked frame, read back from its header. */
function payloadLengthOf(frame: Buffer): number {
  const length7 = frame[1]! & 0x7f;
  if (length7 < 126) return length7;
  if (length7 === 126) return frame.readUInt16BE(2);
  return frame.readUInt32BE(2) * 0x100000000 + frame.readUInt32BE(6);
}
