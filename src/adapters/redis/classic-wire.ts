// The classic wire (PUBLISH/SUBSCRIBE), as @socket.io/redis-adapter 8.x and
// @socket.io/redis-emitter 5.x speak it, with `key` = "socket.io" by default:
//
//   <key>#<nsp>#            broadcasts, MessagePack [uid, packet, { rooms, except, flags }]
//   <key>#<nsp>#<room>#     the same, for a broadcast to one room (receivers without it skip it)
//   <key>-request#<nsp>#    requests, JSON { uid, type, ... } (MessagePack when binary)
//   <key>-response#<nsp>#   answers, JSON { requestId, ... } (MessagePack when binary)
//   <key>-response#<nsp>#<uid>#   answers for one server only
//   <key>-presence#<nsp>#   Courant only: heartbeats (Socket.IO servers never subscribe to it)
//
// Request types: 0 SOCKETS, 1 ALL_ROOMS, 2 REMOTE_JOIN, 3 REMOTE_LEAVE, 4 REMOTE_DISCONNECT,
// 5 REMOTE_FETCH, 6 SERVER_SIDE_EMIT, 7 BROADCAST (with acks), 8 BROADCAST_CLIENT_COUNT, 9 BROADCAST_ACK.
// Courant adds its `uid` to its answers (the official adapter ignores the extra field) so that a
// requester knows which server answered.

import type { SocketPacket } from "../../protocol/index.js";
import type { Room } from "../adapter.js";
import { decodeMsgpack, encodeMsgpack } from "./msgpack.js";
import type { SubscriptionMode } from "./redis-client.js";
import {
  decodeStructured,
  encodeStructured,
  escapeGlob,
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

const SOCKETS = 0;
const ALL_ROOMS = 1;
const REMOTE_JOIN = 2;
const REMOTE_LEAVE = 3;
const REMOTE_DISCONNECT = 4;
const REMOTE_FETCH = 5;
const SERVER_SIDE_EMIT = 6;
const BROADCAST = 7;
const BROADCAST_CLIENT_COUNT = 8;
const BROADCAST_ACK = 9;

/** Heartbeat types, numbered as Socket.IO's cluster adapter numbers them. */
const INITIAL_HEARTBEAT = 1;
const HEARTBEAT = 2;
const ADAPTER_CLOSE = 13;
const HEARTBEAT_TYPES: Record<HeartbeatKind, number> = { initial: INITIAL_HEARTBEAT, heartbeat: HEARTBEAT, closing: ADAPTER_CLOSE };

/**
 * The classic wire of one namespace.
 *
 * @example
 * ```ts
 * const wire = new ClassicWire("socket.io", "/", { publishOnSpecificResponseChannel: true });
 * wire.broadcast(uid, packet, { rooms: ["news"], except: [] }).channel; // "socket.io#/#news#"
 * ```
 */
export class ClassicWire implements Wire {
  readonly sharded = false;
  readonly nsp: string;
  readonly broadcastChannel: string;
  readonly requestChannel: string;
  readonly responseChannel: string;
  readonly presenceChannel: string;
  readonly serversChannel: string;
  readonly #specificResponses: boolean;

  constructor(key: string, nsp: string, options: { publishOnSpecificResponseChannel: boolean }) {
    this.nsp = nsp;
    this.broadcastChannel = `${key}#${nsp}#`;
    this.requestChannel = `${key}-request#${nsp}#`;
    this.responseChannel = `${key}-response#${nsp}#`;
    this.presenceChannel = `${key}-presence#${nsp}#`;
    this.serversChannel = this.requestChannel;
    this.#specificResponses = options.publishOnSpecificResponseChannel;
  }

  nodeChannel(uid: string): string {
    return `${this.responseChannel}${uid}#`;
  }

  subscriptions(uid: string): { mode: SubscriptionMode; channels: string[] }[] {
    return [
      { mode: "pattern", channels: [escapeGlob(this.broadcastChannel) + "*"] },
      { mode: "channel", channels: [this.requestChannel, this.responseChannel, this.nodeChannel(uid), this.presenceChannel] },
    ];
  }

  roomChannel(_room: Room): string | undefined {
    return undefined;
  }

  broadcast(uid: string, packet: SocketPacket, opts: WireOptions, requestId?: string): Outgoing {
    if (requestId !== undefined) {
      const message = { uid, requestId, type: BROADCAST, packet: writePacket(packet), opts };
      return { channel: this.requestChannel, payload: encodeMsgpack(message), sharded: false };
    }
    const channel = opts.rooms.length === 1 ? `${this.broadcastChannel}${opts.rooms[0] as string}#` : this.broadcastChannel;
    return { channel, payload: encodeMsgpack([uid, writePacket(packet), opts]), sharded: false };
  }

  request(uid: string, request: WireRequest): Outgoing {
    let message: object;
    let data: unknown;
    switch (request.kind) {
      case "join":
      case "leave":
        message = { uid, type: request.kind === "join" ? REMOTE_JOIN : REMOTE_LEAVE, opts: request.opts, rooms: request.rooms };
        break;
      case "disconnect":
        message = { uid, type: REMOTE_DISCONNECT, opts: request.opts, close: request.close };
        break;
      case "fetch":
        message = { uid, requestId: request.requestId, type: REMOTE_FETCH, opts: request.opts };
        break;
      case "serverSideEmit":
        message =
          request.requestId === undefined
            ? { uid, type: SERVER_SIDE_EMIT, data: request.data }
            : { uid, requestId: request.requestId, type: SERVER_SIDE_EMIT, data: request.data };
        data = request.data;
        break;
    }
    return { channel: this.requestChannel, payload: encodeStructured(message, data), sharded: false };
  }

  response(uid: string, requesterUid: string | undefined, response: WireResponse): Outgoing {
    const channel = this.#specificResponses && requesterUid !== undefined ? this.nodeChannel(requesterUid) : this.responseChannel;
    const requestId = response.requestId;
    let payload: string | Buffer;
    switch (response.kind) {
      case "fetch":
        payload = encodeStructured({ requestId, sockets: response.sockets, uid }, response.sockets);
        break;
      case "sockets":
        payload = JSON.stringify({ requestId, sockets: response.sockets, uid });
        break;
      case "allRooms":
        payload = JSON.stringify({ requestId, rooms: response.rooms, uid });
        break;
      case "done":
        payload = JSON.stringify({ requestId, uid });
        break;
      case "serverSideEmit":
        payload = encodeStructured({ type: SERVER_SIDE_EMIT, requestId, data: response.value, uid }, response.value);
        break;
      case "clientCount":
        payload = JSON.stringify({ type: BROADCAST_CLIENT_COUNT, requestId, clientCount: response.clientCount, uid });
        break;
      case "ack":
        // Always MessagePack, as the official adapter sends it.
        payload = encodeMsgpack({ type: BROADCAST_ACK, requestId, packet: response.value, uid });
        break;
    }
    return { channel, payload, sharded: false };
  }

  heartbeat(uid: string, kind: HeartbeatKind): Outgoing {
    return { channel: this.presenceChannel, payload: JSON.stringify({ uid, nsp: this.nsp, type: HEARTBEAT_TYPES[kind] }), sharded: false };
  }

  decode(channel: string, payload: Buffer, filter: RoomFilter): Inbound {
    if (channel.startsWith(this.broadcastChannel)) return this.#decodeBroadcast(channel, payload, filter);
    if (channel === this.requestChannel) return this.#decodeRequest(payload);
    if (channel.startsWith(this.responseChannel)) return this.#decodeResponse(payload);
    if (channel === this.presenceChannel) return this.#decodeHeartbeat(payload);
    return IGNORED;
  }

  #decodeBroadcast(channel: string, payload: Buffer, filter: RoomFilter): Inbound {
    const room = channel.slice(this.broadcastChannel.length, -1);
    // A broadcast to one room this server does not hold: skip it before decoding anything.
    if (room !== "" && !filter.hasRoom(room)) return IGNORED;
    let message: unknown;
    try {
      message = decodeMsgpack(payload);
    } catch (err) {
      throw malformed("broadcast is not MessagePack", err);
    }
    if (!Array.isArray(message) || message.length < 3) throw malformed("broadcast is not [uid, packet, opts]");
    const packet = readPacket(message[1], this.nsp);
    if (packet === undefined) return IGNORED;
    return { kind: "broadcast", uid: readOptionalString(message[0], "uid"), packet, opts: readOptions(message[2]), requestId: undefined };
  }

  #decodeRequest(payload: Buffer): Inbound {
    const request = decodeStructured(payload);
    if (!isRecord(request)) throw malformed("request is not an object");
    const uid = readOptionalString(request.uid, "uid");
    const requestId = readOptionalString(request.requestId, "requestId");
    switch (request.type) {
      case SOCKETS:
        return { kind: "sockets", uid, requestId: readString(requestId, "requestId"), rooms: new Set(readRooms(request.rooms, "rooms")) };
      case ALL_ROOMS:
        return { kind: "allRooms", uid, requestId: readString(requestId, "requestId") };
      case REMOTE_JOIN:
      case REMOTE_LEAVE:
        if (request.opts === undefined) {
          // The older form, one socket by id.
          const kind = request.type === REMOTE_JOIN ? "socketJoin" : "socketLeave";
          return { kind, uid, requestId, sid: readString(request.sid, "sid"), room: readRooms([request.room], "room")[0] as Room };
        }
        return { kind: request.type === REMOTE_JOIN ? "join" : "leave", uid, opts: readOptions(request.opts), rooms: readRooms(request.rooms, "rooms") };
      case REMOTE_DISCONNECT:
        if (request.opts === undefined) {
          return { kind: "socketDisconnect", uid, requestId, sid: readString(request.sid, "sid"), close: request.close === true };
        }
        return { kind: "disconnect", uid, opts: readOptions(request.opts), close: request.close === true };
      case REMOTE_FETCH:
        return { kind: "fetch", uid, requestId: readString(requestId, "requestId"), opts: readOptions(request.opts) };
      case SERVER_SIDE_EMIT:
        return { kind: "serverSideEmit", uid, requestId, data: readEmitData(request.data) };
      case BROADCAST: {
        const packet = readPacket(request.packet, this.nsp);
        if (packet === undefined) return IGNORED;
        return { kind: "broadcast", uid, packet, opts: readOptions(request.opts), requestId: readString(requestId, "requestId") };
      }
      default:
        // Types this version does not know: ignored, as Socket.IO's adapter ignores them.
        return IGNORED;
    }
  }

  #decodeResponse(payload: Buffer): Inbound {
    const response = decodeStructured(payload);
    if (!isRecord(response)) throw malformed("response is not an object");
    const uid = readOptionalString(response.uid, "uid");
    const requestId = readString(response.requestId, "requestId");
    switch (response.type) {
      case BROADCAST_CLIENT_COUNT:
        if (typeof response.clientCount !== "number") throw malformed("clientCount is not a number");
        return { kind: "clientCount", uid, requestId, clientCount: response.clientCount };
      case BROADCAST_ACK:
        return { kind: "ack", uid, requestId, value: response.packet };
      case SERVER_SIDE_EMIT:
        return { kind: "serverSideEmitResponse", uid, requestId, value: response.data };
      default:
        // Untyped answers: fetchSockets (sockets of objects) or the ones Courant never asks for.
        if (Array.isArray(response.sockets) && response.sockets.every(isRecord)) {
          return { kind: "fetchResponse", uid, requestId, sockets: readSockets(response.sockets) };
        }
        return IGNORED;
    }
  }

  #decodeHeartbeat(payload: Buffer): Inbound {
    const message = decodeStructured(payload);
    if (!isRecord(message)) throw malformed("heartbeat is not an object");
    const uid = readString(message.uid, "uid");
    switch (message.type) {
      case INITIAL_HEARTBEAT:
        return { kind: "heartbeat", uid, heartbeat: "initial" };
      case HEARTBEAT:
        return { kind: "heartbeat", uid, heartbeat: "heartbeat" };
      case ADAPTER_CLOSE:
        return { kind: "heartbeat", uid, heartbeat: "closing" };
      default:
        return IGNORED;
    }
  }
}

const IGNORED: Inbound = { kind: "ignored" };
