// The `res` of engine middlewares on an upgrade (src/engine/upgrade-response.ts): its headers,
// and the HTTP answer it writes on the socket when a middleware ends the request itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { Duplex } from "node:stream";
import { UpgradeResponse, rawResponse } from "../../../src/engine/upgrade-response.js";

/** A socket that records what is written to it. */
function recordingSocket(): { socket: Duplex; written: () => string } {
  const chunks: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return { socket, written: () => Buffer.concat(chunks).toString("latin1") };
}

test("headers are kept under the names given and looked up in any case", () => {
  const { socket } = recordingSocket();
  const res = new UpgradeResponse({} as IncomingMessage, socket);
  res.setHeader("X-Frame-Options", "DENY").setHeader("x-list", ["a", "b"]);
  assert.equal(res.getHeader("x-frame-options"), "DENY");
  assert.ok(res.hasHeader("X-LIST"));
  res.removeHeader("X-List");
  assert.deepEqual(res.getHeaders(), { "X-Frame-Options": "DENY" });
  assert.equal(res.writableEnded, false);
});

test("end(body, encoding, callback) sends the middleware's answer and closes; a second end does nothing", async () => {
  const { socket, written } = recordingSocket();
  const res = new UpgradeResponse({} as IncomingMessage, socket);
  let finished = 0;
  res.on("finish", () => finished++);
  let called = 0;
  res.writeHead(429, "Slow Down", { "Retry-After": "5" });
  res.write("try ");
  res.end("later", "utf8", () => called++);
  res.end("again");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(written(), "HTTP/1.1 429 Slow Down\r\nConnection: close\r\nRetry-After: 5\r\nContent-Length: 9\r\n\r\ntry later");
  assert.equal(res.writableEnded, true);
  assert.equal(finished, 1);
  assert.equal(called, 1);
});

test("rawResponse sets Connection and Content-Length itself, whatever the caller passed", () => {
  const text = rawResponse(400, { Connection: "keep-alive", "Content-Length": 99, "Content-Type": "application/json" }, "{}").toString("latin1");
  assert.equal(text, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
});
