// permessage-deflate over the wire: threshold, RSV1 on the wire, order with async compression,
// the shared zlib limiter, negotiation results, and a compressed bomb sent to the server.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { WebSocket, type WebSocketError } from "../../../src/websocket/index.js";
import { RawClient, next, parseServerFrameBytes, startServer, stopServer, within } from "./helpers.js";

function inflate(payload: Buffer): string {
  return zlib.inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString();
}

describe("permessage-deflate on the wire", () => {
  test("RSV1 only on messages at or over the threshold; prepared and compress:false frames stay plain", async () => {
    const { wss, port } = await startServer({ perMessageDeflate: { threshold: 100, serverNoContextTakeover: true } });
    wss.on("connection", (ws) => {
      ws.send("small");
      ws.send("x".repeat(200));
      ws.sendPrepared(WebSocket.prepare("y".repeat(300)));
      ws.send(Buffer.alloc(1000, 1));
      ws.send("z".repeat(500), { compress: false });
      ws.send("last".repeat(50));
    });
    const raw = await RawClient.connect(port);
    const head = await raw.handshake("/", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
    assert.match(head, /Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n/);
    await raw.waitFor((r) => parseServerFrameBytes(r).length === 6);
    const got = parseServerFrameBytes(raw.received);
    assert.deepEqual(
      got.map(([b0]) => [b0 & 0x0f, (b0 & 0x40) !== 0]),
      [[1, false], [1, true], [1, false], [2, true], [1, false], [1, true]],
    );
    assert.equal(got[0]![1].toString(), "small");
    assert.equal(inflate(got[1]![1]), "x".repeat(200));
    assert.ok(got[1]![1].length < 50, "actually compressed");
    assert.equal(got[2]![1].toString(), "y".repeat(300));
    // No context takeover: each message inflates alone.
    assert.equal(inflate(got[5]![1]), "last".repeat(50));
    raw.destroy();
    await stopServer(wss);
  });

  test("order is kept when compressed, plain, prepared and control frames mix", async () => {
    const { wss, url } = await startServer({ perMessageDeflate: { threshold: 64 } });
    const total = 300;
    wss.on("connection", (ws) => {
      const prepared = WebSocket.prepare("prepared");
      for (let i = 0; i < total; i++) {
        if (i % 3 === 0) ws.send(`${i}:` + "c".repeat(100 + i));
        else if (i % 3 === 1) ws.send(`${i}`);
        else ws.sendPrepared(prepared);
        if (i % 50 === 0) ws.ping(String(i));
      }
    });
    const client = new WebSocket(url);
    const received: string[] = [];
    const pings: string[] = [];
    client.on("ping", (d) => pings.push(d.toString()));
    await within(
      new Promise<void>((resolve) => {
        client.on("message", (d) => {
          received.push((d as Buffer).toString().split(":")[0]!);
          if (received.length === total) resolve();
        });
      }),
      10_000,
    );
    assert.match(client.extensions, /^permessage-deflate/);
    assert.deepEqual(received, Array.from({ length: total }, (_, i) => (i % 3 === 2 ? "prepared" : String(i))));
    assert.deepEqual(pings, ["0", "50", "100", "150", "200", "250"]);
    client.terminate();
    await stopServer(wss);
  });

  test("many sockets share a limiter of one zlib job; all messages arrive", async () => {
    const { wss, url } = await startServer({ perMessageDeflate: { threshold: 0, concurrencyLimit: 1 } });
    wss.on("connection", (ws) => {
      for (let i = 0; i < 20; i++) ws.send(`message ${i} `.repeat(50));
    });
    const clients = Array.from({ length: 15 }, () => new WebSocket(url));
    const counts = await within(
      Promise.all(
        clients.map(
          (c) =>
            new Promise<number>((resolve) => {
              let n = 0;
              c.on("message", (d) => {
                assert.equal((d as Buffer).toString(), `message ${n} `.repeat(50));
                if (++n === 20) resolve(n);
              });
            }),
        ),
      ),
      15_000,
    );
    assert.deepEqual(counts, Array(15).fill(20));
    for (const c of clients) c.terminate();
    await stopServer(wss);
  });

  test("negotiated parameters are visible on both sides", async () => {
    const { wss, url } = await startServer({ perMessageDeflate: { clientNoContextTakeover: true, clientMaxWindowBits: 12 } });
    const serverSide = next<[WebSocket]>(wss, "connection");
    const client = new WebSocket(url);
    await next(client, "open");
    const [server] = await serverSide;
    assert.equal(server.extensions, "permessage-deflate; client_no_context_takeover; client_max_window_bits=12");
    assert.equal(client.extensions, server.extensions);
    const echoed = next<[Buffer]>(client, "message");
    server.on("message", (d) => server.send(d as Buffer));
    client.send("round trip ".repeat(200));
    assert.equal((await echoed)[0].toString(), "round trip ".repeat(200));
    client.terminate();

    const plain = new WebSocket(url, [], { perMessageDeflate: false });
    await next(plain, "open");
    assert.equal(plain.extensions, "");
    plain.terminate();
    await stopServer(wss);
  });

  test("a compressed bomb sent to the server closes with 1009 and the server goes on", async () => {
    const { wss, url } = await startServer({ perMessageDeflate: true, maxPayload: 1024 * 1024 });
    const errors: string[] = [];
    wss.on("connection", (ws) => ws.on("error", (e) => errors.push((e as WebSocketError).code)));
    const client = new WebSocket(url);
    await next(client, "open");
    const closed = next<[number]>(client, "close", 10_000);
    client.send(Buffer.alloc(32 * 1024 * 1024)); // ~32 KiB on the wire
    assert.equal((await closed)[0], 1009);
    assert.deepEqual(errors, ["WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"]);
    const again = new WebSocket(url);
    await next(again, "open");
    again.terminate();
    await stopServer(wss);
  });
});
