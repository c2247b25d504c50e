// Serving the browser client bundle: ETag and 304, Cache-Control, gzip and brotli by
// Accept-Encoding, HEAD, 404 when not built; and the server hooking it in under its path.

import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { ClientFileServer, Server } from "../../../src/index.js";
import { withTimeout } from "./helpers.js";

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Reply> {
  return withTimeout(
    new Promise<Reply>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path, method, headers: { connection: "close", ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end();
    }),
    5000,
    `${method} ${path}`,
  );
}

test("ClientFileServer: the bundle files with ETag, 304, Cache-Control, gzip and brotli", async () => {
  const dir = mkdtempSync(join(tmpdir(), "courant-bundle-"));
  const script = "/* client */ " + "var socketIoClient = 1;\n".repeat(2000);
  writeFileSync(join(dir, "socket.io.js"), script);
  writeFileSync(join(dir, "socket.io.min.js"), "var a=1;");
  writeFileSync(join(dir, "socket.io.js.map"), '{"version":3}');
  const files = new ClientFileServer("/socket.io/", dir);
  const server = createServer((req, res) => {
    if (!files.handle(req, res)) {
      res.writeHead(418);
      res.end("not mine");
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  try {
    const plain = await get(port, "/socket.io/socket.io.js");
    assert.equal(plain.status, 200);
    assert.equal(plain.body.toString(), script);
    assert.equal(plain.headers["content-type"], "application/javascript; charset=utf-8");
    assert.equal(plain.headers["cache-control"], "public, max-age=0");
    assert.equal(plain.headers["vary"], "Accept-Encoding");
    assert.equal(plain.headers["content-encoding"], undefined);
    assert.equal(Number(plain.headers["content-length"]), Buffer.byteLength(script));
    const etag = plain.headers["etag"];
    assert.match(String(etag), /^"[\w-]+"$/);

    const withQuery = await get(port, "/socket.io/socket.io.js?v=4.8.1");
    assert.equal(withQuery.status, 200);
    assert.equal(withQuery.headers["etag"], etag);

    const notModified = await get(port, "/socket.io/socket.io.js", { "if-none-match": String(etag) });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.body.length, 0);
    assert.equal(notModified.headers["etag"], etag);
    assert.equal((await get(port, "/socket.io/socket.io.js", { "if-none-match": `"other", W/${String(etag)}` })).status, 304);
    assert.equal((await get(port, "/socket.io/socket.io.js", { "if-none-match": '"stale"' })).status, 200);

    const gzip = await get(port, "/socket.io/socket.io.js", { "accept-encoding": "gzip, deflate" });
    assert.equal(gzip.headers["content-encoding"], "gzip");
    assert.ok(gzip.body.length < script.length / 10);
    assert.equal(gunzipSync(gzip.body).toString(), script);

    const br = await get(port, "/socket.io/socket.io.js", { "accept-encoding": "gzip, deflate, br" });
    assert.equal(br.headers["content-encoding"], "br");
    assert.equal(brotliDecompressSync(br.body).toString(), script);
    const noBr = await get(port, "/socket.io/socket.io.js", { "accept-encoding": "br;q=0, gzip" });
    assert.equal(noBr.headers["content-encoding"], "gzip");
    const identity = await get(port, "/socket.io/socket.io.js", { "accept-encoding": "identity" });
    assert.equal(identity.headers["content-encoding"], undefined);

    const head = await get(port, "/socket.io/socket.io.min.js", {}, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(Number(head.headers["content-length"]), 8);

    const map = await get(port, "/socket.io/socket.io.js.map");
    assert.equal(map.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(map.body.toString(), '{"version":3}');

    assert.equal((await get(port, "/socket.io/socket.io.esm.min.js")).status, 404, "a bundle file not built");
    assert.equal((await get(port, "/socket.io/socket.io.js", {}, "POST")).status, 405);
    assert.equal((await get(port, "/socket.io/other.js")).status, 418, "other files are not its business");
    assert.equal((await get(port, "/elsewhere/socket.io.js")).status, 418);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the server serves the built bundle under its path, and not when serveClient is false", async () => {
  const bundle = fileURLToPath(new URL("../../../dist/bundle/socket.io.js", import.meta.url));
  const http = createServer();
  const io = new Server(http);
  const http2 = createServer();
  const io2 = new Server(http2, { serveClient: false, path: "/rt" });
  http.listen(0, "127.0.0.1");
  http2.listen(0, "127.0.0.1");
  await Promise.all([once(http, "listening"), once(http2, "listening")]);
  const port = (http.address() as AddressInfo).port;
  const port2 = (http2.address() as AddressInfo).port;
  try {
    const reply = await get(port, "/socket.io/socket.io.js");
    if (existsSync(bundle)) {
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, readFileSync(bundle));
      const again = await get(port, "/socket.io/socket.io.js", { "if-none-match": String(reply.headers["etag"]) });
      assert.equal(again.status, 304);
    } else {
      assert.equal(reply.status, 404, "the bundle is not built: 404, not an engine error");
    }
    const handshake = await get(port, "/socket.io/?EIO=4&transport=polling");
    assert.equal(handshake.status, 200);
    assert.match(handshake.body.toString(), /^0\{"sid":/);

    assert.equal(io2.path(), "/rt");
    const off = await get(port2, "/rt/socket.io.js");
    assert.notEqual(off.status, 200);
    assert.notEqual(off.status, 404, "left to the engine, which refuses it");
    assert.match((await get(port2, "/rt/?EIO=4&transport=polling")).body.toString(), /^0\{"sid":/);
  } finally {
    void io.close();
    void io2.close();
    http.closeAllConnections();
    http2.closeAllConnections();
  }
});
