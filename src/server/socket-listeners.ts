// The listening side of a socket: typed `on`/`once`/`off`, and the catch-all listeners of
// incoming (`onAny`) and outgoing (`onAnyOutgoing`) events, created only when used.

import { EventEmitter } from "node:events";
import type { SocketPacket } from "../protocol/index.js";
import type { DisconnectReason } from "./reserved-events.js";
import type { EventsMap, ReservedOrUserEventNames, ReservedOrUserListener } from "./typed-events.js";

/**
 * Events the library emits on a socket.
 *
 * @example
 * ```ts
 * socket.on("disconnecting", (reason) => console.log("leaving", socket.rooms));
 * ```
 */
export interface SocketReservedEventsMap {
  disconnect: (reason: DisconnectReason, description?: any) => void;
  disconnecting: (reason: DisconnectReason, description?: any) => void;
  error: (err: Error) => void;
}


type AnyListener = (...args: any[]) => void;

/**
 * The base of `Socket`: its listeners. Catch-all lists exist only once a listener is added.
 *
 * @example
 * ```ts
 * socket.onAny((event, ...args) => console.log("in", event, args));
 * socket.onAnyOutgoing((event, ...args) => console.log("out", event, args));
 * ```
 */
export abstract class SocketListeners<ListenEvents extends EventsMap> extends EventEmitter {
  #anyListeners: AnyListener[] | undefined;
  #anyOutgoingListeners: AnyListener[] | undefined;

  /**
   * Adds a listener for an event from the client, or for a reserved event (`disconnect`, …).
   *
   * @example
   * ```ts
   * socket.on("chat", (text: string) => console.log(text));
   * ```
   */
  override on<Ev extends ReservedOrUserEventNames<SocketReservedEventsMap, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<SocketReservedEventsMap, ListenEvents, Ev>,
  ): this {
    return super.on(ev, listener as AnyListener);
  }

  /**
   * Adds a one-time listener.
   *
   * @example
   * ```ts
   * socket.once("ready", () => console.log("ready once"));
   * ```
   */
  override once<Ev extends ReservedOrUserEventNames<SocketReservedEventsMap, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<SocketReservedEventsMap, ListenEvents, Ev>,
  ): this {
    return super.once(ev, listener as AnyListener);
  }

  /**
   * Removes a listener.
   *
   * @example
   * ```ts
   * socket.off("chat", onChat);
   * ```
   */
  override off<Ev extends ReservedOrUserEventNames<SocketReservedEventsMap, ListenEvents>>(
    ev: Ev,
    listener: ReservedOrUserListener<SocketReservedEventsMap, ListenEvents, Ev>,
  ): this {
    return super.off(ev, listener as AnyListener);
  }

  /**
   * Adds a listener called for every incoming event, with the event name first.
   *
   * @example
   * ```ts
   * socket.onAny((event, ...args) => console.log("got", event, args));
   * ```
   */
  onAny(listener: (event: string, ...args: any[]) => void): this {
    (this.#anyListeners ??= []).push(listener);
    return this;
  }

  /**
   * Like {@link onAny}, but the listener runs before the others.
   *
   * @example
   * ```ts
   * socket.prependAny((event) => metrics.count(event));
   * ```
   */
  prependAny(listener: (event: string, ...args: any[]) => void): this {
    (this.#anyListeners ??= []).unshift(listener);
    return this;
  }

  /**
   * Removes a catch-all listener, or all of them when none is given.
   *
   * @example
   * ```ts
   * socket.offAny(logger);
   * ```
   */
  offAny(listener?: (event: string, ...args: any[]) => void): this {
    this.#anyListeners = removeListener(this.#anyListeners, listener);
    return this;
  }

  /**
   * The catch-all listeners.
   *
   * @example
   * ```ts
   * socket.listenersAny().length; // 1
   * ```
   */
  listenersAny(): ((event: string, ...args: any[]) => void)[] {
    return this.#anyListeners?.slice() ?? [];
  }

  /**
   * Adds a listener called for every outgoing event (not for broadcasts' acks), with the event name first.
   *
   * @example
   * ```ts
   * socket.onAnyOutgoing((event, ...args) => console.log("sent", event));
   * ```
   */
  onAnyOutgoing(listener: (event: string, ...args: any[]) => void): this {
    (this.#anyOutgoingListeners ??= []).push(listener);
    return this;
  }

  /**
   * Like {@link onAnyOutgoing}, but the listener runs before the others.
   *
   * @example
   * ```ts
   * socket.prependAnyOutgoing((event) => metrics.count("out", event));
   * ```
   */
  prependAnyOutgoing(listener: (event: string, ...args: any[]) => void): this {
    (this.#anyOutgoingListeners ??= []).unshift(listener);
    return this;
  }

  /**
   * Removes an outgoing catch-all listener, or all of them when none is given.
   *
   * @example
   * ```ts
   * socket.offAnyOutgoing();
   * ```
   */
  offAnyOutgoing(listener?: (event: string, ...args: any[]) => void): this {
    this.#anyOutgoingListeners = removeListener(this.#anyOutgoingListeners, listener);
    return this;
  }

  /**
   * The outgoing catch-all listeners.
   *
   * @example
   * ```ts
   * socket.listenersAnyOutgoing().length; // 0
   * ```
   */
  listenersAnyOutgoing(): ((event: string, ...args: any[]) => void)[] {
    return this.#anyOutgoingListeners?.slice() ?? [];
  }

  /** Calls the catch-all listeners with an incoming event (`args[0]` is its name). */
  protected callAnyListeners(args: unknown[]): void {
    const any = this.#anyListeners;
    if (any === undefined) return;
    const listeners = any.slice();
    for (let i = 0; i < listeners.length; i++) (listeners[i] as AnyListener).apply(this, args);
  }

  /** Calls the outgoing catch-all listeners with the data of an outgoing EVENT packet. */
  protected notifyOutgoing(packet: SocketPacket): void {
    const any = this.#anyOutgoingListeners;
    if (any === undefined) return;
    const listeners = any.slice();
    const args = packet.data as unknown[];
    for (let i = 0; i < listeners.length; i++) (listeners[i] as AnyListener).apply(this, args);
  }
}

function removeListener(list: AnyListener[] | undefined, listener: AnyListener | undefined): AnyListener[] | undefined {
  if (list === undefined || listener === undefined) return undefined;
  const index = list.indexOf(listener);
  if (index !== -1) list.splice(index, 1);
  return list.length === 0 ? undefined : list;
}
