// The one small event emitter of the client (browser-safe, no Node `events`).
// Listener arrays are copied on write and never changed in place, so `emit` iterates over the
// array it started with while listeners add or remove themselves (as `once` does).

import type { DefaultEventsMap, EventNames, EventsMap, Listener as TypedListener } from "./typed-events.js";

type Listener = (...args: any[]) => unknown;

/**
 * Does nothing: the one placeholder callback of the client.
 *
 * @example
 * ```ts
 * promise.catch(noop);
 * ```
 */
export function noop(): void {}

/** A `once` wrapper remembers the listener it wraps so `off(ev, fn)` still finds it. */
interface OnceWrapper extends Listener {
  listener: Listener;
}

/**
 * A minimal event emitter: `on`, `once`, `off`, `listeners`, `hasListeners`, `emit`, typed by
 * two event maps: the events it emits itself (`Reserved`) and the user's (`Events`).
 * Subclasses that give `emit` another meaning (the client `Socket` sends with it) deliver
 * their own events with {@link Emitter.emitReserved}.
 *
 * @example
 * ```ts
 * const e = new Emitter();
 * e.once("ready", (n: number) => console.log(n));
 * e.emit("ready", 1); // logs 1
 * e.emit("ready", 2); // nothing
 * ```
 */
export class Emitter<Events extends EventsMap = DefaultEventsMap, Reserved extends EventsMap = Record<never, never>> {
  #listeners: Record<string, Listener[] | undefined> = Object.create(null) as Record<string, Listener[] | undefined>;

  /** Alias of {@link on} (socket.io-client's Emitter has it). */
  declare addEventListener: this["on"];
  /** Alias of {@link off}. */
  declare removeListener: this["off"];
  /** Alias of {@link off}: with no argument, every listener goes. */
  declare removeAllListeners: this["off"];
  /** Alias of {@link off}. */
  declare removeEventListener: this["off"];

  /**
   * Adds a listener.
   *
   * @example
   * ```ts
   * manager.on("reconnect", (attempt) => console.log("back after", attempt));
   * ```
   */
  on<Ev extends EventNames<Events> | EventNames<Reserved>>(event: Ev, listener: TypedListener<Reserved, Events, Ev>): this;
  on(event: string, listener: Listener): this {
    this.#listeners[event] = [...(this.#listeners[event] ?? []), listener];
    return this;
  }

  /**
   * Adds a listener removed after its first call.
   *
   * @example
   * ```ts
   * manager.once("open", () => console.log("connected once"));
   * ```
   */
  once<Ev extends EventNames<Events> | EventNames<Reserved>>(event: Ev, listener: TypedListener<Reserved, Events, Ev>): this;
  once(event: string, listener: Listener): this {
    const wrapper = function (this: Emitter<DefaultEventsMap>, ...args: unknown[]) {
      this.off(event, wrapper);
      return listener.apply(this, args);
    } as OnceWrapper;
    wrapper.listener = listener;
    this.#listeners[event] = [...(this.#listeners[event] ?? []), wrapper];
    return this;
  }

  /**
   * Removes a listener, every listener of an event, or every listener (no argument).
   *
   * @example
   * ```ts
   * socket.off("chat", onChat); socket.off("chat"); socket.off();
   * ```
   */
  off<Ev extends EventNames<Events> | EventNames<Reserved>>(event?: Ev, listener?: TypedListener<Reserved, Events, Ev>): this;
  off(event?: string, listener?: Listener): this {
    if (event === undefined) {
      this.#listeners = Object.create(null) as Record<string, Listener[] | undefined>;
      return this;
    }
    const list = this.#listeners[event]?.filter((l) => listener !== undefined && l !== listener && (l as OnceWrapper).listener !== listener);
    if (list?.length) this.#listeners[event] = list;
    else delete this.#listeners[event];
    return this;
  }

  /**
   * The listeners of an event (a copy).
   *
   * @example
   * ```ts
   * socket.listeners("chat").length; // 1
   * ```
   */
  listeners(event: string): Listener[] {
    return [...(this.#listeners[event] ?? [])];
  }

  /**
   * Whether an event has at least one listener.
   *
   * @example
   * ```ts
   * if (manager.hasListeners("error")) manager.emit("error", err);
   * ```
   */
  hasListeners(event: string): boolean {
    return this.#listeners[event] !== undefined;
  }

  /**
   * Calls the listeners of an event with the arguments. On the client `Socket` this name sends
   * to the server instead; there, local events go through {@link Emitter.emitReserved}.
   *
   * @example
   * ```ts
   * manager.emit("ping");
   * ```
   */
  emit(event: string, ...args: any[]): unknown {
    this.emitReserved(event, ...args);
    return this;
  }

  /**
   * Calls the listeners of an event, whatever `emit` means in the subclass.
   *
   * @example
   * ```ts
   * socket.emitReserved("connect");
   * ```
   */
  emitReserved(event: string, ...args: unknown[]): void {
    for (const listener of this.#listeners[event] ?? []) listener.apply(this, args);
  }
}

// The aliases live on the prototype: one function each, shared by every emitter.
const proto = Emitter.prototype as unknown as Record<string, unknown>;
proto["addEventListener"] = proto["on"];
proto["removeListener"] = proto["removeAllListeners"] = proto["removeEventListener"] = proto["off"];
