// Redis restarted under a running fleet (a private redis-server on its own port, killed and
// started again; the machine's Redis is never touched): the servers do not crash, report the
// outage on the adapter's `error` event, keep delivering their own broadcasts, fail requests at
// once instead of hanging, and after Redis is back reconnect, resubscribe, and deliver exactly
// once again across processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { canSpawnRedis, freePort, PrivateRedis, RecordingClient, ServerProcess, skip as noRedisSkip, sleep, uniqueKey, waitUntil } from "./helpers.js";

async function skipReason(): Promise<string | false> {
  if (noRedisSkip !== false) return noRedisSkip;
  if (await canSpawnRedis()) return false;
  if (process.env.CI === "true") throw new Error("the Redis restart test needs the redis-server binary in CI");
  return "skipped: no redis-server binary to start a private Redis (install redis-server)";
}
const skip = await skipReason();

async function fleet(sharded: boolean): Promise<{ redis: PrivateRedis; A: ServerProcess; B: ServerProcess; a: RecordingClient; b: RecordingClient; close(): Promise<void> }> {
  const redis = new PrivateRedis(await freePort());
  await redis.start();
  const common = { key: uniqueKey("restart"), redisUrl: redis.url, sharded, heartbeatInterval: 200, heartbeatTimeout: 1500, requestsTimeout: 1000 };
  const [A, B] = await Promise.all([
    ServerProcess.start({ ...common, name: "A", client: "node-redis" }),
    ServerProcess.start({ ...common, name: "B", client: "ioredis" }),
  ]);
  const a = new RecordingClient(A.url, "a");
  const b = new RecordingClient(B.url, "b");
  const close = async () => {
    a.close();
    b.close();
    await Promise.all([A.close(), B.close()]);
    await redis.stop();
  };
  try {
    await Promise.all([a.connected(), b.connected()]);
    await waitUntil(async () => (await A.call("serverCount")).count === 2 && (await B.call("serverCount")).count === 2, "A and B count each other");
  } catch (err) {
    await close();
    throw err;
  }
  return { redis, A, B, a, b, close };
}

async function restartScenario(sharded: boolean): Promise<void> {
  const { redis, A, B, a, b, close } = await fleet(sharded);
  try {
    await scenario(redis, A, B, a, b);
  } finally {
    await close();
  }
}

test("classic wire: Redis killed and restarted on the same port, both clients (node-redis and ioredis)", { skip }, () => restartScenario(false));

test("sharded wire: Redis killed and restarted on the same port, both clients (node-redis and ioredis)", { skip }, () => restartScenario(true));

async function scenario(redis: PrivateRedis, A: ServerProcess, B: ServerProcess, a: RecordingClient, b: RecordingClient): Promise<void> {
  await A.call("emit", { event: "before" });
  await waitUntil(() => a.count("before") === 1 && b.count("before") === 1, "cross-process delivery before the outage");

  await redis.stop("SIGKILL");
  await sleep(300);

  // Each server still delivers its own broadcasts; nothing crosses; nothing crashes.
  await A.call("emit", { event: "during-A" });
  await B.call("emit", { event: "during-B" });
  await waitUntil(() => a.count("during-A") === 1 && b.count("during-B") === 1, "local delivery during the outage");
  const fetched = await A.call("fetchSockets");
  assert.equal(fetched.error?.code, "REDIS_ERR_NOT_CONNECTED", "a request fails at once, it does not hang");
  const emitted = await B.call("serverSideEmitWithAck", { event: "whoami" });
  assert.equal(emitted.error?.code, "REDIS_ERR_NOT_CONNECTED");
  const acked = await A.call("emitWithAck", { event: "ask", flags: { timeout: 1000 } });
  assert.deepEqual(acked.responses, ["a"], "acks from this server's own clients still arrive");
  const errorsA: string[] = (await A.call("state")).errors;
  const errorsB: string[] = (await B.call("state")).errors;
  assert.ok(errorsA.includes("REDIS_ERR_CLIENT"), `A reported the lost connection: ${errorsA}`);
  assert.ok(errorsB.includes("REDIS_ERR_CLIENT"), `B reported the lost connection: ${errorsB}`);
  assert.ok(errorsA.includes("REDIS_ERR_NOT_CONNECTED"), `A reported broadcasts staying local: ${errorsA}`);

  await redis.start();

  // Reconnected and resubscribed: broadcasts cross again (both ways).
  let n = 0;
  await waitUntil(
    async () => {
      await A.call("emit", { event: `probe-${n++}` });
      return b.events.some(([event]) => event.startsWith("probe-"));
    },
    "A's broadcasts reach B's client again",
    15_000,
  );
  await waitUntil(
    async () => {
      await B.call("emit", { event: `probe-back-${n++}` });
      return a.events.some(([event]) => event.startsWith("probe-back-"));
    },
    "B's broadcasts reach A's client again",
    15_000,
  );
  await sleep(300);
  await A.call("emit", { event: "after" });
  await B.call("emit", { event: "after-B" });
  await waitUntil(() => a.count("after") === 1 && b.count("after") === 1 && a.count("after-B") === 1 && b.count("after-B") === 1, "delivery after recovery");
  await sleep(300);
  assert.deepEqual([a.count("after"), b.count("after"), a.count("after-B"), b.count("after-B")], [1, 1, 1, 1], "exactly once after recovery");
  assert.equal(b.count("during-A"), 0, "what stayed local during the outage is not replayed elsewhere");
  assert.equal(a.count("during-B"), 0);

  // Requests work again once heartbeats have re-introduced the servers.
  await waitUntil(async () => (await A.call("serverCount")).count === 2, "A counts B again", 10_000);
  const names = await A.call("fetchSockets");
  assert.deepEqual(names.sockets.map((s: any) => s.data.name).sort(), ["a", "b"]);
  assert.deepEqual((await B.call("serverSideEmitWithAck", { event: "whoami" })).responses, ["A"]);
  assert.ok(a.socket.connected && b.socket.connected, "the clients never noticed");
}
