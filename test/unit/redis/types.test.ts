// Compile-time checks (tsc type-checks this file) plus run-time ones: both Redis client packages,
// standalone and cluster, go into createAdapter and Emitter without casts, and the factory is
// what the server's `adapter` option takes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createClient, createCluster } from "redis";
import { Cluster, Redis } from "ioredis";
import { Server } from "../../../src/index.js";
import type { ServerOptions } from "../../../src/index.js";
import { createAdapter, createShardedAdapter, Emitter, RedisAdapter, RedisAdapterError } from "../../../src/adapters/redis/index.js";
import type { RedisAdapterOptions } from "../../../src/adapters/redis/index.js";

test("node-redis and ioredis clients (standalone and cluster) are accepted as they are", () => {
  // Not connected: nothing is sent until an adapter is built for a namespace.
  const nodeRedis = createClient({ url: "redis://127.0.0.1:1" });
  const nodeRedisCluster = createCluster({ rootNodes: [{ url: "redis://127.0.0.1:1" }] });
  const ioredis = new Redis({ lazyConnect: true });
  const ioredisCluster = new Cluster([{ host: "127.0.0.1", port: 1 }], { lazyConnect: true });
  const options: RedisAdapterOptions = { key: "k", requestsTimeout: 1000, heartbeatInterval: 100, heartbeatTimeout: 300 };
  const factories = [
    createAdapter(nodeRedis, nodeRedis.duplicate(), options),
    createAdapter(nodeRedisCluster, nodeRedisCluster.duplicate()),
    createAdapter(ioredis, ioredis.duplicate()),
    createShardedAdapter(ioredisCluster, ioredisCluster.duplicate(), { subscriptionMode: "static" }),
  ];
  for (const factory of factories) {
    const serverOptions: ServerOptions = { adapter: factory };
    assert.equal(typeof serverOptions.adapter, "function");
  }
  assert.ok(new Emitter(nodeRedis) instanceof Emitter);
  assert.ok(new Emitter(ioredisCluster, { sharded: true }).of("/admin") instanceof Emitter);
  ioredis.disconnect();
  ioredisCluster.disconnect();
});

test("anything else is refused where it is passed, with REDIS_ERR_UNSUPPORTED_CLIENT", () => {
  const refused = (err: unknown) => err instanceof RedisAdapterError && err.code === "REDIS_ERR_UNSUPPORTED_CLIENT";
  assert.throws(() => createAdapter({ on() {} }, { on() {} }), refused);
  const ioredis = new Redis({ lazyConnect: true });
  assert.throws(() => createAdapter(createClient(), ioredis), refused, "one package for both clients");
  assert.throws(() => createAdapter(ioredis, createClient()), refused);
  ioredis.disconnect();
});

test("the server takes the factory and gives each namespace its own RedisAdapter", async () => {
  const pub = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  const sub = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  const http = createServer();
  const io = new Server(http, { adapter: createAdapter(pub, sub) });
  const main = io.of("/").adapter;
  const admin = io.of("/admin").adapter;
  assert.ok(main instanceof RedisAdapter && admin instanceof RedisAdapter);
  assert.notEqual(main.uid, admin.uid);
  // Not connected: the adapter reports it on its `error` event, and requests fail at once.
  const errors: RedisAdapterError[] = [];
  main.on("error", (err: RedisAdapterError) => errors.push(err));
  await assert.rejects(main.serverCount(), (err: unknown) => err instanceof RedisAdapterError && err.code === "REDIS_ERR_NOT_CONNECTED");
  await assert.rejects(io.fetchSockets(), (err: unknown) => err instanceof RedisAdapterError && err.code === "REDIS_ERR_NOT_CONNECTED");
  const notConnected = () => errors.filter((e) => e.code === "REDIS_ERR_NOT_CONNECTED").length;
  io.emit("local-only");
  assert.equal(notConnected(), 1, "a broadcast while disconnected is reported");
  io.emit("local-only-again");
  assert.equal(notConnected(), 1, "once per outage");
  void io.close();
  await main.close();
  await assert.rejects(main.serverCount(), (err: unknown) => err instanceof RedisAdapterError && err.code === "REDIS_ERR_CLOSED");
  pub.disconnect();
  sub.disconnect();
});
