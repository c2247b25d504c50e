// wss:// with a self-signed certificate generated at test time by the openssl CLI.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WS from "ws";
import { WebSocket, WebSocketServer } from "../../../src/websocket/index.js";
import { next, within } from "./helpers.js";

let dir: string;
let cert: Buffer;
let key: Buffer;
let server: https.Server;
let wss: WebSocketServer;
let port: number;
const secureFlags: boolean[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "courant-tls-"));
  execFileSync(
    "openssl",
    [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  cert = readFileSync(join(dir, "cert.pem"));
  key = readFileSync(join(dir, "key.pem"));
  server = https.createServer({ cert, key });
  wss = new WebSocketServer({
    server,
    verifyClient: (info: { secure: boolean }) => {
      secureFlags.push(info.secure);
      return true;
    },
  });
  wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data as Buffer, { binary: isBinary })));
  server.listen(0, "127.0.0.1");
  await next(server, "listening");
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  await within(new Promise<void>((resolve) => wss.close(() => resolve())));
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("wss://", () => {
  test("our client trusts the certificate given as ca, by name and by IP", async () => {
    for (const host of ["localhost", "127.0.0.1"]) {
      const ws = new WebSocket(`wss://${host}:${port}/`, [], { ca: cert });
      await next(ws, "open");
      const echoed = next<[Buffer]>(ws, "message");
      ws.send("over tls");
      assert.equal((await echoed)[0].toString(), "over tls");
      const closed = next<[number]>(ws, "close");
      ws.close(1000);
      assert.equal((await closed)[0], 1000);
    }
    assert.ok(secureFlags.length >= 2 && secureFlags.every((s) => s), "verifyClient saw secure: true");
  });

  test("an untrusted certificate is rejected by default", async () => {
    const ws = new WebSocket(`wss://localhost:${port}/`);
    const closed = next<[number]>(ws, "close");
    const [error] = await next<[NodeJS.ErrnoException]>(ws, "error");
    assert.match(String(error.code), /SELF_SIGNED|UNABLE_TO_VERIFY/);
    assert.equal((await closed)[0], 1006);
    assert.equal(ws.readyState, WebSocket.CLOSED);
  });

  test("rejectUnauthorized: false connects anyway; a ws client interoperates over TLS", async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/`, [], { rejectUnauthorized: false });
    await next(ws, "open");
    ws.terminate();
    await next(ws, "close");

    const other = new WS(`wss://localhost:${port}/`, { ca: cert });
    await next(other, "open");
    const echoed = next<[Buffer]>(other, "message");
    other.send(Buffer.alloc(300_000, 5));
    assert.equal((await echoed)[0].length, 300_000);
    other.close();
    await next(other, "close");
  });
});
