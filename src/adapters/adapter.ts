// The adapter contract: which sockets of a namespace are in which room, and delivering packets
// to them. The in-memory adapter (memory/) is the default; the Redis adapter extends it.
// What an adapter sees of the namespace and its sockets is typed here, so no adapter needs
// `nsp: any` or a reach into private fields.

import type { EventEmitter } from "node:events";
import type { IncomingHttpHeaders } from "node:http";
import type { ParsedUrlQuery } from "node:querystring";
import type { PreparedPackets } from "../engine/index.js";
import type { SocketPacket } from "../protocol/index.js";

/**
 * The id of a socket in a namespace (also the name of the room it alone is in).
 *
 * @example
 * ```ts
 * const id: SocketId = socket.id;
 * ```
 */
export type SocketId = string;

/**
 * The private session id a socket gets when connection state recovery is on; only the client
 * that owns the session knows it.
 *
 * @example
 * ```ts
 * const pid: PrivateSessionId = session.pid;
 * ```
 */
export type PrivateSessionId = string;

/**
 * A room name.
 *
 * @example
 * ```ts
 * const room: Room = "news";
 * ```
 */
export type Room = string;

/**
 * Modifiers of one emit, set by the broadcast operator (`io.volatile.compress(false).emit(...)`).
 *
 * @example
 * ```ts
 * const flags: BroadcastFlags = { volatile: true, compress: false };
 * ```
 */
export interface BroadcastFlags {
  /** Skip recipients whose transport cannot take the packet right now. */
  volatile?: boolean;
  /** Ask the transport to compress (per-message deflate / HTTP compression). Default true. */
  compress?: boolean;
  /** Deliver to the sockets of this process only (no other servers). */
  local?: boolean;
  /** Milliseconds to wait for acknowledgements. */
  timeout?: number;
  /** The emit targets one socket (a `RemoteSocket`): the ack gets one response, not an array. */
  expectSingleResponse?: boolean;
}

/**
 * Who receives a broadcast: the sockets in any of `rooms` (every socket when empty), minus the
 * sockets in any of `except`.
 *
 * @example
 * ```ts
 * adapter.broadcast(packet, { rooms: new Set(["news"]), except: new Set([socket.id]) });
 * ```
 */
export interface BroadcastOptions {
  rooms: ReadonlySet<Room>;
  except?: ReadonlySet<Room>;
  flags?: BroadcastFlags;
}

/**
 * The details of the HTTP handshake a socket connected with.
 *
 * @example
 * ```ts
 * io.on("connection", (socket) => console.log(socket.handshake.address, socket.handshake.auth));
 * ```
 */
export interface Handshake {
  /** The headers of the first HTTP request of the session. */
  headers: IncomingHttpHeaders;
  /** When the socket was created, as `Date#toString()`. */
  time: string;
  /** The remote address of the client. */
  address: string;
  /** Whether the request was cross-origin (it has an `Origin` header). */
  xdomain: boolean;
  /** Whether the connection is over TLS. */
  secure: boolean;
  /** When the socket was created, in ms since the epoch. */
  issued: number;
  /** The URL of the first request. */
  url: string;
  /** The query string of the first request. */
  query: ParsedUrlQuery;
  /** The payload of the client's CONNECT packet (`auth` option of the client). */
  auth: Record<string, unknown>;
}

/**
 * A socket as `fetchSockets()` describes it, possibly held by another server.
 *
 * @example
 * ```ts
 * const details: SocketDetails = { id, handshake, rooms: [id, "news"], data: {} };
 * ```
 */
export interface SocketDetails {
  readonly id: SocketId;
  readonly handshake: Handshake;
  /** Every room of the socket, its own id included. */
  readonly rooms: Iterable<Room>;
  readonly data: unknown;
}

/**
 * What an adapter needs of a connected socket of its namespace.
 *
 * @example
 * ```ts
 * for (const socket of nsp.sockets.values()) if (socket.conn.writable) socket.deliver(prepared, packet);
 * ```
 */
export interface AdapterSocket {
  readonly id: SocketId;
  readonly handshake: Handshake;
  readonly rooms: Set<Room>;
  readonly data: unknown;
  /** The engine session; `writable` says whether a packet sent now goes out at once. */
  readonly conn: { readonly writable: boolean };
  /** Writes a packet prepared once for many sockets; `packet` is what outgoing listeners see. */
  deliver(prepared: PreparedPackets, packet: SocketPacket): void;
  /** Registers the callback for the client's acknowledgement of packet `id`. */
  expectAck(id: number, ack: (...args: unknown[]) => void): void;
  join(rooms: Room | readonly Room[]): unknown;
  leave(rooms: Room | readonly Room[]): unknown;
  disconnect(close?: boolean): unknown;
}

/**
 * The recovery options as the server normalized them.
 *
 * @example
 * ```ts
 * const recovery: ResolvedRecoveryOptions = { maxDisconnectionDuration: 120_000, skipMiddlewares: true, maxLoggedPackets: 100_000 };
 * ```
 */
export interface ResolvedRecoveryOptions {
  maxDisconnectionDuration: number;
  skipMiddlewares: boolean;
  maxLoggedPackets: number;
}

/**
 * What an adapter needs of its namespace.
 *
 * @example
 * ```ts
 * class MyAdapter extends MemoryAdapter {
 *   constructor(nsp: AdapterNamespace) { super(nsp); console.log("adapter for", nsp.name); }
 * }
 * ```
 */
export interface AdapterNamespace {
  readonly name: string;
  /** The connected sockets of the namespace in this process. */
  readonly sockets: ReadonlyMap<SocketId, AdapterSocket>;
  readonly server: {
    readonly engine: { prepare(messages: readonly (string | Uint8Array)[], options?: { compress?: boolean }): PreparedPackets };
    readonly opts: { readonly connectionStateRecovery?: ResolvedRecoveryOptions | undefined };
    /** The Engine.IO messages of a packet, from the server's codec (the `parser` option's or the built-in one). */
    encodePacket(packet: SocketPacket): readonly (string | Uint8Array)[];
  };
  /** A fresh acknowledgement id, unique within the namespace. */
  nextAckId(): number;
  /** Hands the namespace's listeners an event another server sent with `serverSideEmit` (an ack callback may come last). */
  onServerSideEmit(args: unknown[]): void;
}

/**
 * The state of a disconnected socket kept for connection state recovery.
 *
 * @example
 * ```ts
 * adapter.persistSession({ sid: socket.id, pid, rooms: [...socket.rooms], data: socket.data });
 * ```
 */
export interface PersistedSession {
  sid: SocketId;
  pid: PrivateSessionId;
  rooms: Room[];
  data: unknown;
}

/**
 * A session found by `restoreSession`, with the data arrays of the EVENT packets it missed, in order.
 *
 * @example
 * ```ts
 * const session = await adapter.restoreSession(pid, offset);
 * session?.missedPackets.forEach((data) => send(data));
 * ```
 */
export interface RestoredSession extends PersistedSession {
  missedPackets: unknown[][];
}

/**
 * An adapter: the rooms of one namespace and the delivery of packets to their sockets.
 * Emits `create-room`(room), `delete-room`(room), `join-room`(room, id) and `leave-room`(room, id).
 * A socket's own room (its id) is implicit: it is not stored in `rooms`/`sids` and raises no event.
 *
 * @example
 * ```ts
 * const io = new Server(httpServer, { adapter: MemoryAdapter });
 * io.of("/").adapter.on("join-room", (room, id) => console.log(id, "joined", room));
 * ```
 */
export interface Adapter extends EventEmitter {
  readonly nsp: AdapterNamespace;
  /** Room name → ids of the sockets in it (explicit rooms only). */
  readonly rooms: Map<Room, Set<SocketId>>;
  /** Socket id → the rooms it joined (absent for a socket in no room but its own). */
  readonly sids: Map<SocketId, Set<Room>>;

  init(): Promise<void> | void;
  close(): Promise<void> | void;
  /** How many servers share this namespace (1 for the memory adapter). */
  serverCount(): Promise<number>;

  addAll(id: SocketId, rooms: Iterable<Room>): Promise<void> | void;
  del(id: SocketId, room: Room): Promise<void> | void;
  delAll(id: SocketId): void;

  broadcast(packet: SocketPacket, opts: BroadcastOptions): void;
  broadcastWithAck(
    packet: SocketPacket,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void;

  sockets(rooms: ReadonlySet<Room>): Promise<Set<SocketId>>;
  socketRooms(id: SocketId): Set<Room> | undefined;
  fetchSockets(opts: BroadcastOptions): Promise<SocketDetails[]>;
  addSockets(opts: BroadcastOptions, rooms: Room[]): void;
  delSockets(opts: BroadcastOptions, rooms: Room[]): void;
  disconnectSockets(opts: BroadcastOptions, close: boolean): void;
  /** Sends an event to the other servers; an ack callback may come last and gets `(err, responses)`. */
  serverSideEmit(packet: unknown[]): void;

  persistSession(session: PersistedSession): Promise<void> | void;
  restoreSession(pid: PrivateSessionId, offset: string): Promise<RestoredSession | null>;
}

/**
 * What the `adapter` server option takes: an adapter class, or a function that builds one.
 *
 * @example
 * ```ts
 * const factory: AdapterConstructor = (nsp) => new MemoryAdapter(nsp);
 * ```
 */
export type AdapterConstructor = (new (nsp: AdapterNamespace) => Adapter) | ((nsp: AdapterNamespace) => Adapter);
