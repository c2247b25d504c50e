// Typed event maps of the client, the same shapes the server uses (kept one level deep).

/**
 * Event names mapped to listener signatures.
 *
 * @example
 * ```ts
 * interface ServerToClientEvents extends EventsMap { news: (title: string) => void }
 * ```
 */
export interface EventsMap {
  [event: string]: any;
}

/**
 * Any event with any arguments: the map used when none is given.
 *
 * @example
 * ```ts
 * const socket: Socket<DefaultEventsMap, DefaultEventsMap> = io();
 * ```
 */
export interface DefaultEventsMap {
  [event: string]: (...args: any[]) => void;
}

/**
 * The names of a map.
 *
 * @example
 * ```ts
 * type N = EventNames<{ a: () => void }>; // "a"
 * ```
 */
export type EventNames<Map extends EventsMap> = keyof Map & string;

/**
 * The arguments of one event.
 *
 * @example
 * ```ts
 * type A = EventParams<{ move: (x: number) => void }, "move">; // [x: number]
 * ```
 */
export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/**
 * The listener of `Ev`, looked up in the reserved map first, then the user's; untyped when in neither.
 *
 * @example
 * ```ts
 * type L = Listener<{ connect: () => void }, {}, "connect">; // () => void
 * ```
 */
export type Listener<Reserved extends EventsMap, User extends EventsMap, Ev extends string> = Ev extends keyof Reserved
  ? Reserved[Ev]
  : Ev extends keyof User
    ? User[Ev]
    : (...args: any[]) => void;

/**
 * The last item of a tuple.
 *
 * @example
 * ```ts
 * type L = Last<[string, number]>; // number
 * ```
 */
export type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : any;

/**
 * All items of a tuple but the last.
 *
 * @example
 * ```ts
 * type H = AllButLast<[string, number]>; // [string]
 * ```
 */
export type AllButLast<T extends readonly unknown[]> = T extends readonly [...infer H, unknown] ? H : any[];

/**
 * The first parameter of a function type.
 *
 * @example
 * ```ts
 * type A = FirstArg<(x: number) => void>; // number
 * ```
 */
export type FirstArg<T> = T extends (arg: infer A, ...rest: any[]) => any ? A : any;

/**
 * The map as `socket.timeout(ms)` sees it: acknowledgement callbacks get an error first.
 *
 * @example
 * ```ts
 * // { ask: (q: string, cb: (n: number) => void) => void } becomes
 * // { ask: (q: string, cb: (err: Error | null, n: number) => void) => void }
 * ```
 */
export type DecorateAcknowledgements<Map extends EventsMap> = {
  [K in keyof Map]: Map[K] extends (...args: infer P) => infer R
    ? Last<P> extends (...ackArgs: infer A) => any
      ? (...args: [...AllButLast<P>, (err: Error | null, ...ackArgs: A) => void]) => R
      : Map[K]
    : Map[K];
};
