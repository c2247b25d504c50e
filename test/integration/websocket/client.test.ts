// The Node client against a raw TCP server that answers whatever each test wants: 101 checks,
// handshake timeout, masked server frames, unexpected responses, options and headers sent.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketError } from "../../../src/websocket/index.js";
import { next, within } from "./helpers.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

interface RawRequest {
  head: string;
  headers: Map<string, string>;
  socket: net.Socket;
}

/** A TCP server that hands each parsed request head to `respond`. */
async function rawServer(respond: (request: RawRequest) => void): Promise<{ url: string; close: () => Promise<void>; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let buffered = "";
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString("latin1");
      const end = buffered.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.off("data", onData);
      const head = buffered.slice(0, end);
      const headers = new Map<string, string>();
      for (const line of head.split("\r\n").slice(1)) {
        const colon = line.indexOf(":");
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      respond({ head, headers, socket });
    };
    socket.on("data", onData);
  });
  server.listen(0, "127.0.0.1");
  await next(server, "listening");
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      return within(new Promise<void>((resolve) => server.close(() => resolve())));
    },
  };
}

function accept(key: string): string {
  return createHash("sha1").update(key + GUID).digest("base64");
}

function answer101(request: RawRequest, extra = "", acceptValue?: string): void {
  const key = request.headers.get("sec-websocket-key")!;
  request.socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptValue ?? accept(key)}\r\n${extra}\r\n`,
  );
}

async function expectHandshakeFailure(respond: (r: RawRequest) => void, protocols: string[] | undefined, pattern: RegExp, options = {}): Promise<void> {
  const server = await rawServer(respond);
  const ws = new WebSocket(server.url, protocols, options);
  const closed = next<[number]>(ws, "close");
  const [error] = await next<[Error]>(ws, "error");
  assert.ok(error instanceof WebSocketError, String(error));
  assert.match(error.message, pattern);
  assert.equal((await closed)[0], 1006);
  assert.equal(ws.readyState, WebSocket.CLOSED);
  await server.close();
}

describe("client handshake checks", () => {
  test("the request carries the RFC 6455 §4.1 headers, our offer, the origin and custom headers", async () => {
    let seen: RawRequest | undefined;
    const server = await rawServer((r) => {
      seen = r;
      answer101(r, "Sec-WebSocket-Protocol: two\r\n");
    });
    const ws = new WebSocket(server.url + "/path?q=1", ["one", "two"], { origin: "https://o.example", headers: { "X-Custom": "yes" } });
    await next(ws, "open");
    assert.ok(seen);
    assert.match(seen.head, /^GET \/path\?q=1 HTTP\/1\.1/);
    assert.equal(seen.headers.get("upgrade"), "websocket");
    assert.equal(seen.headers.get("connection"), "Upgrade");
    assert.equal(seen.headers.get("sec-websocket-version"), "13");
    assert.equal(Buffer.from(seen.headers.get("sec-websocket-key")!, "base64").length, 16);
    assert.equal(seen.headers.get("sec-websocket-protocol"), "one,two");
    assert.equal(seen.headers.get("sec-websocket-extensions"), "permessage-deflate; client_max_window_bits");
    assert.equal(seen.headers.get("origin"), "https://o.example");
    assert.equal(seen.headers.get("x-custom"), "yes");
    assert.equal(ws.protocol, "two");
    ws.terminate();
    await server.close();
  });

  test("a wrong Sec-WebSocket-Accept fails", async () => {
    await expectHandshakeFailure((r) => answer101(r, "", accept("something else")), undefined, /Sec-WebSocket-Accept/);
  });

  test("a subprotocol that was not offered, or none when some were, fails", async () => {
    await expectHandshakeFailure((r) => answer101(r, "Sec-WebSocket-Protocol: three\r\n"), ["one", "two"], /invalid subprotocol/);
    await expectHandshakeFailure((r) => answer101(r, "Sec-WebSocket-Protocol: one\r\n"), undefined, /none was requested/);
    await expectHandshakeFailure((r) => answer101(r), ["one"], /no subprotocol/);
  });

  test("extensions that were not offered, or bad permessage-deflate parameters, fail", async () => {
    await expectHandshakeFailure((r) => answer101(r, "Sec-WebSocket-Extensions: x-unknown\r\n"), undefined, /not requested/);
    await expectHandshakeFailure((r) => answer101(r, "Sec-WebSocket-Extensions: permessage-deflate\r\n"), undefined, /no extension was requested/, {
      perMessageDeflate: false,
    });
    await expectHandshakeFailure((r) => answer101(r, "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=99\r\n"), undefined, /permessage-deflate/);
    await expectHandshakeFailure(
      (r) => answer101(r, "Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n"),
      undefined,
      /not requested/,
    );
    await expectHandshakeFailure((r) => answer101(r, "Sec-WebSocket-Extensions: permessage-deflate;;\r\n"), undefined, /Invalid Sec-WebSocket-Extensions/);
  });

  test("a non-101 answer is an error unless unexpected-response is handled", async () => {
    const respond = (r: RawRequest): void => {
      r.socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope");
    };
    await expectHandshakeFailure(respond, undefined, /Unexpected server response: 404/);
    const server = await rawServer(respond);
    const ws = new WebSocket(server.url);
    const [, res] = await next<[unknown, { statusCode: number }]>(ws, "unexpected-response");
    assert.equal(res.statusCode, 404);
    ws.terminate();
    await next(ws, "close");
    await server.close();
  });

  test("handshakeTimeout aborts a server that never answers", async () => {
    const server = await rawServer(() => {});
    const started = Date.now();
    const ws = new WebSocket(server.url, [], { handshakeTimeout: 150 });
    const closed = next<[number]>(ws, "close");
    const [error] = await next<[WebSocketError]>(ws, "error", 3000);
    assert.equal(error.code, "WS_ERR_HANDSHAKE_TIMEOUT");
    assert.ok(Date.now() - started >= 100);
    assert.equal((await closed)[0], 1006);
    await server.close();
  });

  test("ECONNREFUSED is reported as the Node error, then close 1006", async () => {
    const probe = net.createServer();
    probe.listen(0, "127.0.0.1");
    await next(probe, "listening");
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await next(probe, "close");
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    const closed = next<[number]>(ws, "close");
    const [error] = await next<[NodeJS.ErrnoException]>(ws, "error");
    assert.equal(error.code, "ECONNREFUSED");
    assert.equal((await closed)[0], 1006);
  });
});

describe("client framing", () => {
  test("a masked frame from the server is refused with 1002; data that came with the 101 is parsed", async () => {
    let serverSocket: net.Socket | undefined;
    const received: Buffer[] = [];
    const server = await rawServer((r) => {
      serverSocket = r.socket;
      r.socket.on("data", (c: Buffer) => received.push(c));
      // A first unmasked text frame in the same write as the 101.
      const key = r.headers.get("sec-websocket-key")!;
      r.socket.write(
        Buffer.concat([
          Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`),
          Buffer.from([0x81, 0x02, 0x68, 0x69]),
        ]),
      );
    });
    const ws = new WebSocket(server.url, [], { perMessageDeflate: false });
    const [first] = await next<[Buffer]>(ws, "message");
    assert.equal(first.toString(), "hi");
    const errored = next<[WebSocketError]>(ws, "error");
    const closed = next<[number]>(ws, "close");
    serverSocket!.write(Buffer.from([0x81, 0x82, 1, 2, 3, 4, 0x69, 0x6b]));
    assert.equal((await errored)[0].code, "WS_ERR_UNEXPECTED_MASK");
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => (Buffer.concat(received).length >= 8 ? resolve() : void setTimeout(check, 2));
        check();
      }),
    );
    const frame = Buffer.concat(received);
    assert.equal(frame[0], 0x88, "a close frame");
    assert.equal(frame[1]! & 0x80, 0x80, "masked, as a client must");
    const mask = frame.subarray(2, 6);
    const code = ((frame[6]! ^ mask[0]!) << 8) | (frame[7]! ^ mask[1]!);
    assert.equal(code, 1002);
    serverSocket!.end();
    assert.equal((await closed)[0], 1006);
    await server.close();
  });

  test("after the closing handshake the client waits briefly for the server's TCP close, then closes itself", async () => {
    let serverSocket: net.Socket | undefined;
    const server = await rawServer((r) => {
      serverSocket = r.socket;
      answer101(r);
      // Echo the close frame (unmasked) but never close TCP.
      r.socket.on("data", (c: Buffer) => {
        if ((c[0]! & 0x0f) === 0x8) r.socket.write(Buffer.from([0x88, 0x02, 0x0f, 0xa0]));
      });
    });
    const ws = new WebSocket(server.url, [], { perMessageDeflate: false });
    await next(ws, "open");
    const started = Date.now();
    const closedEvent = new Promise<{ code: number; wasClean: boolean }>((resolve) => (ws.onclose = (e) => resolve(e)));
    ws.close(4000);
    const event = await within(closedEvent, 5000);
    assert.equal(event.code, 4000);
    assert.equal(event.wasClean, true);
    assert.ok(Date.now() - started >= 1500, "waited for the server first");
    const serverSaw = await within(new Promise<boolean>((resolve) => (serverSocket!.destroyed ? resolve(true) : serverSocket!.once("close", () => resolve(true)))));
    assert.ok(serverSaw);
    await server.close();
  });

  test("client frames are masked with fresh keys and mask: false is honoured on request", async () => {
    const chunks: Buffer[] = [];
    const server = await rawServer((r) => {
      r.socket.on("data", (c: Buffer) => chunks.push(c));
      answer101(r);
    });
    const ws = new WebSocket(server.url, [], { perMessageDeflate: false });
    await next(ws, "open");
    ws.send("aaaa");
    ws.send("aaaa");
    ws.send("aaaa", { mask: false });
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => (Buffer.concat(chunks).length >= 10 + 10 + 6 ? resolve() : void setTimeout(check, 2));
        check();
      }),
    );
    const bytes = Buffer.concat(chunks);
    assert.equal(bytes[1], 0x84);
    assert.equal(bytes[11], 0x84);
    assert.notDeepEqual(bytes.subarray(2, 6), bytes.subarray(12, 16), "a new key per frame");
    assert.deepEqual([...bytes.subarray(20, 26)], [0x81, 0x04, 0x61, 0x61, 0x61, 0x61]);
    ws.terminate();
    await server.close();
  });
});
