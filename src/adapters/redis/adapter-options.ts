// The options of the Redis adapter, and their defaults.

import type { SubscriptionModeOption } from "./sharded-wire.js";

/**
 * Options of {@link createAdapter} and {@link createShardedAdapter}.
 *
 * @example
 * ```ts
 * createAdapter(pubClient, subClient, { key: "chat", requestsTimeout: 3000, heartbeatInterval: 2000, heartbeatTimeout: 6000 });
 * ```
 */
export interface RedisAdapterOptions {
  /** The prefix of every channel. Default `"socket.io"` (as Socket.IO's adapter: keep it to mix fleets). */
  key?: string;
  /** Same as `key` (the name Socket.IO's sharded adapter uses). */
  channelPrefix?: string;
  /** How long a request waits for the other servers' answers, in ms. Default 5000. */
  requestsTimeout?: number;
  /** Answer a classic-wire request on the requester's own channel rather than the shared one. Default true. */
  publishOnSpecificResponseChannel?: boolean;
  /** How often this server tells the others it is alive, in ms. Default 5000. */
  heartbeatInterval?: number;
  /** How long a silent server is still counted as alive, in ms. Default 10000. */
  heartbeatTimeout?: number;
  /** Use the sharded pub/sub of Redis 7 (SPUBLISH/SSUBSCRIBE). Default false. */
  sharded?: boolean;
  /** Sharded only: `"dynamic"` (default) also uses one channel per room; `"static"` one per namespace. */
  subscriptionMode?: SubscriptionModeOption;
}

/** The options with their defaults applied. */
export interface ResolvedOptions {
  key: string;
  requestsTimeout: number;
  publishOnSpecificResponseChannel: boolean;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  sharded: boolean;
  subscriptionMode: SubscriptionModeOption;
}

/**
 * Applies the defaults: key "socket.io", requests 5 s, heartbeats every 5 s, gone after 10 s
 * (or two intervals, if longer), answers on the requester's own channel, classic pub/sub,
 * "dynamic" sharded subscriptions.
 *
 * @example
 * ```ts
 * resolveOptions({ heartbeatInterval: 8000 }).heartbeatTimeout; // 16000
 * ```
 */
export function resolveOptions(options: RedisAdapterOptions): ResolvedOptions {
  const heartbeatInterval = options.heartbeatInterval ?? 5000;
  return {
    key: options.key ?? options.channelPrefix ?? "socket.io",
    requestsTimeout: options.requestsTimeout ?? 5000,
    publishOnSpecificResponseChannel: options.publishOnSpecificResponseChannel ?? true,
    heartbeatInterval,
    heartbeatTimeout: options.heartbeatTimeout ?? Math.max(10_000, heartbeatInterval * 2),
    sharded: options.sharded === true,
    subscriptionMode: options.subscriptionMode ?? "dynamic",
  };
}

