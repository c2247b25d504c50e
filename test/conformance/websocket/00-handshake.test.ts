// The opening handshake (RFC 6455 §4): what the server accepts and refuses (with which status),
// regressions for known denial-of-service and crash inputs, and what the client sends and checks.
// After every refused or odd request the server must still serve the next client.
import { after, test } from "node:test";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import assert from "node:assert/strict";
import { Opcode, buildFrame } from "../../helpers/frame.js";
import { computeAccept, connectRawClient, rawHandshake, randomKey, upgradeRequest } from "../../helpers/raw-client.js";
import type { HandshakeResponse, UpgradeRequestOptions } from "../../helpers/raw-client.js";
import { RawServer } from "../../helpers/raw-server.js";
import { withTimeout } from "../../helpers/wait.js";
import { WebSocket, WebSocketServer, closeServer, listenServer } from "../../helpers/websocket-impl.js";
import type { WebSocketLike } from "../../helpers/websocket-impl.js";

// A user-supplied HTTP server (the `server` option) with room for the 30 000-space headers below;
// Node's default 16 KiB header limit would answer 431 before the WebSocket code sees them.
const httpServer = http.createServer({ maxHeaderSize: 80 * 1024 });
await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
const port = (httpServer.address() as AddressInfo).port;
const wss = new WebSocketServer({
  server: httpServer,
  perMessageDeflate: true,
  handleProtocols: (protocols: Set<string>) => (protocols.has("chat") ? "chat" : protocols.has("superchat") ? "superchat" : false),
});
httpServer.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(404).end();
});
wss.on("connection", (ws: WebSocketLike) => {
  ws.on("error", () => {});
  ws.on("message", (data: Buffer, isBinary: boolean) => ws.send(data, { binary: isBinary }));
});
const guarded = await listenServer({
  path: "/ws",
  verifyClient: (info: { req: { headers: Record<string, string | string[] | undefined> } }) => info.req.headers["x-allow"] === "yes",
});
guarded.wss.on("connection", (ws: WebSocketLike) => ws.on("error", () => {}));
// A standalone server (the `port` option): it owns plain HTTP requests too.
const standalone = await listenServer({});
standalone.wss.on("connection", (ws: WebSocketLike) => ws.on("error", () => {}));
const raw = await RawServer.listen();
after(async () => {
  await closeServer(wss);
  httpServer.closeAllConnections();
  await new Promise((resolve) => httpServer.close(resolve));
  await closeServer(guarded.wss);
  await closeServer(standalone.wss);
  await raw.close();
});

/** A valid client right after: the server is still up and echoes. */
async function assertStillServes(): Promise<void> {
  const peer = await connectRawClient(port);
  try {
    peer.send({ opcode: Opcode.TEXT, payload: "still serving" });
    assert.equal((await peer.nextMessage()).payload.toString(), "still serving", "the server serves the next client");
  } finally {
    peer.destroy();
  }
}

async function handshake(opts: UpgradeRequestOptions | string, toPort = port): Promise<HandshakeResponse> {
  const res = await rawHandshake(toPort, typeof opts === "string" ? opts : upgradeRequest(opts));
  res.peer?.destroy();
  return res;
}

// Accepted requests.
test("H.1 a valid request gets 101 with Upgrade, Connection and the right Sec-WebSocket-Accept", async () => {
  const key = randomKey();
  const res = await handshake({ key });
  assert.equal(res.status, 101);
  assert.equal(res.headers["upgrade"]?.toLowerCase(), "websocket");
  assert.match(res.headers["connection"] ?? "", /upgrade/i);
  assert.equal(res.headers["sec-websocket-accept"], computeAccept(key));
  assert.equal(res.headers["sec-websocket-protocol"], undefined, "no subprotocol when none offered");
  assert.equal(res.headers["sec-websocket-extensions"], undefined, "no extension when none offered");
});

test("H.2 the RFC 6455 §1.3 sample key gives the sample accept value", async () => {
  const res = await handshake({ key: "dGhlIHNhbXBsZSBub25jZQ==" });
  assert.equal(res.headers["sec-websocket-accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});

for (const [name, opts] of [
  ["Upgrade: WebSocket (any case)", { upgrade: "WebSocket" }],
  ["Connection: keep-alive, Upgrade (a token list)", { connection: "keep-alive, Upgrade" }],
  ["Connection: upgrade (lower case)", { connection: "upgrade" }],
  ["a path with a query string", { path: "/some/path?query=1&x=%20" }],
  ["extra unrelated headers", { extraHeaders: [["Origin", "http://example.com"], ["Cookie", "a=b"], ["User-Agent", "raw"]] }],
] as [string, UpgradeRequestOptions][]) {
  test(`H.3 accepted: ${name}`, async () => {
    const key = randomKey();
    const res = await handshake({ ...opts, key });
    assert.equal(res.status, 101);
    assert.equal(res.headers["sec-websocket-accept"], computeAccept(key));
  });
}

test("H.4 the request written in 1-byte pieces is accepted", async () => {
  const key = randomKey();
  const socket = net.connect({ port, host: "127.0.0.1" });
  try {
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    socket.setNoDelay(true);
    const text = upgradeRequest({ key });
    const response = new Promise<string>((resolve) => {
      let got = "";
      socket.on("data", (chunk: Buffer) => {
        got += chunk.toString("latin1");
        if (got.includes("\r\n\r\n")) resolve(got);
      });
    });
    for (let i = 0; i < text.length; i += 3) {
      socket.write(text.slice(i, i + 3));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const head = await withTimeout(response, 2000, "response");
    assert.match(head, /^HTTP\/1\.1 101/);
    assert.ok(head.includes(computeAccept(key)));
  } finally {
    socket.destroy();
  }
});

test("H.5 frames sent in the same TCP write as the request are not lost", async () => {
  const request = Buffer.concat([
    Buffer.from(upgradeRequest()),
    buildFrame({ opcode: Opcode.TEXT, payload: "early 1", mask: true }),
    buildFrame({ opcode: Opcode.TEXT, payload: "early 2", mask: true }),
  ]);
  const res = await rawHandshake(port, request);
  try {
    assert.equal(res.status, 101);
    assert.equal((await res.peer?.nextMessage())?.payload.toString(), "early 1");
    assert.equal((await res.peer?.nextMessage())?.payload.toString(), "early 2");
  } finally {
    res.peer?.destroy();
  }
});

// Subprotocols (RFC 6455 §4.2.2 step 5.4; §11.3.4).
for (const [offer, expected] of [
  ["chat", "chat"],
  ["superchat, chat", "chat"],
  ["superchat", "superchat"],
  ["unknown", undefined],
  ["unknown, other", undefined],
] as const) {
  test(`H.6 Sec-WebSocket-Protocol "${offer}": the server selects ${expected ?? "none"}`, async () => {
    const res = await handshake({ protocols: offer });
    assert.equal(res.status, 101);
    assert.equal(res.headers["sec-websocket-protocol"], expected);
  });
}

// Refused requests.
// Requests without `Connection: Upgrade` + `Upgrade` are plain HTTP requests to Node; on a
// standalone server they are still failed WebSocket handshakes and get 400 when they carry a key.
for (const [name, opts] of [
  ["missing Upgrade header", { upgrade: null }],
  ["Upgrade: h2c", { upgrade: "h2c" }],
  ["missing Connection header", { connection: null }],
  ["Connection: close", { connection: "close" }],
  ["Connection: keep-alive", { connection: "keep-alive" }],
] as [string, UpgradeRequestOptions][]) {
  test(`H.7 refused with 400 by a standalone server: ${name}`, async () => {
    const res = await handshake(opts, standalone.port);
    assert.equal(res.status, 400, `${res.status} ${res.statusText}: ${res.body.toString().slice(0, 100)}`);
    await assertStillServes();
  });
}

const REFUSED: [string, UpgradeRequestOptions | string, number][] = [
  ["missing Sec-WebSocket-Key", { key: null }, 400],
  ["empty Sec-WebSocket-Key", { key: "" }, 400],
  ["Sec-WebSocket-Key that is not base64", { key: "not base64 at all!!!!!==" }, 400],
  ["Sec-WebSocket-Key of 15 bytes", { key: Buffer.alloc(15, 1).toString("base64") }, 400],
  ["Sec-WebSocket-Key of 17 bytes", { key: Buffer.alloc(17, 1).toString("base64") }, 400],
  ["Sec-WebSocket-Key without padding", { key: Buffer.alloc(16, 1).toString("base64").replace(/=+$/, "") }, 400],
  ["two Sec-WebSocket-Key headers", { extraHeaders: [["Sec-WebSocket-Key", randomKey()]] }, 400],
  ["POST", { method: "POST" }, 400],
  ["PUT", { method: "PUT" }, 400],
  ["DELETE", { method: "DELETE" }, 400],
  ["missing Sec-WebSocket-Version", { version: null }, 400],
  ["an invalid subprotocol list (a,,b)", { protocols: "a,,b" }, 400],
  ["an invalid subprotocol list (a b)", { protocols: "a b" }, 400],
  ["a duplicated subprotocol", { protocols: "chat, chat" }, 400],
  ["a malformed extension header", { extensions: "permessage-deflate; ;=" }, 400],
];
for (const [name, opts, status] of REFUSED) {
  test(`H.7 refused with ${status}: ${name}`, async () => {
    const res = await handshake(opts);
    assert.equal(res.status, status, `${res.status} ${res.statusText}: ${res.body.toString().slice(0, 100)}`);
    await assertStillServes();
  });
}

for (const version of ["8", "7", "12", "14"]) {
  test(`H.8 Sec-WebSocket-Version: ${version} is refused with 426 and Sec-WebSocket-Version: 13`, async () => {
    const res = await handshake({ version });
    assert.equal(res.status, 426);
    assert.ok((res.headers["sec-websocket-version"] ?? "").split(/\s*,\s*/).includes("13"), `Sec-WebSocket-Version: ${res.headers["sec-websocket-version"]}`);
    await assertStillServes();
  });
}

test("H.9 HTTP/1.0 is refused", async () => {
  const res = await handshake(upgradeRequest().replace("HTTP/1.1", "HTTP/1.0"));
  assert.notEqual(res.status, 101);
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  await assertStillServes();
});

test("H.10 a plain GET (no upgrade) to a standalone server is not upgraded", async () => {
  const res = await handshake("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", standalone.port);
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  await assertStillServes();
});

// path, verifyClient.
test("H.11 with a path option, another path is refused with 400 and the path (with a query) accepted", async () => {
  const wrong = await handshake({ path: "/other", extraHeaders: [["X-Allow", "yes"]] }, guarded.port);
  assert.equal(wrong.status, 400);
  const right = await handshake({ path: "/ws?token=1", extraHeaders: [["X-Allow", "yes"]] }, guarded.port);
  assert.equal(right.status, 101);
});

test("H.12 verifyClient returning false refuses with 401", async () => {
  const res = await handshake({ path: "/ws" }, guarded.port);
  assert.equal(res.status, 401);
});

// Denial-of-service and crash regressions.
for (const [name, opts] of [
  ["Sec-WebSocket-Protocol: b + 30 000 spaces + x", { protocols: `b${" ".repeat(30_000)}x` }],
  ["Sec-WebSocket-Protocol: 30 000 spaces then a comma", { protocols: `${" ".repeat(30_000)},chat` }],
  ["Sec-WebSocket-Protocol: chat + 30 000 spaces", { protocols: `chat${" ".repeat(30_000)}` }],
  ["Sec-WebSocket-Extensions: permessage-deflate + 30 000 spaces + ;x", { extensions: `permessage-deflate${" ".repeat(30_000)};x` }],
  ["Sec-WebSocket-Extensions: a parameter followed by 30 000 spaces", { extensions: `permessage-deflate; client_max_window_bits${" ".repeat(30_000)}=10` }],
] as [string, UpgradeRequestOptions][]) {
  test(`H.13 ${name} is answered quickly (linear-time parsing)`, async () => {
    const res = await handshake(opts);
    assert.ok(res.status === 101 || res.status === 400, `status ${res.status}`);
    assert.ok(res.elapsedMs < 1_000, `answered in ${res.elapsedMs} ms (a quadratic parser takes seconds)`);
    await assertStillServes();
  });
}

for (const extensions of [
  "permessage-deflate; __proto__",
  "permessage-deflate; __proto__=1",
  "permessage-deflate; constructor",
  "permessage-deflate; constructor=15",
  "permessage-deflate; hasOwnProperty",
  "permessage-deflate; hasOwnProperty=1; toString",
  "permessage-deflate; valueOf=10",
  "__proto__",
  "constructor; hasOwnProperty",
  "__proto__, permessage-deflate",
  "hasOwnProperty, toString, permessage-deflate",
]) {
  test(`H.14 extension offer "${extensions}" does not crash the server`, async () => {
    const res = await handshake({ extensions });
    assert.ok(res.status === 101 || res.status === 400, `status ${res.status}`);
    if (res.status === 101 && res.headers["sec-websocket-extensions"] !== undefined) {
      assert.match(res.headers["sec-websocket-extensions"], /^permessage-deflate(;|$)/);
      assert.doesNotMatch(res.headers["sec-websocket-extensions"], /__proto__|constructor|hasOwnProperty|toString|valueOf/);
    }
    await assertStillServes();
  });
}

test("H.15 more headers than maxHeadersCount push the key out: 400, no crash", async () => {
  const filler: [string, string][] = Array.from({ length: 2100 }, (_, i) => [`X-Filler-${i}`, "x"]);
  const request = upgradeRequest({ key: null, extraHeaders: [...filler, ["Sec-WebSocket-Key", randomKey()]] });
  const res = await handshake(request);
  assert.equal(res.status, 400);
  await assertStillServes();
});

test("H.16 an oversized header block is refused (4xx) without crashing", async () => {
  const res = await handshake({ extraHeaders: [["X-Big", "y".repeat(100 * 1024)]] });
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  await assertStillServes();
});

test("H.17 garbage instead of HTTP does not crash the server", async () => {
  const socket = net.connect({ port, host: "127.0.0.1" });
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.write(Buffer.from([0x81, 0x85, 0, 0, 0, 0, 1, 2, 3, 4, 5, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]));
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.destroy();
  await assertStillServes();
});

// The client's side of the handshake.
test("H.20 the client sends a valid upgrade request with a fresh random key each time [client]", async () => {
  const keys: string[] = [];
  for (let i = 0; i < 3; i++) {
    const ws = new WebSocket(raw.url("/chat/room?x=1"), ["chat", "superchat"]);
    ws.on("error", () => {});
    try {
      const upgrade = await raw.nextUpgrade();
      assert.equal(upgrade.method, "GET");
      assert.equal(upgrade.path, "/chat/room?x=1");
      assert.equal(upgrade.httpVersion, "HTTP/1.1");
      assert.equal(upgrade.headers["host"], `127.0.0.1:${raw.port}`);
      assert.equal(upgrade.headers["upgrade"]?.toLowerCase(), "websocket");
      assert.match(upgrade.headers["connection"] ?? "", /upgrade/i);
      assert.equal(upgrade.headers["sec-websocket-version"], "13");
      const key = upgrade.headers["sec-websocket-key"] ?? "";
      assert.equal(Buffer.from(key, "base64").length, 16, "the key is 16 bytes, base64");
      assert.equal(Buffer.from(key, "base64").toString("base64"), key);
      assert.deepEqual(
        (upgrade.headers["sec-websocket-protocol"] ?? "").split(/\s*,\s*/),
        ["chat", "superchat"],
      );
      keys.push(key);
      upgrade.socket.destroy();
    } finally {
      ws.terminate();
    }
  }
  assert.equal(new Set(keys).size, 3, "keys differ");
});

test("H.21 the client accepts the server's subprotocol and exposes it as ws.protocol [client]", async () => {
  const ws = new WebSocket(raw.url(), ["chat", "superchat"]);
  ws.on("error", () => {});
  try {
    const opened = new Promise<void>((resolve) => ws.once("open", () => resolve()));
    const upgrade = await raw.nextUpgrade();
    const peer = upgrade.accept({ protocol: "superchat" });
    await withTimeout(opened, 2000, "open");
    assert.equal(ws.protocol, "superchat");
    peer.destroy();
  } finally {
    ws.terminate();
  }
});

test("H.22 frames written together with the 101 response are delivered [client]", async () => {
  const ws = new WebSocket(raw.url(), [], { perMessageDeflate: false });
  ws.on("error", () => {});
  try {
    const messages: string[] = [];
    const got = new Promise<void>((resolve) =>
      ws.on("message", (data: Buffer) => {
        messages.push(data.toString());
        if (messages.length === 2) resolve();
      }),
    );
    const upgrade = await raw.nextUpgrade();
    const peer = upgrade.accept({
      frames: [buildFrame({ opcode: Opcode.TEXT, payload: "with the head" }), buildFrame({ opcode: Opcode.TEXT, payload: "right after" })],
    });
    await withTimeout(got, 2000, "two messages");
    assert.deepEqual(messages, ["with the head", "right after"]);
    peer.destroy();
  } finally {
    ws.terminate();
  }
});

const BAD_RESPONSES: [string, (key: string) => string][] = [
  ["a wrong Sec-WebSocket-Accept", () => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept(randomKey())}\r\n\r\n`],
  ["no Sec-WebSocket-Accept", () => "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"],
  ["no Upgrade header", (key) => `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept(key)}\r\n\r\n`],
  ["Upgrade: h2c", (key) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept(key)}\r\n\r\n`],
  ["status 200", () => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
  ["status 404", () => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"],
  ["status 426", () => "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n"],
  ["a subprotocol the client did not offer", (key) => `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept(key)}\r\nSec-WebSocket-Protocol: other\r\n\r\n`],
];
for (const [name, response] of BAD_RESPONSES) {
  test(`H.23 the client refuses a handshake response with ${name}: error, close, never open [client]`, async () => {
    const ws = new WebSocket(raw.url(), ["chat"]);
    let opened = false;
    ws.on("open", () => {
      opened = true;
    });
    const failed = new Promise<Error>((resolve) => ws.once("error", (err: Error) => resolve(err)));
    const closed = new Promise<number>((resolve) => ws.once("close", (code: number) => resolve(code)));
    try {
      const upgrade = await raw.nextUpgrade();
      upgrade.respondRaw(response(upgrade.headers["sec-websocket-key"] ?? ""));
      const err = await withTimeout(failed, 2000, "client error");
      assert.ok(err instanceof Error);
      assert.equal(await withTimeout(closed, 2000, "client close"), 1006);
      assert.equal(opened, false);
      assert.equal(ws.readyState, 3);
      upgrade.socket.destroy();
    } finally {
      ws.terminate();
    }
  });
}

test("H.24 the client fails when the server never answers the handshake within handshakeTimeout [client]", async () => {
  const ws = new WebSocket(raw.url(), [], { handshakeTimeout: 200 });
  const failed = new Promise<Error>((resolve) => ws.once("error", (err: Error) => resolve(err)));
  try {
    const upgrade = await raw.nextUpgrade();
    const err = await withTimeout(failed, 2000, "client error");
    assert.ok(err instanceof Error);
    upgrade.socket.destroy();
  } finally {
    ws.terminate();
  }
});
