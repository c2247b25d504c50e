// Servers that stop answering: a hung process (SIGSTOP: its Redis connection stays open) and
// killed ones (SIGKILL). Requests to them end with a typed error after `requestsTimeout`, never
// hang; heartbeats mark them gone, after which requests complete without them; broadcasts between
// the living keep flowing; a hung server that comes back is counted again.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { RecordingClient, ServerProcess, skip, sleep, uniqueKey, waitUntil } from "./helpers.js";

const HEARTBEAT_INTERVAL = 200;
// Generous margins: the machine running the tests may be loaded.
const HEARTBEAT_TIMEOUT = 4000;
const REQUESTS_TIMEOUT = 1500;

let A: ServerProcess;
let B: ServerProcess;
let C: ServerProcess;
const clients: Record<string, RecordingClient> = {};

before(async () => {
  if (skip !== false) return;
  const key = uniqueKey("failure");
  const common = { key, heartbeatInterval: HEARTBEAT_INTERVAL, heartbeatTimeout: HEARTBEAT_TIMEOUT, requestsTimeout: REQUESTS_TIMEOUT };
  [A, B, C] = await Promise.all([
    ServerProcess.start({ ...common, name: "A", client: "node-redis" }),
    ServerProcess.start({ ...common, name: "B", client: "ioredis" }),
    ServerProcess.start({ ...common, name: "C", client: "node-redis" }),
  ]);
  clients.a = new RecordingClient(A.url, "a");
  clients.b = new RecordingClient(B.url, "b");
  clients.c = new RecordingClient(C.url, "c");
  await Promise.all(Object.values(clients).map((c) => c.connected()));
  await waitUntil(async () => (await A.call("fetchSockets")).sockets?.length === 3, "A sees the 3 sockets");
});

after(async () => {
  for (const client of Object.values(clients)) client.close();
  C?.kill("SIGCONT");
  await Promise.all([A?.close(), B?.close(), C?.close()]);
});

async function names(server: ServerProcess): Promise<string[]> {
  const result = await server.call("fetchSockets");
  assert.equal(result.error, undefined, `fetchSockets on ${server.name}: ${JSON.stringify(result.error)}`);
  return result.sockets.map((s: any) => s.data.name).sort();
}

test("a hung server: requests time out with REDIS_ERR_REQUEST_TIMEOUT, then heartbeats mark it gone and requests complete without it", { skip }, async () => {
  C.kill("SIGSTOP");
  // All three at once, well before the heartbeat timeout (past it, C would be dropped and they would complete).
  const started = Date.now();
  const [fetched, emitted, acked] = await Promise.all([
    A.call("fetchSockets").then((result) => ({ ...result, elapsed: Date.now() - started })),
    B.call("serverSideEmitWithAck", { event: "whoami" }),
    A.call("emitWithAck", { event: "ask", flags: { timeout: 600 } }),
  ]);
  assert.equal(fetched.error?.code, "REDIS_ERR_REQUEST_TIMEOUT", JSON.stringify(fetched));
  assert.match(fetched.error.message, /fetchSockets: timeout reached after 1500 ms, 1 of 2 servers answered/);
  assert.deepEqual(fetched.error.responses.length, 2, "A's own socket and B's");
  assert.ok(fetched.elapsed >= REQUESTS_TIMEOUT - 50 && fetched.elapsed < REQUESTS_TIMEOUT + 3000, `timed out after ${fetched.elapsed} ms`);
  assert.equal(emitted.error?.code, "REDIS_ERR_REQUEST_TIMEOUT", JSON.stringify(emitted));
  assert.deepEqual(emitted.error.responses, ["A"], "the answers that did arrive");
  assert.match(acked.error?.message ?? "", /timed out/, "the clients of a hung server cannot answer");

  // Meanwhile A and B still broadcast to each other.
  await A.call("emit", { event: "while-hung" });
  await waitUntil(() => clients.a!.count("while-hung") === 1 && clients.b!.count("while-hung") === 1, "A and B deliver while C hangs");

  // Heartbeats: C is gone for A and for B.
  await waitUntil(async () => (await A.call("state")).nodeEvents.includes(`gone ${C.uid} heartbeat timeout`), "A marks C gone", HEARTBEAT_TIMEOUT + 3000);
  await waitUntil(async () => (await B.call("state")).nodeEvents.includes(`gone ${C.uid} heartbeat timeout`), "B marks C gone", HEARTBEAT_TIMEOUT + 3000);
  assert.deepEqual(await names(A), ["a", "b"]);
  assert.deepEqual(await B.call("serverCount"), { count: 2 });
  assert.deepEqual((await B.call("serverSideEmitWithAck", { event: "whoami" })).responses, ["A"]);

  // Back from the dead: counted again.
  C.kill("SIGCONT");
  await waitUntil(async () => (await A.call("serverCount")).count === 3, "A counts C again", 5000);
  assert.deepEqual(await names(A), ["a", "b", "c"]);
  // Redis kept what was published while C was stopped in C's connection buffer: delivered late, once.
  await waitUntil(() => clients.c!.count("while-hung") === 1, "c gets the broadcast sent while C hung");
  await sleep(200);
  assert.equal(clients.c!.count("while-hung"), 1);
});

test("a server killed during a request: the request ends with the answers it got; the next one completes without it", { skip }, async () => {
  const slow = A.call("serverSideEmitWithAck", { event: "slow", args: [400] });
  await sleep(100);
  B.kill("SIGKILL");
  await B.exited;
  const result = await slow;
  assert.equal(result.error?.code, "REDIS_ERR_REQUEST_TIMEOUT", JSON.stringify(result));
  assert.deepEqual(result.error.responses, ["C"]);

  // Its Redis connection closed: the next request sees it gone at once, with no timeout to wait for.
  const started = Date.now();
  assert.deepEqual(await names(A), ["a", "c"]);
  assert.ok(Date.now() - started < REQUESTS_TIMEOUT, "no timeout waited for");
  assert.ok((await A.call("state")).nodeEvents.includes(`gone ${B.uid} disconnected`));
  await C.call("emit", { event: "after-kill" });
  await waitUntil(() => clients.a!.count("after-kill") === 1 && clients.c!.count("after-kill") === 1, "A and C still deliver");
});

test("a killed server nobody asks about: heartbeats alone mark it gone", { skip }, async () => {
  const seen = (await A.call("state")).nodeEvents.length;
  C.kill("SIGKILL");
  await C.exited;
  const killedAt = Date.now();
  await waitUntil(
    async () => (await A.call("state")).nodeEvents.slice(seen).includes(`gone ${C.uid} heartbeat timeout`),
    "A marks C gone",
    HEARTBEAT_TIMEOUT + 3000,
  );
  assert.ok(Date.now() - killedAt >= HEARTBEAT_TIMEOUT - 300, "not before the heartbeat timeout");
  assert.deepEqual((await A.call("state")).liveNodes, []);
  assert.deepEqual(await A.call("serverCount"), { count: 1 });
  assert.deepEqual(await names(A), ["a"]);
  const alone = await A.call("serverSideEmitWithAck", { event: "whoami" });
  assert.deepEqual(alone.responses, [], "no other server: an empty answer at once");
});
