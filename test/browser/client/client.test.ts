// Real Chromium running the browser bundle: a page loads /socket.io/socket.io.js from OUR server
// (serveClient), connects, emits, gets acks and broadcasts, sends and receives binary, upgrades to
// WebSocket, and survives a server restart; the same with transports: ["polling"]. The minified
// bundle also runs against the official socket.io server.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { Server as OfficialServer } from "socket.io";
import { Server as CourantServer } from "../../../src/index.js";
import { io as nodeClient } from "../../../src/client/index.js";
import type { Socket as ClientSocket } from "../../../src/client/index.js";
import { launchChromium, servePages, watchPage } from "../../helpers/chromium.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** The page: loads the bundle from `script`, then waits for the test to call start(). */
function page(script: string): string {
  return `<!doctype html><meta charset="utf-8"><title>courant client</title>
<script src="${script}"></script>
<script>
window.log = [];
window.start = (opts) => {
  const socket = (window.socket = io(opts));
  socket.on("connect", () => log.push(["connect", socket.id, socket.io.engine.transport.name]));
  socket.on("disconnect", (reason) => log.push(["disconnect", reason]));
  socket.on("broadcast", (...args) => log.push(["broadcast", ...args]));
  socket.on("bytes", (data) => log.push(["bytes", data instanceof ArrayBuffer, Array.from(new Uint8Array(data))]));
  socket.io.on("reconnect", (attempt) => log.push(["reconnect", attempt]));
  return typeof io.Manager === "function" && io.connect === io;
};
window.count = (kind) => log.filter((entry) => entry[0] === kind).length;
</script>`;
}

/** Handlers every server gets (again after a restart). */
function setup(server: OfficialServer): void {
  server.on("connection", (socket) => {
    socket.on("chat", (text: string, ack?: (reply: string) => void) => {
      ack?.(`got ${text}`);
      server.emit("broadcast", text, socket.id);
    });
    socket.on("bytes", (data: Buffer, ack: (reply: unknown) => void) => {
      ack({ length: data.length, sum: [...data].reduce((a, b) => a + b, 0) });
      socket.emit("bytes", Buffer.from([...data].reverse()));
    });
  });
}

/** An HTTP + Socket.IO server that can be stopped and started again on the same port. */
interface Site {
  url: string;
  io: OfficialServer;
  stop(): Promise<void>;
  start(): Promise<void>;
}

async function site(kind: "courant" | "official"): Promise<Site> {
  const html = page(kind === "courant" ? "/socket.io/socket.io.js" : "/courant/socket.io.min.js");
  const bundle = kind === "official" ? readFileSync(`${root}dist/bundle/socket.io.min.js`) : undefined;
  let http: HttpServer | undefined;
  let port = 0;
  const result: Site = {
    url: "",
    io: undefined as unknown as OfficialServer,
    async start() {
      const h = (http = createServer((req: IncomingMessage, res: ServerResponse) => {
        if (req.url === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
        else if (req.url === "/courant/socket.io.min.js" && bundle !== undefined) res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
        else res.writeHead(req.url === "/favicon.ico" ? 204 : 404).end();
      }));
      result.io =
        kind === "courant"
          ? (new CourantServer(h, { serveClient: true, pingInterval: 2000, pingTimeout: 2000 }) as unknown as OfficialServer)
          : new OfficialServer(h, { serveClient: false, pingInterval: 2000, pingTimeout: 2000 });
      setup(result.io);
      await new Promise<void>((resolve) => h.listen(port, "127.0.0.1", resolve));
      port = (h.address() as AddressInfo).port;
      result.url = `http://127.0.0.1:${port}`;
    },
    async stop() {
      const h = http;
      if (h === undefined) return;
      http = undefined;
      const closed = new Promise<void>((resolve) => h.close(() => resolve()));
      void result.io.close();
      h.closeAllConnections();
      await closed;
    },
  };
  await result.start();
  return result;
}

let browser: Browser;
const nodeClients: ClientSocket[] = [];

before(async () => {
  // The server serves dist/bundle: build it fresh so the test runs what this checkout holds.
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [`${root}scripts/build-client.js`], { timeout: 30_000 }, (err, _out, stderr) => (err ? reject(new Error(stderr)) : resolve())),
  );
  browser = await launchChromium();
});

after(async () => {
  for (const socket of nodeClients) socket.io.close();
  await browser?.close();
});

/** Waits in the page until `count(kind) >= n`. */
async function waitCount(p: Page, kind: string, n: number, timeout = 8000): Promise<void> {
  await p.waitForFunction(([k, m]) => (window as any).count(k) >= m, [kind, n] as const, { timeout, polling: 20 });
}

for (const transports of [undefined, ["polling"]] as const) {
  describe(`the bundle served by our server, in Chromium, transports ${transports?.join("+") ?? "default"}`, () => {
    test("connects, emits with acks, gets broadcasts and binary, and survives a server restart", async () => {
      const s = await site("courant");
      const p = await browser.newPage();
      const problems = watchPage(p);
      try {
        await p.goto(s.url + "/");
        assert.equal(await p.evaluate((t) => (window as any).start(t === undefined ? {} : { transports: t }), transports), true);
        await waitCount(p, "connect", 1);

        assert.equal(await p.evaluate(() => (window as any).socket.timeout(3000).emitWithAck("chat", "hello")), "got hello");

        // A broadcast from another client (ours, in Node) reaches the page.
        const other = nodeClient(s.url, { forceNew: true, transports: ["websocket"] });
        nodeClients.push(other);
        await new Promise<void>((resolve) => other.once("connect", () => resolve()));
        other.emit("chat", "from node");
        await p.waitForFunction(() => (window as any).log.some((e: unknown[]) => e[0] === "broadcast" && e[1] === "from node"), undefined, { timeout: 5000 });

        // Binary both ways: a Uint8Array up, an ArrayBuffer down.
        const summary = await p.evaluate(() => (window as any).socket.emitWithAck("bytes", new Uint8Array([1, 2, 3, 250])));
        assert.deepEqual(summary, { length: 4, sum: 256 });
        await waitCount(p, "bytes", 1);
        assert.deepEqual(await p.evaluate(() => (window as any).log.find((e: unknown[]) => e[0] === "bytes")), ["bytes", true, [250, 3, 2, 1]]);

        if (transports === undefined) {
          await p.waitForFunction(() => (window as any).socket.io.engine.transport.name === "websocket", undefined, { timeout: 5000 });
        } else {
          assert.equal(await p.evaluate(() => (window as any).socket.io.engine.transport.name), "polling");
        }

        // Restart the server on the same port: the page reconnects and works again.
        await s.stop();
        await waitCount(p, "disconnect", 1);
        await s.start();
        await waitCount(p, "connect", 2, 10_000);
        await waitCount(p, "reconnect", 1);
        assert.equal(await p.evaluate(() => (window as any).socket.timeout(3000).emitWithAck("chat", "again")), "got again");
        const reasons = await p.evaluate(() => (window as any).log.filter((e: unknown[]) => e[0] === "disconnect").map((e: unknown[]) => e[1]));
        assert.ok(["transport close", "transport error"].includes(reasons[0]), String(reasons[0]));
        assert.deepEqual(
          problems.filter((line) => line.startsWith("pageerror")),
          [],
        );
      } finally {
        await p.close();
        await s.stop();
      }
    });
  });
}

test("the minified bundle against the official socket.io server, in Chromium", async () => {
  const s = await site("official");
  const p = await browser.newPage();
  const problems = watchPage(p);
  try {
    await p.goto(s.url + "/");
    assert.equal(await p.evaluate(() => (window as any).start({})), true);
    await waitCount(p, "connect", 1);
    assert.equal(await p.evaluate(() => (window as any).socket.timeout(3000).emitWithAck("chat", "hi")), "got hi");
    await waitCount(p, "broadcast", 1);
    const summary = await p.evaluate(() => (window as any).socket.emitWithAck("bytes", new Uint8Array([5, 6]).buffer));
    assert.deepEqual(summary, { length: 2, sum: 11 });
    await waitCount(p, "bytes", 1);
    await p.waitForFunction(() => (window as any).socket.io.engine.transport.name === "websocket", undefined, { timeout: 5000 });
    assert.deepEqual(problems, []);
  } finally {
    await p.close();
    await s.stop();
  }
});

test("withCredentials sends credentialed cross-origin requests (CORS must allow them)", async () => {
  const servers: HttpServer[] = [];
  const ios: OfficialServer[] = [];
  const pages = await servePages({ "/": "<!doctype html><title>other origin</title>" });
  const pageOrigin = pages.url("").replace(/\/$/, "");
  /** A cross-origin Socket.IO server (another port) with the given CORS credentials setting. */
  async function crossOrigin(credentials: boolean): Promise<string> {
    const h = createServer();
    servers.push(h);
    ios.push(new CourantServer(h, { serveClient: true, cors: { origin: pageOrigin, credentials } }) as unknown as OfficialServer);
    await new Promise<void>((resolve) => h.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(h.address() as AddressInfo).port}`;
  }
  const strict = await crossOrigin(false);
  const lenient = await crossOrigin(true);
  const p = await browser.newPage();
  try {
    await p.goto(pages.url("/"));
    await p.addScriptTag({ url: `${strict}/socket.io/socket.io.min.js` });
    const outcome = (url: string, withCredentials: boolean): Promise<string> =>
      p.evaluate(
        ([u, w]) =>
          new Promise<string>((resolve) => {
            const socket = (window as any).io(u, { transports: ["polling"], withCredentials: w, reconnection: false, forceNew: true });
            socket.on("connect", () => (socket.disconnect(), resolve("connect")));
            socket.on("connect_error", (err: Error) => resolve(`connect_error: ${err.message}`));
          }),
        [url, withCredentials] as const,
      );
    assert.equal(await outcome(strict, false), "connect");
    assert.equal(await outcome(strict, true), "connect_error: xhr poll error");
    assert.equal(await outcome(lenient, true), "connect");
  } finally {
    await p.close();
    for (const server of ios) void server.close();
    for (const h of servers) {
      h.closeAllConnections();
      await new Promise<void>((resolve) => h.close(() => resolve()));
    }
    await pages.close();
  }
});
