// WebSocketServer: handshake refusals over raw TCP, verifyClient, noServer + handleUpgrade, paths,
// the wsClientError hook, the headers event, client tracking, and hostile input.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import WS from "ws";
import { WebSocket, WebSocketServer, WebSocketError } from "../../../src/websocket/index.js";
import { RawClient, next, parseServerFrames, rawExchange, startServer, stopServer, within } from "./helpers.js";

const GOOD_HEADERS =
  "Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
}

describe("handshake refusals", () => {
  test("400 and 426 with short reasons; the server keeps serving", async () => {
    const { wss, port, url } = await startServer();
    const cases: Array<[string, string, number, RegExp?]> = [
      ["no key", GOOD_HEADERS.replace(/Sec-WebSocket-Key: .*\r\n/, ""), 400, /Sec-WebSocket-Key/],
      ["15-byte key", GOOD_HEADERS.replace(/Sec-WebSocket-Key: .*\r\n/, `Sec-WebSocket-Key: ${Buffer.alloc(15).toString("base64")}\r\n`), 400],
      ["bad Upgrade", GOOD_HEADERS.replace("Upgrade: websocket", "Upgrade: websocketx"), 400, /Upgrade/],
      ["version 8", GOOD_HEADERS.replace("Version: 13", "Version: 8"), 426, /Sec-WebSocket-Version: 13/],
      ["no version", GOOD_HEADERS.replace(/Sec-WebSocket-Version: .*\r\n/, ""), 400],
      ["duplicate subprotocol", GOOD_HEADERS + "Sec-WebSocket-Protocol: chat, chat\r\n", 400, /Sec-WebSocket-Protocol/],
      ["bad extension header", GOOD_HEADERS + "Sec-WebSocket-Extensions: permessage-deflate;;\r\n", 400],
    ];
    for (const [name, headers, status, pattern] of cases) {
      const response = await rawExchange(port, `GET / HTTP/1.1\r\n${headers}\r\n`);
      assert.equal(statusOf(response), status, `${name}: ${response}`);
      if (pattern) assert.match(response, pattern, name);
    }
    const post = await rawExchange(port, `POST / HTTP/1.1\r\n${GOOD_HEADERS}Content-Length: 0\r\n\r\n`);
    assert.equal(statusOf(post), 400);
    // Not an upgrade for Node (no Connection: upgrade), but clearly a failed WebSocket handshake.
    const noConnection = await rawExchange(port, `GET / HTTP/1.1\r\n${GOOD_HEADERS.replace("Connection: Upgrade", "Connection: keep-alive")}\r\n`);
    assert.equal(statusOf(noConnection), 400);
    assert.match(noConnection, /Connection/);
    const plain = await within(fetch(url.replace("ws:", "http:")), 5000, "plain GET");
    assert.equal(plain.status, 426);
    await plain.text();
    // Still serving.
    const ws = new WebSocket(url);
    await next(ws, "open");
    ws.terminate();
    await stopServer(wss);
  });

  test("30 000 spaces in Sec-WebSocket-Protocol are parsed fast", async () => {
    // Node's default 16 KiB header limit would answer 431 before we see the header.
    const server = http.createServer({ maxHeaderSize: 256 * 1024 });
    const wss = new WebSocketServer({ server });
    server.listen(0, "127.0.0.1");
    await next(server, "listening");
    const port = (server.address() as AddressInfo).port;
    const started = performance.now();
    const bad = await rawExchange(port, `GET / HTTP/1.1\r\n${GOOD_HEADERS}Sec-WebSocket-Protocol: a${" ".repeat(30_000)}b\r\n\r\n`);
    assert.equal(statusOf(bad), 400);
    const client = await RawClient.connect(port);
    const head = await client.handshake("/", `Sec-WebSocket-Protocol: a${" ".repeat(30_000)},b\r\n`);
    assert.match(head, /Sec-WebSocket-Protocol: a\r\n/);
    client.destroy();
    assert.ok(performance.now() - started < 1000);
    await within(new Promise<void>((resolve) => wss.close(() => resolve())));
    server.close();
    await next(server, "close");
  });

  test("wsClientError: listeners answer refused handshakes themselves", async () => {
    const { wss, port } = await startServer({ verifyClient: () => false });
    const seen: Array<[string, number | undefined]> = [];
    wss.on("wsClientError", (error, socket) => {
      seen.push([error.code, error.statusCode]);
      socket.end("HTTP/1.1 418 I'm a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    });
    const bad = await rawExchange(port, `GET / HTTP/1.1\r\n${GOOD_HEADERS.replace("Version: 13", "Version: 7")}\r\n`);
    const refused = await rawExchange(port, `GET / HTTP/1.1\r\n${GOOD_HEADERS}\r\n`);
    assert.equal(statusOf(bad), 418);
    assert.equal(statusOf(refused), 418);
    assert.deepEqual(seen, [
      ["WS_ERR_HANDSHAKE", 426],
      ["WS_ERR_HANDSHAKE", 401],
    ]);
    await stopServer(wss);
  });
});

describe("verifyClient", () => {
  test("sync: false gives 401; the info carries origin and secure", async () => {
    const infos: Array<{ origin: string | undefined; secure: boolean; url: string | undefined }> = [];
    const { wss, url } = await startServer({
      verifyClient: (info: { origin: string | undefined; secure: boolean; req: http.IncomingMessage }) => {
        infos.push({ origin: info.origin, secure: info.secure, url: info.req.url });
        return info.origin === "https://good.example";
      },
    });
    const good = new WebSocket(url + "/a", [], { origin: "https://good.example" });
    await next(good, "open");
    good.terminate();
    const bad = new WebSocket(url + "/b", [], { origin: "https://evil.example" });
    const error = await next<[WebSocketError]>(bad, "error");
    assert.equal(error[0].code, "WS_ERR_UNEXPECTED_RESPONSE");
    assert.match(error[0].message, /401/);
    assert.deepEqual(infos, [
      { origin: "https://good.example", secure: false, url: "/a" },
      { origin: "https://evil.example", secure: false, url: "/b" },
    ]);
    await stopServer(wss);
  });

  test("async: custom status, message and headers; unexpected-response listeners get the response", async () => {
    const { wss, url } = await startServer({
      verifyClient: (info, cb) => {
        setTimeout(() => {
          if (info.req.url === "/ok") cb(true);
          else cb(false, 403, "Forbidden here", { "X-Reason": "nope" });
        }, 10);
      },
    });
    const ok = new WebSocket(url + "/ok");
    await next(ok, "open");
    ok.terminate();
    const denied = new WebSocket(url + "/no");
    const [, res] = await next<[http.ClientRequest, http.IncomingMessage]>(denied, "unexpected-response");
    assert.equal(res.statusCode, 403);
    assert.equal(res.headers["x-reason"], "nope");
    let body = "";
    res.setEncoding("utf8");
    res.on("data", (c: string) => (body += c));
    await next(res, "end");
    assert.equal(body, "Forbidden here");
    denied.terminate();
    await stopServer(wss);
  });
});

describe("server modes", () => {
  test("noServer + handleUpgrade on an http server, routed by path, with the headers event", async () => {
    const server = http.createServer((_req, res) => res.end("plain http"));
    const chat = new WebSocketServer({ noServer: true });
    const feed = new WebSocketServer({ noServer: true, path: "/feed" });
    assert.throws(() => chat.address(), /noServer/);
    chat.on("headers", (lines) => lines.push("X-Courant: yes"));
    server.on("upgrade", (req, socket, head) => {
      if (req.url === "/chat") chat.handleUpgrade(req, socket, head, (ws) => chat.emit("connection", ws, req));
      else if (feed.shouldHandle(req)) feed.handleUpgrade(req, socket, head, (ws) => ws.send("feed"));
      else socket.destroy();
    });
    chat.on("connection", (ws) => ws.send("chat"));
    server.listen(0, "127.0.0.1");
    await next(server, "listening");
    const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const a = new WebSocket(base + "/chat");
    const upgrade = next<[http.IncomingMessage]>(a, "upgrade");
    const [msgA] = await next<[Buffer]>(a, "message");
    assert.equal(msgA.toString(), "chat");
    assert.equal((await upgrade)[0].headers["x-courant"], "yes");
    const b = new WebSocket(base + "/feed?x=1");
    const [msgB] = await next<[Buffer]>(b, "message");
    assert.equal(msgB.toString(), "feed");
    const response = await within(fetch(base.replace("ws:", "http:") + "/anything"));
    assert.equal(await response.text(), "plain http");

    assert.equal(chat.clients.size, 1);
    assert.equal(feed.clients.size, 1);
    const closedA = next(a, "close");
    const closedB = next(b, "close");
    await within(new Promise<void>((resolve) => chat.close(() => resolve())));
    await within(new Promise<void>((resolve) => feed.close(() => resolve())));
    assert.equal(((await closedA) as [number])[0], 1001);
    assert.equal(((await closedB) as [number])[0], 1001);
    server.close();
    await next(server, "close");
  });

  test("server option: several servers share one http server by path; unknown paths get 400 when alone", async () => {
    const server = http.createServer();
    const one = new WebSocketServer({ server, path: "/one" });
    const two = new WebSocketServer({ server, path: "/two" });
    one.on("connection", (ws) => ws.send("one"));
    two.on("connection", (ws) => ws.send("two"));
    server.listen(0, "127.0.0.1");
    await next(one, "listening");
    const port = (server.address() as AddressInfo).port;
    for (const name of ["one", "two"]) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/${name}`);
      const [msg] = await next<[Buffer]>(ws, "message");
      assert.equal(msg.toString(), name);
      ws.terminate();
    }
    await within(new Promise<void>((resolve) => one.close(() => resolve())));
    await within(new Promise<void>((resolve) => two.close(() => resolve())));

    const alone = new WebSocketServer({ server, path: "/alone" });
    const response = await rawExchange(port, `GET /other HTTP/1.1\r\n${GOOD_HEADERS}\r\n`);
    assert.equal(statusOf(response), 400);
    await within(new Promise<void>((resolve) => alone.close(() => resolve())));
    server.close();
    await next(server, "close");
  });

  test("exactly one of port, server, noServer", () => {
    assert.throws(() => new WebSocketServer({}), TypeError);
    assert.throws(() => new WebSocketServer({ port: 0, noServer: true }), TypeError);
  });

  test("clientTracking: false leaves clients empty; close() twice reports not running", async () => {
    const { wss, url } = await startServer({ clientTracking: false });
    const ws = new WebSocket(url);
    await next(ws, "open");
    assert.equal(wss.clients.size, 0);
    ws.terminate();
    await next(ws, "close");
    await stopServer(wss);
    const error = await within(new Promise<Error | undefined>((resolve) => wss.close(resolve)));
    assert.match(String(error), /not running/);
  });

  test("the 101 response is what RFC 6455 §4.2.2 asks for", async () => {
    const { wss, port } = await startServer({ handleProtocols: () => "chosen" });
    const client = await RawClient.connect(port);
    const head = await client.handshake("/", "Sec-WebSocket-Protocol: other, chosen\r\n");
    assert.match(head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(head, /\r\nUpgrade: websocket\r\n/i);
    assert.match(head, /\r\nConnection: Upgrade\r\n/i);
    assert.match(head, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    assert.match(head, /\r\nSec-WebSocket-Protocol: chosen\r\n/);
    assert.doesNotMatch(head, /Sec-WebSocket-Extensions/, "compression is off by default on the server");
    client.destroy();
    await stopServer(wss);
  });
});

describe("hostile input closes only that connection", () => {
  test("protocol violations get their close code, then the server closes TCP; other clients go on", async () => {
    const { wss, port, url } = await startServer();
    const errors: string[] = [];
    wss.on("connection", (ws) => {
      ws.on("error", (e) => errors.push((e as WebSocketError).code));
      ws.on("message", (d) => ws.send(d as Buffer));
    });
    const bystander = new WS(url);
    await next(bystander, "open");

    const cases: Array<[string, Buffer, number]> = [
      ["unmasked frame", Buffer.from("810548656c6c6f", "hex"), 1002],
      ["reserved opcode", Buffer.from("83800000000000", "hex").subarray(0, 6), 1002],
      ["RSV1 without extension", Buffer.from("c18000000000", "hex"), 1002],
      ["invalid UTF-8", Buffer.from([0x81, 0x81, 0, 0, 0, 0, 0xff]), 1007],
      ["bad close code", Buffer.from([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xed]), 1002],
      ["1-byte close", Buffer.from([0x88, 0x81, 0, 0, 0, 0, 0x03]), 1002],
    ];
    for (const [name, bytes, expected] of cases) {
      const raw = await RawClient.connect(port);
      const head = await raw.handshake();
      assert.match(head, /101/);
      raw.socket.write(bytes);
      await within(raw.closed, 5000, name);
      const frames = parseServerFrames(raw.received);
      const close = frames.find(([op]) => op === 8);
      assert.ok(close, `${name}: a close frame`);
      assert.equal(close[1].readUInt16BE(0), expected, name);
    }
    assert.deepEqual(errors, [
      "WS_ERR_EXPECTED_MASK",
      "WS_ERR_INVALID_OPCODE",
      "WS_ERR_UNEXPECTED_RSV_1",
      "WS_ERR_INVALID_UTF8",
      "WS_ERR_INVALID_CLOSE_CODE",
      "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
    ]);
    const echoed = next<[Buffer]>(bystander, "message");
    bystander.send("still here");
    assert.equal((await echoed)[0].toString(), "still here");
    bystander.terminate();
    await stopServer(wss);
  });

  test("garbage before and instead of a handshake never crashes the server", async () => {
    const { wss, port, url } = await startServer();
    const junk = [
      Buffer.from("\x00\x01\x02garbage\r\n\r\n"),
      Buffer.from(`GET / HTTP/1.1\r\n${GOOD_HEADERS}Sec-WebSocket-Extensions: ${"a;".repeat(5000)}\r\n\r\n`),
      Buffer.from(`GET / HTTP/1.1\r\n${GOOD_HEADERS}Sec-WebSocket-Extensions: __proto__; constructor=1, permessage-deflate; __proto__\r\n\r\n`),
      Buffer.from(`GET / HTTP/1.1\r\n${GOOD_HEADERS}\r\n\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff`),
    ];
    for (const bytes of junk) {
      const raw = await RawClient.connect(port);
      raw.socket.write(bytes);
      await new Promise((r) => setTimeout(r, 20));
      raw.destroy();
    }
    const ws = new WebSocket(url);
    await next(ws, "open");
    ws.terminate();
    await stopServer(wss);
  });

  test("a client disappearing mid-frame is handled (1006)", async () => {
    const { wss, port } = await startServer();
    const closed = new Promise<number>((resolve) => wss.on("connection", (ws) => ws.on("close", (code) => resolve(code))));
    const raw = await RawClient.connect(port);
    await raw.handshake();
    raw.socket.write(Buffer.from([0x82, 0xfe, 0x10, 0x00, 1, 2, 3, 4, 5, 6]));
    raw.destroy();
    assert.equal(await within(closed), 1006);
    await stopServer(wss);
  });
});
