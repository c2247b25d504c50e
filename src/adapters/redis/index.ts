// courant/redis: several Courant servers sharing rooms and broadcasts through Redis (wire-compatible
// with @socket.io/redis-adapter 8.x), and an emitter for processes that are not servers.
export { createAdapter, createShardedAdapter } from "./create-adapter.js";
export { RedisAdapter } from "./redis-adapter.js";
export type { RedisAdapterOptions } from "./adapter-options.js";
export { Emitter, EmitterBroadcastOperator } from "./emitter.js";
export type { EmitterOptions } from "./emitter.js";
export { RedisAdapterError } from "./errors.js";
export type { RedisClient } from "./redis-client.js";
export type { SubscriptionModeOption } from "./sharded-wire.js";
