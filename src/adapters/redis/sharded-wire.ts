// The sharded wire (SPUBLISH/SSUBSCRIBE, Redis 7), as `createShardedAdapter` of
// @socket.io/redis-adapter 8.x speaks it (the cluster protocol of socket.io-adapter), with
// `channelPrefix` = "socket.io" by default:
//
//   <prefix>#<nsp>#          every message: { uid, nsp, type, data }
//   <prefix>#<nsp>#<uid>#    answers for server `uid`
//   <prefix>#<nsp>#<room>#   "dynamic" mode: broadcasts (without acks) to that one room, subscribed
//                            to while a server holds the room; room names of 20 characters (socket
//                            ids) always go to <prefix>#<nsp>#
//   <prefix>-presence#<nsp># Courant only: heartbeats
//
// Messages are JSON, or MessagePack when their data holds binary. Types: 3 BROADCAST,
// 4 SOCKETS_JOIN, 5 SOCKETS_LEAVE, 6 DISCONNECT_SOCKETS, 7 FETCH_SOCKETS, 8 FETCH_SOCKETS_RESPONSE,
// 9 SERVER_SIDE_EMIT, 10 SERVER_SIDE_EMIT_RESPONSE, 11 BROADCAST_CLIENT_COUNT, 12 BROADCAST_ACK;
// heartbeats 1 INITIAL_HEARTBEAT, 2 HEARTBEAT, 13 ADAPTER_CLOSE.

import type { SocketPacket } from "../../protocol/index.js";
import type { Room } from "../adapter.js";
import type { SubscriptionMode } from "./redis-client.js";
import {
  decodeStructured,
  encodeStructured,
  isRecord,
  malformed,
  readEmitData,
  readOptionalString,
  readOptions,
  readPacket,
  readRooms,
  readSockets,
  readString,
  writePacket,
} from "./wire.js";
import type { HeartbeatKind, Inbound, Outgoing, RoomFilter, Wire, WireOptions, WireRequest, WireResponse } from "./wire.js";

const INITIAL_HEARTBEAT = 1;
const HEARTBEAT = 2;
const BROADCAST = 3;
const SOCKETS_JOIN = 4;
const SOCKETS_LEAVE = 5;
const DISCONNECT_SOCKETS = 6;
const FETCH_SOCKETS = 7;
const FETCH_SOCKETS_RESPONSE = 8;
const SERVER_SIDE_EMIT = 9;
const SERVER_SIDE_EMIT_RESPONSE = 10;
const BROADCAST_CLIENT_COUNT = 11;
const BROADCAST_ACK = 12;
const ADAPTER_CLOSE = 13;
const HEARTBEAT_TYPES: Record<HeartbeatKind, number> = { initial: INITIAL_HEARTBEAT, heartbeat: HEARTBEAT, closing: ADAPTER_CLOSE };

/** The length of a Socket.IO socket id: such room names never get a channel of their own. */
const SOCKET_ID_LENGTH = 20;

/**
 * How many shard channels a sharded adapter uses: `"static"` one per namespace (plus one per
 * server for answers); `"dynamic"` (the default) also one per room, so a server receives only
 * the broadcasts to rooms it holds.
 *
 * @example
 * ```ts
 * createShardedAdapter(pubClient, subClient, { subscriptionMode: "static" });
 * ```
 */
export type SubscriptionModeOption = "static" | "dynamic";

/**
 * The sharded wire of one namespace.
 *
 * @example
 * ```ts
 * const wire = new ShardedWire("socket.io", "/", "dynamic");
 * wire.roomChannel("news"); // "socket.io#/#news#"
 * ```
 */
export class ShardedWire implements Wire {
  readonly sharded = true;
  readonly nsp: string;
  readonly channel: string;
  readonly presenceChannel: string;
  readonly serversChannel: string;
  readonly #dynamic: boolean;

  constructor(prefix: string, nsp: string, mode: SubscriptionModeOption) {
    this.nsp = nsp;
    this.channel = `${prefix}#${nsp}#`;
    this.presenceChannel = `${prefix}-presence#${nsp}#`;
    this.serversChannel = this.channel;
    this.#dynamic = mode === "dynamic";
  }

  nodeChannel(uid: string): string {
    return `${this.channel}${uid}#`;
  }

  subscriptions(uid: string): { mode: SubscriptionMode; channels: string[] }[] {
    return [{ mode: "shard", channels: [this.channel, this.nodeChannel(uid), this.presenceChannel] }];
  }

  roomChannel(room: Room): string | undefined {
    return this.#dynamic && room.length !== SOCKET_ID_LENGTH ? `${this.channel}${room}#` : undefined;
  }

  #message(uid: string, type: number, data: object, binaryIn: unknown): string | Buffer {
    return encodeStructured({ uid, nsp: this.nsp, type, data }, binaryIn);
  }

  broadcast(uid: string, packet: SocketPacket, opts: WireOptions, requestId?: string): Outgoing {
    const wirePacket = writePacket(packet);
    if (requestId !== undefined) {
      // With acks: every server must answer with its client count, so never a room channel.
      return { channel: this.channel, payload: this.#message(uid, BROADCAST, { packet: wirePacket, requestId, opts }, wirePacket.data), sharded: true };
    }
    const room = opts.rooms.length === 1 ? (opts.rooms[0] as Room) : undefined;
    const channel = (room !== undefined ? this.roomChannel(room) : undefined) ?? this.channel;
    return { channel, payload: this.#message(uid, BROADCAST, { packet: wirePacket, opts }, wirePacket.data), sharded: true };
  }

  request(uid: string, request: WireRequest): Outgoing {
    let payload: string | Buffer;
    switch (request.kind) {
      case "join":
      case "leave":
        payload = this.#message(uid, request.kind === "join" ? SOCKETS_JOIN : SOCKETS_LEAVE, { opts: request.opts, rooms: request.rooms }, undefined);
        break;
      case "disconnect":
        payload = this.#message(uid, DISCONNECT_SOCKETS, { opts: request.opts, close: request.close }, undefined);
        break;
      case "fetch":
        payload = this.#message(uid, FETCH_SOCKETS, { opts: request.opts, requestId: request.requestId }, undefined);
        break;
      case "serverSideEmit": {
        const data = request.requestId === undefined ? { packet: request.data } : { requestId: request.requestId, packet: request.data };
        payload = this.#message(uid, SERVER_SIDE_EMIT, data, request.data);
        break;
      }
    }
    return { channel: this.channel, payload, sharded: true };
  }

  response(uid: string, requesterUid: string | undefined, response: WireResponse): Outgoing {
    const requestId = response.requestId;
    let payload: string | Buffer;
    switch (response.kind) {
      case "fetch":
        payload = this.#message(uid, FETCH_SOCKETS_RESPONSE, { requestId, sockets: response.sockets }, response.sockets);
        break;
      case "serverSideEmit":
        payload = this.#message(uid, SERVER_SIDE_EMIT_RESPONSE, { requestId, packet: response.value }, response.value);
        break;
      case "clientCount":
        payload = this.#message(uid, BROADCAST_CLIENT_COUNT, { requestId, clientCount: response.clientCount }, undefined);
        break;
      case "ack":
        payload = this.#message(uid, BROADCAST_ACK, { requestId, packet: response.value }, response.value);
        break;
      default:
        // Answers to the classic wire's older requests, which never arrive on this one.
        throw new TypeError(`no "${response.kind}" answer on the sharded wire`);
    }
    const channel = requesterUid === undefined ? this.channel : this.nodeChannel(requesterUid);
    return { channel, payload, sharded: true };
  }

  heartbeat(uid: string, kind: HeartbeatKind): Outgoing {
    return { channel: this.presenceChannel, payload: JSON.stringify({ uid, nsp: this.nsp, type: HEARTBEAT_TYPES[kind] }), sharded: true };
  }

  decode(_channel: string, payload: Buffer, _filter: RoomFilter): Inbound {
    const message = decodeStructured(payload);
    if (!isRecord(message)) throw malformed("message is not an object");
    if (message.nsp !== this.nsp) return IGNORED;
    const uid = readOptionalString(message.uid, "uid");
    const type = message.type;
    if (type === INITIAL_HEARTBEAT || type === HEARTBEAT || type === ADAPTER_CLOSE) {
      const heartbeat: HeartbeatKind = type === INITIAL_HEARTBEAT ? "initial" : type === HEARTBEAT ? "heartbeat" : "closing";
      return { kind: "heartbeat", uid: readString(uid, "uid"), heartbeat };
    }
    const data = message.data;
    if (!isRecord(data)) throw malformed(`message of type ${String(type)} without data`);
    const requestId = readOptionalString(data.requestId, "requestId");
    switch (type) {
      case BROADCAST: {
        const packet = readPacket(data.packet, this.nsp);
        if (packet === undefined) return IGNORED;
        return { kind: "broadcast", uid, packet, opts: readOptions(data.opts), requestId };
      }
      case SOCKETS_JOIN:
      case SOCKETS_LEAVE:
        return { kind: type === SOCKETS_JOIN ? "join" : "leave", uid, opts: readOptions(data.opts), rooms: readRooms(data.rooms, "rooms") };
      case DISCONNECT_SOCKETS:
        return { kind: "disconnect", uid, opts: readOptions(data.opts), close: data.close === true };
      case FETCH_SOCKETS:
        return { kind: "fetch", uid, requestId: readString(requestId, "requestId"), opts: readOptions(data.opts) };
      case FETCH_SOCKETS_RESPONSE:
        return { kind: "fetchResponse", uid, requestId: readString(requestId, "requestId"), sockets: readSockets(data.sockets) };
      case SERVER_SIDE_EMIT:
        return { kind: "serverSideEmit", uid, requestId, data: readEmitData(data.packet) };
      case SERVER_SIDE_EMIT_RESPONSE:
        return { kind: "serverSideEmitResponse", uid, requestId: readString(requestId, "requestId"), value: data.packet };
      case BROADCAST_CLIENT_COUNT:
        if (typeof data.clientCount !== "number") throw malformed("clientCount is not a number");
        return { kind: "clientCount", uid, requestId: readString(requestId, "requestId"), clientCount: data.clientCount };
      case BROADCAST_ACK:
        return { kind: "ack", uid, requestId: readString(requestId, "requestId"), value: data.packet };
      default:
        return IGNORED;
    }
  }
}

const IGNORED: Inbound = { kind: "ignored" };
