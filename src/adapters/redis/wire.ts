// What Courant servers (and Socket.IO servers running @socket.io/redis-adapter) say to each other
// on Redis, independent of the wire format: the classic one (classic-wire.ts, PUBLISH/SUBSCRIBE)
// and the sharded one (sharded-wire.ts, SPUBLISH/SSUBSCRIBE). Both decode into `Inbound`.

import { hasBinary, PacketType, stringifyJson } from "../../protocol/index.js";
import type { SocketPacket } from "../../protocol/index.js";
import type { BroadcastFlags, BroadcastOptions, Room, SocketDetails } from "../adapter.js";
import { RedisAdapterError } from "./errors.js";
import { decodeMsgpack, encodeMsgpack } from "./msgpack.js";
import type { SubscriptionMode } from "./redis-client.js";

/**
 * The uid the official emitter and ours send with: never a server, never answered.
 *
 * @example
 * ```ts
 * if (inbound.uid === EMITTER_UID) return; // not a server: no heartbeat to track
 * ```
 */
export const EMITTER_UID = "emitter";

/**
 * Broadcast options as they travel: arrays instead of sets.
 *
 * @example
 * ```ts
 * const opts: WireOptions = { rooms: ["news"], except: [], flags: { volatile: true } };
 * ```
 */
export interface WireOptions {
  rooms: Room[];
  except: Room[];
  flags?: BroadcastFlags;
}

/**
 * A message to publish.
 *
 * @example
 * ```ts
 * const out: Outgoing = wire.heartbeat(uid, "heartbeat");
 * await bus.publish(out.channel, out.payload, out.sharded);
 * ```
 */
export interface Outgoing {
  channel: string;
  payload: string | Buffer;
  /** SPUBLISH rather than PUBLISH. */
  sharded: boolean;
}

/**
 * A request to the other servers (their answers, if any, come back as `Inbound` responses).
 *
 * @example
 * ```ts
 * wire.request(uid, { kind: "fetch", opts: { rooms: [], except: [] }, requestId: "a1b2" });
 * ```
 */
export type WireRequest =
  | { kind: "join" | "leave"; opts: WireOptions; rooms: Room[] }
  | { kind: "disconnect"; opts: WireOptions; close: boolean }
  | { kind: "fetch"; opts: WireOptions; requestId: string }
  | { kind: "serverSideEmit"; data: unknown[]; requestId: string | undefined };

/**
 * An answer to another server's request.
 *
 * @example
 * ```ts
 * wire.response(uid, requesterUid, { kind: "serverSideEmit", requestId, value: 42 });
 * ```
 */
export type WireResponse =
  | { kind: "fetch"; requestId: string; sockets: SocketDetails[] }
  | { kind: "sockets"; requestId: string; sockets: string[] }
  | { kind: "allRooms"; requestId: string; rooms: Room[] }
  | { kind: "done"; requestId: string }
  | { kind: "serverSideEmit"; requestId: string; value: unknown }
  | { kind: "clientCount"; requestId: string; clientCount: number }
  | { kind: "ack"; requestId: string; value: unknown };

/**
 * Presence messages between Courant servers: hello (answer me), still here, leaving.
 *
 * @example
 * ```ts
 * wire.heartbeat(uid, "initial");
 * ```
 */
export type HeartbeatKind = "initial" | "heartbeat" | "closing";

/**
 * A decoded message; `uid` is the sender's (absent from some official messages).
 *
 * @example
 * ```ts
 * const inbound: Inbound = wire.decode(channel, payload, adapter);
 * if (inbound.kind === "broadcast") deliver(inbound.packet, inbound.opts);
 * ```
 */
export type Inbound =
  | { kind: "broadcast"; uid: string | undefined; packet: SocketPacket; opts: BroadcastOptions; requestId: string | undefined }
  | { kind: "join" | "leave"; uid: string | undefined; opts: BroadcastOptions; rooms: Room[] }
  | { kind: "disconnect"; uid: string | undefined; opts: BroadcastOptions; close: boolean }
  | { kind: "fetch"; uid: string | undefined; requestId: string; opts: BroadcastOptions }
  | { kind: "sockets"; uid: string | undefined; requestId: string; rooms: ReadonlySet<Room> }
  | { kind: "allRooms"; uid: string | undefined; requestId: string }
  | { kind: "socketJoin" | "socketLeave"; uid: string | undefined; requestId: string | undefined; sid: string; room: Room }
  | { kind: "socketDisconnect"; uid: string | undefined; requestId: string | undefined; sid: string; close: boolean }
  | { kind: "serverSideEmit"; uid: string | undefined; requestId: string | undefined; data: unknown[] }
  | { kind: "heartbeat"; uid: string; heartbeat: HeartbeatKind }
  | { kind: "fetchResponse"; uid: string | undefined; requestId: string; sockets: SocketDetails[] }
  | { kind: "serverSideEmitResponse"; uid: string | undefined; requestId: string; value: unknown }
  | { kind: "clientCount"; uid: string | undefined; requestId: string; clientCount: number }
  | { kind: "ack"; uid: string | undefined; requestId: string; value: unknown }
  | { kind: "ignored" };

/**
 * What a wire asks of the adapter while decoding: whether this server holds `room` (to skip the rest early).
 *
 * @example
 * ```ts
 * const filter: RoomFilter = { hasRoom: (room) => adapter.rooms.has(room) };
 * ```
 */
export interface RoomFilter {
  hasRoom(room: Room): boolean;
}

/**
 * One wire format: the channels a server subscribes to, how each message is encoded, and how
 * what arrives is decoded and checked.
 *
 * @example
 * ```ts
 * const wire: Wire = sharded ? new ShardedWire(key, nsp.name, "dynamic") : new ClassicWire(key, nsp.name, { publishOnSpecificResponseChannel: true });
 * ```
 */
export interface Wire {
  readonly sharded: boolean;
  /** The channel every server of the namespace (Courant or not) subscribes to: counting its subscribers counts servers. */
  readonly serversChannel: string;
  /** The channel only Courant servers subscribe to (heartbeats travel on it). */
  readonly presenceChannel: string;
  /** The channel only server `uid` subscribes to. */
  nodeChannel(uid: string): string;
  /** What server `uid` subscribes to at start. */
  subscriptions(uid: string): { mode: SubscriptionMode; channels: string[] }[];
  /** The channel to subscribe to while this server holds `room` (sharded "dynamic" mode), if any. */
  roomChannel(room: Room): string | undefined;
  broadcast(uid: string, packet: SocketPacket, opts: WireOptions, requestId?: string): Outgoing;
  request(uid: string, request: WireRequest): Outgoing;
  response(uid: string, requesterUid: string | undefined, response: WireResponse): Outgoing;
  heartbeat(uid: string, kind: HeartbeatKind): Outgoing;
  /** @throws RedisAdapterError `REDIS_ERR_MALFORMED_MESSAGE` */
  decode(channel: string, payload: Buffer, filter: RoomFilter): Inbound;
}

/**
 * The prefix, in a Redis glob pattern, matching itself only (`*`, `?`, `[`, `]`, `\` escaped).
 *
 * @example
 * ```ts
 * escapeGlob("socket.io#/chat[1]#") + "*"; // "socket.io#/chat\\[1\\]#*"
 * ```
 */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/**
 * The error for a message that does not decode or has the wrong shape.
 *
 * @example
 * ```ts
 * if (!Array.isArray(message)) throw malformed("broadcast is not an array");
 * ```
 */
export function malformed(what: string, cause?: unknown): RedisAdapterError {
  return new RedisAdapterError("REDIS_ERR_MALFORMED_MESSAGE", `malformed message from Redis: ${what}`, { cause });
}

/**
 * JSON, unless `data` holds binary (then MessagePack, which carries it): the official adapters' rule.
 *
 * @example
 * ```ts
 * encodeStructured({ uid, type: 6, data }, data); // a string, or a Buffer when data holds a Buffer
 * ```
 */
export function encodeStructured(message: object, data: unknown): string | Buffer {
  return mayHoldBinary(data) ? encodeMsgpack(message) : (stringifyJson(message) as string);
}

function mayHoldBinary(data: unknown): boolean {
  try {
    return hasBinary(data);
  } catch {
    // Too deep to walk: MessagePack reports it properly.
    return true;
  }
}

/**
 * JSON when the payload starts with `{`, MessagePack otherwise (the official adapters read both).
 *
 * @throws RedisAdapterError `REDIS_ERR_MALFORMED_MESSAGE` when it is neither.
 * @example
 * ```ts
 * decodeStructured(Buffer.from('{"type":1}')); // { type: 1 }
 * ```
 */
export function decodeStructured(payload: Buffer): unknown {
  try {
    return payload[0] === 0x7b ? JSON.parse(payload.toString("utf8")) : decodeMsgpack(payload);
  } catch (err) {
    throw malformed("not JSON nor MessagePack", err);
  }
}

/**
 * Broadcast options for the wire: the sets as arrays.
 *
 * @example
 * ```ts
 * toWireOptions({ rooms: new Set(["a"]) }); // { rooms: ["a"], except: [] }
 * ```
 */
export function toWireOptions(opts: BroadcastOptions): WireOptions {
  const wire: WireOptions = { rooms: [...opts.rooms], except: opts.except === undefined ? [] : [...opts.except] };
  if (opts.flags !== undefined) wire.flags = opts.flags;
  return wire;
}

type Fields = Record<string, unknown>;

/**
 * Whether `value` is a plain object (not null, not an array).
 *
 * @example
 * ```ts
 * isRecord({}); // true
 * isRecord([]); // false
 * ```
 */
export function isRecord(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Rooms as strings (Socket.IO servers may send numbers).
 *
 * @throws RedisAdapterError `REDIS_ERR_MALFORMED_MESSAGE` for anything but an array of strings and numbers.
 * @example
 * ```ts
 * readRooms(["a", 7], "rooms"); // ["a", "7"]
 * ```
 */
export function readRooms(value: unknown, what: string): Room[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(`${what} is not an array`);
  const rooms: Room[] = new Array<Room>(value.length);
  for (let i = 0; i < value.length; i++) {
    const room: unknown = value[i];
    if (typeof room === "string") rooms[i] = room;
    else if (typeof room === "number") rooms[i] = String(room);
    else throw malformed(`${what} holds a ${typeof room}`);
  }
  return rooms;
}

/**
 * Broadcast options from the wire: rooms and except as sets, only the flags a receiver applies.
 *
 * @example
 * ```ts
 * readOptions({ rooms: ["a"], except: [], flags: { local: true, volatile: true } }); // flags: { volatile: true }
 * ```
 */
export function readOptions(value: unknown): BroadcastOptions {
  if (!isRecord(value)) throw malformed("options are not an object");
  const opts: BroadcastOptions = { rooms: new Set(readRooms(value.rooms, "rooms")), except: new Set(readRooms(value.except, "except")) };
  const flags = value.flags;
  if (isRecord(flags)) {
    const read: BroadcastFlags = {};
    if (typeof flags.volatile === "boolean") read.volatile = flags.volatile;
    if (typeof flags.compress === "boolean") read.compress = flags.compress;
    if (typeof flags.timeout === "number") read.timeout = flags.timeout;
    opts.flags = read;
  }
  return opts;
}

/**
 * An EVENT packet of namespace `nsp` from the wire. BINARY_EVENT becomes EVENT (the local encoder
 * finds the binary again) and any id is dropped (an ack broadcast gets this server's own id).
 * Returns undefined for another namespace.
 *
 * @example
 * ```ts
 * readPacket({ type: 2, data: ["hi"], nsp: "/" }, "/"); // { type: 2, nsp: "/", data: ["hi"] }
 * ```
 */
export function readPacket(value: unknown, nsp: string): SocketPacket | undefined {
  if (!isRecord(value)) throw malformed("packet is not an object");
  const packetNsp = value.nsp ?? "/";
  if (packetNsp !== nsp) return undefined;
  const type = value.type;
  if (type !== PacketType.EVENT && type !== PacketType.BINARY_EVENT) throw malformed(`packet type ${String(type)} is not EVENT`);
  const data = value.data;
  if (!Array.isArray(data) || data.length === 0) throw malformed("packet data is not a non-empty array");
  return { type: PacketType.EVENT, nsp, data };
}

/**
 * A packet as Socket.IO servers expect it on the wire: EVENT with its binary inline, no attachment count.
 *
 * @example
 * ```ts
 * writePacket({ type: 5, nsp: "/", data: ["f", bytes], attachments: 1 }); // { type: 2, nsp: "/", data: ["f", bytes] }
 * ```
 */
export function writePacket(packet: SocketPacket): SocketPacket {
  const type = packet.type === PacketType.BINARY_EVENT ? PacketType.EVENT : packet.type === PacketType.BINARY_ACK ? PacketType.ACK : packet.type;
  const out: SocketPacket = { type, nsp: packet.nsp, data: packet.data };
  if (packet.id !== undefined) out.id = packet.id;
  return out;
}

/**
 * `value` when it is a string.
 *
 * @throws RedisAdapterError `REDIS_ERR_MALFORMED_MESSAGE` otherwise.
 * @example
 * ```ts
 * const requestId = readString(message.requestId, "requestId");
 * ```
 */
export function readString(value: unknown, what: string): string {
  if (typeof value !== "string") throw malformed(`${what} is not a string`);
  return value;
}

/**
 * `value` when it is a string, undefined when absent or null.
 *
 * @throws RedisAdapterError `REDIS_ERR_MALFORMED_MESSAGE` for anything else.
 * @example
 * ```ts
 * const uid = readOptionalString(message.uid, "uid");
 * ```
 */
export function readOptionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return readString(value, what);
}

/**
 * Sockets in a fetchSockets answer: each needs an id, rooms and a handshake; the rest is carried as is.
 *
 * @example
 * ```ts
 * readSockets([{ id: "x", handshake: {}, rooms: ["x"], data: null }]);
 * ```
 */
export function readSockets(value: unknown): SocketDetails[] {
  if (!Array.isArray(value)) throw malformed("sockets is not an array");
  for (const socket of value) {
    if (!isRecord(socket) || typeof socket.id !== "string" || !Array.isArray(socket.rooms) || !isRecord(socket.handshake)) {
      throw malformed("a socket without id, rooms or handshake");
    }
  }
  return value as SocketDetails[];
}

/**
 * The data array of a serverSideEmit: an event name first.
 *
 * @example
 * ```ts
 * readEmitData(["reload", 3]); // ["reload", 3]
 * ```
 */
export function readEmitData(value: unknown): unknown[] {
  if (!Array.isArray(value) || value.length === 0 || typeof value[0] !== "string") throw malformed("serverSideEmit data is not [event, ...args]");
  return value;
}
