// Socket.IO protocol v5 packets (socket.io-protocol, revision 5):
//   <type>[<attachments>-][<namespace>,][<ack id>][<JSON data>]
// then, for BINARY_EVENT/BINARY_ACK, one Engine.IO binary message per attachment.
// Pure: no I/O, no timers, browser-safe.

import { DEFAULT_BINARY_TYPE } from "./bytes.js";
import type { BinaryType } from "./bytes.js";
import { deconstructPacket, fillPlaceholders, findPlaceholders, hasBinary } from "./binary.js";
import type { PlaceholderSlots } from "./binary.js";
import { SocketProtocolError } from "./socket-protocol-error.js";

export { SocketProtocolError } from "./socket-protocol-error.js";

/**
 * Socket.IO packet types and their wire digits.
 *
 * @example
 * ```ts
 * const packet = { type: PacketType.EVENT, nsp: "/", data: ["hello"] };
 * ```
 */
export const PacketType = { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4, BINARY_EVENT: 5, BINARY_ACK: 6 } as const;
/**
 * One of the {@link PacketType} values.
 *
 * @example
 * ```ts
 * const type: PacketType = PacketType.BINARY_ACK; // 6
 * ```
 */
export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/**
 * One Socket.IO packet. Decoded binary packets keep their type (`BINARY_EVENT`, `BINARY_ACK`)
 * and `attachments` count, with the binary values back in `data`.
 *
 * @example
 * ```ts
 * const ack: SocketPacket = { type: PacketType.ACK, nsp: "/chat", id: 12, data: ["ok"] };
 * ```
 */
export interface SocketPacket {
  type: PacketType;
  nsp: string;
  data?: unknown;
  id?: number;
  attachments?: number;
}

/**
 * Options of {@link SocketPacketDecoder}; every limit has a safe default.
 *
 * @example
 * ```ts
 * new SocketPacketDecoder({ maxAttachments: 4, maxDepth: 16, binaryType: "arraybuffer" });
 * ```
 */
export interface SocketPacketDecoderOptions {
  /** Most attachments one binary packet may announce. Default {@link DEFAULT_MAX_ATTACHMENTS}. */
  maxAttachments?: number;
  /** Most nested arrays/objects in the JSON data, the root counting as 1. Default {@link DEFAULT_MAX_DEPTH}. */
  maxDepth?: number;
  /** What attachments become. Default `"nodebuffer"` where `Buffer` exists, else `"arraybuffer"`. */
  binaryType?: BinaryType;
}

/**
 * The Socket.IO protocol revision these codecs speak.
 *
 * @example
 * ```ts
 * SOCKET_PROTOCOL_VERSION; // 5
 * ```
 */
export const SOCKET_PROTOCOL_VERSION = 5;

/**
 * Default cap on the attachments of one binary packet (as socket.io-parser's).
 *
 * @example
 * ```ts
 * new SocketPacketDecoder({ maxAttachments: DEFAULT_MAX_ATTACHMENTS * 2 });
 * ```
 */
export const DEFAULT_MAX_ATTACHMENTS = 10;

/**
 * Default cap on JSON nesting: 64 arrays/objects deep, the root counting as 1.
 *
 * @example
 * ```ts
 * new SocketPacketDecoder({ maxDepth: DEFAULT_MAX_DEPTH / 2 });
 * ```
 */
export const DEFAULT_MAX_DEPTH = 64;

const TYPE_DIGIT = ["0", "1", "2", "3", "4", "5", "6"] as const;

/**
 * Encodes a packet: the text header first, then one `Uint8Array` per binary attachment.
 * EVENT/ACK become BINARY_EVENT/BINARY_ACK when the data holds binary anywhere (and the
 * other way round when it holds none). The default namespace `"/"` is left out.
 * Data is serialized by `stringify`, JSON.stringify unless told otherwise (the server passes
 * {@link stringifyJson}, which writes the same text faster).
 *
 * @throws TypeError on an unknown type, a namespace not starting with "/" or containing ",",
 * an id that is not a non-negative safe integer, or data JSON.stringify refuses.
 * @throws RangeError on data nested deeper than 1000 levels (circular data).
 * @example
 * ```ts
 * encodeSocketPacket({ type: PacketType.EVENT, nsp: "/", data: ["hi", 1] }); // ['2["hi",1]']
 * encodeSocketPacket({ type: PacketType.EVENT, nsp: "/chat", id: 7, data: ["f", Buffer.from("x")] });
 * // ['51-/chat,7["f",{"_placeholder":true,"num":0}]', <Buffer 78>]
 * ```
 */
export function encodeSocketPacket(
  packet: SocketPacket,
  stringify: (data: unknown) => string | undefined = JSON.stringify,
): [string, ...Uint8Array[]] {
  let type: number = packet.type;
  let data = packet.data;
  let buffers: Uint8Array[] | undefined;
  if (type === 2 || type === 3 || type === 5 || type === 6) {
    const isEvent = type === 2 || type === 5;
    if (data !== undefined && hasBinary(data)) {
      const parts = deconstructPacket(data);
      data = parts.data;
      if (parts.buffers.length > 0) buffers = parts.buffers;
    }
    type = buffers === undefined ? (isEvent ? 2 : 3) : isEvent ? 5 : 6;
  }
  let header: string | undefined = TYPE_DIGIT[type];
  if (header === undefined) throw new TypeError(`Socket.IO: unknown packet type ${String(packet.type)}`);
  if (buffers !== undefined) header += buffers.length + "-";
  const nsp = packet.nsp;
  if (nsp !== "/") {
    if (typeof nsp !== "string" || nsp.charCodeAt(0) !== 0x2f || nsp.includes(",")) {
      throw new TypeError(`Socket.IO: a namespace starts with "/" and holds no ",", got ${JSON.stringify(nsp)}`);
    }
    header += nsp + ",";
  }
  const id = packet.id;
  if (id !== undefined) {
    if (!Number.isSafeInteger(id) || id < 0) throw new TypeError(`Socket.IO: an ack id is a non-negative safe integer, got ${String(id)}`);
    header += id;
  }
  if (data !== undefined) {
    const json = stringify(data);
    if (json !== undefined) header += json;
  }
  return buffers === undefined ? [header] : [header, ...buffers];
}

/**
 * Checks a packet that another codec decoded (the server's `parser` option) for what the built-in
 * decoder guarantees: a known type, a namespace, an ack id where one belongs and a payload of the
 * right shape. The packet comes back with only those fields.
 *
 * @throws SocketProtocolError when the packet breaks one of these rules.
 * @example
 * ```ts
 * const packet = checkDecodedPacket(msgpackDecoded); // { type: 2, nsp: "/", data: ["hi"] }
 * ```
 */
export function checkDecodedPacket(value: unknown): SocketPacket {
  if (typeof value !== "object" || value === null) fail("SIO_ERR_INVALID_PACKET", "a decoded packet is not an object");
  const { type, nsp, id, data } = value as Record<string, unknown>;
  if (typeof type !== "number" || !Number.isInteger(type) || type < 0 || type > 6) fail("SIO_ERR_INVALID_PACKET_TYPE", "unknown packet type");
  if (typeof nsp !== "string" || nsp.charCodeAt(0) !== 0x2f) fail("SIO_ERR_INVALID_NAMESPACE", "a namespace is a string starting with /");
  if (id !== undefined && (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0)) fail("SIO_ERR_INVALID_ACK_ID", "ack id is not a safe integer");
  checkAckId(type, id);
  if (!payloadFits(type, data !== undefined, data)) fail("SIO_ERR_INVALID_PAYLOAD", "payload of the wrong shape for its packet type");
  const packet: SocketPacket = { type: type as PacketType, nsp };
  if (data !== undefined) packet.data = data;
  if (id !== undefined) packet.id = id;
  return packet;
}

/** ACKs carry an id; CONNECT, DISCONNECT and CONNECT_ERROR do not. */
function checkAckId(type: number, id: unknown): void {
  if (id === undefined ? type === 3 || type === 6 : type === 0 || type === 1 || type === 4) {
    fail("SIO_ERR_INVALID_ACK_ID", id === undefined ? "ACK without an id" : "id on a packet that takes none");
  }
}

/** Whether a packet of `type` may carry this payload (socket.io-protocol, "Packet format"). */
function payloadFits(type: number, hasData: boolean, data: unknown): boolean {
  switch (type) {
    case 0:
      return !hasData || isObject(data);
    case 1:
      return !hasData;
    case 2:
    case 5:
      return Array.isArray(data) && typeof data[0] === "string";
    case 3:
    case 6:
      return Array.isArray(data);
    default:
      return typeof data === "string" || isObject(data);
  }
}

function fail(code: string, message: string): never {
  throw new SocketProtocolError(code, `Socket.IO: ${message}`);
}

function isObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** True when `value` (an object) nests more than `remaining` arrays/objects. Own properties only. */
function exceedsDepth(value: object, remaining: number): boolean {
  if (remaining === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "object" && item !== null && exceedsDepth(item, remaining - 1)) return true;
    }
    return false;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === "object" && item !== null && Object.hasOwn(value, key) && exceedsDepth(item, remaining - 1)) return true;
  }
  return false;
}

/**
 * Decodes Socket.IO packets from the Engine.IO messages of one connection, reassembling
 * binary attachments. Everything is validated here (see {@link SocketProtocolError} for the
 * list), so the layers above trust what comes out. Binary packets keep their BINARY_* type.
 * A namespace runs from "/" to the first ",", or to the end of the packet (`1/admin`, which
 * encoders always write as `1/admin,`, is read the same way, as socket.io-parser reads it).
 *
 * @example
 * ```ts
 * const decoder = new SocketPacketDecoder();
 * decoder.add('2["hello",1]'); // { type: 2, nsp: "/", data: ["hello", 1] }
 * decoder.add('51-["file",{"_placeholder":true,"num":0}]'); // undefined: waiting
 * decoder.add(new Uint8Array([1, 2])); // { type: 5, nsp: "/", data: ["file", <Buffer 01 02>], attachments: 1 }
 * ```
 */
export class SocketPacketDecoder {
  readonly #maxAttachments: number;
  readonly #maxDepth: number;
  readonly #binaryType: BinaryType;
  #pending: SocketPacket | undefined = undefined;
  #slots: PlaceholderSlots | undefined = undefined;
  #buffers: (Uint8Array | ArrayBuffer)[] | undefined = undefined;

  constructor(options?: SocketPacketDecoderOptions) {
    const maxAttachments = options?.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS;
    const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
    if (!Number.isSafeInteger(maxAttachments) || maxAttachments < 0) throw new RangeError("maxAttachments must be a non-negative integer");
    if (!Number.isSafeInteger(maxDepth) || maxDepth < 1) throw new RangeError("maxDepth must be a positive integer");
    this.#maxAttachments = maxAttachments;
    this.#maxDepth = maxDepth;
    this.#binaryType = options?.binaryType ?? DEFAULT_BINARY_TYPE;
  }

  /** True between the header of a binary packet and its last attachment. */
  get awaitingAttachments(): boolean {
    return this.#pending !== undefined;
  }

  /**
   * Feeds the data of one Engine.IO message. Returns the packet when complete, `undefined`
   * while a binary packet waits for more attachments.
   *
   * @throws SocketProtocolError on bad input, after resetting the decoder.
   */
  add(chunk: string | Uint8Array | ArrayBuffer): SocketPacket | undefined {
    if (typeof chunk === "string") {
      if (this.#pending !== undefined) {
        this.reset();
        fail("SIO_ERR_UNEXPECTED_TEXT", "text packet received while waiting for binary attachments");
      }
      return this.#decodeText(chunk);
    }
    if (chunk instanceof Uint8Array || chunk instanceof ArrayBuffer) {
      const pending = this.#pending;
      if (pending === undefined) fail("SIO_ERR_UNEXPECTED_BINARY", "binary data received with no binary packet pending");
      const buffers = this.#buffers as (Uint8Array | ArrayBuffer)[];
      buffers.push(chunk);
      if (buffers.length < (pending.attachments as number)) return undefined;
      pending.data = fillPlaceholders(pending.data, this.#slots as PlaceholderSlots, buffers, this.#binaryType);
      this.reset();
      return pending;
    }
    throw new TypeError("Socket.IO: a packet is a string, a Uint8Array or an ArrayBuffer");
  }

  /** Drops any half-received binary packet. */
  reset(): void {
    this.#pending = undefined;
    this.#slots = undefined;
    this.#buffers = undefined;
  }

  #decodeText(text: string): SocketPacket | undefined {
    const len = text.length;
    if (len === 0) fail("SIO_ERR_EMPTY_PACKET", "empty packet");
    const type = text.charCodeAt(0) - 0x30;
    if (type < 0 || type > 6) fail("SIO_ERR_INVALID_PACKET_TYPE", "unknown packet type");
    let i = 1;
    let c: number;

    let attachments = 0;
    if (type === 5 || type === 6) {
      // "<digits>-", refused as soon as the count passes the cap (an announced 1e9 costs nothing).
      while (i < len && (c = text.charCodeAt(i)) >= 0x30 && c <= 0x39) {
        attachments = attachments * 10 + (c - 0x30);
        if (attachments > this.#maxAttachments) fail("SIO_ERR_TOO_MANY_ATTACHMENTS", `more than ${this.#maxAttachments} attachments`);
        i++;
      }
      if (i === 1 || i === len || text.charCodeAt(i) !== 0x2d || attachments === 0) {
        fail("SIO_ERR_INVALID_ATTACHMENTS", "invalid attachment count");
      }
      i++;
    }

    let nsp = "/";
    if (i < len && text.charCodeAt(i) === 0x2f) {
      // The namespace runs to the first ",", or to the end: a bare "1/admin" reads as "1/admin,".
      const comma = text.indexOf(",", i);
      if (comma === -1) {
        nsp = text.slice(i);
        i = len;
      } else {
        nsp = text.slice(i, comma);
        i = comma + 1;
      }
    }

    let id: number | undefined;
    if (i < len && (c = text.charCodeAt(i)) >= 0x30 && c <= 0x39) {
      let n = 0;
      do {
        n = n * 10 + (c - 0x30);
        // Exact up to 2^53; past it the rounded value still compares above the limit.
        if (n > Number.MAX_SAFE_INTEGER) fail("SIO_ERR_INVALID_ACK_ID", "ack id is not a safe integer");
        i++;
      } while (i < len && (c = text.charCodeAt(i)) >= 0x30 && c <= 0x39);
      id = n;
    }
    checkAckId(type, id);

    const hasData = i < len;
    let data: unknown;
    if (hasData) {
      try {
        data = JSON.parse(text.slice(i));
      } catch {
        fail("SIO_ERR_INVALID_JSON", "payload is not valid JSON");
      }
    }

    if (!payloadFits(type, hasData, data)) fail("SIO_ERR_INVALID_PAYLOAD", "payload of the wrong shape for its packet type");

    const packet: SocketPacket = { type: type as PacketType, nsp };
    if (hasData) packet.data = data;
    if (id !== undefined) packet.id = id;
    if (attachments > 0) {
      packet.attachments = attachments;
      // Placeholders are checked now, before any attachment is buffered.
      this.#slots = findPlaceholders(data, attachments, this.#maxDepth);
      this.#buffers = [];
      this.#pending = packet;
      return undefined;
    }
    // Nesting d deep takes at least 2d characters, so short payloads skip the walk.
    if (typeof data === "object" && data !== null && len - i >= 2 * (this.#maxDepth + 1) && exceedsDepth(data, this.#maxDepth)) {
      fail("SIO_ERR_TOO_DEEP", `JSON nested deeper than ${this.#maxDepth}`);
    }
    return packet;
  }
}
