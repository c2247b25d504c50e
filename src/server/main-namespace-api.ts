// The main namespace's API on the server itself: `io.on`, `io.use`, `io.emit`, `io.to`, … act on
// `io.sockets`, as in Socket.IO.

import { EventEmitter } from "node:events";
import type { Room, SocketId } from "../adapters/adapter.js";
import type { BroadcastOperator } from "./broadcast-operator.js";
import type { NamespaceMiddleware } from "./middleware.js";
import type { Namespace } from "./namespace.js";
import type { RemoteSocket } from "./remote-socket.js";
import type { Socket } from "./socket.js";
import type {
  AckParams,
  AckResults,
  DecorateAcknowledgementsWithMultipleResponses,
  EventNames,
  EventParams,
  EventsMap,
  ReservedOrUserEventNames,
  ReservedOrUserListener,
} from "./typed-events.js";

/**
 * Events the library emits on the server (the main namespace's, plus `new_namespace`).
 *
 * @example
 * ```ts
 * io.on("new_namespace", (nsp) => nsp.use(auth));
 * ```
 */
export interface ServerReservedEventsMap<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> {
  connect: (socket: Socket<L, E, S, D>) => void;
  connection: (socket: Socket<L, E, S, D>) => void;
  new_namespace: (namespace: Namespace<L, E, S, D>) => void;
}

type ServerEventNames<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> = ReservedOrUserEventNames<ServerReservedEventsMap<L, E, S, D>, S>;
type ServerListener<L extends EventsMap, E extends EventsMap, S extends EventsMap, D, Ev extends ServerEventNames<L, E, S, D>> = ReservedOrUserListener<
  ServerReservedEventsMap<L, E, S, D>,
  S,
  Ev
>;

/**
 * The base of `Server`: every method here forwards to the main namespace (`io.sockets`).
 *
 * @example
 * ```ts
 * io.use(auth);                         // io.sockets.use(auth)
 * io.on("connection", (socket) => {});  // io.sockets.on("connection", ...)
 * io.to("room").emit("news");           // io.sockets.to("room").emit("news")
 * ```
 */
export abstract class MainNamespaceApi<ListenEvents extends EventsMap, EmitEvents extends EventsMap, ServerSideEvents extends EventsMap, SocketData> {
  /** The main namespace, `"/"`. */
  abstract readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;


  /**
   * Adds a listener on the main namespace (`connection`, `new_namespace`, or server-side events).
   *
   * @example
   * ```ts
   * io.on("connection", (socket) => {});
   * ```
   */
  on<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    this.sockets.addListener(ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * Alias of {@link on}.
   *
   * @example
   * ```ts
   * io.addListener("connection", (socket) => {});
   * ```
   */
  addListener<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    this.sockets.addListener(ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * Adds a one-time listener on the main namespace.
   *
   * @example
   * ```ts
   * io.once("connection", (socket) => console.log("first!"));
   * ```
   */
  once<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    EventEmitter.prototype.once.call(this.sockets, ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * Removes a listener of the main namespace.
   *
   * @example
   * ```ts
   * io.off("connection", onConnection);
   * ```
   */
  off<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    this.sockets.removeListener(ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * Alias of {@link off}.
   *
   * @example
   * ```ts
   * io.removeListener("connection", onConnection);
   * ```
   */
  removeListener<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    this.sockets.removeListener(ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * Removes every listener of `ev` (or of every event) on the main namespace.
   *
   * @example
   * ```ts
   * io.removeAllListeners("connection");
   * ```
   */
  removeAllListeners(ev?: string | symbol): this {
    this.sockets.removeAllListeners(ev);
    return this;
  }

  /**
   * The listeners of `ev` on the main namespace.
   *
   * @example
   * ```ts
   * io.listeners("connection").length;
   * ```
   */
  listeners(ev: string | symbol): ((...args: any[]) => void)[] {
    return this.sockets.listeners(ev) as ((...args: any[]) => void)[];
  }

  /**
   * How many listeners `ev` has on the main namespace.
   *
   * @example
   * ```ts
   * io.listenerCount("connection");
   * ```
   */
  listenerCount(ev: string | symbol): number {
    return this.sockets.listenerCount(ev);
  }

  /**
   * Adds a listener on the main namespace ahead of the others.
   *
   * @example
   * ```ts
   * io.prependListener("connection", (socket) => audit(socket));
   * ```
   */
  prependListener<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    EventEmitter.prototype.prependListener.call(this.sockets, ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * Adds a one-time listener on the main namespace ahead of the others.
   *
   * @example
   * ```ts
   * io.prependOnceListener("connection", (socket) => console.log("first, and once"));
   * ```
   */
  prependOnceListener<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    EventEmitter.prototype.prependOnceListener.call(this.sockets, ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * The listeners of `ev` on the main namespace, once-wrappers included.
   *
   * @example
   * ```ts
   * io.rawListeners("connection");
   * ```
   */
  rawListeners(ev: string | symbol): ((...args: any[]) => void)[] {
    return this.sockets.rawListeners(ev) as ((...args: any[]) => void)[];
  }

  /**
   * The events with listeners on the main namespace.
   *
   * @example
   * ```ts
   * io.eventNames(); // ["connection"]
   * ```
   */
  eventNames(): (string | symbol)[] {
    return this.sockets.eventNames();
  }

  /**
   * Raises the main namespace's listener-leak warning threshold (EventEmitter's, 10 by default).
   *
   * @example
   * ```ts
   * io.setMaxListeners(50);
   * ```
   */
  setMaxListeners(n: number): this {
    this.sockets.setMaxListeners(n);
    return this;
  }

  /**
   * The main namespace's listener-leak warning threshold.
   *
   * @example
   * ```ts
   * io.getMaxListeners(); // 10
   * ```
   */
  getMaxListeners(): number {
    return this.sockets.getMaxListeners();
  }

  /**
   * Adds a middleware to the main namespace.
   *
   * @example
   * ```ts
   * io.use((socket, next) => next());
   * ```
   */
  use(fn: NamespaceMiddleware<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>): this {
    this.sockets.use(fn);
    return this;
  }

  /**
   * A broadcast to the sockets in `room` (main namespace).
   *
   * @example
   * ```ts
   * io.to("room1").emit("news");
   * ```
   */
  to(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.to(room);
  }

  /**
   * Alias of {@link to}.
   *
   * @example
   * ```ts
   * io.in("room1").emit("news");
   * ```
   */
  in(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.in(room);
  }

  /**
   * A broadcast to every socket but those in `room` (main namespace).
   *
   * @example
   * ```ts
   * io.except("room1").emit("news");
   * ```
   */
  except(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.except(room);
  }

  /**
   * Sends an event to every socket of the main namespace.
   *
   * @example
   * ```ts
   * io.emit("news", { title: "hello" });
   * ```
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.sockets.emit(ev, ...args);
  }

  /**
   * Sends an event to every socket of the main namespace and resolves with their acknowledgements.
   *
   * @example
   * ```ts
   * const answers = await io.timeout(1000).emitWithAck("poll");
   * ```
   */
  emitWithAck<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: AckParams<EmitEvents, Ev>): Promise<AckResults<EmitEvents, Ev>> {
    return this.sockets.emitWithAck(ev, ...args);
  }

  /**
   * Sends a `message` event to every socket of the main namespace.
   *
   * @example
   * ```ts
   * io.send("hello");
   * ```
   */
  send(...args: EventParams<EmitEvents, "message">): this {
    this.sockets.send(...args);
    return this;
  }

  /**
   * Alias of {@link send}.
   *
   * @example
   * ```ts
   * io.write("hello");
   * ```
   */
  write(...args: EventParams<EmitEvents, "message">): this {
    this.sockets.write(...args);
    return this;
  }

  /**
   * Sends an event to the other servers (main namespace); an ack callback last gets `(err, responses)`.
   *
   * @example
   * ```ts
   * io.serverSideEmit("hello", "world");
   * ```
   */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(ev: Ev, ...args: EventParams<ServerSideEvents, Ev>): boolean {
    return this.sockets.serverSideEmit(ev, ...args);
  }

  /**
   * Like {@link serverSideEmit}, resolving with the other servers' responses.
   *
   * @example
   * ```ts
   * const responses = await io.serverSideEmitWithAck("ping");
   * ```
   */
  serverSideEmitWithAck<Ev extends EventNames<ServerSideEvents>>(ev: Ev, ...args: AckParams<ServerSideEvents, Ev>): Promise<unknown[]> {
    return this.sockets.serverSideEmitWithAck(ev, ...args);
  }

  /**
   * The ids of every socket of the main namespace.
   *
   * @deprecated Use {@link fetchSockets}.
   * @example
   * ```ts
   * const ids = await io.allSockets();
   * ```
   */
  allSockets(): Promise<Set<SocketId>> {
    return this.sockets.allSockets();
  }

  /**
   * A broadcast whose packet may (or may not) be compressed.
   *
   * @example
   * ```ts
   * io.compress(false).emit("blob", bytes);
   * ```
   */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.compress(compress);
  }

  /**
   * A broadcast dropped for sockets that cannot take it right now.
   *
   * @example
   * ```ts
   * io.volatile.emit("tick");
   * ```
   */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.volatile;
  }

  /**
   * A broadcast to this process's sockets only.
   *
   * @example
   * ```ts
   * io.local.emit("hi");
   * ```
   */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.local;
  }

  /**
   * A broadcast that waits `ms` for the acknowledgements.
   *
   * @example
   * ```ts
   * io.timeout(1000).emit("poll", (err, responses) => {});
   * ```
   */
  timeout(ms: number): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.sockets.timeout(ms);
  }

  /**
   * Every socket of the main namespace.
   *
   * @example
   * ```ts
   * const sockets = await io.fetchSockets();
   * ```
   */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.sockets.fetchSockets();
  }

  /**
   * Makes every socket of the main namespace join `room`.
   *
   * @example
   * ```ts
   * io.socketsJoin("announcements");
   * ```
   */
  socketsJoin(room: Room | readonly Room[]): void {
    this.sockets.socketsJoin(room);
  }

  /**
   * Makes every socket of the main namespace leave `room`.
   *
   * @example
   * ```ts
   * io.socketsLeave("announcements");
   * ```
   */
  socketsLeave(room: Room | readonly Room[]): void {
    this.sockets.socketsLeave(room);
  }

  /**
   * Disconnects every socket of the main namespace (`close`: their whole connections).
   *
   * @example
   * ```ts
   * io.disconnectSockets(true);
   * ```
   */
  disconnectSockets(close = false): void {
    this.sockets.disconnectSockets(close);
  }
}
