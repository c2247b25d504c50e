// The one error type of the Redis adapter and emitter, with a stable REDIS_ERR_... code each.

/**
 * An error of the Redis adapter, its emitter or its MessagePack codec. I/O failures are never
 * thrown: the adapter reports them on its `error` event (and rejects the request they broke).
 * `code` is one of:
 *
 * | code | meaning |
 * |---|---|
 * | `REDIS_ERR_REQUEST_TIMEOUT` | a request to the other servers (`fetchSockets`, `serverSideEmit` with an ack, `serverCount`) did not get every answer within `requestsTimeout`; `responses` holds what arrived |
 * | `REDIS_ERR_PUBLISH` | Redis refused or failed a PUBLISH/SPUBLISH (the `cause` is the client's error) |
 * | `REDIS_ERR_SUBSCRIBE` | Redis refused or failed a (P/S)SUBSCRIBE or unsubscribe |
 * | `REDIS_ERR_NOT_CONNECTED` | Redis is not connected (the client is reconnecting): a request cannot be sent, and broadcasts reach this server's sockets only (reported once per outage) |
 * | `REDIS_ERR_COMMAND` | another command failed or got no answer within `requestsTimeout` (`PUBSUB NUMSUB` while counting servers) |
 * | `REDIS_ERR_CLIENT` | the Redis client itself emitted `error` (connection lost, refused, ...) |
 * | `REDIS_ERR_MALFORMED_MESSAGE` | a message on the adapter's channels that does not decode or has the wrong shape; it was ignored |
 * | `REDIS_ERR_MSGPACK_DECODE` | bytes that are not one well-formed MessagePack value |
 * | `REDIS_ERR_MSGPACK_ENCODE` | a value MessagePack cannot carry (a `BigInt`, a cycle, nesting past the limit) |
 * | `REDIS_ERR_CLOSED` | a request made after `close()` |
 * | `REDIS_ERR_UNSUPPORTED_CLIENT` | the object given as a Redis client is neither a `redis` (node-redis) nor an `ioredis` client |
 * | `REDIS_ERR_ACK_UNSUPPORTED` | an emitter call with an ack callback: an emitter has no way to collect answers |
 *
 * @example
 * ```ts
 * io.of("/").adapter.on("error", (err: RedisAdapterError) => console.error(err.code, err.message));
 * try {
 *   await io.fetchSockets();
 * } catch (err) {
 *   if (err instanceof RedisAdapterError && err.code === "REDIS_ERR_REQUEST_TIMEOUT") retryLater();
 * }
 * ```
 */
export class RedisAdapterError extends Error {
  /** Stable error code, see the table above. */
  readonly code: string;
  /** For `REDIS_ERR_REQUEST_TIMEOUT`: the answers that did arrive. */
  readonly responses: unknown[] | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; responses?: unknown[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RedisAdapterError";
    this.code = code;
    this.responses = options?.responses;
  }
}
