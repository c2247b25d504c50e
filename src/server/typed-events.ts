// Typed event maps for Server, Namespace and Socket, as Socket.IO 4 types them.
// Kept shallow on purpose (one level of mapped/conditional types): deep inference slows editors.

/**
 * A map of event names to listener signatures.
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
 * The map used when none is given: any event, any arguments.
 *
 * @example
 * ```ts
 * const io = new Server<DefaultEventsMap, DefaultEventsMap>();
 * ```
 */
export interface DefaultEventsMap {
  [event: string]: (...args: any[]) => void;
}

/**
 * The event names of a map.
 *
 * @example
 * ```ts
 * type Names = EventNames<{ a: () => void; b: (x: number) => void }>; // "a" | "b"
 * ```
 */
export type EventNames<Map extends EventsMap> = keyof Map & (string | symbol);

/**
 * The arguments of event `Ev`.
 *
 * @example
 * ```ts
 * type Args = EventParams<{ move: (x: number, y: number) => void }, "move">; // [x: number, y: number]
 * ```
 */
export type EventParams<Map extends EventsMap, Ev extends EventNames<Map>> = Parameters<Map[Ev]>;

/** Untyped fallback when a name is in neither map (a `DefaultEventsMap`-like index signature). */
type FallbackToUntypedListener<T> = [T] extends [never] ? (...args: any[]) => void | Promise<void> : T;

/**
 * Reserved names plus the user's names: what `on()` accepts.
 *
 * @example
 * ```ts
 * type Names = ReservedOrUserEventNames<{ disconnect: () => void }, { chat: () => void }>; // "disconnect" | "chat"
 * ```
 */
export type ReservedOrUserEventNames<Reserved extends EventsMap, User extends EventsMap> = EventNames<Reserved> | EventNames<User>;

/**
 * The listener type of event `Ev`, reserved events first.
 *
 * @example
 * ```ts
 * type L = ReservedOrUserListener<{ disconnect: (r: string) => void }, {}, "disconnect">; // (r: string) => void
 * ```
 */
export type ReservedOrUserListener<Reserved extends EventsMap, User extends EventsMap, Ev extends ReservedOrUserEventNames<Reserved, User>> =
  FallbackToUntypedListener<Ev extends EventNames<Reserved> ? Reserved[Ev] : Ev extends EventNames<User> ? User[Ev] : never>;

/**
 * The last item of a tuple (`any` for a plain array).
 *
 * @example
 * ```ts
 * type L = Last<[string, number]>; // number
 * ```
 */
export type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : any;

/**
 * Every item of a tuple but the last (`any[]` for a plain array).
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
 * The events of a map whose last argument is an acknowledgement callback.
 *
 * @example
 * ```ts
 * type E = EventNamesWithAck<{ a: (cb: (ok: boolean) => void) => void; b: () => void }>; // "a"
 * ```
 */
export type EventNamesWithAck<Map extends EventsMap> = {
  [K in EventNames<Map>]: Last<Parameters<Map[K]>> extends (...args: any[]) => any ? K : never;
}[EventNames<Map>];

/**
 * The map as `socket.timeout(ms)` sees it: ack callbacks get an `Error` (or `null`) first.
 *
 * @example
 * ```ts
 * // { ask: (q: string, cb: (res: number) => void) => void } becomes
 * // { ask: (q: string, cb: (err: Error | null, res: number) => void) => void }
 * ```
 */
export type DecorateAcknowledgements<Map extends EventsMap> = {
  [K in keyof Map]: Map[K] extends (...args: infer P) => infer R
    ? Last<P> extends (...ackArgs: infer A) => any
      ? (...args: [...AllButLast<P>, (err: Error | null, ...ackArgs: A) => void]) => R
      : Map[K]
    : Map[K];
};

/**
 * The map as a broadcast with timeout sees it: ack callbacks get an `Error` (or `null`) and
 * the array of responses.
 *
 * @example
 * ```ts
 * io.timeout(1000).emit("ask", "q", (err, responses) => console.log(responses.length));
 * ```
 */
export type DecorateAcknowledgementsWithMultipleResponses<Map extends EventsMap> = {
  [K in keyof Map]: Map[K] extends (...args: infer P) => infer R
    ? Last<P> extends (...ackArgs: any[]) => any
      ? (...args: [...AllButLast<P>, (err: Error | null, responses: FirstArg<Last<P>>[]) => void]) => R
      : Map[K]
    : Map[K];
};

/**
 * The map with acknowledgement callbacks removed (what the server can emit without acks).
 *
 * @example
 * ```ts
 * type E = RemoveAcknowledgements<{ a: (cb: () => void) => void; b: () => void }>; // { b: () => void }
 * ```
 */
export type RemoveAcknowledgements<Map extends EventsMap> = {
  [K in EventNames<Map> as K extends EventNamesWithAck<Map> ? never : K]: Map[K];
};

/**
 * The arguments of `emitWithAck(ev, ...)`: the event's arguments without the ack callback.
 *
 * @example
 * ```ts
 * const answer = await socket.emitWithAck("ask", "question");
 * ```
 */
export type AckParams<Map extends EventsMap, Ev extends EventNames<Map>> = AllButLast<EventParams<Map, Ev>>;

/** The parameters of the ack callback of event `Ev` (`undefined` when untyped). */
type AckCallbackParams<Map extends EventsMap, Ev extends EventNames<Map>> =
  unknown extends Last<EventParams<Map, Ev>> ? undefined : Last<EventParams<Map, Ev>> extends (...args: infer P) => any ? P : undefined;

/**
 * What `socket.emitWithAck(ev, ...)` resolves to: the client's answer (the first argument of
 * the ack callback, or the second when the first is the timeout error).
 *
 * @example
 * ```ts
 * type R = AckResult<{ ask: (q: string, cb: (answer: number) => void) => void }, "ask">; // number
 * ```
 */
export type AckResult<Map extends EventsMap, Ev extends EventNames<Map>> =
  AckCallbackParams<Map, Ev> extends [infer A, infer B, ...any[]]
    ? [Error] extends [A]
      ? B
      : A
    : AckCallbackParams<Map, Ev> extends [infer A, ...any[]]
      ? A
      : any;

/**
 * What a broadcast's `emitWithAck(ev, ...)` resolves to: the answers of every recipient.
 *
 * @example
 * ```ts
 * type R = AckResults<{ ask: (q: string, cb: (answer: number) => void) => void }, "ask">; // number[]
 * ```
 */
export type AckResults<Map extends EventsMap, Ev extends EventNames<Map>> =
  AckCallbackParams<Map, Ev> extends [infer A, infer B, ...any[]]
    ? [Error] extends [A]
      ? B
      : A[]
    : AckCallbackParams<Map, Ev> extends [infer A, ...any[]]
      ? A[]
      : any[];
