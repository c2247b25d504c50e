// Interop both ways with the `ws` package: our server with a ws client, a ws server with our client,
// with and without permessage-deflate.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";
import WS, { WebSocketServer as WSServer } from "ws";
import { WebSocket, type WebSocketServer, type PerMessageDeflateOptions } from "../../../src/websocket/index.js";
import { next, startServer, stopServer, within } from "./helpers.js";

type Message = [string, boolean];

/** Messages of every kind the tests exchange. */
function payloads(): Array<string | Buffer> {
  const big = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  return ["hello", "", "ünïcödé 𝄞", Buffer.from([0, 1, 2, 255]), "x".repeat(2000), big, "é".repeat(200_000), Buffer.alloc(70_000, 9)];
}

function describeMessage(data: Buffer | string, isBinary: boolean): Message {
  const buf = typeof data === "string" ? Buffer.from(data) : data;
  return [isBinary ? `bin:${buf.length}:${buf.subarray(0, 16).toString("hex")}:${buf.subarray(-16).toString("hex")}` : `txt:${buf.toString()}`, isBinary];
}

/** Records the messages `client` receives; `all` settles once `count` have arrived (bounded at 20 s). */
function recordMessages(client: EventEmitter, count: number): { received: Message[]; all: Promise<void> } {
  const received: Message[] = [];
  const all = within(
    new Promise<void>((resolve) => {
      client.on("message", (data: Buffer, isBinary: boolean) => {
        received.push(describeMessage(data, isBinary));
        if (received.length === count) resolve();
      });
    }),
    20_000,
    "echoes",
  );
  return { received, all };
}

/** Pings and expects the same payload in the pong, then closes and expects the peer to echo the code and reason. */
async function pingThenClose(
  client: EventEmitter & { ping(data: string): void; close(code: number, reason: string): void },
  code: number,
  reason: string,
): Promise<void> {
  const pong = next<[Buffer]>(client, "pong");
  client.ping("ping!");
  assert.equal((await pong)[0].toString(), "ping!");

  const closed = next<[number, Buffer]>(client, "close");
  client.close(code, reason);
  const [gotCode, gotReason] = await closed;
  assert.equal(gotCode, code);
  assert.equal(gotReason.toString(), reason);
}

async function startWsServer(perMessageDeflate: boolean | object): Promise<{ server: WSServer; url: string }> {
  const server = new WSServer({ port: 0, host: "127.0.0.1", perMessageDeflate });
  await next(server, "listening");
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function closeWsServer(server: WSServer): Promise<void> {
  for (const client of server.clients) client.terminate();
  return within(new Promise<void>((resolve) => server.close(() => resolve())), 5000, "ws server close");
}

const modes: Array<{ name: string; server: boolean | PerMessageDeflateOptions; client: boolean | PerMessageDeflateOptions }> = [
  { name: "no compression", server: false, client: false },
  { name: "permessage-deflate", server: { threshold: 0 }, client: true },
  {
    name: "permessage-deflate without context takeover, small windows",
    server: { threshold: 100, serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 11 },
    client: { clientMaxWindowBits: 11, serverMaxWindowBits: 10 },
  },
];

for (const mode of modes) {
  describe(`our server <-> ws client (${mode.name})`, () => {
    test("echo of every message kind, fragments, pings, close code", async () => {
      const { wss, url }: { wss: WebSocketServer; url: string } = await startServer({ perMessageDeflate: mode.server });
      wss.on("connection", (ws) => {
        ws.on("message", (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
      });
      const client = new WS(url, { perMessageDeflate: mode.client as boolean | WS.PerMessageDeflateOptions });
      await next(client, "open");
      if (mode.server !== false) assert.match(client.extensions, /permessage-deflate/);
      const sent = payloads();
      const { received, all } = recordMessages(client, sent.length + 1);
      for (const p of sent) client.send(p, { binary: typeof p !== "string" });
      client.send("frag", { fin: false });
      client.send("ment", { fin: true });
      await all;
      assert.deepEqual(received, [...sent.map((p) => describeMessage(p, typeof p !== "string")), ["txt:fragment", false]]);
      await pingThenClose(client, 4321, "ws says bye");
      await stopServer(wss);
    });
  });

  describe(`ws server <-> our client (${mode.name})`, () => {
    test("echo of every message kind, fragments, pings, close code", async () => {
      const { server, url } = await startWsServer(mode.server === false ? false : { ...(mode.server as object), threshold: 0 });
      server.on("connection", (ws) => {
        ws.on("message", (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
      });
      const client = new WebSocket(url, [], { perMessageDeflate: mode.client });
      await next(client, "open");
      if (mode.server !== false) assert.match(client.extensions, /^permessage-deflate/);
      else assert.equal(client.extensions, "");
      const sent = payloads();
      const { received, all } = recordMessages(client, sent.length + 1);
      for (const p of sent) client.send(p);
      client.send(Buffer.from("frag"), { fin: false, binary: false });
      client.send(Buffer.from("ment"), { fin: true, binary: false });
      await all;
      assert.deepEqual(received, [...sent.map((p) => describeMessage(p, typeof p !== "string")), ["txt:fragment", false]]);
      await pingThenClose(client, 1000, "ours says bye");
      await closeWsServer(server);
    });
  });
}

describe("interop details", () => {
  test("subprotocol selection both ways", async () => {
    const { wss, url } = await startServer({ handleProtocols: (set) => (set.has("b") ? "b" : false) });
    const client = new WS(url, ["a", "b"]);
    await next(client, "open");
    assert.equal(client.protocol, "b");
    client.close();
    await next(client, "close");
    await stopServer(wss);

    const { server, url: wsUrl } = await startWsServer(false);
    const ours = new WebSocket(wsUrl, ["x", "y"]);
    await next(ours, "open");
    assert.equal(ours.protocol, "x");
    ours.close();
    await next(ours, "close");
    await closeWsServer(server);
  });

  test("close codes from the server reach a ws client, and ws server closes reach ours", async () => {
    const { wss, url } = await startServer();
    wss.on("connection", (ws) => ws.close(4999, "bye from courant"));
    const client = new WS(url);
    const [code, reason] = await next<[number, Buffer]>(client, "close");
    assert.deepEqual([code, reason.toString()], [4999, "bye from courant"]);
    await stopServer(wss);

    const { server, url: wsUrl } = await startWsServer(false);
    server.on("connection", (ws) => ws.close(1011, "oops"));
    const ours = new WebSocket(wsUrl);
    const [code2, reason2] = await next<[number, Buffer]>(ours, "close");
    assert.deepEqual([code2, reason2.toString()], [1011, "oops"]);
    await closeWsServer(server);
  });

  test("a ws client sending over our maxPayload gets 1009", async () => {
    const { wss, url } = await startServer({ maxPayload: 1000 });
    const client = new WS(url);
    await next(client, "open");
    const closed = next<[number]>(client, "close");
    client.send(Buffer.alloc(1001));
    assert.equal((await closed)[0], 1009);
    await stopServer(wss);
  });

  test("our client declines a compressed message bomb from a ws server with 1009", async () => {
    const { server, url } = await startWsServer({ threshold: 0 });
    server.on("connection", (ws) => ws.send(Buffer.alloc(8 * 1024 * 1024)));
    const ours = new WebSocket(url, [], { maxPayload: 1024 * 1024 });
    const errored = next<[{ code: string }]>(ours, "error");
    const [code] = await next<[number]>(ours, "close", 10_000);
    assert.equal((await errored)[0].code, "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH");
    assert.equal(code, 1006);
    await closeWsServer(server);
  });
});
