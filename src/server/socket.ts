// One client's connection to one namespace: events both ways, acknowledgements, rooms,
// packet middlewares, and the disconnect lifecycle. Listening lives in SocketListeners.

import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Adapter, AdapterSocket, BroadcastFlags, Handshake, RestoredSession, Room, SocketId } from "../adapters/adapter.js";
import type { PreparedPackets, Session } from "../engine/index.js";
import { PacketType } from "../protocol/index.js";
import type { SocketPacket } from "../protocol/index.js";
import { BroadcastOperator } from "./broadcast-operator.js";
import type { Client } from "./client.js";
import { randomId } from "../engine/random-id.js";
import { buildHandshake } from "./handshake.js";
import { runMiddlewares } from "./middleware.js";
import type { Event, PacketMiddleware } from "./middleware.js";
import type { Namespace } from "./namespace.js";
import { RECOVERABLE_REASONS, RESERVED_EVENTS } from "./reserved-events.js";
import type { DisconnectReason } from "./reserved-events.js";
import type { Server } from "./server.js";
import { SocketListeners } from "./socket-listeners.js";
import type { AckParams, AckResult, DecorateAcknowledgements, DefaultEventsMap, EventNames, EventParams, EventsMap } from "./typed-events.js";

export { RESERVED_EVENTS } from "./reserved-events.js";
export type { DisconnectReason } from "./reserved-events.js";
export type { SocketReservedEventsMap } from "./socket-listeners.js";

type AckCallback = (...args: unknown[]) => void;

const emitListeners = EventEmitter.prototype.emit;

const STATE_CONNECTING = 0;
const STATE_CONNECTED = 1;
const STATE_CLOSED = 2;

/**
 * A client connected to a namespace. Listen with `on`, send with `emit`; an ack callback may
 * come last either way.
 *
 * @example
 * ```ts
 * io.on("connection", (socket) => {
 *   socket.join("lobby");
 *   socket.on("chat", (text, ack) => {
 *     socket.to("lobby").emit("chat", text);
 *     ack("delivered");
 *   });
 *   socket.on("disconnect", (reason) => console.log(socket.id, "left:", reason));
 * });
 * ```
 */
export class Socket<
    ListenEvents extends EventsMap = DefaultEventsMap,
    EmitEvents extends EventsMap = DefaultEventsMap,
    ServerSideEvents extends EventsMap = DefaultEventsMap,
    SocketData = any,
  >
  extends SocketListeners<ListenEvents>
  implements AdapterSocket
{
  /** The socket's id in its namespace (not the engine session id); also its own room. */
  readonly id: SocketId;
  readonly nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  readonly client: Client;
  /** The engine session (the underlying connection). */
  readonly conn: Session;
  /** Whether the connection state was recovered after a temporary disconnection. */
  recovered = false;

  #state: number = STATE_CONNECTING;
  readonly #pid: string | undefined;
  readonly #auth: Record<string, unknown>;
  readonly #issued: number;
  #handshake: Handshake | undefined;
  /** Made on first use: most sockets never carry data. */
  #data: SocketData | undefined;
  #missed: unknown[][] | undefined;
  #acks: Map<number, AckCallback> | undefined;
  #flags: BroadcastFlags | undefined;
  #fns: PacketMiddleware[] | undefined;

  /** Made by the namespace when a client connects to it. */
  constructor(
    nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    client: Client,
    auth: Record<string, unknown>,
    previous?: RestoredSession,
  ) {
    super();
    this.nsp = nsp;
    this.client = client;
    this.conn = client.conn;
    this.#auth = auth;
    this.#issued = Date.now();
    if (previous !== undefined) {
      this.id = previous.sid;
      this.#pid = previous.pid;
      this.#data = previous.data as SocketData;
      this.recovered = true;
      this.#missed = previous.missedPackets;
      void nsp.adapter.addAll(this.id, previous.rooms);
    } else {
      this.id = randomId();
      this.#pid = nsp.server.opts.connectionStateRecovery !== undefined ? randomId() : undefined;
    }
  }

  /** Free-form data attached to the socket; `fetchSockets()` and recovery carry it. */
  get data(): SocketData {
    return (this.#data ??= {} as SocketData);
  }

  set data(value: SocketData) {
    this.#data = value;
  }

  /** The details of the handshake (built on first access). */
  get handshake(): Handshake {
    return (this.#handshake ??= buildHandshake(this.conn, this.#auth, this.#issued));
  }

  /** Whether the socket is connected to its namespace. */
  get connected(): boolean {
    return this.#state === STATE_CONNECTED;
  }

  /** Whether the socket is not (or no longer) connected. */
  get disconnected(): boolean {
    return this.#state !== STATE_CONNECTED;
  }

  /** The first HTTP request of the connection; `null` once let go (see `Session.request`). */
  get request(): IncomingMessage {
    return this.conn.request;
  }

  /** The server the socket belongs to. */
  get server(): Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    return this.nsp.server;
  }

  /** The rooms the socket is in, its own id included (a new Set each time). */
  get rooms(): Set<Room> {
    return this.nsp.adapter.socketRooms(this.id) ?? new Set();
  }

  get #adapter(): Adapter {
    return this.nsp.adapter;
  }

  // ---- listening ----


  /**
   * Adds a packet middleware: it sees each incoming event before the listeners; `next(err)`
   * drops the event and emits `error` on the socket.
   *
   * @example
   * ```ts
   * socket.use(([event], next) => (event === "admin" && !socket.data.admin ? next(new Error("forbidden")) : next()));
   * socket.on("error", (err) => socket.emit("refused", err.message));
   * ```
   */
  use(fn: PacketMiddleware): this {
    (this.#fns ??= []).push(fn);
    return this;
  }

  // ---- emitting ----

  /**
   * Sends an event to this client. An ack callback may come last; with `timeout()` it gets an
   * error first when the client does not answer in time.
   *
   * @throws Error when `ev` is a reserved event name.
   * @example
   * ```ts
   * socket.emit("hello", "world", { n: 1 }, Buffer.from([1, 2]));
   * socket.emit("question", "2+2?", (answer: number) => console.log(answer));
   * socket.timeout(5000).emit("question", "2+2?", (err: Error | null, answer: number) => {});
   * ```
   */
  override emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    if (RESERVED_EVENTS.has(ev as string)) throw new Error(`"${String(ev)}" is a reserved event name`);
    const data = args as unknown[];
    data.unshift(ev);
    const packet: SocketPacket = { type: PacketType.EVENT, nsp: this.nsp.name, data };
    const flags = this.#flags;
    this.#flags = undefined;
    const last = data[data.length - 1];
    if (typeof last === "function") {
      data.pop();
      const id = this.nsp.nextAckId();
      packet.id = id;
      this.#registerAck(id, last as AckCallback, flags?.timeout);
    } else if (this.#pid !== undefined && flags?.volatile !== true) {
      // Recovery on: through the adapter, which logs the packet with its offset.
      this.#adapter.broadcast(packet, { rooms: new Set([this.id]), flags: flags ?? {} });
      return true;
    }
    this.#send(packet, flags);
    return true;
  }

  /**
   * Sends an event and waits for the client's acknowledgement: resolves with its first
   * argument; with `timeout()`, rejects when the client does not answer in time.
   *
   * @example
   * ```ts
   * const answer = await socket.timeout(5000).emitWithAck("question", "2+2?");
   * ```
   */
  emitWithAck<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: AckParams<EmitEvents, Ev>): Promise<AckResult<EmitEvents, Ev>> {
    const withErr = this.#flags?.timeout !== undefined;
    return new Promise((resolve, reject) => {
      const callback = withErr
        ? (err: Error | null, response: AckResult<EmitEvents, Ev>) => (err ? reject(err) : resolve(response))
        : (response: AckResult<EmitEvents, Ev>) => resolve(response);
      (this.emit as (ev: string | symbol, ...args: unknown[]) => boolean)(ev, ...(args as unknown[]), callback);
    });
  }

  /**
   * Sends a `message` event.
   *
   * @example
   * ```ts
   * socket.send("hi"); // the client's socket.on("message") gets "hi"
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
   * socket.write("hi");
   * ```
   */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /**
   * The next emit waits `ms` for the acknowledgement; its callback gets an error first.
   *
   * @example
   * ```ts
   * socket.timeout(1000).emit("ping", (err) => console.log(err ? "no answer" : "pong"));
   * ```
   */
  timeout(ms: number): Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>, ServerSideEvents, SocketData> {
    (this.#flags ??= {}).timeout = ms;
    return this as unknown as Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>, ServerSideEvents, SocketData>;
  }

  /**
   * The next emit is dropped if the client cannot take it right now.
   *
   * @example
   * ```ts
   * socket.volatile.emit("position", x, y);
   * ```
   */
  get volatile(): this {
    (this.#flags ??= {}).volatile = true;
    return this;
  }

  /**
   * Whether the next emit may be compressed (default true).
   *
   * @example
   * ```ts
   * socket.compress(false).emit("jpeg", image);
   * ```
   */
  compress(compress: boolean): this {
    (this.#flags ??= {}).compress = compress;
    return this;
  }

  /**
   * A broadcast to every socket of the namespace but this one.
   *
   * @example
   * ```ts
   * socket.broadcast.emit("joined", socket.id);
   * ```
   */
  get broadcast(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator();
  }

  /**
   * A broadcast to this process's sockets only, this one excluded.
   *
   * @example
   * ```ts
   * socket.local.emit("hi");
   * ```
   */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().local;
  }

  /**
   * A broadcast to the sockets in `room`, this one excluded.
   *
   * @example
   * ```ts
   * socket.to("room1").to(["room2", "room3"]).emit("news");
   * ```
   */
  to(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().to(room);
  }

  /**
   * Alias of {@link to}.
   *
   * @example
   * ```ts
   * socket.in("room1").emit("news");
   * ```
   */
  in(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().to(room);
  }

  /**
   * A broadcast to every socket but those in `room` (and this one).
   *
   * @example
   * ```ts
   * socket.except("muted").emit("news");
   * ```
   */
  except(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.#operator().except(room);
  }

  #operator(): BroadcastOperator<EmitEvents, SocketData> {
    const flags = this.#flags;
    this.#flags = undefined;
    return new BroadcastOperator(this.#adapter, undefined, new Set([this.id]), flags);
  }

  // ---- rooms and disconnection ----

  /**
   * Joins one room or several.
   *
   * @example
   * ```ts
   * socket.join("lobby");
   * socket.join(["room1", "room2"]);
   * ```
   */
  join(rooms: Room | readonly Room[]): Promise<void> | void {
    return this.#adapter.addAll(this.id, Array.isArray(rooms) ? (rooms as readonly Room[]) : [rooms as Room]);
  }

  /**
   * Leaves one room or several.
   *
   * @example
   * ```ts
   * socket.leave("lobby");
   * ```
   */
  leave(rooms: Room | readonly Room[]): Promise<void> | void {
    if (!Array.isArray(rooms)) return this.#adapter.del(this.id, rooms as Room);
    let pending: Promise<void>[] | undefined;
    for (const room of rooms as readonly Room[]) {
      const result = this.#adapter.del(this.id, room);
      if (result !== undefined) (pending ??= []).push(result);
    }
    return pending === undefined ? undefined : Promise.all(pending).then(() => undefined);
  }

  /**
   * Disconnects the socket from its namespace (the client sees `"io server disconnect"`); with
   * `close`, closes the whole connection (every namespace of this client).
   *
   * @example
   * ```ts
   * socket.disconnect();
   * socket.disconnect(true);
   * ```
   */
  disconnect(close = false): this {
    if (this.#state !== STATE_CONNECTED) return this;
    if (close) {
      this.client.disconnectAll();
    } else {
      this.client.writePacket({ type: PacketType.DISCONNECT, nsp: this.nsp.name }, true);
      this.onClose("server namespace disconnect");
    }
    return this;
  }

  // ---- called by the adapter, the namespace and the client ----

  /** Adapter: writes a packet prepared once for many sockets. */
  deliver(prepared: PreparedPackets, packet: SocketPacket): void {
    this.notifyOutgoing(packet);
    this.conn.sendPrepared(prepared);
  }

  /** Adapter: the callback for the client's acknowledgement of packet `id`. */
  expectAck(id: number, ack: AckCallback): void {
    (this.#acks ??= new Map()).set(id, ack);
  }

  /** Namespace: the socket is admitted; sends the CONNECT reply, then any packets it missed. */
  onConnect(): void {
    this.#state = STATE_CONNECTED;
    const nsp = this.nsp.name;
    const reply = this.#pid === undefined ? { sid: this.id } : { sid: this.id, pid: this.#pid };
    this.client.writePacket({ type: PacketType.CONNECT, nsp, data: reply }, true);
    const missed = this.#missed;
    if (missed !== undefined) {
      this.#missed = undefined;
      for (const data of missed) this.client.writePacket({ type: PacketType.EVENT, nsp, data }, true);
    }
  }

  /** Client: an EVENT (or BINARY_EVENT) from the client. */
  onEvent(packet: SocketPacket): void {
    const args = packet.data as unknown[];
    if (packet.id !== undefined) args.push(this.#ackFor(packet.id));
    this.callAnyListeners(args);
    if (this.#fns === undefined) {
      emitListeners.apply(this, args as [string, ...unknown[]]);
      return;
    }
    runMiddlewares(this.#fns, args as Event, (err) => {
      if (err !== null) {
        if (this.listenerCount("error") > 0) emitListeners.call(this, "error", err);
        return;
      }
      if (this.#state === STATE_CONNECTED) emitListeners.apply(this, args as [string, ...unknown[]]);
    });
  }

  /** Client: an ACK (or BINARY_ACK); an unknown id is ignored. */
  onAck(packet: SocketPacket): void {
    const acks = this.#acks;
    if (acks === undefined) return;
    const id = packet.id as number;
    const ack = acks.get(id);
    if (ack === undefined) return;
    acks.delete(id);
    ack.apply(this, packet.data as unknown[]);
  }

  /**
   * The socket leaves its namespace: `disconnecting` (rooms still there), the session kept
   * for recovery when the reason allows, rooms left, then `disconnect`.
   */
  onClose(reason: DisconnectReason, description?: unknown): void {
    if (this.#state !== STATE_CONNECTED) return;
    emitListeners.call(this, "disconnecting", reason, description);
    if (this.#pid !== undefined && RECOVERABLE_REASONS.has(reason)) {
      const saved = this.#adapter.persistSession({ sid: this.id, pid: this.#pid, rooms: [...this.rooms], data: this.data });
      if (saved !== undefined) saved.catch(ignore);
    }
    this.#adapter.delAll(this.id);
    this.nsp.remove(this);
    this.client.detach(this);
    this.#state = STATE_CLOSED;
    emitListeners.call(this, "disconnect", reason, description);
  }

  #send(packet: SocketPacket, flags: BroadcastFlags | undefined): void {
    if (this.#state === STATE_CLOSED) return;
    if (flags?.volatile === true && !this.conn.writable) return;
    this.notifyOutgoing(packet);
    this.client.writePacket(packet, flags?.compress !== false);
  }

  #registerAck(id: number, callback: AckCallback, timeout: number | undefined): void {
    const acks = (this.#acks ??= new Map());
    if (timeout === undefined) {
      acks.set(id, callback);
      return;
    }
    const timer = setTimeout(() => {
      acks.delete(id);
      callback.call(this, new Error("operation has timed out"));
    }, timeout);
    acks.set(id, (...args: unknown[]) => {
      clearTimeout(timer);
      callback.call(this, null, ...args);
    });
  }

  /** The function handed to listeners for a client's ack request; answers once. */
  #ackFor(id: number): AckCallback {
    let sent = false;
    return (...args: unknown[]) => {
      if (sent) return;
      sent = true;
      this.client.writePacket({ type: PacketType.ACK, nsp: this.nsp.name, id, data: args }, true);
    };
  }
}

function ignore(): void {}
