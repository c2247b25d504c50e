// Who a request waits for (heartbeats plus Redis's subscriber counts), and how a pending request
// completes, drops a gone server, or times out with the answers it got.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NodeRegistry } from "../../../src/adapters/redis/node-registry.js";
import { PendingRequest } from "../../../src/adapters/redis/pending-request.js";
import { RedisAdapterError } from "../../../src/adapters/redis/errors.js";

test("heard/touch/expire: a silent server moves to the hung list; a heartbeat brings it back", () => {
  const nodes = new NodeRegistry();
  assert.equal(nodes.heard("a", 0), true);
  assert.equal(nodes.heard("a", 10), false);
  nodes.touch("b", 10);
  assert.deepEqual(nodes.live, ["a"], "touch never adds a server (only heartbeats do)");
  nodes.heard("b", 0);
  nodes.touch("b", 9000);
  assert.deepEqual(nodes.expire(10_011, 10_000), ["a"]);
  assert.deepEqual(nodes.live, ["b"]);
  assert.deepEqual(nodes.hung, ["a"]);
  assert.ok(nodes.isHung("a"));
  assert.equal(nodes.heard("a", 10_100), true, "back from the dead");
  assert.deepEqual(nodes.hung, []);
  assert.equal(nodes.remove("a", false, 10_200), true);
  assert.equal(nodes.remove("a", false, 10_200), false);
  nodes.expire(100_000, 10_000);
  assert.deepEqual(nodes.hung, ["b"]);
  nodes.expire(100_000 + 3_600_001, 10_000);
  assert.deepEqual(nodes.hung, [], "hung servers are forgotten after an hour");
});

test("settle: all Courant, known by heartbeat", () => {
  const nodes = new NodeRegistry();
  nodes.heard("b", 0);
  nodes.heard("c", 0);
  // servers channel 3, presence 3, b and c subscribed.
  assert.deepEqual(nodes.settle(["b", "c"], [], [3, 3, 1, 1]), { named: ["b", "c"], anonymous: 0, disconnected: [] });
});

test("settle: a server that lost its Redis connection is disconnected at once", () => {
  const nodes = new NodeRegistry();
  nodes.heard("b", 0);
  nodes.heard("c", 0);
  assert.deepEqual(nodes.settle(["b", "c"], [], [2, 2, 1, 0]), { named: ["b"], anonymous: 0, disconnected: ["c"] });
});

test("settle: Socket.IO servers (no heartbeats) and not-yet-heard Courant servers are waited for anonymously", () => {
  const nodes = new NodeRegistry();
  nodes.heard("b", 0);
  // 4 servers: me, b, one Socket.IO server, one Courant server that just started.
  assert.deepEqual(nodes.settle(["b"], [], [4, 3, 1]), { named: ["b"], anonymous: 2, disconnected: [] });
});

test("settle: a hung server (silent, still subscribed) is neither named nor counted as unknown", () => {
  const nodes = new NodeRegistry();
  nodes.heard("b", 0);
  nodes.heard("c", 0);
  nodes.touch("b", 20_000);
  nodes.expire(20_000, 10_000);
  assert.deepEqual(nodes.hung, ["c"]);
  assert.deepEqual(nodes.settle(["b"], ["c"], [3, 3, 1, 1]), { named: ["b"], anonymous: 0, disconnected: [] });
  // Once its connection is gone it is forgotten.
  assert.deepEqual(nodes.settle(["b"], ["c"], [2, 2, 1, 0]), { named: ["b"], anonymous: 0, disconnected: [] });
  assert.deepEqual(nodes.hung, []);
});

test("settle: counts never go negative (this server's own subscription not counted yet)", () => {
  const nodes = new NodeRegistry();
  assert.deepEqual(nodes.settle([], [], [0, 0]), { named: [], anonymous: 0, disconnected: [] });
});

function collect(): { calls: [RedisAdapterError | null, unknown[]][]; done: (err: RedisAdapterError | null, responses: unknown[]) => void } {
  const calls: [RedisAdapterError | null, unknown[]][] = [];
  return { calls, done: (err, responses) => calls.push([err, [...responses]]) };
}

test("a pending request completes when every named server and every anonymous one answered", () => {
  const { calls, done } = collect();
  const request = new PendingRequest("fetchSockets", { named: ["b", "c"], anonymous: 1 }, ["local"], 5000, done);
  request.answer("b", ["b1", "b2"]);
  request.answer("b", ["again"]);
  request.answer(undefined, ["anon"]);
  assert.equal(calls.length, 0);
  assert.equal(request.settled, false);
  request.answer("c", []);
  assert.deepEqual(calls, [[null, ["local", "b1", "b2", "anon"]]]);
  assert.equal(request.settled, true);
  request.answer("late", ["x"]);
  assert.equal(calls.length, 1, "settled once");
});

test("a pending request stops waiting for a server that is gone", () => {
  const { calls, done } = collect();
  const request = new PendingRequest("serverSideEmit", { named: ["b", "c"], anonymous: 0 }, [], 5000, done);
  request.answer("b", [1]);
  request.drop("c");
  assert.deepEqual(calls, [[null, [1]]]);
});

test("an answer from a server given up on keeps its data but is not counted", () => {
  const { calls, done } = collect();
  const request = new PendingRequest("fetchSockets", { named: [], anonymous: 1 }, [], 5000, done);
  request.answer("hung", ["h"], false);
  assert.equal(calls.length, 0);
  request.answer(undefined, ["o"]);
  assert.deepEqual(calls, [[null, ["h", "o"]]]);
});

test("a pending request times out with REDIS_ERR_REQUEST_TIMEOUT and the answers it got", async () => {
  const { calls, done } = collect();
  const request = new PendingRequest("fetchSockets", { named: ["b", "c"], anonymous: 0 }, ["local"], 50, done);
  request.answer("b", ["b1"]);
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.equal(calls.length, 1);
  const [err, responses] = calls[0] as [RedisAdapterError, unknown[]];
  assert.ok(err instanceof RedisAdapterError);
  assert.equal(err.code, "REDIS_ERR_REQUEST_TIMEOUT");
  assert.match(err.message, /fetchSockets: timeout reached after 50 ms, 1 of 2 servers answered/);
  assert.deepEqual(err.responses, ["local", "b1"]);
  assert.deepEqual(responses, ["local", "b1"]);
});

test("fail() ends a request at once, and only once", () => {
  const { calls, done } = collect();
  const request = new PendingRequest("fetchSockets", { named: ["b"], anonymous: 0 }, [], 5000, done);
  const err = new RedisAdapterError("REDIS_ERR_CLOSED", "closed");
  request.fail(err);
  request.fail(err);
  request.answer("b", []);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]?.[0], err);
});
