// examples/cluster/sticky.ts: three node:cluster workers behind one port. Long-polling sessions
// stay on the worker that made them (every request of a session routed by its sid), upgrades to
// WebSocket land there too, WebSocket-only clients spread round-robin, and a broadcast made on
// one worker reaches every client once through Redis.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { workerOfRequest } from "../../../examples/cluster/sticky.js";
import { RecordingClient, REDIS_URL, skip, sleep, uniqueKey, waitUntil, within } from "./helpers.js";

const APP = fileURLToPath(new URL("./fixtures/cluster-app.ts", import.meta.url));

test("the request line's sid names the worker", () => {
  assert.equal(workerOfRequest("GET /socket.io/?EIO=4&transport=polling&sid=2.abc HTTP/1.1", 3), 2);
  assert.equal(workerOfRequest("POST /socket.io/?EIO=4&sid=0.x_y-z&transport=polling HTTP/1.1", 3), 0);
  assert.equal(workerOfRequest("GET /socket.io/?EIO=4&transport=websocket&sid=1%2Eabc HTTP/1.1", 3), 1);
  assert.equal(workerOfRequest("GET /socket.io/?EIO=4&transport=polling HTTP/1.1", 3), undefined, "a handshake: round-robin");
  assert.equal(workerOfRequest("GET /socket.io/?sid=7.abc HTTP/1.1", 3), undefined, "no such worker");
  assert.equal(workerOfRequest("GET /socket.io/?xsid=1.abc HTTP/1.1", 3), undefined);
});

test("three workers behind one port: sticky long-polling, upgrades, WebSocket-only clients, broadcasts through Redis", { skip }, async () => {
  const primary = fork(APP, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, WORKERS: "3", KEY: uniqueKey("cluster"), REDIS_URL },
  });
  const clients: RecordingClient[] = [];
  try {
    const [{ port }] = (await within(once(primary, "message"), 30_000, "the cluster listening")) as [{ port: number }];
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 6; i++) clients.push(new RecordingClient(url, `polling${i}`, { transports: ["polling"] }));
    for (let i = 0; i < 3; i++) clients.push(new RecordingClient(url, `websocket${i}`, { transports: ["websocket"] }));
    for (let i = 0; i < 3; i++) clients.push(new RecordingClient(url, `upgrade${i}`, { transports: ["polling", "websocket"] }));
    await Promise.all(clients.map((c) => c.connected()));

    const where = new Map<string, number>();
    for (const client of clients) {
      // Many requests per polling session: every one must reach the worker that holds it.
      for (let round = 0; round < 4; round++) {
        const index = (await within(client.socket.emitWithAck("where"), 5000, `${client.name} where`)) as number;
        if (where.has(client.name)) assert.equal(index, where.get(client.name), `${client.name} stays on its worker`);
        where.set(client.name, index);
      }
      const sid = client.socket.io.engine.id;
      assert.ok(sid.startsWith(`${where.get(client.name)}.`), `${client.name}'s session id ${sid} names its worker`);
    }
    const used = new Set(where.values());
    assert.equal(used.size, 3, `sessions spread over the three workers: ${[...where]}`);
    await waitUntil(() => clients.filter((c) => c.name.startsWith("upgrade")).every((c) => c.socket.io.engine.transport.name === "websocket"), "upgrades done");

    clients[0]!.socket.emit("say", "hello");
    await waitUntil(() => clients.every((c) => c.count("said") === 1), "everyone hears it");
    await sleep(300);
    for (const client of clients) {
      assert.equal(client.count("said"), 1, client.name);
      assert.deepEqual(client.argsOf("said")[0], ["hello", where.get("polling0")]);
    }
    assert.ok(clients.every((c) => c.socket.connected), "no session was lost");
  } finally {
    for (const client of clients) client.close();
    if (primary.exitCode === null) {
      primary.kill("SIGTERM");
      await within(once(primary, "exit"), 10_000, "the cluster stopping").catch(() => primary.kill("SIGKILL"));
    }
  }
});
