// A namespace: a channel of its own (its sockets, rooms, middlewares and adapter) multiplexed
// over the clients' connections. Admits connecting sockets and broadcasts to its own.

import { EventEmitter } from "node:events";
import type { Adapter, AdapterNamespace, Room, SocketId } from "../adapters/adapter.js";
import { PacketType } from "../protocol/index.js";
import { BroadcastOperator } from "./broadcast-operator.js";
import type { Client } from "./client.js";
import { runMiddlewares } from "./middleware.js";
import type { ExtendedError, NamespaceMiddleware } from "./middleware.js";
import type { ParentNamespace } from "./parent-namespace.js";
import type { RemoteSocket } from "./remote-socket.js";
import type { Server } from "./server.js";
import { RESERVED_EVENTS } from "./reserved-events.js";
import { Socket } from "./socket.js";
import type {
  AckParams,
  AckResults,
  DecorateAcknowledgementsWithMultipleResponses,
  DefaultEventsMap,
  EventNames,
  EventParams,
  EventsMap,
  ReservedOrUserEventNames,
  ReservedOrUserListener,
} from "./typed-events.js";

/**
 * Events the library emits on a namespace.
 *
 * @example
 * ```ts
 * io.of("/chat").on("connection", (socket) => socket.emit("welcome"));
 * ```
 */
export interface NamespaceReservedEventsMap<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> {
  connect: (socket: Socket<L, E, S, D>) => void;
  connection: (socket: Socket<L, E, S, D>) => void;
}

const emitListeners = EventEmitter.prototype.emit;

/**
 * One namespace (`io.of("/chat")`; `io.sockets` is `"/"`).
 *
 * @example
 * ```ts
 * const chat = io.of("/chat");
 * chat.use((socket, next) => (socket.handshake.auth.token ? next() : next(new Error("no token"))));
 * chat.on("connection", (socket) => {
 *   socket.join("general");
 *   chat.to("general").emit("joined", socket.id);
 * });
 * ```
 */
export class Namespace<
    ListenEvents extends EventsMap = DefaultEventsMap,
    EmitEvents extends EventsMap = DefaultEventsMap,
    ServerSideEvents extends EventsMap = DefaultEventsMap,
    SocketData = any,
  >
  extends EventEmitter
  implements AdapterNamespace
{
  readonly name: string;
  readonly server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The connected sockets of this namespace, by id. */
  readonly sockets = new Map<SocketId, Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  /** The parent namespace of a namespace created on demand by `io.of(regex | function)`. */
  readonly parent: ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | undefined;
  adapter!: Adapter;
  readonly #fns: NamespaceMiddleware<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>[];
  #ids = 0;

  /** Made by `io.of(name)`. */
  constructor(
    server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    name: string,
    parent?: ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
  ) {
    super();
    this.server = server;
    this.name = name;
    this.parent = parent;
    // A child shares its parent's middleware list: later `parent.use()` calls apply too.
    this.#fns = parent === undefined ? [] : parent.middlewares;
    this.initAdapter();
  }

  /** (Re)creates the adapter from the server's `adapter` option. */
  initAdapter(): void {
    this.adapter = this.server.createAdapter(this);
    const ready = this.adapter.init();
    if (ready !== undefined) ready.catch((err: unknown) => this.server.reportError(err));
  }

  /** The middlewares, in order. */
  get middlewares(): NamespaceMiddleware<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>[] {
    return this.#fns;
  }

  /**
   * Adds a listener (`connection` gets each new socket; other names: events from other servers).
   *
   * @example
   * ```ts
   * nsp.on("connection", (socket) => {});
   * ```
   */
  override on<Ev extends ReservedOrUserEventNames<NamespaceReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, ServerSideEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<NamespaceReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, ServerSideEvents, Ev>,
  ): this {
    return super.on(ev, listener as (...args: any[]) => void);
  }

  /**
   * Adds a one-time listener.
   *
   * @example
   * ```ts
   * nsp.once("connection", (socket) => console.log("first socket", socket.id));
   * ```
   */
  override once<Ev extends ReservedOrUserEventNames<NamespaceReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, ServerSideEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<NamespaceReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, ServerSideEvents, Ev>,
  ): this {
    return super.once(ev, listener as (...args: any[]) => void);
  }

  /**
   * Adds a middleware run for each connecting socket; `next(err)` refuses it (the client gets
   * `connect_error` with `err.message` and `err.data`).
   *
   * @example
   * ```ts
   * nsp.use((socket, next) => {
   *   const err = Object.assign(new Error("not authorized"), { data: { retry: false } });
   *   socket.handshake.auth.token === "secret" ? next() : next(err);
   * });
   * ```
   */
  use(fn: NamespaceMiddleware<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>): this {
    this.#fns.push(fn);
    return this;
  }

  /**
   * A broadcast to the sockets in `room`.
   *
   * @example
   * ```ts
   * nsp.to("room1").emit("news");
   * ```
   */
  to(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator<EmitEvents, SocketData>(this.adapter).to(room);
  }

  /**
   * Alias of {@link to}.
   *
   * @example
   * ```ts
   * nsp.in("room1").emit("news");
   * ```
   */
  in(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.to(room);
  }

  /**
   * A broadcast to every socket but those in `room`.
   *
   * @example
   * ```ts
   * nsp.except("muted").emit("news");
   * ```
   */
  except(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator<EmitEvents, SocketData>(this.adapter).except(room);
  }

  /**
   * Sends an event to every socket of the namespace (ack callback last: see `BroadcastOperator.emit`).
   *
   * @example
   * ```ts
   * nsp.emit("news", { title: "hello" });
   * ```
   */
  override emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return new BroadcastOperator<EmitEvents, SocketData>(this.adapter).emit(ev, ...args);
  }

  /**
   * Sends an event to every socket and resolves with their acknowledgements.
   *
   * @example
   * ```ts
   * const answers = await nsp.timeout(1000).emitWithAck("poll");
   * ```
   */
  emitWithAck<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: AckParams<EmitEvents, Ev>): Promise<AckResults<EmitEvents, Ev>> {
    return new BroadcastOperator<EmitEvents, SocketData>(this.adapter).emitWithAck(ev, ...args);
  }

  /**
   * Sends a `message` event to every socket.
   *
   * @example
   * ```ts
   * nsp.send("hello");
   * ```
   */
  send(...args: EventParams<EmitEvents, "message">): this {
    (this.emit as (ev: string, ...args: unknown[]) => boolean)("message", ...(args as unknown[]));
    return this;
  }

  /**
   * Alias of {@link send}.
   *
   * @example
   * ```ts
   * nsp.write("hello");
   * ```
   */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /**
   * Sends an event to the other servers sharing this namespace (through the adapter). An ack
   * callback last gets `(err, responses)`; in one process it gets `(null, [])`.
   *
   * @throws Error when `ev` is a reserved event name.
   * @example
   * ```ts
   * nsp.serverSideEmit("cache:invalidate", "user:42");
   * nsp.on("cache:invalidate", (key) => cache.delete(key));
   * ```
   */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(ev: Ev, ...args: EventParams<ServerSideEvents, Ev>): boolean {
    if (RESERVED_EVENTS.has(ev as string) || ev === "connection") throw new Error(`"${String(ev)}" is a reserved event name`);
    const packet = args as unknown[];
    packet.unshift(ev);
    this.adapter.serverSideEmit(packet);
    return true;
  }

  /**
   * Like {@link serverSideEmit}, resolving with the other servers' responses.
   *
   * @example
   * ```ts
   * const counts = await nsp.serverSideEmitWithAck("count");
   * ```
   */
  serverSideEmitWithAck<Ev extends EventNames<ServerSideEvents>>(ev: Ev, ...args: AckParams<ServerSideEvents, Ev>): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      const callback = (err: Error | null, responses: unknown[]) => (err ? reject(err) : resolve(responses));
      (this.serverSideEmit as (ev: string | symbol, ...args: unknown[]) => boolean)(ev, ...(args as unknown[]), callback);
    });
  }

  /** Adapter: an event another server sent with `serverSideEmit` (an ack callback may come last). */
  onServerSideEmit(args: unknown[]): void {
    emitListeners.apply(this, args as [string, ...unknown[]]);
  }

  /**
   * The ids of every socket of the namespace.
   *
   * @deprecated Use {@link fetchSockets}.
   * @example
   * ```ts
   * const ids = await nsp.allSockets();
   * ```
   */
  allSockets(): Promise<Set<SocketId>> {
    return new BroadcastOperator<EmitEvents, SocketData>(this.adapter).allSockets();
  }

  /**
   * A broadcast whose packet may (or may not) be compressed.
   *
   * @example
   * ```ts
   * nsp.compress(false).emit("blob", bytes);
   * ```
   */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator<EmitEvents, SocketData>(this.adapter).compress(compress);
  }

  /**
   * A broadcast dropped for sockets that cannot take it right now.
   *
   * @example
   * ```ts
   * nsp.volatile.emit("tick");
   * ```
   */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator<EmitEvents, SocketData>(this.adapter).volatile;
  }

  /**
   * A broadcast to this process's sockets only.
   *
   * @example
   * ```ts
   * nsp.local.emit("hi");
   * ```
   */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator<EmitEvents, SocketData>(this.adapter).local;
  }

  /**
   * A broadcast that waits `ms` for the acknowledgements.
   *
   * @example
   * ```ts
   * nsp.timeout(1000).emit("poll", (err, responses) => {});
   * ```
   */
  timeout(ms: number): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return new BroadcastOperator<EmitEvents, SocketData>(this.adapter).timeout(ms);
  }

  /**
   * Every socket of the namespace (on every server).
   *
   * @example
   * ```ts
   * const sockets = await nsp.fetchSockets();
   * ```
   */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return new BroadcastOperator<EmitEvents, SocketData>(this.adapter).fetchSockets();
  }

  /**
   * Makes every socket join `room`.
   *
   * @example
   * ```ts
   * nsp.socketsJoin("announcements");
   * ```
   */
  socketsJoin(room: Room | readonly Room[]): void {
    new BroadcastOperator<EmitEvents, SocketData>(this.adapter).socketsJoin(room);
  }

  /**
   * Makes every socket leave `room`.
   *
   * @example
   * ```ts
   * nsp.socketsLeave("announcements");
   * ```
   */
  socketsLeave(room: Room | readonly Room[]): void {
    new BroadcastOperator<EmitEvents, SocketData>(this.adapter).socketsLeave(room);
  }

  /**
   * Disconnects every socket (`close`: their whole connections).
   *
   * @example
   * ```ts
   * nsp.disconnectSockets();
   * ```
   */
  disconnectSockets(close = false): void {
    new BroadcastOperator<EmitEvents, SocketData>(this.adapter).disconnectSockets(close);
  }

  // ---- used by the adapter, the client and the sockets ----

  /** A fresh acknowledgement id (shared by every socket of the namespace, so broadcasts can reuse one). */
  nextAckId(): number {
    return this.#ids++;
  }

  /** Emits a library event on the namespace's own listeners. */
  emitReserved(ev: string, ...args: unknown[]): void {
    emitListeners.call(this, ev, ...args);
  }

  /**
   * Client: a CONNECT for this namespace. Restores the session when the client asks for it
   * (connection state recovery), runs the middlewares, then admits or refuses the socket.
   */
  add(client: Client, auth: Record<string, unknown>): void {
    const recovery = this.server.opts.connectionStateRecovery;
    const pid = auth["pid"];
    const offset = auth["offset"];
    if (recovery !== undefined && typeof pid === "string" && typeof offset === "string") {
      this.adapter.restoreSession(pid, offset).then(
        (session) => this.#admit(new Socket(this, client, auth, session ?? undefined), client),
        () => this.#admit(new Socket(this, client, auth), client),
      );
      return;
    }
    this.#admit(new Socket(this, client, auth), client);
  }

  #admit(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, client: Client): void {
    if (client.closed) {
      this.adapter.delAll(socket.id);
      return;
    }
    if (socket.recovered && this.server.opts.connectionStateRecovery?.skipMiddlewares === true) {
      this.#connect(socket, client);
      return;
    }
    runMiddlewares(this.#fns, socket, (err: ExtendedError | null) => {
      if (client.closed) {
        this.adapter.delAll(socket.id);
        return;
      }
      if (err !== null) {
        this.adapter.delAll(socket.id);
        client.refuse(this.name);
        // JavaScript callers may pass anything to next(): the client still gets a message.
        const message = err instanceof Error ? err.message : String(err);
        const data = err.data === undefined ? { message } : { message, data: err.data };
        client.writePacket({ type: PacketType.CONNECT_ERROR, nsp: this.name, data }, true);
        return;
      }
      this.#connect(socket, client);
    });
  }

  #connect(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>, client: Client): void {
    this.sockets.set(socket.id, socket);
    client.attach(socket);
    socket.onConnect();
    emitListeners.call(this, "connect", socket);
    emitListeners.call(this, "connection", socket);
    const parent = this.parent;
    if (parent !== undefined) {
      parent.emitReserved("connect", socket);
      parent.emitReserved("connection", socket);
    }
  }

  /** Socket: it left the namespace. */
  remove(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    if (this.sockets.get(socket.id) !== socket) return;
    this.sockets.delete(socket.id);
    if (this.sockets.size === 0 && this.parent !== undefined && this.server.opts.cleanupEmptyChildNamespaces) {
      this.parent.removeChild(this);
    }
  }
}
