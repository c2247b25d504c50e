// Sending to the sockets of a Courant (or Socket.IO) fleet from a process that is not a server:
// a worker, a cron job. It only publishes, in the adapter's wire format (classic by default, as
// @socket.io/redis-emitter does; sharded with `{ sharded: true }`).

import { PacketType } from "../../protocol/index.js";
import type { SocketPacket } from "../../protocol/index.js";
import type { BroadcastFlags, Room } from "../adapter.js";
import { ClassicWire } from "./classic-wire.js";
import { RedisAdapterError } from "./errors.js";
import { createRedisBus } from "./redis-client.js";
import type { RedisBus, RedisClient } from "./redis-client.js";
import { ShardedWire } from "./sharded-wire.js";
import type { SubscriptionModeOption } from "./sharded-wire.js";
import { EMITTER_UID } from "./wire.js";
import type { Outgoing, Wire, WireOptions } from "./wire.js";

/**
 * Options of the {@link Emitter}: the servers' `key` and wire must match theirs.
 *
 * @example
 * ```ts
 * new Emitter(redisClient, { key: "chat", onError: (err) => console.error(err) });
 * ```
 */
export interface EmitterOptions {
  /** The servers' channel prefix. Default `"socket.io"`. */
  key?: string;
  /** Same as `key`. */
  channelPrefix?: string;
  /** The servers use the sharded adapter. Default false. */
  sharded?: boolean;
  /** Sharded only: the servers' `subscriptionMode`. Default `"dynamic"`. */
  subscriptionMode?: SubscriptionModeOption;
  /** Called when a publish fails; without it a warning is printed once. */
  onError?: (err: RedisAdapterError) => void;
}

/** Event names the client library uses itself: emitting one is a mistake. */
const RESERVED_EVENTS: ReadonlySet<string> = new Set(["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);

/**
 * What the operators of one namespace share (internal: made by {@link Emitter}).
 *
 * @example
 * ```ts
 * context.publish(context.wire.broadcast(EMITTER_UID, packet, opts));
 * ```
 */
export class EmitterContext {
  readonly nsp: string;
  readonly wire: Wire;
  readonly #bus: RedisBus;
  readonly #onError: ((err: RedisAdapterError) => void) | undefined;
  #warned = false;

  constructor(bus: RedisBus, wire: Wire, nsp: string, onError: ((err: RedisAdapterError) => void) | undefined) {
    this.#bus = bus;
    this.wire = wire;
    this.nsp = nsp;
    this.#onError = onError;
  }

  publish(out: Outgoing): void {
    this.#bus.publish(out.channel, out.payload, out.sharded).catch(this.#onPublishError);
  }

  readonly #onPublishError = (cause: unknown): void => {
    const err = new RedisAdapterError("REDIS_ERR_PUBLISH", "the emitter could not publish to Redis", { cause });
    if (this.#onError !== undefined) {
      this.#onError(err);
    } else if (!this.#warned) {
      this.#warned = true;
      process.emitWarning(`${err.message}: ${cause instanceof Error ? cause.message : String(cause)}`, { type: "RedisEmitterWarning", code: err.code });
    }
  };
}

/**
 * Emits to the sockets of the servers sharing a Redis, from any process. Mirrors the server's
 * broadcast API (`to`, `in`, `except`, `volatile`, `compress`, `emit`, `socketsJoin`,
 * `socketsLeave`, `disconnectSockets`, `serverSideEmit`), without acknowledgements.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { Emitter } from "courant/redis";
 *
 * const redisClient = createClient({ url: "redis://127.0.0.1:6379" });
 * await redisClient.connect();
 * const emitter = new Emitter(redisClient);
 * emitter.to("room1").emit("news", { title: "hello" });
 * emitter.of("/admin").except("muted").emit("alert", 42);
 * ```
 */
export class Emitter {
  readonly #client: RedisClient;
  readonly #options: EmitterOptions;
  readonly #context: EmitterContext;

  constructor(redisClient: RedisClient, options: EmitterOptions = {}, nsp = "/") {
    this.#client = redisClient;
    this.#options = options;
    const key = options.key ?? options.channelPrefix ?? "socket.io";
    const wire: Wire = options.sharded
      ? new ShardedWire(key, nsp, options.subscriptionMode ?? "dynamic")
      : new ClassicWire(key, nsp, { publishOnSpecificResponseChannel: false });
    this.#context = new EmitterContext(createRedisBus(redisClient, redisClient), wire, nsp, options.onError);
  }

  /**
   * An emitter for another namespace (a missing leading `/` is added).
   *
   * @example
   * ```ts
   * emitter.of("/admin").emit("stats", stats);
   * ```
   */
  of(nsp: string): Emitter {
    return new Emitter(this.#client, this.#options, nsp.startsWith("/") ? nsp : "/" + nsp);
  }

  #operator(): EmitterBroadcastOperator {
    return new EmitterBroadcastOperator(this.#context, [], [], {});
  }

  /**
   * Emits to every socket of the namespace.
   *
   * @throws Error when `ev` is a reserved event name.
   * @example
   * ```ts
   * emitter.emit("tick", Date.now());
   * ```
   */
  emit(ev: string, ...args: unknown[]): true {
    return this.#operator().emit(ev, ...args);
  }

  /**
   * Targets the sockets in `room` (or any of the rooms).
   *
   * @example
   * ```ts
   * emitter.to(["room1", "room2"]).emit("news");
   * ```
   */
  to(room: Room | readonly Room[]): EmitterBroadcastOperator {
    return this.#operator().to(room);
  }

  /**
   * Same as {@link to}.
   *
   * @example
   * ```ts
   * emitter.in("room1").socketsJoin("room2");
   * ```
   */
  in(room: Room | readonly Room[]): EmitterBroadcastOperator {
    return this.#operator().to(room);
  }

  /**
   * Leaves out the sockets in `room`.
   *
   * @example
   * ```ts
   * emitter.except("muted").emit("news");
   * ```
   */
  except(room: Room | readonly Room[]): EmitterBroadcastOperator {
    return this.#operator().except(room);
  }

  /**
   * The next emit may be dropped for clients that cannot take it right now.
   *
   * @example
   * ```ts
   * emitter.volatile.emit("position", x, y);
   * ```
   */
  get volatile(): EmitterBroadcastOperator {
    return this.#operator().volatile;
  }

  /**
   * Whether the next emit may be compressed.
   *
   * @example
   * ```ts
   * emitter.compress(false).emit("raw", bytes);
   * ```
   */
  compress(compress: boolean): EmitterBroadcastOperator {
    return this.#operator().compress(compress);
  }

  /**
   * Makes every socket join `rooms`.
   *
   * @example
   * ```ts
   * emitter.socketsJoin("everyone");
   * ```
   */
  socketsJoin(rooms: Room | readonly Room[]): void {
    this.#operator().socketsJoin(rooms);
  }

  /**
   * Makes every socket leave `rooms`.
   *
   * @example
   * ```ts
   * emitter.socketsLeave("lobby");
   * ```
   */
  socketsLeave(rooms: Room | readonly Room[]): void {
    this.#operator().socketsLeave(rooms);
  }

  /**
   * Disconnects every socket (`close`: their whole connection).
   *
   * @example
   * ```ts
   * emitter.disconnectSockets(true);
   * ```
   */
  disconnectSockets(close = false): void {
    this.#operator().disconnectSockets(close);
  }

  /**
   * Emits to the servers' `serverSideEmit` listeners (`io.on(ev, ...)`) of the namespace.
   *
   * @throws RedisAdapterError `REDIS_ERR_ACK_UNSUPPORTED` when the last argument is a function.
   * @example
   * ```ts
   * emitter.serverSideEmit("reload-config", { version: 3 });
   * ```
   */
  serverSideEmit(ev: string, ...args: unknown[]): void {
    if (typeof args[args.length - 1] === "function") {
      throw new RedisAdapterError("REDIS_ERR_ACK_UNSUPPORTED", "an emitter cannot receive acknowledgements");
    }
    const context = this.#context;
    context.publish(context.wire.request(EMITTER_UID, { kind: "serverSideEmit", data: [ev, ...args], requestId: undefined }));
  }
}

/**
 * The targets and flags of one emit from an {@link Emitter}; each method returns a new operator.
 *
 * @example
 * ```ts
 * const operator: EmitterBroadcastOperator = emitter.to("room1").except("room2").volatile;
 * operator.emit("news", "hello");
 * ```
 */
export class EmitterBroadcastOperator {
  readonly #context: EmitterContext;
  readonly #rooms: readonly Room[];
  readonly #except: readonly Room[];
  readonly #flags: BroadcastFlags;

  /** @internal Made by {@link Emitter}. */
  constructor(context: EmitterContext, rooms: readonly Room[], except: readonly Room[], flags: BroadcastFlags) {
    this.#context = context;
    this.#rooms = rooms;
    this.#except = except;
    this.#flags = flags;
  }

  /**
   * Also targets the sockets in `room`.
   *
   * @example
   * ```ts
   * emitter.to("a").to("b").emit("news");
   * ```
   */
  to(room: Room | readonly Room[]): EmitterBroadcastOperator {
    return new EmitterBroadcastOperator(this.#context, union(this.#rooms, room), this.#except, this.#flags);
  }

  /**
   * Same as {@link to}.
   *
   * @example
   * ```ts
   * emitter.in("a").emit("news");
   * ```
   */
  in(room: Room | readonly Room[]): EmitterBroadcastOperator {
    return this.to(room);
  }

  /**
   * Also leaves out the sockets in `room`.
   *
   * @example
   * ```ts
   * emitter.to("a").except("b").emit("news");
   * ```
   */
  except(room: Room | readonly Room[]): EmitterBroadcastOperator {
    return new EmitterBroadcastOperator(this.#context, this.#rooms, union(this.#except, room), this.#flags);
  }

  /**
   * Whether the emit may be compressed.
   *
   * @example
   * ```ts
   * emitter.to("a").compress(false).emit("raw", bytes);
   * ```
   */
  compress(compress: boolean): EmitterBroadcastOperator {
    return new EmitterBroadcastOperator(this.#context, this.#rooms, this.#except, { ...this.#flags, compress });
  }

  /**
   * The emit may be dropped for clients that cannot take it right now.
   *
   * @example
   * ```ts
   * emitter.to("a").volatile.emit("position", x, y);
   * ```
   */
  get volatile(): EmitterBroadcastOperator {
    return new EmitterBroadcastOperator(this.#context, this.#rooms, this.#except, { ...this.#flags, volatile: true });
  }

  #options(): WireOptions {
    return { rooms: [...this.#rooms], except: [...this.#except], flags: this.#flags };
  }

  /**
   * Emits `ev` with `args` to the targeted sockets of every server.
   *
   * @throws Error when `ev` is a reserved event name.
   * @example
   * ```ts
   * emitter.to("room1").emit("news", { title: "hello" }, Buffer.from([1, 2, 3]));
   * ```
   */
  emit(ev: string, ...args: unknown[]): true {
    if (RESERVED_EVENTS.has(ev)) throw new Error(`"${ev}" is a reserved event name`);
    const context = this.#context;
    const packet: SocketPacket = { type: PacketType.EVENT, nsp: context.nsp, data: [ev, ...args] };
    context.publish(context.wire.broadcast(EMITTER_UID, packet, this.#options()));
    return true;
  }

  /**
   * Makes the targeted sockets join `rooms`.
   *
   * @example
   * ```ts
   * emitter.in("room1").socketsJoin(["room2", "room3"]);
   * ```
   */
  socketsJoin(rooms: Room | readonly Room[]): void {
    const context = this.#context;
    context.publish(context.wire.request(EMITTER_UID, { kind: "join", opts: this.#options(), rooms: toArray(rooms) }));
  }

  /**
   * Makes the targeted sockets leave `rooms`.
   *
   * @example
   * ```ts
   * emitter.in("room1").socketsLeave("room2");
   * ```
   */
  socketsLeave(rooms: Room | readonly Room[]): void {
    const context = this.#context;
    context.publish(context.wire.request(EMITTER_UID, { kind: "leave", opts: this.#options(), rooms: toArray(rooms) }));
  }

  /**
   * Disconnects the targeted sockets (`close`: their whole connection).
   *
   * @example
   * ```ts
   * emitter.in("banned").disconnectSockets(true);
   * ```
   */
  disconnectSockets(close = false): void {
    const context = this.#context;
    context.publish(context.wire.request(EMITTER_UID, { kind: "disconnect", opts: this.#options(), close }));
  }
}

function toArray(rooms: Room | readonly Room[]): Room[] {
  return typeof rooms === "string" ? [rooms] : [...rooms];
}

function union(rooms: readonly Room[], more: Room | readonly Room[]): Room[] {
  const set = new Set(rooms);
  if (typeof more === "string") set.add(more);
  else for (const room of more) set.add(room);
  return [...set];
}
