// The engine-facing fast paths: the handler object, prepared frames, per-tick coalescing,
// backpressure termination, onDrain, and bounded auto-pongs.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "node:net";
import WS from "ws";
import { WebSocket, type WebSocketHandler, WebSocketError } from "../../../src/websocket/index.js";
import { RawClient, next, startServer, stopServer, within } from "./helpers.js";

type Writev = (chunks: Array<{ chunk: Buffer }>, cb: (error?: Error | null) => void) => void;

/** Records what reaches the kernel: each writev batch's chunks (the real socket still writes them). */
function spyWrites(socket: Socket): Buffer[][] {
  const batches: Buffer[][] = [];
  const target = socket as unknown as { _writev: Writev; _write: (chunk: Buffer, enc: string, cb: (error?: Error | null) => void) => void };
  const writev = target._writev.bind(socket);
  const write = target._write.bind(socket);
  target._writev = (chunks, cb) => {
    batches.push(chunks.map((c) => c.chunk));
    writev(chunks, cb);
  };
  target._write = (chunk, enc, cb) => {
    batches.push([chunk]);
    write(chunk, enc, cb);
  };
  return batches;
}

function until(predicate: () => boolean, ms = 5000, label = "condition"): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      const check = (): void => (predicate() ? resolve() : void setTimeout(check, 2));
      check();
    }),
    ms,
    label,
  );
}

class RecordingHandler implements WebSocketHandler {
  readonly messages: Array<[string, boolean]> = [];
  readonly closes: Array<[number, string]> = [];
  readonly errors: string[] = [];
  drains = 0;
  onMessage(data: Buffer, isBinary: boolean): void {
    assert.ok(this instanceof RecordingHandler, "called with this = handler");
    assert.ok(Buffer.isBuffer(data));
    this.messages.push([isBinary ? data.toString("hex") : data.toString(), isBinary]);
  }
  onClose(code: number, reason: Buffer): void {
    this.closes.push([code, reason.toString()]);
  }
  onError(error: Error): void {
    this.errors.push((error as WebSocketError).code);
  }
  onDrain(): void {
    this.drains++;
  }
}

describe("handler", () => {
  test("messages, close and drain reach the handler; emitter listeners still fire", async () => {
    const { wss, url } = await startServer();
    const handler = new RecordingHandler();
    const emitted: string[] = [];
    wss.on("connection", (ws) => {
      ws.setHandler(handler);
      ws.on("message", (d) => emitted.push((d as Buffer).toString()));
    });
    const client = new WebSocket(url);
    await next(client, "open");
    client.send("one");
    client.send(Buffer.from([1, 2]));
    client.send("three");
    await until(() => handler.messages.length === 3);
    assert.deepEqual(handler.messages, [["one", false], ["0102", true], ["three", false]]);
    assert.deepEqual(emitted, ["one", "\u0001\u0002", "three"]);
    const server = [...wss.clients][0]!;
    server.send("reply");
    await next(client, "message");
    await until(() => handler.drains >= 1, 2000, "onDrain");
    assert.equal(server.bufferedAmount, 0);
    client.close(4000, "bye");
    await until(() => handler.closes.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(handler.closes, [[4000, "bye"]]);
    assert.deepEqual(handler.errors, []);
    await stopServer(wss);
  });

  test("onError once for a protocol error, then onClose once; no 'error' listener needed", async () => {
    const { wss, port } = await startServer();
    const handler = new RecordingHandler();
    wss.on("connection", (ws) => ws.setHandler(handler));
    const raw = await RawClient.connect(port);
    await raw.handshake();
    raw.socket.write(Buffer.from([0x83, 0x80, 0, 0, 0, 0, 0x84, 0x80, 0, 0, 0, 0]));
    await within(raw.closed);
    await until(() => handler.closes.length === 1);
    assert.deepEqual(handler.errors, ["WS_ERR_INVALID_OPCODE"]);
    assert.equal(handler.closes[0]![0], 1006);
    await stopServer(wss);
  });

  test("onDrain waits until a slow reader has taken everything", async () => {
    const { wss, url } = await startServer({ maxBackpressure: 0 });
    const handler = new RecordingHandler();
    const serverSide = next<[WebSocket]>(wss, "connection");
    const client = new WebSocket(url);
    await next(client, "open");
    client.pause();
    const [server] = await serverSide;
    server.setHandler(handler);
    for (let i = 0; i < 16; i++) server.send(Buffer.alloc(1024 * 1024));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(server.bufferedAmount > 0, "the kernel could not take 16 MiB at once");
    assert.equal(handler.drains, 0);
    let received = 0;
    client.on("message", () => received++);
    client.resume();
    await until(() => handler.drains === 1, 10_000, "onDrain");
    assert.equal(server.bufferedAmount, 0);
    await until(() => received === 16, 10_000, "all messages");
    client.terminate();
    await stopServer(wss);
  });

  test("setHandler(null) goes back to events only", async () => {
    const { wss, url } = await startServer();
    const handler = new RecordingHandler();
    const serverSide = next<[WebSocket]>(wss, "connection");
    const client = new WebSocket(url);
    await next(client, "open");
    const [server] = await serverSide;
    server.setHandler(handler);
    server.setHandler(null);
    const got = next<[Buffer]>(server, "message");
    client.send("x");
    assert.equal((await got)[0].toString(), "x");
    assert.deepEqual(handler.messages, []);
    client.terminate();
    await stopServer(wss);
  });
});

describe("prepared messages", () => {
  test("one frame Buffer written as is to many sockets (ours and ws clients, with and without deflate)", async () => {
    const { wss, url } = await startServer({ perMessageDeflate: { threshold: 0 } });
    const batchesBySocket: Buffer[][][] = [];
    wss.on("connection", (_ws, req) => batchesBySocket.push(spyWrites(req.socket as Socket)));
    const clients: Array<WebSocket | WS> = [];
    for (let i = 0; i < 6; i++) clients.push(new WebSocket(url, [], { perMessageDeflate: i % 2 === 0 }));
    for (let i = 0; i < 6; i++) clients.push(new WS(url, { perMessageDeflate: i % 2 === 0 }));
    await Promise.all(clients.map((c) => next(c, "open")));
    await until(() => wss.clients.size === 12);
    const message = WebSocket.prepare(JSON.stringify({ event: "tick", data: "x".repeat(3000) }));
    const binary = WebSocket.prepare(Buffer.from([1, 2, 3]));
    const received = clients.map((c) => {
      const got: string[] = [];
      (c as WS).on("message", (d: Buffer, isBinary: boolean) => got.push(isBinary ? d.toString("hex") : d.toString().slice(0, 20)));
      return got;
    });
    for (const ws of wss.clients) {
      ws.sendPrepared(message);
      ws.sendPrepared(binary);
    }
    await until(() => received.every((r) => r.length === 2));
    for (const r of received) assert.deepEqual(r, ['{"event":"tick","dat', "010203"]);
    for (const batches of batchesBySocket) {
      const chunks = batches.flat();
      assert.ok(chunks.includes(message.frame), "the prepared Buffer itself was written");
      assert.ok(chunks.includes(binary.frame));
    }
    assert.equal(message.frame[0], 0x81, "uncompressed: RSV1 clear");
    for (const c of clients) c.terminate();
    await stopServer(wss);
  });

  test("sendPrepared on a client socket falls back to a masked send", async () => {
    const { wss, url } = await startServer();
    const got = new Promise<string>((resolve) => wss.on("connection", (ws) => ws.on("message", (d) => resolve((d as Buffer).toString()))));
    const client = new WebSocket(url);
    await next(client, "open");
    client.sendPrepared(WebSocket.prepare("from a client"));
    assert.equal(await within(got), "from a client");
    client.terminate();
    await stopServer(wss);
  });
});

describe("coalescing and backpressure", () => {
  test("sends in one tick leave in one writev", async () => {
    const { wss, url } = await startServer();
    let batches: Buffer[][] = [];
    const serverSide = new Promise<WebSocket>((resolve) =>
      wss.on("connection", (ws, req) => {
        batches = spyWrites(req.socket as Socket);
        resolve(ws);
      }),
    );
    const client = new WebSocket(url);
    let count = 0;
    client.on("message", () => count++);
    await next(client, "open");
    const server = await serverSide;
    await new Promise((r) => setTimeout(r, 20));
    batches.length = 0;
    const prepared = WebSocket.prepare("p");
    for (let i = 0; i < 100; i++) {
      server.send(`message ${i}`);
      server.sendPrepared(prepared);
    }
    server.send(Buffer.alloc(100_000));
    await until(() => count === 201);
    assert.equal(batches.length, 1, "one writev for the whole tick");
    assert.equal(batches[0]!.length, 202, "one chunk per small frame, header + payload for the large one");
    client.terminate();
    await stopServer(wss);
  });

  test("the 101 response and what the connection handler sends leave in one write", async () => {
    const { wss, url } = await startServer();
    let batches: Buffer[][] = [];
    let bufferedAtConnection = -1;
    wss.on("connection", (ws, req) => {
      batches = spyWrites(req.socket as Socket);
      // The response is the protocol's own bytes, not the application's.
      bufferedAtConnection = ws.bufferedAmount;
      ws.send("welcome");
    });
    const client = new WebSocket(url);
    const [data] = await next<[Buffer]>(client, "message");
    assert.equal(data.toString(), "welcome");
    assert.equal(bufferedAtConnection, 0);
    assert.equal(batches.length, 1, "one write for the handshake and the first message");
    assert.equal(batches[0]!.length, 2);
    assert.match(batches[0]![0]!.toString("latin1"), /^HTTP\/1\.1 101 Switching Protocols\r\n[^]*\r\n\r\n$/);
    assert.deepEqual([...batches[0]![1]!], [0x81, 7, ...Buffer.from("welcome")]);
    client.terminate();
    await stopServer(wss);
  });

  test("terminate() in the connection handler still answers the handshake: the client opens, then sees 1006", async () => {
    const { wss, url } = await startServer();
    wss.on("connection", (ws) => ws.terminate());
    const client = new WebSocket(url);
    let opened = false;
    client.on("open", () => (opened = true));
    const [code] = await next<[number]>(client, "close");
    assert.equal(opened, true);
    assert.equal(code, 1006);
    await stopServer(wss);
  });

  test("a peer that stops reading is terminated past maxBackpressure (WS_ERR_BACKPRESSURE, 1006)", async () => {
    const { wss, url } = await startServer({ maxBackpressure: 512 * 1024 });
    const serverSide = next<[WebSocket]>(wss, "connection");
    const client = new WebSocket(url);
    await next(client, "open");
    client.pause();
    const [server] = await serverSide;
    const errors: WebSocketError[] = [];
    server.on("error", (e) => errors.push(e as WebSocketError));
    const closed = next<[number]>(server, "close", 20_000);
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sends = 0;
    let lastError: Error | null | undefined;
    await within(
      new Promise<void>((resolve) => {
        const pump = (): void => {
          if (server.readyState !== WebSocket.OPEN) return resolve();
          for (let i = 0; i < 2; i++) server.send(chunk, (e) => (lastError = e ?? lastError));
          sends += 2;
          setImmediate(pump);
        };
        pump();
      }),
      20_000,
      "termination",
    );
    const [code] = await closed;
    assert.equal(code, 1006);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, "WS_ERR_BACKPRESSURE");
    assert.ok(lastError instanceof Error);
    assert.equal(server.bufferedAmount, 0, "buffers freed");
    assert.ok(sends > 16, "the kernel and the allowance took a few sends first");
    client.terminate();
    await stopServer(wss);
  });

  test("one message larger than maxBackpressure still goes out on an idle socket", async () => {
    const { wss, url } = await startServer({ maxBackpressure: 64 * 1024 });
    wss.on("connection", (ws) => ws.send(Buffer.alloc(1024 * 1024, 2)));
    const client = new WebSocket(url);
    const [data] = await next<[Buffer]>(client, "message");
    assert.equal(data.length, 1024 * 1024);
    client.terminate();
    await stopServer(wss);
  });

  test("a ping flood from a peer that does not read does not grow the pong buffer without bound", async () => {
    const { wss, port } = await startServer();
    const serverSide = next<[WebSocket]>(wss, "connection");
    const raw = await RawClient.connect(port);
    await raw.handshake();
    raw.socket.pause();
    const [server] = await serverSide;
    let pings = 0;
    server.on("ping", () => pings++);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, server.bufferedAmount)), 1);
    const ping = Buffer.concat([Buffer.from([0x89, 0xfd, 0, 0, 0, 0]), Buffer.alloc(125, 0x61)]);
    const flood = Buffer.concat(Array.from({ length: 100_000 }, () => ping));
    raw.socket.write(flood);
    await until(() => pings === 100_000, 20_000, "all pings parsed");
    clearInterval(sampler);
    peak = Math.max(peak, server.bufferedAmount);
    assert.ok(peak < 1024 * 1024 + 4096, `peak ${peak}`);
    assert.equal(server.readyState, WebSocket.OPEN);
    raw.destroy();
    await stopServer(wss);
  });
});
