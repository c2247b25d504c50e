// The one small event emitter of the client (browser-safe, no Node `events`).
// Listeners live in a plain object of arrays; `emit` iterates over a copy so a listener may
// remove itself (as `once` does) while the event is being delivered.

type Listener = (...args: any[]) => unknown;

/** A `once` wrapper remembers the listener it wraps so `off(ev, fn)` still finds it. */
interface OnceWrapper extends Listener {
  listener: Listener;
}

/**
 * A minimal event emitter: `on`, `once`, `off`, `listeners`, `hasListeners`, `emit`.
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
export class Emitter {
  #listeners: Record<string, Listener[] | undefined> = Object.create(null) as Record<string, Listener[] | undefined>;

  /**
   * Adds a listener.
   *
   * @example
   * ```ts
   * manager.on("reconnect", (attempt) => console.log("back after", attempt));
   * ```
   */
  on(event: string, listener: Listener): this {
    (this.#listeners[event] ??= []).push(listener);
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
  once(event: string, listener: Listener): this {
    const wrapper = function (this: Emitter, ...args: unknown[]) {
      this.off(event, wrapper);
      return listener.apply(this, args);
    } as OnceWrapper;
    wrapper.listener = listener;
    return this.on(event, wrapper);
  }

  /**
   * Removes one listener, every listener of an event, or every listener (no argument).
   *
   * @example
   * ```ts
   * socket.off("chat", onChat); socket.off("chat"); socket.off();
   * ```
   */
  off(event?: string, listener?: Listener): this {
    if (event === undefined) {
      this.#listeners = Object.create(null) as Record<string, Listener[] | undefined>;
      return this;
    }
    const list = this.#listeners[event];
    if (list === undefined) return this;
    if (listener === undefined) {
      delete this.#listeners[event];
      return this;
    }
    for (let i = 0; i < list.length; i++) {
      const l = list[i] as Listener;
      if (l === listener || (l as OnceWrapper).listener === listener) {
        list.splice(i, 1);
        break;
      }
    }
    if (list.length === 0) delete this.#listeners[event];
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
    return this.#listeners[event]?.slice() ?? [];
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
    const list = this.#listeners[event];
    if (list === undefined) return;
    if (list.length === 1) {
      (list[0] as Listener).apply(this, args);
      return;
    }
    for (const listener of list.slice()) listener.apply(this, args);
  }
}
