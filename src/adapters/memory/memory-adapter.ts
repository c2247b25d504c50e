// The default adapter: rooms of one namespace in this process, and the broadcast hot path
// (encode once, prepare once for the engine, write the same bytes to every recipient).

import { EventEmitter } from "node:events";
import type { PreparedPackets } from "../../engine/index.js";
import type { SocketPacket } from "../../protocol/index.js";
import type {
  Adapter,
  AdapterNamespace,
  AdapterSocket,
  BroadcastOptions,
  PersistedSession,
  PrivateSessionId,
  RestoredSession,
  Room,
  SocketDetails,
  SocketId,
} from "../adapter.js";

const COMPRESS = { compress: true } as const;
const NO_COMPRESS = { compress: false } as const;

/**
 * Rooms as `Map<room, Set<id>>` and `Map<id, Set<room>>`, in one process. A socket's own room
 * (its id) is implicit: a socket in no other room holds no Set at all.
 * Extend it to share rooms between processes (the Redis adapter does).
 *
 * @example
 * ```ts
 * import { Server, MemoryAdapter } from "courant";
 * const io = new Server(httpServer, { adapter: MemoryAdapter });
 * io.of("/").adapter.on("create-room", (room) => console.log("room", room, "created"));
 * ```
 */
export class MemoryAdapter extends EventEmitter implements Adapter {
  readonly nsp: AdapterNamespace;
  readonly rooms = new Map<Room, Set<SocketId>>();
  readonly sids = new Map<SocketId, Set<Room>>();

  constructor(nsp: AdapterNamespace) {
    super();
    this.nsp = nsp;
  }

  /** Nothing to set up in memory; adapters that connect somewhere do it here. */
  init(): Promise<void> | void {}

  /** Nothing to release in memory. */
  close(): Promise<void> | void {}

  /** One process: one server. */
  serverCount(): Promise<number> {
    return Promise.resolve(1);
  }

  /** Adds socket `id` to `rooms` (its own id is skipped: that room is implicit). */
  addAll(id: SocketId, rooms: Iterable<Room>): Promise<void> | void {
    let joined = this.sids.get(id);
    for (const room of rooms) {
      if (room === id) continue;
      if (joined === undefined) {
        joined = new Set();
        this.sids.set(id, joined);
      } else if (joined.has(room)) {
        continue;
      }
      joined.add(room);
      let members = this.rooms.get(room);
      if (members === undefined) {
        members = new Set();
        this.rooms.set(room, members);
        this.emit("create-room", room);
      }
      members.add(id);
      this.emit("join-room", room, id);
    }
  }

  /** Removes socket `id` from `room` (leaving its own room is a no-op). */
  del(id: SocketId, room: Room): Promise<void> | void {
    const joined = this.sids.get(id);
    if (joined === undefined || !joined.delete(room)) return;
    if (joined.size === 0) this.sids.delete(id);
    this.#removeMember(room, id);
  }

  /** Removes socket `id` from every room. */
  delAll(id: SocketId): void {
    const joined = this.sids.get(id);
    if (joined === undefined) return;
    this.sids.delete(id);
    for (const room of joined) this.#removeMember(room, id);
  }

  #removeMember(room: Room, id: SocketId): void {
    const members = this.rooms.get(room);
    if (members === undefined || !members.delete(id)) return;
    this.emit("leave-room", room, id);
    if (members.size === 0) {
      this.rooms.delete(room);
      this.emit("delete-room", room);
    }
  }

  /**
   * Sends `packet` to every socket `opts` selects. The packet is encoded and prepared once;
   * volatile packets skip sockets whose transport is not writable.
   */
  broadcast(packet: SocketPacket, opts: BroadcastOptions): void {
    packet.nsp = this.nsp.name;
    const volatile = opts.flags?.volatile === true;
    const compress = opts.flags?.compress !== false;
    let prepared: PreparedPackets | undefined;
    this.apply(opts, (socket) => {
      if (volatile && !socket.conn.writable) return;
      // Prepared on the first recipient: a broadcast to nobody encodes nothing.
      prepared ??= this.#prepare(packet, compress);
      socket.deliver(prepared, packet);
    });
  }

  /**
   * Like {@link broadcast}, with one ack id shared by every recipient (ids come from one
   * namespace counter, so they never collide). `clientCountCallback` gets the number of
   * recipients, `ack` each response.
   */
  broadcastWithAck(
    packet: SocketPacket,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void {
    packet.nsp = this.nsp.name;
    const id = this.nsp.nextAckId();
    packet.id = id;
    const volatile = opts.flags?.volatile === true;
    const compress = opts.flags?.compress !== false;
    let prepared: PreparedPackets | undefined;
    let clientCount = 0;
    this.apply(opts, (socket) => {
      if (volatile && !socket.conn.writable) return;
      clientCount++;
      socket.expectAck(id, ack);
      prepared ??= this.#prepare(packet, compress);
      socket.deliver(prepared, packet);
    });
    clientCountCallback(clientCount);
  }

  #prepare(packet: SocketPacket, compress: boolean): PreparedPackets {
    const server = this.nsp.server;
    return server.engine.prepare(server.encodePacket(packet), compress ? COMPRESS : NO_COMPRESS);
  }

  /** The ids of the sockets in any of `rooms` (every socket when empty). */
  sockets(rooms: ReadonlySet<Room>): Promise<Set<SocketId>> {
    const ids = new Set<SocketId>();
    this.apply({ rooms }, (socket) => ids.add(socket.id));
    return Promise.resolve(ids);
  }

  /** The rooms of socket `id`, its own included; `undefined` for an unknown socket. */
  socketRooms(id: SocketId): Set<Room> | undefined {
    const joined = this.sids.get(id);
    if (joined === undefined && !this.nsp.sockets.has(id)) return undefined;
    const rooms = new Set<Room>([id]);
    if (joined !== undefined) for (const room of joined) rooms.add(room);
    return rooms;
  }

  /** The sockets `opts` selects (here: the live socket objects). */
  fetchSockets(opts: BroadcastOptions): Promise<SocketDetails[]> {
    return Promise.resolve(this.#collect(opts));
  }

  /** Makes the sockets `opts` selects join `rooms`. */
  addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    for (const socket of this.#collect(opts)) socket.join(rooms);
  }

  /** Makes the sockets `opts` selects leave `rooms`. */
  delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    for (const socket of this.#collect(opts)) socket.leave(rooms);
  }

  /** Disconnects the sockets `opts` selects (`close`: their whole connection). */
  disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    for (const socket of this.#collect(opts)) socket.disconnect(close);
  }

  /** There are no other servers: an ack callback (last item) gets `(null, [])` on the next tick. */
  serverSideEmit(packet: unknown[]): void {
    const ack = packet[packet.length - 1];
    if (typeof ack === "function") process.nextTick(ack as (err: Error | null, responses: unknown[]) => void, null, []);
  }

  /** Sessions are not kept by this adapter (see `SessionAwareAdapter`). */
  persistSession(_session: PersistedSession): Promise<void> | void {}

  /** Sessions are not kept by this adapter (see `SessionAwareAdapter`). */
  restoreSession(_pid: PrivateSessionId, _offset: string): Promise<RestoredSession | null> {
    return Promise.resolve(null);
  }

  /**
   * Calls `fn` once for each connected socket `opts` selects: the sockets in any of
   * `opts.rooms` (all sockets when empty) that are in none of `opts.except`.
   */
  apply(opts: BroadcastOptions, fn: (socket: AdapterSocket) => void): void {
    const sockets = this.nsp.sockets;
    const except = this.#exceptIds(opts.except);
    const rooms = opts.rooms;
    if (rooms.size === 0) {
      // Everyone: straight over the namespace's map, no intermediate collection.
      for (const socket of sockets.values()) {
        if (except === undefined || !except.has(socket.id)) fn(socket);
      }
      return;
    }
    // One room needs no dedupe; several do.
    const seen = rooms.size === 1 ? undefined : new Set<SocketId>();
    for (const room of rooms) {
      const members = this.rooms.get(room);
      if (members !== undefined) {
        for (const id of members) {
          if ((seen !== undefined && seen.has(id)) || (except !== undefined && except.has(id))) continue;
          const socket = sockets.get(id);
          if (socket === undefined) continue;
          seen?.add(id);
          fn(socket);
        }
      }
      // The implicit room of the socket whose id is `room`.
      const own = sockets.get(room);
      if (own === undefined || (members !== undefined && members.has(room))) continue;
      if ((seen !== undefined && seen.has(room)) || (except !== undefined && except.has(room))) continue;
      seen?.add(room);
      fn(own);
    }
  }

  /** The socket ids `except` stands for; the set itself when every entry is a socket id or an empty room. */
  #exceptIds(except: ReadonlySet<Room> | undefined): ReadonlySet<SocketId> | undefined {
    if (except === undefined || except.size === 0) return undefined;
    let expand = false;
    for (const room of except) {
      if (this.rooms.has(room)) {
        expand = true;
        break;
      }
    }
    if (!expand) return except;
    const ids = new Set<SocketId>(except);
    for (const room of except) {
      const members = this.rooms.get(room);
      if (members !== undefined) for (const id of members) ids.add(id);
    }
    return ids;
  }

  #collect(opts: BroadcastOptions): AdapterSocket[] {
    const list: AdapterSocket[] = [];
    this.apply(opts, (socket) => list.push(socket));
    return list;
  }
}
