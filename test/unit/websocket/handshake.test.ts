import { test, describe } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { acceptKey, isValidKey, parseProtocols, validateUpgradeRequest } from "../../../src/websocket/handshake.js";

function request(overrides: { method?: string; version?: [number, number]; headers?: Record<string, string | undefined> } = {}): IncomingMessage {
  const headers: Record<string, string> = {
    host: "example.org",
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "13",
  };
  for (const [k, v] of Object.entries(overrides.headers ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  const [major, minor] = overrides.version ?? [1, 1];
  return { method: overrides.method ?? "GET", httpVersionMajor: major, httpVersionMinor: minor, headers } as unknown as IncomingMessage;
}

describe("handshake", () => {
  test("accept key: RFC 6455 §1.3 example", () => {
    assert.equal(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  test("Sec-WebSocket-Key must be base64 of exactly 16 bytes", () => {
    assert.equal(isValidKey("dGhlIHNhbXBsZSBub25jZQ=="), true);
    assert.equal(isValidKey(Buffer.alloc(16, 0xff).toString("base64")), true);
    for (const bad of ["", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZR==", Buffer.alloc(15).toString("base64"), Buffer.alloc(17).toString("base64"), "dGhlIHNhbXBsZSBub25j!Q=="]) {
      assert.equal(isValidKey(bad), false, bad);
    }
  });

  test("a valid request", () => {
    const result = validateUpgradeRequest(request({ headers: { "sec-websocket-protocol": "chat, superchat", "sec-websocket-extensions": "permessage-deflate" } }));
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.deepEqual([...result.protocols], ["chat", "superchat"]);
    assert.deepEqual([...(result.extensions?.keys() ?? [])], ["permessage-deflate"]);
  });

  test("tokens are case-insensitive and may sit in lists", () => {
    assert.equal(validateUpgradeRequest(request({ headers: { upgrade: "WebSocket", connection: "keep-alive, UPGRADE" } })).ok, true);
  });

  test("refusals with their status", () => {
    const cases: Array<[string, IncomingMessage, number]> = [
      ["POST", request({ method: "POST" }), 400],
      ["HTTP/1.0", request({ version: [1, 0] }), 400],
      ["no Upgrade", request({ headers: { upgrade: undefined } }), 400],
      ["Upgrade: h2c", request({ headers: { upgrade: "h2c" } }), 400],
      ["no Connection upgrade", request({ headers: { connection: "keep-alive" } }), 400],
      ["no key", request({ headers: { "sec-websocket-key": undefined } }), 400],
      ["short key", request({ headers: { "sec-websocket-key": "abc" } }), 400],
      ["no version", request({ headers: { "sec-websocket-version": undefined } }), 400],
      ["version 8", request({ headers: { "sec-websocket-version": "8" } }), 426],
      ["version 14", request({ headers: { "sec-websocket-version": "14" } }), 426],
      ["bad protocol list", request({ headers: { "sec-websocket-protocol": "a,,b" } }), 400],
      ["duplicate protocol", request({ headers: { "sec-websocket-protocol": "a, a" } }), 400],
      ["bad extensions", request({ headers: { "sec-websocket-extensions": "permessage-deflate;;" } }), 400],
    ];
    for (const [name, req, status] of cases) {
      const result = validateUpgradeRequest(req);
      assert.equal(result.ok, false, name);
      if (!result.ok) assert.equal(result.status, status, name);
    }
    const v8 = validateUpgradeRequest(request({ headers: { "sec-websocket-version": "8" } }));
    assert.ok(!v8.ok && v8.headers?.["Sec-WebSocket-Version"] === "13");
  });

  test("subprotocol lists parse in linear time", () => {
    assert.deepEqual([...parseProtocols("a")], ["a"]);
    assert.deepEqual([...parseProtocols(" a ,\tb\t, c")], ["a", "b", "c"]);
    for (const bad of ["", " ", "a,", ",a", "a b", "a,,b", "a, a", "a;b", "ä"]) assert.throws(() => parseProtocols(bad), SyntaxError, JSON.stringify(bad));
    const start = performance.now();
    assert.throws(() => parseProtocols("a" + " ".repeat(30_000) + "b"), SyntaxError);
    assert.deepEqual([...parseProtocols("a" + " ".repeat(30_000) + ",b")], ["a", "b"]);
    assert.throws(() => parseProtocols(" ".repeat(30_000)), SyntaxError);
    const many = Array.from({ length: 10_000 }, (_, i) => `p${i}`).join(", ");
    assert.equal(parseProtocols(many).size, 10_000);
    assert.ok(performance.now() - start < 200, "slow parse");
  });
});
