// The official engine.io-client 6.x against courant/engine: polling only, WebSocket only, and the
// default polling → WebSocket upgrade; messages both ways, in order and exactly once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Socket as ClientSocket } from "engine.io-client";
import type { Session } from "../../../src/engine/index.js";
import { startEngine, until, waitFor, within } from "./helpers.js";
import type { TestServer } from "./helpers.js";

type Transports = ("polling" | "websocket")[] | undefined;

function connectClient(server: TestServer, transports: Transports, extra: Record<string, unknown> = {}): ClientSocket {
  return new ClientSocket(server.origin, { ...(transports === undefined ? {} : { transports }), ...extra });
}

async function openPair(server: TestServer, transports: Transports): Promise<{ client: ClientSocket; session: Session }> {
  const connection = waitFor<[Session]>(server.engine, "connection");
  const client = connectClient(server, transports);
  const [session] = await connection;
  await within(
    new Promise<void>((resolve) => client.once("open", () => resolve())),
    3000,
    "client open",
  );
  return { client, session };
}

function closeClient(client: ClientSocket): void {
  client.close();
}

for (const transports of [["polling"], ["websocket"]] as Transports[]) {
  const name = (transports as string[])[0];
  test(`${name} only: text and binary messages both ways`, async () => {
    const server = await startEngine();
    try {
      const { client, session } = await openPair(server, transports);
      assert.equal(session.transport.name, name);
      assert.equal(client.transport.name, name);
      const atServer: (string | Buffer)[] = [];
      session.on("message", (d: string | Buffer) => atServer.push(d));
      const atClient: unknown[] = [];
      client.on("message", (d: unknown) => atClient.push(d));
      client.send("héllo");
      client.send(new Uint8Array([1, 2, 3, 250]));
      session.send("wörld");
      session.send(Buffer.from([9, 8, 7]));
      await until(() => atServer.length === 2 && atClient.length === 2, 3000, "messages");
      assert.equal(atServer[0], "héllo");
      assert.deepEqual(atServer[1], Buffer.from([1, 2, 3, 250]));
      assert.equal(atClient[0], "wörld");
      assert.deepEqual(Buffer.from(atClient[1] as Uint8Array), Buffer.from([9, 8, 7]));
      const closed = waitFor<[string]>(session, "close");
      closeClient(client);
      assert.equal((await closed)[0], "transport close");
      assert.equal(server.engine.clientsCount, 0);
    } finally {
      await server.close();
    }
  });

  test(`${name} only: the server closes the session, the client sees it`, async () => {
    const server = await startEngine();
    try {
      const { client, session } = await openPair(server, transports);
      const clientClosed = new Promise<string>((resolve) => client.once("close", (reason: string) => resolve(reason)));
      const serverClosed = waitFor<[string]>(session, "close");
      session.send("last");
      const last = new Promise<unknown>((resolve) => client.once("message", resolve));
      session.close();
      assert.equal(await within(last, 3000, "last message"), "last");
      assert.equal((await serverClosed)[0], "forced close");
      assert.equal(await within(clientClosed, 3000, "client close"), "transport close");
    } finally {
      await server.close();
    }
  });
}

test("the default path: polling, then the upgrade to WebSocket", async () => {
  const server = await startEngine();
  try {
    const { client, session } = await openPair(server, undefined);
    assert.equal(session.transport.name, "polling");
    const events: string[] = [];
    session.on("upgrading", (t: { name: string }) => events.push(`upgrading:${t.name}`));
    const upgraded = waitFor<[{ name: string }]>(session, "upgrade");
    const [transport] = await upgraded;
    events.push(`upgrade:${transport.name}`);
    assert.deepEqual(events, ["upgrading:websocket", "upgrade:websocket"]);
    assert.equal(session.upgraded, true);
    assert.equal(session.upgrading, false);
    assert.equal(session.transport.name, "websocket");
    await until(() => client.transport.name === "websocket", 3000, "client upgraded");
    const echo = new Promise<unknown>((resolve) => client.once("message", resolve));
    session.once("message", (d) => {
      session.send(`echo:${String(d)}`);
    });
    client.send("after upgrade");
    assert.equal(await within(echo, 3000, "echo"), "echo:after upgrade");
    // The old polling transport is gone: a polling request for this sid is refused.
    closeClient(client);
  } finally {
    await server.close();
  }
});

test("500 messages each way sent across the upgrade arrive in order, exactly once", async () => {
  const server = await startEngine();
  try {
    const N = 500;
    const atServer: string[] = [];
    const connection = waitFor<[Session]>(server.engine, "connection");
    const client = connectClient(server, undefined);
    const atClient: string[] = [];
    client.on("message", (d: unknown) => atClient.push(String(d)));
    const [session] = await connection;
    session.on("message", (d) => atServer.push(String(d)));
    await new Promise<void>((resolve) => client.once("open", () => resolve()));
    // Send in small batches, one per macrotask, so they span the probe and the switch.
    let sent = 0;
    await new Promise<void>((resolve) => {
      const step = (): void => {
        for (let i = 0; i < 5 && sent < N; i++, sent++) {
          client.send(`c${sent}`);
          session.send(`s${sent}`);
        }
        if (sent < N) setTimeout(step, 1);
        else resolve();
      };
      step();
    });
    await until(() => atServer.length >= N && atClient.length >= N, 8000, `all messages (server ${atServer.length}, client ${atClient.length})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(atServer, Array.from({ length: N }, (_, i) => `c${i}`));
    assert.deepEqual(atClient, Array.from({ length: N }, (_, i) => `s${i}`));
    assert.equal(session.upgraded, true, "the upgrade happened while messages flowed");
    closeClient(client);
  } finally {
    await server.close();
  }
});

test("the client's heartbeat: pongs keep the session open over several ping intervals", async () => {
  const server = await startEngine({ pingInterval: 80, pingTimeout: 100 });
  try {
    for (const transports of [["polling"], ["websocket"]] as Transports[]) {
      const { client, session } = await openPair(server, transports);
      let beats = 0;
      session.on("heartbeat", () => beats++);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(beats >= 4, `${beats} heartbeats on ${session.transport.name}`);
      assert.equal(session.readyState, "open");
      closeClient(client);
    }
  } finally {
    await server.close();
  }
});

test("transports restricted to websocket: a polling-only client is refused with code 0", async () => {
  const server = await startEngine({ transports: ["websocket"] });
  try {
    const client = connectClient(server, ["polling"]);
    const error = await within(new Promise<unknown>((resolve) => client.once("error", resolve)), 3000, "error");
    assert.ok(error);
    client.close();
    const ws = await openPair(server, ["websocket"]);
    assert.equal(ws.session.transport.name, "websocket");
    closeClient(ws.client);
  } finally {
    await server.close();
  }
});

test("allowUpgrades: false keeps the session on polling and advertises no upgrade", async () => {
  const server = await startEngine({ allowUpgrades: false });
  try {
    const { client, session } = await openPair(server, undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(session.transport.name, "polling");
    assert.equal(client.transport.name, "polling");
    closeClient(client);
  } finally {
    await server.close();
  }
});
