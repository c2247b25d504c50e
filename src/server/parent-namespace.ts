// Dynamic namespaces: `io.of(/^\/room-\d+$/)` or `io.of((name, auth, next) => ...)` makes a parent
// that creates child namespaces on demand. The parent's middlewares and `connection` listeners
// apply to every child, and its broadcasts reach the sockets of every child.

import { EventEmitter } from "node:events";
import type {
  Adapter,
  BroadcastOptions,
  PersistedSession,
  PrivateSessionId,
  RestoredSession,
  Room,
  SocketDetails,
  SocketId,
} from "../adapters/adapter.js";
import type { SocketPacket } from "../protocol/index.js";
import { Namespace } from "./namespace.js";
import type { Server } from "./server.js";
import type { DefaultEventsMap, EventsMap } from "./typed-events.js";

/**
 * Decides whether a namespace name belongs to a parent namespace: `next(null, true)` creates
 * (or joins) the child namespace.
 *
 * @example
 * ```ts
 * const matcher: ParentNspNameMatchFn = (name, auth, next) => next(null, name.startsWith("/team-") && auth.token !== undefined);
 * io.of(matcher);
 * ```
 */
export type ParentNspNameMatchFn = (name: string, auth: Record<string, unknown>, next: (err: Error | null, allow: boolean) => void) => void;

let parentCount = 0;

/**
 * The parent of namespaces created on demand.
 *
 * @example
 * ```ts
 * const rooms = io.of(/^\/room-\d+$/);
 * rooms.use((socket, next) => next());
 * rooms.on("connection", (socket) => socket.emit("welcome to", socket.nsp.name));
 * rooms.emit("announcement"); // every socket of every /room-N namespace
 * ```
 */
export class ParentNamespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = DefaultEventsMap,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> extends Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  /** The child namespaces created so far. */
  readonly children = new Set<Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  readonly #matcher: ParentNspNameMatchFn;

  /** Made by `io.of(regex | function)`. */
  constructor(server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, matcher: ParentNspNameMatchFn) {
    super(server, "/_" + parentCount++);
    this.#matcher = matcher;
  }

  /** The parent broadcasts through its children's adapters. */
  override initAdapter(): void {
    this.adapter = new ParentNamespaceAdapter(this);
  }

  /** Asks the matcher whether `name` is one of this parent's namespaces. */
  matches(name: string, auth: Record<string, unknown>, callback: (allow: boolean) => void): void {
    let answered = false;
    try {
      this.#matcher(name, auth, (err, allow) => {
        if (answered) return;
        answered = true;
        callback(err === null && allow === true);
      });
    } catch {
      if (!answered) {
        answered = true;
        callback(false);
      }
    }
  }

  /**
   * Creates the child namespace `name` (sharing this parent's middlewares).
   *
   * @example
   * ```ts
   * const child = parent.createChild("/room-1");
   * ```
   */
  createChild(name: string): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    const child = new Namespace(this.server, name, this);
    this.children.add(child);
    this.server.registerNamespace(child);
    return child;
  }

  /** Drops an empty child (option `cleanupEmptyChildNamespaces`). */
  removeChild(child: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    if (!this.children.delete(child)) return;
    this.server.unregisterNamespace(child);
    const closed = child.adapter.close();
    if (closed !== undefined) closed.catch((err: unknown) => this.server.reportError(err));
  }
}

/** A copy for one child: adapters set `nsp`, `id` and (with recovery) append to `data`. */
function copyPacket(packet: SocketPacket): SocketPacket {
  const copy: SocketPacket = { type: packet.type, nsp: packet.nsp };
  if (packet.data !== undefined) copy.data = Array.isArray(packet.data) ? packet.data.slice() : packet.data;
  return copy;
}

/** The adapter of a parent namespace: every operation fans out to the children's adapters. */
class ParentNamespaceAdapter extends EventEmitter implements Adapter {
  readonly nsp: ParentNamespace<any, any, any, any>;
  readonly rooms = new Map<Room, Set<SocketId>>();
  readonly sids = new Map<SocketId, Set<Room>>();

  constructor(nsp: ParentNamespace<any, any, any, any>) {
    super();
    this.nsp = nsp;
  }

  init(): void {}
  close(): void {}

  #adapters(): Adapter[] {
    const list: Adapter[] = [];
    for (const child of this.nsp.children) list.push(child.adapter);
    return list;
  }

  /** The sum over the children, so a broadcast with ack waits for each child's count. */
  serverCount(): Promise<number> {
    return Promise.all(this.#adapters().map((adapter) => adapter.serverCount())).then((counts) => counts.reduce((a, b) => a + b, 0));
  }

  // The parent itself holds no sockets.
  addAll(_id: SocketId, _rooms: Iterable<Room>): void {}
  del(_id: SocketId, _room: Room): void {}
  delAll(_id: SocketId): void {}

  broadcast(packet: SocketPacket, opts: BroadcastOptions): void {
    for (const adapter of this.#adapters()) adapter.broadcast(copyPacket(packet), opts);
  }

  broadcastWithAck(
    packet: SocketPacket,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void {
    for (const adapter of this.#adapters()) adapter.broadcastWithAck(copyPacket(packet), opts, clientCountCallback, ack);
  }

  sockets(rooms: ReadonlySet<Room>): Promise<Set<SocketId>> {
    return Promise.all(this.#adapters().map((adapter) => adapter.sockets(rooms))).then((sets) => {
      const ids = new Set<SocketId>();
      for (const set of sets) for (const id of set) ids.add(id);
      return ids;
    });
  }

  socketRooms(id: SocketId): Set<Room> | undefined {
    for (const adapter of this.#adapters()) {
      const rooms = adapter.socketRooms(id);
      if (rooms !== undefined) return rooms;
    }
    return undefined;
  }

  fetchSockets(opts: BroadcastOptions): Promise<SocketDetails[]> {
    return Promise.all(this.#adapters().map((adapter) => adapter.fetchSockets(opts))).then((lists) => lists.flat());
  }

  addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    for (const adapter of this.#adapters()) adapter.addSockets(opts, rooms);
  }

  delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    for (const adapter of this.#adapters()) adapter.delSockets(opts, rooms);
  }

  disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    for (const adapter of this.#adapters()) adapter.disconnectSockets(opts, close);
  }

  /** Forwards to each child (without the ack); an ack callback gets `(null, [])` once. */
  serverSideEmit(packet: unknown[]): void {
    const last = packet[packet.length - 1];
    const ack = typeof last === "function" ? (last as (err: Error | null, responses: unknown[]) => void) : undefined;
    const args = ack === undefined ? packet : packet.slice(0, -1);
    for (const adapter of this.#adapters()) adapter.serverSideEmit(args.slice());
    if (ack !== undefined) process.nextTick(ack, null, []);
  }

  persistSession(_session: PersistedSession): void {}

  restoreSession(_pid: PrivateSessionId, _offset: string): Promise<RestoredSession | null> {
    return Promise.resolve(null);
  }
}
