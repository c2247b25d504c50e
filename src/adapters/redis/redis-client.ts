// One small surface over the two Redis clients users run: node-redis v5/v6 (`redis`) and ioredis,
// standalone or cluster. Classic pub/sub (PUBLISH, SUBSCRIBE, PSUBSCRIBE) and the sharded pub/sub
// of Redis 7 (SPUBLISH, SSUBSCRIBE). Both clients resubscribe by themselves after a reconnection.

import { RedisAdapterError } from "./errors.js";

/**
 * A Redis client from the `redis` package (node-redis v5/v6: `createClient()` or `createCluster()`)
 * or from `ioredis` (`new Redis()` or `new Cluster()`). Typed loosely so that neither package is
 * needed to compile against Courant; the adapter checks at run time which one it got.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * const pubClient: RedisClient = createClient({ url: "redis://127.0.0.1:6379" });
 * ```
 */
export interface RedisClient {
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/**
 * How a subscription matches channels: by name, by glob pattern, or a shard channel (Redis 7).
 *
 * @example
 * ```ts
 * await bus.subscribe("pattern", ["socket.io#/#*"], listener);
 * ```
 */
export type SubscriptionMode = "channel" | "pattern" | "shard";

/**
 * Receives the messages of the channels it subscribed to. Called with this = the listener object,
 * so one object serves every subscription of an adapter.
 *
 * @example
 * ```ts
 * const listener: MessageListener = { onRedisMessage: (channel, message) => console.log(channel, message.length) };
 * ```
 */
export interface MessageListener {
  onRedisMessage(channel: string, message: Buffer): void;
}

type AnyFunction = (...args: any[]) => any;
type Loose = Record<string, any>;

/**
 * The commands the adapter and the emitter need, the same for both clients.
 *
 * @example
 * ```ts
 * const bus = createRedisBus(pubClient, subClient);
 * await bus.subscribe("channel", ["news#"], { onRedisMessage: (channel, message) => {} });
 * await bus.publish("news#", "hello", false);
 * ```
 */
export interface RedisBus {
  /** `PUBLISH` (or `SPUBLISH` when `sharded`). */
  publish(channel: string, message: string | Buffer, sharded: boolean): Promise<unknown>;
  subscribe(mode: SubscriptionMode, channels: readonly string[], listener: MessageListener): Promise<void>;
  unsubscribe(mode: SubscriptionMode, channels: readonly string[], listener: MessageListener): Promise<void>;
  /** Subscribers of each channel (`PUBSUB NUMSUB`, or `SHARDNUMSUB` when `sharded`), summed over a cluster's masters. */
  numsub(channels: readonly string[], sharded: boolean): Promise<number[]>;
}

/**
 * Wraps a publishing client and a subscribing client (they may be the same object only for an
 * emitter, which never subscribes).
 *
 * @throws RedisAdapterError `REDIS_ERR_UNSUPPORTED_CLIENT` when a client is neither node-redis nor ioredis.
 * @example
 * ```ts
 * const bus = createRedisBus(pubClient, pubClient.duplicate());
 * ```
 */
export function createRedisBus(pubClient: RedisClient, subClient: RedisClient): RedisBus {
  const pub = pubClient as unknown as Loose;
  const sub = subClient as unknown as Loose;
  if (isNodeRedis(pub)) {
    if (!isNodeRedis(sub)) throw unsupported("the subscriber client must come from the same package as the publisher (node-redis)");
    return new NodeRedisBus(pub, sub);
  }
  if (isIoRedis(pub)) {
    if (!isIoRedis(sub)) throw unsupported("the subscriber client must come from the same package as the publisher (ioredis)");
    return new IoRedisBus(pub, sub);
  }
  throw unsupported("expected a client from the `redis` (node-redis v5/v6) or `ioredis` package");
}

function unsupported(message: string): RedisAdapterError {
  return new RedisAdapterError("REDIS_ERR_UNSUPPORTED_CLIENT", message);
}

function isNodeRedis(client: Loose): boolean {
  return typeof client.sSubscribe === "function" || typeof client.pSubscribe === "function";
}

function isIoRedis(client: Loose): boolean {
  return typeof client.psubscribe === "function" && typeof client.call === "function";
}

/**
 * Whether `client` is ready to send commands now (not connecting, not reconnecting).
 *
 * @example
 * ```ts
 * if (!isClientReady(pubClient)) return; // would be queued until the client reconnects
 * ```
 */
export function isClientReady(client: RedisClient): boolean {
  const c = client as unknown as Loose;
  if (typeof c.isReady === "boolean") return c.isReady;
  if (typeof c.status === "string") return c.status === "ready";
  return true;
}

/** Reads a `PUBSUB NUMSUB` reply (a flat [name, count, ...] array, or a RESP3 map) into counts per channel. */
function parseNumsub(reply: unknown, channels: readonly string[]): number[] {
  const byName = new Map<string, number>();
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) byName.set(String(reply[i]), Number(reply[i + 1]));
  } else if (reply instanceof Map) {
    for (const [name, count] of reply) byName.set(String(name), Number(count));
  } else if (typeof reply === "object" && reply !== null) {
    for (const [name, count] of Object.entries(reply)) byName.set(name, Number(count));
  }
  return channels.map((channel) => byName.get(channel) ?? 0);
}

function sumCounts(replies: number[][], length: number): number[] {
  const total = new Array<number>(length).fill(0);
  for (const counts of replies) for (let i = 0; i < length; i++) total[i] = (total[i] as number) + (counts[i] as number);
  return total;
}

const NODE_REDIS_SUBSCRIBE = { channel: "subscribe", pattern: "pSubscribe", shard: "sSubscribe" } as const;
const NODE_REDIS_UNSUBSCRIBE = { channel: "unsubscribe", pattern: "pUnsubscribe", shard: "sUnsubscribe" } as const;
/** node-redis tells listeners apart by identity: one function per listener object, made once. */
const nodeRedisCallbacks = new WeakMap<MessageListener, AnyFunction>();

function nodeRedisCallback(listener: MessageListener): AnyFunction {
  let callback = nodeRedisCallbacks.get(listener);
  if (callback === undefined) {
    // Buffer mode: (message, channel), both Buffers.
    callback = (message: Buffer, channel: Buffer | string) => listener.onRedisMessage(channel.toString(), message);
    nodeRedisCallbacks.set(listener, callback);
  }
  return callback;
}

/** node-redis v5/v6: every pub/sub call takes the listener, and the client counts listeners per channel. */
class NodeRedisBus implements RedisBus {
  readonly #pub: Loose;
  readonly #sub: Loose;
  readonly #cluster: boolean;

  constructor(pub: Loose, sub: Loose) {
    this.#pub = pub;
    this.#sub = sub;
    this.#cluster = Array.isArray(pub.masters);
  }

  publish(channel: string, message: string | Buffer, sharded: boolean): Promise<unknown> {
    return sharded ? this.#pub.sPublish(channel, message) : this.#pub.publish(channel, message);
  }

  async subscribe(mode: SubscriptionMode, channels: readonly string[], listener: MessageListener): Promise<void> {
    const method = NODE_REDIS_SUBSCRIBE[mode];
    const callback = nodeRedisCallback(listener);
    // A cluster routes each shard channel to its own node: one call per channel.
    if (mode === "shard") await Promise.all(channels.map((c) => this.#sub[method](c, callback, true)));
    else await this.#sub[method]([...channels], callback, true);
  }

  async unsubscribe(mode: SubscriptionMode, channels: readonly string[], listener: MessageListener): Promise<void> {
    const method = NODE_REDIS_UNSUBSCRIBE[mode];
    const callback = nodeRedisCallback(listener);
    // One call per channel: node-redis v4 mishandled several at once (redis/node-redis#2052).
    await Promise.all(channels.map((c) => this.#sub[method](c, callback, true)));
  }

  async numsub(channels: readonly string[], sharded: boolean): Promise<number[]> {
    const command = sharded ? "SHARDNUMSUB" : "NUMSUB";
    const pub = this.#pub;
    if (!this.#cluster) return parseNumsub(await pub.sendCommand(["PUBSUB", command, ...channels]), channels);
    if (sharded) {
      // Each shard channel is counted by the node that owns its slot.
      const counts = await Promise.all(
        channels.map(async (c) => parseNumsub(await pub.sendCommand(c, true, ["PUBSUB", command, c]), [c])[0] as number),
      );
      return counts;
    }
    // Classic channels: each subscriber is counted by the node it is connected to.
    const replies = await Promise.all(
      (pub.masters as unknown[]).map(async (master) => {
        const client = await pub.nodeClient(master);
        return parseNumsub(await client.sendCommand(["PUBSUB", command, ...channels]), channels);
      }),
    );
    return sumCounts(replies, channels.length);
  }
}

/** The message listeners of one ioredis subscriber, per mode and channel (ioredis emits one event for all). */
interface IoRedisRouter {
  readonly channel: Map<string, Set<MessageListener>>;
  readonly pattern: Map<string, Set<MessageListener>>;
  readonly shard: Map<string, Set<MessageListener>>;
}

const ioRedisRouters = new WeakMap<Loose, IoRedisRouter>();

function ioRedisRouter(sub: Loose): IoRedisRouter {
  let router = ioRedisRouters.get(sub);
  if (router !== undefined) return router;
  const created: IoRedisRouter = { channel: new Map(), pattern: new Map(), shard: new Map() };
  router = created;
  ioRedisRouters.set(sub, router);
  sub.on("messageBuffer", (channel: Buffer, message: Buffer) => dispatch(created.channel.get(channel.toString()), channel, message));
  sub.on("pmessageBuffer", (pattern: Buffer | string, channel: Buffer, message: Buffer) =>
    dispatch(created.pattern.get(pattern.toString()), channel, message),
  );
  sub.on("smessageBuffer", (channel: Buffer, message: Buffer) => dispatch(created.shard.get(channel.toString()), channel, message));
  return router;
}

function dispatch(listeners: Set<MessageListener> | undefined, channel: Buffer, message: Buffer): void {
  if (listeners === undefined) return;
  const name = channel.toString();
  for (const listener of listeners) listener.onRedisMessage(name, message);
}

const IOREDIS_SUBSCRIBE = { channel: "subscribe", pattern: "psubscribe", shard: "ssubscribe" } as const;
const IOREDIS_UNSUBSCRIBE = { channel: "unsubscribe", pattern: "punsubscribe", shard: "sunsubscribe" } as const;

/** ioredis: one event per kind of message for the whole client, so listeners are routed here. */
class IoRedisBus implements RedisBus {
  readonly #pub: Loose;
  readonly #sub: Loose;
  readonly #cluster: boolean;

  constructor(pub: Loose, sub: Loose) {
    this.#pub = pub;
    this.#sub = sub;
    this.#cluster = pub.isCluster === true;
  }

  publish(channel: string, message: string | Buffer, sharded: boolean): Promise<unknown> {
    return sharded ? this.#pub.spublish(channel, message) : this.#pub.publish(channel, message);
  }

  async subscribe(mode: SubscriptionMode, channels: readonly string[], listener: MessageListener): Promise<void> {
    const routes = ioRedisRouter(this.#sub)[mode];
    const fresh: string[] = [];
    for (const channel of channels) {
      let listeners = routes.get(channel);
      if (listeners === undefined) {
        listeners = new Set();
        routes.set(channel, listeners);
        fresh.push(channel);
      }
      listeners.add(listener);
    }
    if (fresh.length === 0) return;
    const method = IOREDIS_SUBSCRIBE[mode];
    if (mode === "shard") await Promise.all(fresh.map((c) => this.#sub[method](c)));
    else await this.#sub[method](...fresh);
  }

  async unsubscribe(mode: SubscriptionMode, channels: readonly string[], listener: MessageListener): Promise<void> {
    const routes = ioRedisRouter(this.#sub)[mode];
    const gone: string[] = [];
    for (const channel of channels) {
      const listeners = routes.get(channel);
      if (listeners === undefined || !listeners.delete(listener) || listeners.size > 0) continue;
      routes.delete(channel);
      gone.push(channel);
    }
    if (gone.length === 0) return;
    const method = IOREDIS_UNSUBSCRIBE[mode];
    await Promise.all(gone.map((c) => this.#sub[method](c)));
  }

  async numsub(channels: readonly string[], sharded: boolean): Promise<number[]> {
    const command = sharded ? "SHARDNUMSUB" : "NUMSUB";
    const pub = this.#pub;
    if (!this.#cluster) return parseNumsub(await pub.call("PUBSUB", command, ...channels), channels);
    const replies = await Promise.all(
      (pub.nodes("master") as Loose[]).map(async (node) => parseNumsub(await node.call("PUBSUB", command, ...channels), channels)),
    );
    return sumCounts(replies, channels.length);
  }
}
