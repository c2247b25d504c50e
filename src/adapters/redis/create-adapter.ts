// The factories users call: the `adapter` option of the server, classic or sharded.

import type { AdapterNamespace } from "../adapter.js";
import type { RedisAdapterOptions } from "./adapter-options.js";
import { RedisAdapter } from "./redis-adapter.js";
import { createRedisBus } from "./redis-client.js";
import type { RedisClient } from "./redis-client.js";

/**
 * Returns the `adapter` server option for several servers sharing one Redis: classic pub/sub
 * by default, sharded pub/sub with `{ sharded: true }`. The clients must be connected (node-redis:
 * `await client.connect()`); the subscriber is put in subscriber mode and used for nothing else.
 *
 * @throws RedisAdapterError `REDIS_ERR_UNSUPPORTED_CLIENT` when a client is neither node-redis nor ioredis.
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { Server } from "courant";
 * import { createAdapter } from "courant/redis";
 *
 * const pubClient = createClient({ url: process.env.REDIS_URL });
 * const subClient = pubClient.duplicate();
 * await Promise.all([pubClient.connect(), subClient.connect()]);
 * const io = new Server(httpServer, { adapter: createAdapter(pubClient, subClient) });
 * io.of("/").adapter.on("error", (err) => console.error(err));
 * ```
 */
export function createAdapter(
  pubClient: RedisClient,
  subClient: RedisClient,
  options: RedisAdapterOptions = {},
): (nsp: AdapterNamespace) => RedisAdapter {
  // Checked now, so that a wrong client fails where it is passed.
  createRedisBus(pubClient, subClient);
  return (nsp) => new RedisAdapter(nsp, pubClient, subClient, options);
}

/**
 * {@link createAdapter} with the sharded pub/sub of Redis 7 (SPUBLISH/SSUBSCRIBE), speaking what
 * `createShardedAdapter` of @socket.io/redis-adapter speaks.
 *
 * @example
 * ```ts
 * const io = new Server(httpServer, { adapter: createShardedAdapter(pubClient, subClient, { subscriptionMode: "dynamic" }) });
 * ```
 */
export function createShardedAdapter(
  pubClient: RedisClient,
  subClient: RedisClient,
  options: Omit<RedisAdapterOptions, "sharded"> = {},
): (nsp: AdapterNamespace) => RedisAdapter {
  return createAdapter(pubClient, subClient, { ...options, sharded: true });
}

