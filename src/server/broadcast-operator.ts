// Immutable broadcast targets: `io.to("a").except("b").volatile.emit(...)`. Each modifier returns
// a new operator; `emit` hands one packet to the adapter, which encodes it once for everyone.

import type { Adapter, BroadcastFlags, BroadcastOptions, Room, SocketId } from "../adapters/adapter.js";
import { PacketType } from "../protocol/index.js";
import type { SocketPacket } from "../protocol/index.js";
import { RemoteSocket } from "./remote-socket.js";
import { RESERVED_EVENTS } from "./reserved-events.js";
import type { AckParams, AckResults, DecorateAcknowledgementsWithMultipleResponses, EventNames, EventParams, EventsMap } from "./typed-events.js";

const NO_ROOMS: ReadonlySet<Room> = new Set();
const NO_FLAGS: Readonly<BroadcastFlags> = {};

/**
 * Who a broadcast goes to, and how. Immutable: `to`, `except`, `volatile`, … return new operators.
 *
 * @example
 * ```ts
 * io.to("room1").except("muted").emit("news", article);
 * const responses = await io.timeout(2000).emitWithAck("poll");
 * const sockets = await io.in("room1").fetchSockets();
 * ```
 */
export class BroadcastOperator<EmitEvents extends EventsMap, SocketData = any> {
  readonly #adapter: Adapter;
  readonly #rooms: ReadonlySet<Room>;
  readonly #except: ReadonlySet<Room>;
  readonly #flags: Readonly<BroadcastFlags>;
  #opts: BroadcastOptions | undefined;

  constructor(adapter: Adapter, rooms?: ReadonlySet<Room>, except?: ReadonlySet<Room>, flags?: Readonly<BroadcastFlags>) {
    this.#adapter = adapter;
    this.#rooms = rooms ?? NO_ROOMS;
    this.#except = except ?? NO_ROOMS;
    this.#flags = flags ?? NO_FLAGS;
  }

  /**
   * Targets the sockets in `room` too (rooms add up: a socket in any of them receives it once).
   *
   * @example
   * ```ts
   * io.to("room1").to(["room2", "room3"]).emit("news");
   * ```
   */
  to(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#adapter, withRooms(this.#rooms, room), this.#except, this.#flags);
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
    return this.to(room);
  }

  /**
   * Leaves out the sockets in `room` (or the socket whose id it is).
   *
   * @example
   * ```ts
   * io.except("room1").emit("news");
   * ```
   */
  except(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#adapter, this.#rooms, withRooms(this.#except, room), this.#flags);
  }

  /**
   * Whether the packet may be compressed (default true).
   *
   * @example
   * ```ts
   * io.compress(false).emit("blob", bytes);
   * ```
   */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#adapter, this.#rooms, this.#except, { ...this.#flags, compress });
  }

  /**
   * Drops the packet for each socket that cannot take it right now.
   *
   * @example
   * ```ts
   * io.volatile.emit("tick", Date.now());
   * ```
   */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#adapter, this.#rooms, this.#except, { ...this.#flags, volatile: true });
  }

  /**
   * Only the sockets of this process (with several servers behind an adapter).
   *
   * @example
   * ```ts
   * io.local.emit("hello from this node");
   * ```
   */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#adapter, this.#rooms, this.#except, { ...this.#flags, local: true });
  }

  /**
   * Waits `ms` for every recipient's acknowledgement; the callback gets `(err, responses)`,
   * `err` set when some did not answer in time.
   *
   * @example
   * ```ts
   * io.timeout(1000).emit("poll", (err, responses) => console.log(err ? "some missing" : "all", responses));
   * ```
   */
  timeout(ms: number): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return new BroadcastOperator(this.#adapter, this.#rooms, this.#except, { ...this.#flags, timeout: ms });
  }

  #options(): BroadcastOptions {
    return (this.#opts ??= { rooms: this.#rooms, except: this.#except, flags: this.#flags });
  }

  /**
   * Sends an event to every target. With an ack callback last, it gets `(err, responses)`
   * once every target answered (or, with `timeout()`, when time is up).
   *
   * @throws Error when `ev` is a reserved event name.
   * @example
   * ```ts
   * io.to("room1").emit("news", { title: "hello" });
   * ```
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    if (RESERVED_EVENTS.has(ev as string)) throw new Error(`"${String(ev)}" is a reserved event name`);
    const data = args as unknown[];
    data.unshift(ev);
    const packet: SocketPacket = { type: PacketType.EVENT, nsp: "/", data };
    const last = data[data.length - 1];
    if (typeof last !== "function") {
      this.#adapter.broadcast(packet, this.#options());
      return true;
    }
    data.pop();
    this.#emitWithAck(packet, last as (err: Error | null, responses: unknown) => void);
    return true;
  }

  #emitWithAck(packet: SocketPacket, ack: (err: Error | null, responses: unknown) => void): void {
    const single = this.#flags.expectSingleResponse === true;
    const timeout = this.#flags.timeout;
    const responses: unknown[] = [];
    let finished = false;
    let expectedServers = -1;
    let countedServers = 0;
    let expectedClients = 0;
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => {
            if (finished) return;
            finished = true;
            ack.call(this, new Error("operation has timed out"), single ? null : responses);
          }, timeout);
    const check = (): void => {
      if (finished || expectedServers !== countedServers || responses.length < expectedClients) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      ack.call(this, null, single ? responses[0] : responses);
    };
    this.#adapter.broadcastWithAck(
      packet,
      this.#options(),
      (clientCount) => {
        expectedClients += clientCount;
        countedServers++;
        check();
      },
      (response) => {
        if (finished) return;
        responses.push(response);
        check();
      },
    );
    this.#adapter.serverCount().then(
      (count) => {
        expectedServers = count;
        check();
      },
      () => {
        expectedServers = countedServers;
        check();
      },
    );
  }

  /**
   * Sends an event and resolves with the responses of every target (with `timeout()`: rejects
   * when some did not answer in time).
   *
   * @example
   * ```ts
   * const answers = await io.timeout(1000).emitWithAck("poll", "question");
   * ```
   */
  emitWithAck<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: AckParams<EmitEvents, Ev>): Promise<AckResults<EmitEvents, Ev>> {
    return new Promise((resolve, reject) => {
      const callback = (err: Error | null, responses: AckResults<EmitEvents, Ev>) => (err ? reject(err) : resolve(responses));
      (this.emit as (ev: string | symbol, ...args: unknown[]) => boolean)(ev, ...(args as unknown[]), callback);
    });
  }

  /**
   * The ids of the targeted sockets.
   *
   * @deprecated Use {@link fetchSockets}.
   * @example
   * ```ts
   * const ids = await io.in("room1").allSockets();
   * ```
   */
  allSockets(): Promise<Set<SocketId>> {
    return this.#adapter.sockets(this.#rooms);
  }

  /**
   * The targeted sockets, as objects you can emit to, move between rooms and disconnect.
   *
   * @example
   * ```ts
   * for (const socket of await io.in("room1").fetchSockets()) socket.emit("hi", socket.data.name);
   * ```
   */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.#adapter
      .fetchSockets(this.#options())
      .then((list) => list.map((details) => new RemoteSocket<EmitEvents, SocketData>(this.#adapter, details)));
  }

  /**
   * Makes the targeted sockets join `room`.
   *
   * @example
   * ```ts
   * io.in("lobby").socketsJoin("game-1");
   * ```
   */
  socketsJoin(room: Room | readonly Room[]): void {
    this.#adapter.addSockets(this.#options(), Array.isArray(room) ? [...(room as readonly Room[])] : [room as Room]);
  }

  /**
   * Makes the targeted sockets leave `room`.
   *
   * @example
   * ```ts
   * io.in("game-1").socketsLeave("game-1");
   * ```
   */
  socketsLeave(room: Room | readonly Room[]): void {
    this.#adapter.delSockets(this.#options(), Array.isArray(room) ? [...(room as readonly Room[])] : [room as Room]);
  }

  /**
   * Disconnects the targeted sockets (`close`: their whole connection).
   *
   * @example
   * ```ts
   * io.in("banned").disconnectSockets(true);
   * ```
   */
  disconnectSockets(close = false): void {
    this.#adapter.disconnectSockets(this.#options(), close);
  }
}

function withRooms(rooms: ReadonlySet<Room>, add: Room | readonly Room[]): ReadonlySet<Room> {
  const next = new Set(rooms);
  // Only arrays are lists (as in Socket.IO): any other value is one room.
  if (Array.isArray(add)) for (const room of add as readonly Room[]) next.add(room);
  else next.add(add as Room);
  return next;
}
