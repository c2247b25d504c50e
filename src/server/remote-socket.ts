// What fetchSockets() returns: a socket's details plus the operations that work wherever the
// socket lives (this process or, through the adapter, another server).

import type { Adapter, Handshake, Room, SocketDetails, SocketId } from "../adapters/adapter.js";
import { BroadcastOperator } from "./broadcast-operator.js";
import type { DecorateAcknowledgements, EventNames, EventParams, EventsMap } from "./typed-events.js";

/**
 * A socket found by `fetchSockets()`: its id, handshake, rooms and data, and `emit`, `join`,
 * `leave`, `disconnect`, `timeout` that reach it through the adapter.
 *
 * @example
 * ```ts
 * const [socket] = await io.in(userId).fetchSockets();
 * socket?.join("vip");
 * const answer = await socket?.timeout(1000).emitWithAck("confirm");
 * ```
 */
export class RemoteSocket<EmitEvents extends EventsMap, SocketData = any> {
  readonly id: SocketId;
  readonly handshake: Handshake;
  /** The socket's rooms when it was fetched (its own id included). */
  readonly rooms: Set<Room>;
  readonly data: SocketData;
  readonly #operator: BroadcastOperator<EmitEvents, SocketData>;

  constructor(adapter: Adapter, details: SocketDetails) {
    this.id = details.id;
    this.handshake = details.handshake;
    this.rooms = new Set(details.rooms);
    this.data = details.data as SocketData;
    this.#operator = new BroadcastOperator(adapter, new Set([this.id]), undefined, { expectSingleResponse: true });
  }

  /**
   * Sends an event to this socket.
   *
   * @example
   * ```ts
   * remote.emit("hello", "world");
   * ```
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.#operator.emit(ev, ...args);
  }

  /**
   * The next emit waits `ms` for the acknowledgement; its callback gets `(err, response)`.
   *
   * @example
   * ```ts
   * remote.timeout(1000).emit("ping", (err, pong) => {});
   * ```
   */
  timeout(ms: number): BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData> {
    return this.#operator.timeout(ms) as unknown as BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData>;
  }

  /**
   * Makes the socket join `room`.
   *
   * @example
   * ```ts
   * remote.join("vip");
   * ```
   */
  join(room: Room | readonly Room[]): void {
    this.#operator.socketsJoin(room);
  }

  /**
   * Makes the socket leave `room`.
   *
   * @example
   * ```ts
   * remote.leave("vip");
   * ```
   */
  leave(room: Room | readonly Room[]): void {
    this.#operator.socketsLeave(room);
  }

  /**
   * Disconnects the socket (`close`: its whole connection).
   *
   * @example
   * ```ts
   * remote.disconnect(true);
   * ```
   */
  disconnect(close = false): this {
    this.#operator.disconnectSockets(close);
    return this;
  }
}
