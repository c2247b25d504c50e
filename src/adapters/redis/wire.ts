// What Courant servers (and Socket.IO servers running @socket.io/redis-adapter) say to each other
// on Redis, independent of the wire format: the classic one (classic-wire.ts, PUBLISH/SUBSCRIBE)
// and the sharded one (sharded-wire.ts, SPUBLISH/SSUBSCRIBE). Both decode into `Inbound`.

import { hasBinary, PacketType } from "../../protocol/index.js";
import type { SocketPacket } from "../../protocol/index.js";
import type { BroadcastFlags, BroadcastOptions, Room, SocketDetails } from "../adapter.js";
import { RedisAdapterError } from "./errors.js";
import { decodeMsgpack, encodeMsgpack } from "./msgpack.js";
import type { SubscriptionMode } from "./redis-client.js";

/** The uid the official emitter and ours send with: never a server, never answered. */
export const EMITTER_UID = "emitter";

/** Broadcast options as they travel: arrays instead of sets. */
export interface WireOptions {
  rooms: Room[];
  except: Room[];
  flags?: BroadcastFlags;
}

/** A message to publish. */
export interface Outgoing {
  channel: string;
  payload: string | Buffer;
  /** SPUBLISH rather than PUBLISH. */
  sharded: boolean;
}

/** A request to the other servers (their answers, if any, come back as `Inbound` responses). */
export type WireRequest =
  | { kind: "join" | "leave"; opts: WireOptions; rooms: Room[] }
  | { kind: "disconnect"; opts: WireOptions; close: boolean }
  | { kind: "fetch"; opts: WireOptions; requestId: string }
  | { kind: "serverSideEmit"; data: unknown[]; requestId: string | undefined };

/** An answer to another server's request. */
export type WireResponse =
  | { kind: "fetch"; requestId: string; sockets: SocketDetails[] }
  | { kind: "sockets"; requestId: string; sockets: string[] }
  | { kind: "allRooms"; requestId: string; rooms: Room[] }
  | { kind: "done"; requestId: string }
  | { kind: "serverSideEmit"; requestId: string; value: unknown }
  | { kind: "clientCount"; requestId: string; clientCount: number }
  | { kind: "ack"; requestId: string; value: unknown };

/** Presence messages between Courant servers: hello (answer me), still here, leaving. */
export type HeartbeatKind = "initial" | "heartbeat" | "closing";

/** A decoded message; `uid` is the sender's (absent from some official messages). */
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

/** What a wire asks of the adapter while decoding: whether this server holds `room` (to skip the rest early). */
export interface RoomFilter {
  hasRoom(room: Room): boolean;
}

/**
 * One wire format: the channels a server subscribes to, how each message is encoded, and how
 * what arrives is decoded and checked.
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

/** The prefix, in a Redis glob pattern, matching itself only (`*`, `?`, `[`, `]`, `\` escaped). */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

export function malformed(what: string, cause?: unknown): RedisAdapterError {
  return new RedisAdapterError("REDIS_ERR_MALFORMED_MESSAGE", `malformed message from Redis: ${what}`, { cause });
}

/** JSON, unless `data` holds binary (then MessagePack, which carries it): the official adapters' rule. */
export function encodeStructured(message: object, data: unknown): string | Buffer {
  return mayHoldBinary(data) ? encodeMsgpack(message) : JSON.stringify(message);
}

function mayHoldBinary(data: unknown): boolean {
  try {
    return hasBinary(data);
  } catch {
    // Too deep to walk: MessagePack reports it properly.
    return true;
  }
}

/** JSON when the payload starts with `{`, MessagePack otherwise (the official adapters read both). */
export function decodeStructured(payload: Buffer): unknown {
  try {
    return payload[0] === 0x7b ? JSON.parse(payload.toString("utf8")) : decodeMsgpack(payload);
  } catch (err) {
    throw malformed("not JSON nor MessagePack", err);
  }
}

export function toWireOptions(opts: BroadcastOptions): WireOptions {
  const wire: WireOptions = { rooms: [...opts.rooms], except: opts.except === undefined ? [] : [...opts.except] };
  if (opts.flags !== undefined) wire.flags = opts.flags;
  return wire;
}

type Fields = Record<string, unknown>;

export function isRecord(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Rooms as strings (Socket.IO servers may send numbers). */
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

/** Broadcast options from the wire: rooms and except as sets, only the flags a receiver applies. */
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

/** A packet as Socket.IO servers expect it on the wire: EVENT with its binary inline, no attachment count. */
export function writePacket(packet: SocketPacket): SocketPacket {
  const type = packet.type === PacketType.BINARY_EVENT ? PacketType.EVENT : packet.type === PacketType.BINARY_ACK ? PacketType.ACK : packet.type;
  const out: SocketPacket = { type, nsp: packet.nsp, data: packet.data };
  if (packet.id !== undefined) out.id = packet.id;
  return out;
}

export function readString(value: unknown, what: string): string {
  if (typeof value !== "string") throw malformed(`${what} is not a string`);
  return value;
}

export function readOptionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return readString(value, what);
}

/** Sockets in a fetchSockets answer: each needs an id and rooms; the rest is carried as is. */
export function readSockets(value: unknown): SocketDetails[] {
  if (!Array.isArray(value)) throw malformed("sockets is not an array");
  for (const socket of value) {
    if (!isRecord(socket) || typeof socket.id !== "string" || !Array.isArray(socket.rooms) || !isRecord(socket.handshake)) {
      throw malformed("a socket without id, rooms or handshake");
    }
  }
  return value as SocketDetails[];
}

/** The data array of a serverSideEmit: an event name first. */
export function readEmitData(value: unknown): unknown[] {
  if (!Array.isArray(value) || value.length === 0 || typeof value[0] !== "string") throw malformed("serverSideEmit data is not [event, ...args]");
  return value;
}
