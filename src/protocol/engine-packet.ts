// Engine.IO protocol v4 packets and HTTP long-polling payloads (engine.io-protocol, revision 4).
// Pure: no I/O, no timers, browser-safe.

import { DEFAULT_BINARY_TYPE, decodeBase64, encodeBase64, toBinaryType } from "./bytes.js";
import type { BinaryType } from "./bytes.js";

export type { BinaryType } from "./bytes.js";

/**
 * The seven Engine.IO packet types, in wire order: `open` is `"0"`, …, `noop` is `"6"`.
 *
 * @example
 * ```ts
 * const ping: EnginePacketType = "ping"; // "2" on the wire
 * ```
 */
export type EnginePacketType = "open" | "close" | "ping" | "pong" | "message" | "upgrade" | "noop";

/**
 * One Engine.IO packet. Binary `data` is only meaningful on `message` packets.
 *
 * @example
 * ```ts
 * const packet: EnginePacket = { type: "message", data: "hello" };
 * ```
 */
export interface EnginePacket {
  type: EnginePacketType;
  data?: string | Uint8Array | ArrayBuffer;
}

/**
 * The Engine.IO protocol revision these codecs speak (the `EIO=4` query parameter).
 *
 * @example
 * ```ts
 * if (query.EIO !== String(ENGINE_PROTOCOL_VERSION)) refuse();
 * ```
 */
export const ENGINE_PROTOCOL_VERSION = 4;

/**
 * Separates packets in a long-polling payload (ASCII "record separator", v4 §Payload).
 *
 * @example
 * ```ts
 * "4hello" + RECORD_SEPARATOR + "2"; // a payload of two packets
 * ```
 */
export const RECORD_SEPARATOR = "\x1e";

/**
 * Packet types indexed by their wire digit.
 *
 * @example
 * ```ts
 * ENGINE_PACKET_TYPES[4]; // "message"
 * ```
 */
export const ENGINE_PACKET_TYPES: readonly EnginePacketType[] = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

/** Wire digit of each packet type. */
const TYPE_DIGIT: Readonly<Record<EnginePacketType, string>> = {
  open: "0",
  close: "1",
  ping: "2",
  pong: "3",
  message: "4",
  upgrade: "5",
  noop: "6",
};

/**
 * Packets a polling payload may hold unless the caller says otherwise.
 *
 * @example
 * ```ts
 * decodeEnginePayload(body, { maxPackets: DEFAULT_MAX_PAYLOAD_PACKETS });
 * ```
 */
export const DEFAULT_MAX_PAYLOAD_PACKETS = 10_000;

/**
 * A malformed Engine.IO packet or payload. `code` is one of:
 *
 * | code | meaning |
 * |---|---|
 * | `EIO_ERR_EMPTY_PACKET` | a text packet (or a record in a payload) with no type character |
 * | `EIO_ERR_UNKNOWN_PACKET_TYPE` | the first character is not `0`–`6` nor `b` |
 * | `EIO_ERR_INVALID_BASE64` | a `b` packet whose body is not strict, padded base64 |
 * | `EIO_ERR_TOO_MANY_PACKETS` | a payload with more packets than `maxPackets` |
 *
 * @example
 * ```ts
 * try { decodeEnginePacket("9"); } catch (err) {
 *   if (err instanceof EngineProtocolError) console.log(err.code); // "EIO_ERR_UNKNOWN_PACKET_TYPE"
 * }
 * ```
 */
export class EngineProtocolError extends Error {
  /** Stable error code, see the table above. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "EngineProtocolError";
    this.code = code;
  }
}

/**
 * Encodes one packet for a WebSocket frame or a polling record.
 * Text packets become `"<digit><data>"`. A binary `message` becomes the raw bytes when
 * `supportsBinary` (send it as a binary frame), otherwise `"b" + base64`.
 *
 * @throws TypeError when binary data is put on a packet other than `message`.
 * @example
 * ```ts
 * encodeEnginePacket({ type: "message", data: "hi" }, true); // "4hi"
 * encodeEnginePacket({ type: "ping", data: "probe" }, true); // "2probe"
 * encodeEnginePacket({ type: "message", data: new Uint8Array([1, 2, 3]) }, false); // "bAQID"
 * ```
 */
export function encodeEnginePacket(packet: EnginePacket, supportsBinary: boolean): string | Uint8Array {
  const data = packet.data;
  if (typeof data === "string") return (packet.type === "message" ? "4" : digitOf(packet.type)) + data;
  if (data === undefined) return digitOf(packet.type);
  if (packet.type !== "message") throw new TypeError(`Engine.IO: binary data is only allowed on "message" packets, got "${packet.type}"`);
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  return supportsBinary ? bytes : "b" + encodeBase64(bytes);
}

function digitOf(type: EnginePacketType): string {
  const digit = TYPE_DIGIT[type];
  if (digit === undefined) throw new TypeError(`Engine.IO: unknown packet type "${String(type)}"`);
  return digit;
}

/**
 * Decodes one packet. A string is a text packet (`"<digit>[data]"`) or a base64 binary message
 * (`"b<base64>"`); bytes are a binary message (a WebSocket binary frame).
 * `binaryType` picks what binary data becomes (see {@link BinaryType}).
 *
 * @throws EngineProtocolError on empty text, an unknown type character or bad base64.
 * @example
 * ```ts
 * decodeEnginePacket("4hello"); // { type: "message", data: "hello" }
 * decodeEnginePacket("3");      // { type: "pong" }
 * decodeEnginePacket(new Uint8Array([1]), "uint8array"); // { type: "message", data: Uint8Array [1] }
 * ```
 */
export function decodeEnginePacket(data: string | Uint8Array | ArrayBuffer, binaryType: BinaryType = DEFAULT_BINARY_TYPE): EnginePacket {
  if (typeof data === "string") return decodeTextPacket(data, 0, data.length, binaryType);
  if (data instanceof Uint8Array || data instanceof ArrayBuffer) return { type: "message", data: toBinaryType(data, binaryType) };
  throw new TypeError("Engine.IO: a packet is a string, a Uint8Array or an ArrayBuffer");
}

/** Decodes the text packet `text[start, end)`; `start`/`end` let payload decoding skip substrings. */
function decodeTextPacket(text: string, start: number, end: number, binaryType: BinaryType): EnginePacket {
  if (start >= end) throw new EngineProtocolError("EIO_ERR_EMPTY_PACKET", "Engine.IO: empty packet");
  const c = text.charCodeAt(start);
  if (c === 0x62 /* b */) {
    const bytes = decodeBase64(text, start + 1, end);
    if (bytes === undefined) throw new EngineProtocolError("EIO_ERR_INVALID_BASE64", "Engine.IO: invalid base64 in a binary packet");
    return { type: "message", data: toBinaryType(bytes, binaryType) };
  }
  const type = ENGINE_PACKET_TYPES[c - 0x30];
  if (type === undefined) throw new EngineProtocolError("EIO_ERR_UNKNOWN_PACKET_TYPE", "Engine.IO: unknown packet type");
  return end - start > 1 ? { type, data: text.slice(start + 1, end) } : { type };
}

/**
 * Encodes packets as one HTTP long-polling payload: each packet as text (binary as
 * `"b" + base64`), joined with {@link RECORD_SEPARATOR}.
 *
 * @example
 * ```ts
 * encodeEnginePayload([{ type: "message", data: "a" }, { type: "ping" }]); // "4a\x1e2"
 * ```
 */
export function encodeEnginePayload(packets: readonly EnginePacket[]): string {
  let out = "";
  for (let i = 0; i < packets.length; i++) {
    if (i > 0) out += RECORD_SEPARATOR;
    out += encodeEnginePacket(packets[i] as EnginePacket, false) as string;
  }
  return out;
}

/**
 * Decodes an HTTP long-polling payload. Every record must be a valid packet; `maxPackets`
 * (default {@link DEFAULT_MAX_PAYLOAD_PACKETS}) is checked while splitting, before decoding
 * the excess, so hostile input costs at most one linear scan.
 *
 * @throws EngineProtocolError on any bad record or too many packets.
 * @example
 * ```ts
 * decodeEnginePayload("4hello\x1e2"); // [{ type: "message", data: "hello" }, { type: "ping" }]
 * ```
 */
export function decodeEnginePayload(payload: string, options?: { maxPackets?: number; binaryType?: BinaryType }): EnginePacket[] {
  if (typeof payload !== "string") throw new TypeError("Engine.IO: a payload is a string");
  const maxPackets = options?.maxPackets ?? DEFAULT_MAX_PAYLOAD_PACKETS;
  const binaryType = options?.binaryType ?? DEFAULT_BINARY_TYPE;
  const packets: EnginePacket[] = [];
  let start = 0;
  while (true) {
    if (packets.length >= maxPackets) {
      throw new EngineProtocolError("EIO_ERR_TOO_MANY_PACKETS", `Engine.IO: payload holds more than ${maxPackets} packets`);
    }
    const sep = payload.indexOf(RECORD_SEPARATOR, start);
    const end = sep === -1 ? payload.length : sep;
    packets.push(decodeTextPacket(payload, start, end, binaryType));
    if (sep === -1) return packets;
    start = sep + 1;
  }
}
