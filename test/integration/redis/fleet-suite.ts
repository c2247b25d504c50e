// Three Courant server processes on one Redis (A and C on node-redis, B on ioredis), official
// clients on each (WebSocket and long-polling): every broadcast form and every request, each
// delivery counted so that "exactly once" is checked, not assumed. Run for the classic wire
// (fleet-classic.test.ts) and the sharded one (fleet-sharded.test.ts).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { expectDeliveries, RecordingClient, ServerProcess, skip, sleep, uniqueKey, waitUntil } from "./helpers.js";

interface Fleet {
  A: ServerProcess;
  B: ServerProcess;
  C: ServerProcess;
  clients: Record<string, RecordingClient>;
}

const BINARY = Buffer.from([0, 1, 2, 250, 255]);

export function fleetSuite(mode: "classic" | "sharded"): void {
  const sharded = mode === "sharded";
  let fleet: Fleet;

  before(async () => {
    if (skip !== false) return;
    const key = uniqueKey(`fleet-${mode}`);
    const [A, B, C] = await Promise.all([
      ServerProcess.start({ name: "A", key, sharded, client: "node-redis" }),
      ServerProcess.start({ name: "B", key, sharded, client: "ioredis" }),
      ServerProcess.start({ name: "C", key, sharded, client: "node-redis" }),
    ]);
    const clients: Record<string, RecordingClient> = {
      a1: new RecordingClient(A.url, "a1", { rooms: ["r1"] }),
      a2: new RecordingClient(A.url, "a2", { rooms: ["r2"], transports: ["polling"] }),
      b1: new RecordingClient(B.url, "b1", { rooms: ["r1"] }),
      b2: new RecordingClient(B.url, "b2", { rooms: ["r1", "r2"], transports: ["polling"] }),
      c1: new RecordingClient(C.url, "c1", { rooms: ["r2"] }),
      c2: new RecordingClient(C.url, "c2", {}),
      adminA: new RecordingClient(A.url, "adminA", { nsp: "/admin", rooms: ["r1"] }),
      adminC: new RecordingClient(C.url, "adminC", { nsp: "/admin" }),
    };
    await Promise.all(Object.values(clients).map((c) => c.connected()));
    fleet = { A, B, C, clients };
    // Every server knows the others and every socket is in its rooms (and, sharded, subscribed to them).
    await waitUntil(async () => (await A.call("fetchSockets")).sockets?.length === 6, "A sees the 6 sockets of /");
    await sleep(200);
  });

  after(async () => {
    if (fleet === undefined) return;
    for (const client of Object.values(fleet.clients)) client.close();
    await Promise.all([fleet.A.close(), fleet.B.close(), fleet.C.close()]);
  });

  test(`${mode}: the servers count each other`, { skip }, async () => {
    for (const server of [fleet.A, fleet.B, fleet.C]) {
      assert.deepEqual(await server.call("serverCount"), { count: 3 }, server.name);
    }
    const state = await fleet.A.call("state");
    assert.deepEqual([...state.liveNodes].sort(), [fleet.B.uid, fleet.C.uid].sort(), "A knows B and C by heartbeat");
  });

  test(`${mode}: every broadcast form reaches each target socket exactly once`, { skip }, async () => {
    const { A, B, C, clients } = fleet;
    await A.call("emit", { event: "all", args: [1, "two", { three: 3 }] });
    await B.call("emit", { event: "to-r1", rooms: ["r1"] });
    await C.call("emit", { event: "to-r1-r2", rooms: ["r1", "r2"] });
    await A.call("emit", { event: "except-r2", except: ["r2"] });
    await C.call("emit", { event: "r1-except-r2", rooms: ["r1"], except: ["r2"] });
    await A.call("socketBroadcast", { socketId: clients.a1!.id, event: "broadcast-from-a1" });
    await B.call("socketBroadcast", { socketId: clients.b2!.id, event: "broadcast-r2-from-b2", rooms: ["r2"] });
    await A.call("emit", { event: "to-c1-id", rooms: [clients.c1!.id] });
    await A.call("emit", { event: "to-b1-and-c2-ids", rooms: [clients.b1!.id, clients.c2!.id] });
    await A.call("emit", { event: "except-ids", except: [clients.a1!.id, clients.b2!.id, clients.c1!.id] });
    await B.call("emit", { event: "admin", nsp: "/admin" });
    await B.call("emit", { event: "admin-r1", nsp: "/admin", rooms: ["r1"] });
    await C.call("emit", { event: "binary", args: [BINARY, { nested: BINARY }] });
    await A.call("emit", { event: "local-A", flags: { local: true } });
    await C.call("emit", { event: "local-C-r2", rooms: ["r2"], flags: { local: true } });
    await B.call("emit", { event: "uncompressed", flags: { compress: false } });
    const everyone = ["a1", "a2", "b1", "b2", "c1", "c2"];
    await expectDeliveries(
      fleet.clients,
      {
        all: everyone,
        "to-r1": ["a1", "b1", "b2"],
        "to-r1-r2": ["a1", "a2", "b1", "b2", "c1"],
        "except-r2": ["a1", "b1", "c2"],
        "r1-except-r2": ["a1", "b1"],
        "broadcast-from-a1": ["a2", "b1", "b2", "c1", "c2"],
        "broadcast-r2-from-b2": ["a2", "c1"],
        "to-c1-id": ["c1"],
        "to-b1-and-c2-ids": ["b1", "c2"],
        "except-ids": ["a2", "b1", "c2"],
        admin: ["adminA", "adminC"],
        "admin-r1": ["adminA"],
        binary: everyone,
        "local-A": ["a1", "a2"],
        "local-C-r2": ["c1"],
        uncompressed: everyone,
      },
    );
    // Volatile, alone: a transport still busy with a burst drops it, and so does a long-polling
    // client with no pending request; idle WebSocket clients get it once.
    await C.call("emit", { event: "volatile", flags: { volatile: true } });
    await expectDeliveries(clients, { volatile: everyone }, new Set(["volatile:a2", "volatile:b2"]));
    assert.deepEqual(clients.b1!.argsOf("all")[0], [1, "two", { three: 3 }]);
    for (const name of everyone) {
      const [args] = clients[name]!.argsOf("binary");
      const [bytes, nested] = args as [Uint8Array, { nested: Uint8Array }];
      assert.deepEqual([...Buffer.from(bytes)], [...BINARY], `binary bytes at ${name}`);
      assert.deepEqual([...Buffer.from(nested.nested)], [...BINARY], `nested binary bytes at ${name}`);
    }
  });

  test(`${mode}: fetchSockets returns every socket once, with id, handshake, rooms and data`, { skip }, async () => {
    const { A, B, C, clients } = fleet;
    const all = await B.call("fetchSockets");
    const byName = new Map<string, any>(all.sockets.map((s: any) => [s.data.name, s]));
    assert.deepEqual([...byName.keys()].sort(), ["a1", "a2", "b1", "b2", "c1", "c2"]);
    assert.equal(all.sockets.length, 6, "no socket twice");
    for (const [name, socket] of byName) {
      assert.equal(socket.id, clients[name]!.id);
      assert.equal(socket.auth.name, name, "handshake.auth");
      assert.equal(socket.address, "127.0.0.1", "handshake.address");
      assert.equal(socket.data.server, name[0]!.toUpperCase(), "data set by the socket's own server");
    }
    assert.deepEqual(byName.get("b2").rooms, [clients.b2!.id, "r1", "r2"].sort());
    const r1 = await C.call("fetchSockets", { rooms: ["r1"], except: [clients.b1!.id] });
    assert.deepEqual(r1.sockets.map((s: any) => s.data.name).sort(), ["a1", "b2"]);
    const local = await A.call("fetchSockets", { flags: { local: true } });
    assert.deepEqual(local.sockets.map((s: any) => s.data.name).sort(), ["a1", "a2"]);
    const admin = await C.call("fetchSockets", { nsp: "/admin" });
    assert.deepEqual(admin.sockets.map((s: any) => s.data.name).sort(), ["adminA", "adminC"]);
  });

  test(`${mode}: a remote socket's emit, join and leave act on the server that holds it`, { skip }, async () => {
    const { A, B, clients } = fleet;
    await A.call("remote", { target: clients.c1!.id, op: "emit", event: "direct", args: ["hi"] });
    await A.call("remote", { target: clients.b1!.id, op: "join", room: "vip" });
    await waitUntil(async () => {
      const state = await B.call("state");
      return state.sockets.some((s: any) => s.id === clients.b1!.id && s.rooms.includes("vip"));
    }, "b1 joined vip on B");
    await sleep(100);
    await A.call("emit", { event: "vip", rooms: ["vip"] });
    await expectDeliveries(fleet.clients, { direct: ["c1"], vip: ["b1"] });
    assert.deepEqual(clients.c1!.argsOf("direct"), [["hi"]]);
    await A.call("remote", { target: clients.b1!.id, op: "leave", room: "vip" });
    await waitUntil(async () => {
      const state = await B.call("state");
      return state.sockets.some((s: any) => s.id === clients.b1!.id && !s.rooms.includes("vip"));
    }, "b1 left vip on B");
    await A.call("emit", { event: "vip-after-leave", rooms: ["vip"] });
    await expectDeliveries(fleet.clients, { "vip-after-leave": [] });
  });

  test(`${mode}: socketsJoin and socketsLeave reach the sockets of every server`, { skip }, async () => {
    const { A, B, C } = fleet;
    await A.call("socketsJoin", { rooms: ["r2"], room: "r3" });
    await waitUntil(async () => {
      const states = await Promise.all([A.call("state"), B.call("state"), C.call("state")]);
      return states.flatMap((s) => s.sockets).filter((s: any) => s.rooms.includes("r3")).length === 3;
    }, "the r2 sockets joined r3");
    await sleep(100);
    await C.call("emit", { event: "to-r3", rooms: ["r3"] });
    await expectDeliveries(fleet.clients, { "to-r3": ["a2", "b2", "c1"] });
    await B.call("socketsLeave", { rooms: ["r1"], room: "r3" });
    await waitUntil(async () => {
      const states = await Promise.all([A.call("state"), B.call("state"), C.call("state")]);
      return states.flatMap((s) => s.sockets).filter((s: any) => s.rooms.includes("r3")).length === 2;
    }, "b2 (in r1) left r3");
    await C.call("emit", { event: "to-r3-again", rooms: ["r3"] });
    await expectDeliveries(fleet.clients, { "to-r3-again": ["a2", "c1"] });
  });

  test(`${mode}: serverSideEmit reaches the other servers once; with an ack, every other server answers`, { skip }, async () => {
    const { A, B, C } = fleet;
    await A.call("serverSideEmit", { event: "note", args: ["from A", BINARY] });
    await waitUntil(async () => (await B.call("state")).serverEvents.length === 1 && (await C.call("state")).serverEvents.length === 1, "B and C got the note");
    await sleep(200);
    for (const server of [B, C]) {
      const { serverEvents } = await server.call("state");
      assert.equal(serverEvents.length, 1, `${server.name} got the note once`);
      assert.equal(serverEvents[0][0], "from A");
      assert.deepEqual([...Buffer.from(serverEvents[0][1])], [...BINARY]);
    }
    assert.equal((await A.call("state")).serverEvents.length, 0, "not the sender");
    const answers = await B.call("serverSideEmitWithAck", { event: "whoami" });
    assert.deepEqual(answers.responses.sort(), ["A", "C"]);
  });

  test(`${mode}: timeout().emit collects every client's acknowledgement from every server`, { skip }, async () => {
    const { A, C } = fleet;
    const all = await A.call("emitWithAck", { event: "ask-all", flags: { timeout: 4000 } });
    assert.deepEqual(all.responses.sort(), ["a1", "a2", "b1", "b2", "c1", "c2"]);
    const r1 = await C.call("emitWithAck", { event: "ask-r1", rooms: ["r1"], flags: { timeout: 4000 } });
    assert.deepEqual(r1.responses.sort(), ["a1", "b1", "b2"]);
    const none = await C.call("emitWithAck", { event: "ask-nobody", rooms: ["no-such-room"], flags: { timeout: 4000 } });
    assert.deepEqual(none.responses, []);
  });

  test(`${mode}: disconnectSockets and a remote socket's disconnect reach the sockets of every server`, { skip }, async () => {
    const { A, C, clients } = fleet;
    const disconnected = (name: string) => !clients[name]!.socket.connected;
    await A.call("remote", { target: clients.c2!.id, op: "disconnect" });
    await waitUntil(() => disconnected("c2"), "c2 disconnected");
    await C.call("disconnectSockets", { rooms: ["r3"] });
    await waitUntil(() => disconnected("a2") && disconnected("c1"), "a2 and c1 (in r3) disconnected");
    await sleep(100);
    assert.deepEqual(
      ["a1", "b1", "b2"].filter(disconnected),
      [],
      "the others stay connected",
    );
    const left = await A.call("fetchSockets");
    assert.deepEqual(left.sockets.map((s: any) => s.data.name).sort(), ["a1", "b1", "b2"]);
  });
}
