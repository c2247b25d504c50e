// Real Chromium against our WebSocket server: text, binary (ArrayBuffer), 1 MB messages both
// ways, Unicode, close codes and reasons both ways, permessage-deflate negotiated with the
// browser, subprotocol selection, and pings answered by the browser.
// The page and both WebSocket servers share one plain node:http server (routing upgrades by path
// through handleUpgrade); the browser connects to ws://127.0.0.1:PORT/... only.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Browser, Page } from "playwright-core";
import { launchChromium, servePages, watchPage } from "../../helpers/chromium.js";
import type { PageServer } from "../../helpers/chromium.js";
import { withTimeout } from "../../helpers/wait.js";
import { WebSocketServer, closeServer } from "../../helpers/websocket-impl.js";
import type { WebSocketLike, WebSocketServerLike } from "../../helpers/websocket-impl.js";

/** In-page helpers: open sockets by id, queue their messages, await them with a deadline. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>courant websocket</title>
<script>
window.socks = {};
let nextId = 0;
window.openSock = (path, protocols) => new Promise((resolve, reject) => {
  const ws = new WebSocket("ws://" + location.host + path, protocols);
  ws.binaryType = "arraybuffer";
  const id = ++nextId;
  const s = { ws, messages: [], closed: null, wake: null };
  const notify = () => { const w = s.wake; s.wake = null; if (w) w(); };
  ws.onmessage = (e) => { s.messages.push(e.data); notify(); };
  ws.onclose = (e) => { s.closed = { code: e.code, reason: e.reason, wasClean: e.wasClean }; notify(); reject(new Error("closed before open: " + e.code)); };
  ws.onopen = () => { socks[id] = s; resolve(id); };
});
window.nextMessage = async (id, ms = 5000) => {
  const s = socks[id];
  const deadline = Date.now() + ms;
  while (s.messages.length === 0) {
    if (s.closed) throw new Error("closed while waiting for a message: " + s.closed.code);
    if (Date.now() > deadline) throw new Error("timeout waiting for a message");
    await new Promise((r) => { s.wake = r; setTimeout(r, 50); });
  }
  return s.messages.shift();
};
window.waitClosed = async (id, ms = 5000) => {
  const s = socks[id];
  const deadline = Date.now() + ms;
  while (!s.closed) {
    if (Date.now() > deadline) throw new Error("timeout waiting for close");
    await new Promise((r) => { s.wake = r; setTimeout(r, 50); });
  }
  return s.closed;
};
window.pattern = (n, seed) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255; return b; };
window.sha256 = async (data) => {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data);
  const d = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(d)].map((x) => x.toString(16).padStart(2, "0")).join("");
};
</script>`;

interface PageWindow {
  socks: Record<number, { ws: WebSocket; messages: unknown[] }>;
  openSock(path: string, protocols?: string[]): Promise<number>;
  nextMessage(id: number, ms?: number): Promise<string | ArrayBuffer>;
  waitClosed(id: number, ms?: number): Promise<{ code: number; reason: string; wasClean: boolean }>;
  pattern(n: number, seed: number): Uint8Array;
  sha256(data: string | ArrayBuffer): Promise<string>;
}

function pattern(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255;
  return b;
}

const sha256 = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");

let browser: Browser;
let page: Page;
let problems: string[];
let pages: PageServer;
let plain: WebSocketServerLike;
let deflate: WebSocketServerLike;
/** Server-side sockets in connection order, with what they received. */
const connections: { ws: WebSocketLike; path: string; received: { data: Buffer; isBinary: boolean }[]; closed: Promise<[number, string]> }[] = [];

function onConnection(ws: WebSocketLike, req: IncomingMessage): void {
  const closed = new Promise<[number, string]>((resolve) => ws.once("close", (code: number, reason: Buffer) => resolve([code, reason.toString()])));
  const entry = { ws, path: req.url ?? "", received: [] as { data: Buffer; isBinary: boolean }[], closed };
  connections.push(entry);
  ws.on("error", () => {});
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    entry.received.push({ data, isBinary });
    if (!entry.path.includes("silent")) ws.send(data, { binary: isBinary });
  });
}

async function lastConnection(): Promise<(typeof connections)[number]> {
  const deadline = Date.now() + 2000;
  while (connections.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const last = connections[connections.length - 1];
  assert.ok(last !== undefined, "the server saw the connection");
  return last;
}

before(async () => {
  pages = await servePages({ "/": PAGE });
  const handleProtocols = (protocols: Set<string>): string | false => (protocols.has("v1.chat") ? "v1.chat" : false);
  plain = new WebSocketServer({ noServer: true, handleProtocols, maxPayload: 4 * 1024 * 1024 });
  deflate = new WebSocketServer({ noServer: true, perMessageDeflate: true, maxPayload: 4 * 1024 * 1024 });
  plain.on("connection", onConnection);
  deflate.on("connection", onConnection);
  pages.server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = (req.url ?? "").startsWith("/deflate") ? deflate : plain;
    target.handleUpgrade(req, socket, head, (ws, request) => target.emit("connection", ws, request));
  });
  browser = await launchChromium();
  page = await browser.newPage();
  problems = watchPage(page);
  await page.goto(pages.url("/"));
});

after(async () => {
  await browser?.close();
  if (plain !== undefined) await closeServer(plain);
  if (deflate !== undefined) await closeServer(deflate);
  await pages?.close();
});

test("B.1 text round trip", async () => {
  const echoed = await page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/echo");
    w.socks[id]?.ws.send("hello from chromium");
    const msg = await w.nextMessage(id);
    w.socks[id]?.ws.close();
    return msg;
  });
  assert.equal(echoed, "hello from chromium");
  const conn = await lastConnection();
  assert.deepEqual(
    conn.received.map((r) => [r.data.toString(), r.isBinary]),
    [["hello from chromium", false]],
  );
});

test("B.2 binary (ArrayBuffer) round trip with every byte value", async () => {
  const result = await page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/echo");
    const bytes = new Uint8Array(256).map((_, i) => i);
    w.socks[id]?.ws.send(bytes.buffer);
    const msg = await w.nextMessage(id);
    w.socks[id]?.ws.close();
    return { isArrayBuffer: msg instanceof ArrayBuffer, bytes: [...new Uint8Array(msg as ArrayBuffer)] };
  });
  assert.equal(result.isArrayBuffer, true);
  assert.deepEqual(result.bytes, Array.from({ length: 256 }, (_, i) => i));
  const conn = await lastConnection();
  assert.equal(conn.received[0]?.isBinary, true);
  assert.deepEqual([...(conn.received[0]?.data ?? [])], result.bytes);
});

test("B.3 1 MB binary and 1 MB text, browser to server and back", async () => {
  const size = 1024 * 1024;
  const result = await page.evaluate(async (n) => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/echo");
    const ws = w.socks[id]?.ws as WebSocket;
    const bin = w.pattern(n, 7);
    const text = "0123456789abcdef".repeat(n / 16);
    ws.send(bin);
    ws.send(text);
    const a = (await w.nextMessage(id, 10_000)) as ArrayBuffer;
    const b = (await w.nextMessage(id, 10_000)) as string;
    ws.close();
    return { binLength: a.byteLength, binHash: await w.sha256(a), textLength: b.length, textHash: await w.sha256(b) };
  }, size);
  assert.equal(result.binLength, size);
  assert.equal(result.binHash, sha256(pattern(size, 7)));
  assert.equal(result.textLength, size);
  assert.equal(result.textHash, sha256("0123456789abcdef".repeat(size / 16)));
  const conn = await lastConnection();
  assert.equal(sha256(conn.received[0]?.data ?? Buffer.alloc(0)), sha256(pattern(size, 7)), "the server got the binary intact");
  assert.equal(conn.received[1]?.data.length, size);
});

test("B.4 1 MB from the server to the browser", async () => {
  const size = 1024 * 1024;
  const opened = page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/silent");
    const bin = (await w.nextMessage(id, 10_000)) as ArrayBuffer;
    const text = (await w.nextMessage(id, 10_000)) as string;
    w.socks[id]?.ws.close();
    return { binLength: bin.byteLength, binHash: await w.sha256(bin), textLength: text.length, textHash: await w.sha256(text) };
  });
  connections.length = 0;
  const conn = await lastConnection();
  const text = "κόσμε-".repeat(size / 12);
  conn.ws.send(pattern(size, 99), { binary: true });
  conn.ws.send(text);
  const result = await withTimeout(opened, 20_000, "page result");
  assert.deepEqual(result, { binLength: size, binHash: sha256(pattern(size, 99)), textLength: text.length, textHash: sha256(text) });
});

test("B.5 Unicode text (emoji, CJK, astral, combining marks) both ways", async () => {
  const samples = ["😀🎉👍🏽👨‍👩‍👧‍👦", "日本語テキスト 中文 한국어", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐀀 𝟘𝟙", "e\u0301 a\u0308 \u200d", "\ufeffBOM and U+FFFD \ufffd", "\u0000nul"];
  const echoed = await page.evaluate(async (list) => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/echo");
    const out: string[] = [];
    for (const s of list) {
      w.socks[id]?.ws.send(s);
      out.push((await w.nextMessage(id)) as string);
    }
    w.socks[id]?.ws.close();
    return out;
  }, samples);
  assert.deepEqual(echoed, samples);
  const conn = await lastConnection();
  assert.deepEqual(
    conn.received.map((r) => r.data.toString("utf8")),
    samples,
    "the server decoded the same strings",
  );
});

test("B.6 the browser closes with 4000 'bye': the server sees 4000 and 'bye'", async () => {
  connections.length = 0;
  const pageClose = page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/echo");
    w.socks[id]?.ws.close(4000, "bye");
    return w.waitClosed(id);
  });
  const conn = await lastConnection();
  assert.deepEqual(await withTimeout(conn.closed, 5000, "server close event"), [4000, "bye"]);
  assert.deepEqual(await pageClose, { code: 4000, reason: "bye", wasClean: true });
});

test("B.7 the server closes with 1001 and a reason: the browser sees them, cleanly", async () => {
  connections.length = 0;
  const pageClose = page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/silent");
    return w.waitClosed(id);
  });
  const conn = await lastConnection();
  conn.ws.close(1001, "server going away ✓");
  assert.deepEqual(await withTimeout(pageClose, 5000, "page close"), { code: 1001, reason: "server going away ✓", wasClean: true });
  assert.deepEqual(await withTimeout(conn.closed, 5000, "server close event"), [1001, "server going away ✓"]);
});

test("B.8 permessage-deflate is negotiated with Chromium, and a compressed round trip works", async () => {
  connections.length = 0;
  const text = "compress me please, ".repeat(5000);
  const result = await page.evaluate(async (payload) => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/deflate");
    const ws = w.socks[id]?.ws as WebSocket;
    ws.send(payload);
    ws.send(w.pattern(200_000, 3));
    const a = (await w.nextMessage(id, 10_000)) as string;
    const b = (await w.nextMessage(id, 10_000)) as ArrayBuffer;
    const extensions = ws.extensions;
    ws.close();
    return { extensions, same: a === payload, binHash: await w.sha256(b) };
  }, text);
  assert.match(result.extensions, /permessage-deflate/, `extensions: "${result.extensions}"`);
  assert.equal(result.same, true, "compressed text round trip");
  assert.equal(result.binHash, sha256(pattern(200_000, 3)));
  const conn = await lastConnection();
  assert.match(conn.ws.extensions, /permessage-deflate/, "the server side agrees");
  assert.equal(conn.received[0]?.data.toString(), text);
});

test("B.9 without compression enabled on the server, no extension is negotiated", async () => {
  const extensions = await page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/echo");
    const value = w.socks[id]?.ws.extensions;
    w.socks[id]?.ws.close();
    return value;
  });
  assert.equal(extensions, "");
});

test("B.10 subprotocol selection: the server picks v1.chat of [v2.chat, v1.chat]", async () => {
  connections.length = 0;
  const protocol = await page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/echo", ["v2.chat", "v1.chat"]);
    const value = w.socks[id]?.ws.protocol;
    w.socks[id]?.ws.close();
    return value;
  });
  assert.equal(protocol, "v1.chat");
  assert.equal((await lastConnection()).ws.protocol, "v1.chat");
});

test("B.11 2000 small messages keep their order", async () => {
  const ok = await page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/echo");
    for (let i = 0; i < 2000; i++) w.socks[id]?.ws.send(`m${i}`);
    for (let i = 0; i < 2000; i++) if ((await w.nextMessage(id)) !== `m${i}`) return i;
    w.socks[id]?.ws.close();
    return -1;
  });
  assert.equal(ok, -1, "first out-of-order message index");
});

test("B.12 a ping from the server is answered by the browser with the same payload", async () => {
  connections.length = 0;
  const opened = page.evaluate(async () => {
    const w = window as unknown as PageWindow;
    const id = await w.openSock("/silent");
    await w.waitClosed(id);
  });
  const conn = await lastConnection();
  const pong = new Promise<string>((resolve) => conn.ws.once("pong", (data: Buffer) => resolve(data.toString())));
  conn.ws.ping(Buffer.from("are you alive"));
  assert.equal(await withTimeout(pong, 5000, "pong"), "are you alive");
  conn.ws.close(1000);
  await withTimeout(opened, 5000, "page close");
});

test("B.13 no errors in the page", () => {
  assert.deepEqual(problems, []);
});
