// Middleware chains: namespace middlewares run once per connecting socket (`io.use`), packet
// middlewares once per incoming event (`socket.use`). Both take `(value, next)`; `next(err)` stops.

/**
 * An error a middleware refuses with; `data` reaches the client (`connect_error` → `err.data`).
 *
 * @example
 * ```ts
 * io.use((socket, next) => {
 *   const err: ExtendedError = new Error("not authorized");
 *   err.data = { content: "Please retry later" };
 *   next(err);
 * });
 * ```
 */
export interface ExtendedError extends Error {
  data?: unknown;
}

/**
 * A namespace middleware: runs before a socket connects; `next(err)` refuses the connection.
 *
 * @example
 * ```ts
 * const auth: NamespaceMiddleware<Socket> = (socket, next) => (socket.handshake.auth.token ? next() : next(new Error("no token")));
 * io.use(auth);
 * ```
 */
export type NamespaceMiddleware<S> = (socket: S, next: (err?: ExtendedError) => void) => void;

/**
 * An incoming event as packet middlewares see it: the event name, then its arguments (an ack
 * callback last when the client asked for one).
 *
 * @example
 * ```ts
 * const event: Event = ["chat", "hello"];
 * ```
 */
export type Event = [string, ...any[]];

/**
 * A packet middleware: runs for each incoming event; `next(err)` drops it and emits `error` on the socket.
 *
 * @example
 * ```ts
 * socket.use(([event, ...args], next) => (event === "forbidden" ? next(new Error("nope")) : next()));
 * ```
 */
export type PacketMiddleware = (event: Event, next: (err?: Error) => void) => void;

/**
 * Runs `fns` in order on `value`; `done(err)` is called once, with the first error or `null`
 * after the last middleware. A middleware that throws before calling `next` counts as
 * `next(err)`; calling `next` twice is ignored.
 *
 * @example
 * ```ts
 * runMiddlewares(nsp.middlewares, socket, (err) => (err ? refuse(err) : accept()));
 * ```
 */
export function runMiddlewares<T, E extends Error>(
  fns: readonly ((value: T, next: (err?: E) => void) => void)[],
  value: T,
  done: (err: E | null) => void,
): void {
  const count = fns.length;
  if (count === 0) {
    done(null);
    return;
  }
  let index = 0;
  let finished = false;
  const step = (): void => {
    const fn = fns[index] as (value: T, next: (err?: E) => void) => void;
    let called = false;
    const next = (err?: E): void => {
      if (called || finished) return;
      called = true;
      if (err !== undefined && err !== null) {
        finished = true;
        done(err);
      } else if (++index < count) {
        step();
      } else {
        finished = true;
        done(null);
      }
    };
    try {
      fn(value, next);
    } catch (err) {
      // Thrown after next(): it came from later code (a listener), not from this middleware.
      if (called) throw err;
      next(err instanceof Error ? (err as E) : (new Error(String(err)) as E));
    }
  };
  step();
}
