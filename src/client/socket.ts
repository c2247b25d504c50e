// A client Socket: one namespace over the Manager's connection. Events, acknowledgements
// (with timeouts and retries), buffering while disconnected, connection state recovery.

import type { SocketPacket } from "../protocol/index.js";
import { Emitter } from "./emitter.js";
import type { Manager } from "./manager.js";
import type { AllButLast, DecorateAcknowledgements, DefaultEventsMap, EventNames, EventParams, EventsMap, Last } from "./typed-events.js";

/**
 * Why a socket disconnected. After "io server disconnect" and "io client disconnect" the
 * socket stays disconnected until `connect()`; after the others it reconnects by itself
 * (unless `reconnection` is false).
 *
 * @example
 * ```ts
 * socket.on("disconnect", (reason) => { if (reason === "io server disconnect") socket.connect(); });
 * ```
 */
export type DisconnectReason = "io server disconnect" | "io client disconnect" | "ping timeout" | "transport close" | "transport error" | "parse error";

/**
 * The error of "connect_error": `message`, plus the `data` a server middleware attached.
 * Messages are the official client's, so code written for it keeps working:
 *
 * | message | cause |
 * |---|---|
 * | (the middleware's) | a server middleware refused the namespace; `data` as it set it |
 * | `"Invalid namespace"` | the server has no such namespace |
 * | `"xhr poll error"`, `"xhr post error"` | an HTTP long-polling request failed (`type` "TransportError", `description` the cause) |
 * | `"websocket error"` | the WebSocket failed (`type` "TransportError", `description` the event) |
 * | `"timeout"` | no connection within the Manager's `timeout` |
 *
 * Acknowledgement callbacks that take an error get `"operation has timed out"` or
 * `"socket has been disconnected"`.
 *
 * @example
 * ```ts
 * socket.on("connect_error", (err) => console.log(err.message, err.data));
 * ```
 */
export interface ConnectError extends Error {
  data?: unknown;
}

/**
 * The events a socket emits itself.
 *
 * @example
 * ```ts
 * socket.on("connect", () => console.log(socket.id));
 * ```
 */
export interface SocketReservedEvents {
  connect: () => void;
  connect_error: (err: ConnectError) => void;
  disconnect: (reason: DisconnectReason, description?: unknown) => void;
}

/**
 * Per-namespace options.
 *
 * @example
 * ```ts
 * io("/admin", { auth: (cb) => cb({ token: localStorage.token }), retries: 3, ackTimeout: 5000 });
 * ```
 */
export interface SocketOptions {
  /** Sent with the CONNECT packet; a function is asked at each (re)connection. */
  auth?: Record<string, unknown> | ((callback: (data: Record<string, unknown>) => void) => void);
  /** Send each emit until acknowledged, at most 1 + `retries` times, one at a time in order. */
  retries?: number;
  /** Default acknowledgement timeout in ms (ack callbacks then get an error first). */
  ackTimeout?: number;
}

/** What `emitWithAck` resolves to: the first argument that is not the error. */
type AckResult<T> = T extends (first: infer A, ...rest: infer R) => any ? ([A] extends [Error | null] ? R[0] : A) : any;

type AnyListener = (...args: any[]) => void;

interface Flags {
  volatile?: boolean;
  compress?: boolean;
  timeout?: number;
  /** The ack callback takes an error first (timeout, ackTimeout, emitWithAck, retries). */
  withError?: boolean;
  /** Sent by the retry queue: do not queue again. */
  fromQueue?: boolean;
}

interface PendingAck {
  callback: AnyListener;
  withError: boolean | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface QueuedEmit {
  args: unknown[];
  flags: Flags;
  tries: number;
  pending: boolean;
}

/** Event names the client may not emit (the official client's list). */
const RESERVED = /^(connect|connect_error|disconnect|disconnecting|newListener|removeListener)$/;

/**
 * A socket on one namespace. Emits made while disconnected are buffered and sent in order on
 * connection (volatile ones are dropped).
 *
 * @example
 * ```ts
 * const socket = io("http://localhost:3000");
 * socket.on("connect", () => socket.emit("hello", "world", (answer: string) => console.log(answer)));
 * socket.on("news", (title: string) => console.log(title));
 * const reply = await socket.timeout(5000).emitWithAck("ask", 42);
 * ```
 */
export class Socket<ListenEvents extends EventsMap = DefaultEventsMap, EmitEvents extends EventsMap = ListenEvents> extends Emitter<ListenEvents, SocketReservedEvents> {
  /** The Manager (the shared connection). */
  readonly io: Manager<ListenEvents, EmitEvents>;
  readonly nsp: string;
  /** The session id given by the server, while connected. */
  id: string | undefined;
  connected = false;
  /** Whether the last connection restored the previous session (connection state recovery). */
  recovered = false;
  /** Sent with each CONNECT packet. */
  auth: SocketOptions["auth"];
  /** Packets emitted while disconnected, sent on connection. */
  sendBuffer: SocketPacket[] = [];
  readonly #opts: SocketOptions;
  #active = false;
  #flags: Flags = {};
  #ids = 0;
  #acks = new Map<number, PendingAck>();
  #queue: QueuedEmit[] = [];
  #pid: string | undefined;
  #offset: string | undefined;
  /** Catch-all listeners, copied on write like the Emitter's. */
  #any: AnyListener[] = [];
  #anyOutgoing: AnyListener[] = [];

  constructor(io: Manager<ListenEvents, EmitEvents>, nsp: string, opts?: SocketOptions) {
    super();
    this.io = io;
    this.nsp = nsp;
    this.#opts = { ...io.opts, ...opts };
    this.auth = this.#opts.auth;
    if (io.opts.autoConnect !== false) this.connect();
  }

  /** `!connected`. */
  get disconnected(): boolean {
    return !this.connected;
  }

  /** Whether the socket is connected or trying to (it will reconnect after a lost connection). */
  get active(): boolean {
    return this.#active;
  }

  /**
   * Drops the next emit instead of buffering it when it cannot go out at once.
   *
   * @example
   * ```ts
   * socket.volatile.emit("position", x, y);
   * ```
   */
  get volatile(): this {
    this.#flags.volatile = true;
    return this;
  }

  /**
   * Connects (or reconnects after "io server disconnect" / `disconnect()`).
   *
   * @example
   * ```ts
   * const socket = io({ autoConnect: false });
   * socket.auth = { token };
   * socket.connect();
   * ```
   */
  connect(): this {
    if (this.connected) return this;
    const wasActive = this.#active;
    this.#active = true;
    if (!this.io.reconnecting) this.io.open();
    if (!wasActive && this.io.readyState === "open") this.onOpen();
    return this;
  }

  /**
   * The same as {@link Socket.connect}.
   *
   * @example
   * ```ts
   * socket.open();
   * ```
   */
  open(): this {
    return this.connect();
  }

  /**
   * Leaves the namespace ("io client disconnect"); closes the connection when no other
   * namespace uses it.
   *
   * @example
   * ```ts
   * socket.disconnect();
   * ```
   */
  disconnect(): this {
    const connected = this.connected;
    if (connected) this.io.packet({ type: 1, nsp: this.nsp });
    this.#active = false;
    this.io.release();
    if (connected) this.onClose("io client disconnect");
    return this;
  }

  /**
   * The same as {@link Socket.disconnect}.
   *
   * @example
   * ```ts
   * socket.close();
   * ```
   */
  close(): this {
    return this.disconnect();
  }

  /**
   * Emits a "message" event.
   *
   * @example
   * ```ts
   * socket.send("hello");
   * ```
   */
  send(...args: any[]): this {
    return (this.emit as (ev: string, ...args: unknown[]) => this)("message", ...args);
  }

  /**
   * Sends an event; a function as last argument is called with the server's acknowledgement.
   *
   * @throws Error for a reserved event name ("connect", "disconnect", ...).
   * @example
   * ```ts
   * socket.emit("chat", "hi", { room: 1 }, new Uint8Array([1, 2]));
   * socket.emit("ask", 42, (answer) => console.log(answer));
   * ```
   */
  override emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): this {
    if (RESERVED.test(ev)) throw new Error(`"${ev}" is a reserved event name`);
    const flags = this.#flags;
    this.#flags = {};
    const data: unknown[] = [ev, ...(args as unknown[])];
    if (this.#opts.retries && !flags.fromQueue && !flags.volatile) {
      this.#enqueue(data, flags);
      return this;
    }
    const packet: SocketPacket = { type: 2, nsp: this.nsp, data };
    const last = data[data.length - 1];
    if (typeof last === "function") {
      data.pop();
      const id = this.#ids++;
      packet.id = id;
      this.#addAck(id, last as AnyListener, flags);
    }
    if (flags.volatile && !(this.connected && this.io.engine?.transport.writable)) return this;
    if (this.connected) {
      this.#notifyOutgoing(data);
      this.io.packet(packet, flags.compress);
    } else {
      this.sendBuffer.push(packet);
    }
    return this;
  }

  /**
   * Sends an event and resolves with the acknowledgement (rejects on timeout or disconnection).
   *
   * @example
   * ```ts
   * const answer = await socket.timeout(1000).emitWithAck("ask", 42);
   * ```
   */
  emitWithAck<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: AllButLast<EventParams<EmitEvents, Ev>>): Promise<AckResult<Last<EventParams<EmitEvents, Ev>>>> {
    return new Promise((resolve, reject) => {
      this.#flags.withError = true;
      (this.emit as (ev: string, ...args: unknown[]) => this)(ev, ...(args as unknown[]), (err: Error | null, value: AckResult<Last<EventParams<EmitEvents, Ev>>>) =>
        err ? reject(err) : resolve(value),
      );
    });
  }

  /**
   * Sets a timeout on the next emit's acknowledgement; the callback then gets an error first.
   *
   * @example
   * ```ts
   * socket.timeout(5000).emit("ask", (err, answer) => console.log(err ?? answer));
   * ```
   */
  timeout(ms: number): Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>> {
    this.#flags.timeout = ms;
    return this as unknown as Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>>;
  }

  /**
   * Sets whether the next emit is compressed (WebSocket permessage-deflate; Node only).
   *
   * @example
   * ```ts
   * socket.compress(false).emit("bulk", data);
   * ```
   */
  compress(compress: boolean): this {
    this.#flags.compress = compress;
    return this;
  }

  /**
   * Listens to every event from the server: `(event, ...args)`.
   *
   * @example
   * ```ts
   * socket.onAny((event, ...args) => console.log(event, args));
   * ```
   */
  onAny(listener: AnyListener): this {
    this.#any = [...this.#any, listener];
    return this;
  }

  /**
   * Like `onAny`, but called before the other catch-all listeners.
   *
   * @example
   * ```ts
   * socket.prependAny((event) => console.log("first", event));
   * ```
   */
  prependAny(listener: AnyListener): this {
    this.#any = [listener, ...this.#any];
    return this;
  }

  /**
   * Removes one catch-all listener, or all of them.
   *
   * @example
   * ```ts
   * socket.offAny(logger); socket.offAny();
   * ```
   */
  offAny(listener?: AnyListener): this {
    this.#any = without(this.#any, listener);
    return this;
  }

  /**
   * The catch-all listeners.
   *
   * @example
   * ```ts
   * socket.listenersAny().length;
   * ```
   */
  listenersAny(): AnyListener[] {
    return this.#any.slice();
  }

  /**
   * Listens to every event sent to the server: `(event, ...args)` (acknowledgement callbacks left out).
   *
   * @example
   * ```ts
   * socket.onAnyOutgoing((event, ...args) => console.log("sent", event));
   * ```
   */
  onAnyOutgoing(listener: AnyListener): this {
    this.#anyOutgoing = [...this.#anyOutgoing, listener];
    return this;
  }

  /**
   * Like `onAnyOutgoing`, but called before the others.
   *
   * @example
   * ```ts
   * socket.prependAnyOutgoing((event) => console.log(event));
   * ```
   */
  prependAnyOutgoing(listener: AnyListener): this {
    this.#anyOutgoing = [listener, ...this.#anyOutgoing];
    return this;
  }

  /**
   * Removes one outgoing catch-all listener, or all of them.
   *
   * @example
   * ```ts
   * socket.offAnyOutgoing();
   * ```
   */
  offAnyOutgoing(listener?: AnyListener): this {
    this.#anyOutgoing = without(this.#anyOutgoing, listener);
    return this;
  }

  /**
   * The outgoing catch-all listeners.
   *
   * @example
   * ```ts
   * socket.listenersAnyOutgoing().length;
   * ```
   */
  listenersAnyOutgoing(): AnyListener[] {
    return this.#anyOutgoing.slice();
  }

  /**
   * Called by the Manager when the connection opens: sends CONNECT with `auth`, plus the
   * session id and last offset for connection state recovery.
   */
  onOpen(): void {
    const auth = this.auth;
    if (typeof auth === "function") auth((data) => this.#sendConnect(data));
    else this.#sendConnect(auth);
  }

  /** Called by the Manager with each packet for this namespace. */
  onPacket(packet: SocketPacket): void {
    const data = packet.data as any;
    switch (packet.type) {
      case 0:
        // Socket.IO v5: `{ sid, pid? }` (the decoder checked that data, if any, is an object).
        this.#onConnect(data?.sid, data?.pid);
        break;
      case 2:
      case 5:
        this.#onEvent(data as unknown[], packet.id);
        break;
      case 3:
      case 6:
        this.#onAck(packet.id as number, data as unknown[]);
        break;
      case 1:
        this.#active = false;
        this.io.release();
        this.onClose("io server disconnect");
        break;
      case 4: {
        this.#active = false;
        this.io.release();
        // Socket.IO v5: `{ message, data? }`.
        const err: ConnectError = new Error(data?.message);
        err.data = data?.data;
        this.emitReserved("connect_error", err);
      }
    }
  }

  /** Called by the Manager when the connection could not open. */
  onError(err: Error): void {
    if (!this.connected) this.emitReserved("connect_error", err);
  }

  /** Called by the Manager when the connection closed. */
  onClose(reason: string, description?: unknown): void {
    if (!this.connected) return;
    this.connected = false;
    this.id = undefined;
    this.emitReserved("disconnect", reason, description);
    // Acks that asked for an error are told now, except those of packets still buffered.
    for (const [id, ack] of this.#acks) {
      if (this.sendBuffer.some((packet) => packet.id === id)) continue;
      this.#acks.delete(id);
      clearTimeout(ack.timer);
      if (ack.withError) ack.callback(new Error("socket has been disconnected"));
    }
  }

  #sendConnect(data: Record<string, unknown> | undefined): void {
    const pid = this.#pid;
    this.io.packet({ type: 0, nsp: this.nsp, data: pid === undefined ? data : { pid, offset: this.#offset, ...data } });
  }

  #onConnect(id: string, pid: string | undefined): void {
    this.id = id;
    this.recovered = pid !== undefined && pid === this.#pid;
    this.#pid = pid;
    this.connected = true;
    const buffer = this.sendBuffer;
    this.sendBuffer = [];
    for (const packet of buffer) {
      this.#notifyOutgoing(packet.data as unknown[]);
      this.io.packet(packet);
    }
    this.emitReserved("connect");
    this.#drainQueue(true);
  }

  #onEvent(args: unknown[], id: number | undefined): void {
    if (id !== undefined) {
      let sent = false;
      args.push((...response: unknown[]) => {
        if (sent) return;
        sent = true;
        this.io.packet({ type: 3, nsp: this.nsp, id, data: response });
      });
    }
    for (const listener of this.#any) listener.apply(this, args);
    this.emitReserved(...(args as [string, ...unknown[]]));
    // With connection state recovery, the server appends each event's offset as its last argument.
    const last = args[args.length - 1];
    if (this.#pid !== undefined && typeof last === "string") this.#offset = last;
  }

  #onAck(id: number, args: unknown[]): void {
    const ack = this.#acks.get(id);
    if (ack === undefined) return;
    this.#acks.delete(id);
    clearTimeout(ack.timer);
    if (ack.withError) ack.callback(null, ...args);
    else ack.callback(...args);
  }

  #addAck(id: number, callback: AnyListener, flags: Flags): void {
    const timeout = flags.timeout ?? this.#opts.ackTimeout;
    const ack: PendingAck = { callback, withError: flags.withError || timeout !== undefined, timer: undefined };
    if (timeout !== undefined) {
      ack.timer = setTimeout(() => {
        this.#acks.delete(id);
        const index = this.sendBuffer.findIndex((packet) => packet.id === id);
        if (index !== -1) this.sendBuffer.splice(index, 1);
        callback(new Error("operation has timed out"));
      }, timeout);
    }
    this.#acks.set(id, ack);
  }

  /** `retries`: one emit in flight at a time, resent until acknowledged or out of tries. */
  #enqueue(args: unknown[], flags: Flags): void {
    const last = args[args.length - 1];
    const callback = typeof last === "function" ? (args.pop() as AnyListener) : undefined;
    const item: QueuedEmit = { args, flags: { ...flags, fromQueue: true, withError: true }, tries: 0, pending: false };
    args.push((err: Error | null, ...response: unknown[]) => {
      if (item !== this.#queue[0]) return;
      if (err === null) {
        this.#queue.shift();
        callback?.(null, ...response);
      } else if (item.tries > (this.#opts.retries as number)) {
        this.#queue.shift();
        callback?.(err);
      }
      item.pending = false;
      this.#drainQueue();
    });
    this.#queue.push(item);
    this.#drainQueue();
  }

  #drainQueue(force?: boolean): void {
    const item = this.#queue[0];
    if (!this.connected || item === undefined || (item.pending && !force)) return;
    item.pending = true;
    item.tries++;
    this.#flags = item.flags;
    (this.emit as (...args: unknown[]) => this)(...item.args);
  }

  #notifyOutgoing(args: unknown[]): void {
    for (const listener of this.#anyOutgoing) listener.apply(this, args);
  }

}

/** The list without `listener`, or empty when no listener is given. */
function without(list: AnyListener[], listener: AnyListener | undefined): AnyListener[] {
  return listener === undefined ? [] : list.filter((l) => l !== listener);
}
