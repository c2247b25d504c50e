/**
 * The Redis side of the scale-out scenario: a node-redis v5 publisher and its `duplicate()`
 * subscriber, connected, for a target's Redis adapter. Loaded only by servers that scale out.
 */
import { createClient } from "redis";
import type { RedisLink } from "../workload.js";

export type RedisPairClient = ReturnType<typeof createClient>;

/** A connected publisher and subscriber; `close` drops both connections. */
export interface RedisPair {
  readonly pub: RedisPairClient;
  readonly sub: RedisPairClient;
  close(): void;
}

/**
 * Connects a publisher to `link.url` and a duplicate of it as the subscriber.
 *
 * @example
 * const { pub, sub, close } = await connectRedisPair({ url: "redis://127.0.0.1:6379", key: "bench-1" });
 */
export async function connectRedisPair(link: RedisLink): Promise<RedisPair> {
  // No reconnection: a benchmark server that loses Redis should fail, not retry quietly.
  const pub = createClient({ url: link.url, socket: { reconnectStrategy: false, connectTimeout: 5_000 } });
  const sub = pub.duplicate();
  const onError = (err: unknown): void => console.error(`redis: ${err instanceof Error ? err.message : String(err)}`);
  pub.on("error", onError);
  sub.on("error", onError);
  await Promise.all([pub.connect(), sub.connect()]);
  return {
    pub,
    sub,
    close: () => {
      pub.destroy();
      sub.destroy();
    },
  };
}
