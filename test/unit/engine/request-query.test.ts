import { test } from "node:test";
import assert from "node:assert/strict";
import { hasInvalidHeaderChar, parseQuery } from "../../../src/engine/request-query.js";

test("parseQuery reads EIO, transport, sid and b64; ignores the rest", () => {
  assert.deepEqual(parseQuery("/engine.io/?EIO=4&transport=polling&t=Nx1&sid=ab-_c"), { EIO: "4", transport: "polling", sid: "ab-_c", b64: false });
  assert.deepEqual(parseQuery("/engine.io/"), { EIO: undefined, transport: undefined, sid: undefined, b64: false });
  assert.deepEqual(parseQuery(undefined), { EIO: undefined, transport: undefined, sid: undefined, b64: false });
  assert.equal(parseQuery("/x?b64=1")?.b64, true);
  assert.equal(parseQuery("/x?b64")?.b64, true);
  assert.equal(parseQuery("/x?b64=0")?.b64, false);
  assert.equal(parseQuery("/x?transport")?.transport, "");
  assert.equal(parseQuery("/x?&&transport=websocket&")?.transport, "websocket");
});

test("parseQuery decodes percent-escapes and '+'; a bad escape is null; the first repeated key wins", () => {
  assert.equal(parseQuery("/x?sid=a%2Fb+c")?.sid, "a/b c");
  assert.equal(parseQuery("/x?sid=%E0%A4%A"), null);
  assert.equal(parseQuery("/x?other=%E0%A4%A&sid=ok")?.sid, "ok", "keys the engine does not read are not decoded");
  assert.equal(parseQuery("/x?sid=first&sid=second")?.sid, "first");
});

test("hasInvalidHeaderChar: control characters other than HTAB, DEL, and code points past Latin-1", () => {
  assert.equal(hasInvalidHeaderChar("https://a.example"), false);
  assert.equal(hasInvalidHeaderChar("a\tb"), false);
  assert.equal(hasInvalidHeaderChar("caf\u00e9"), false);
  assert.equal(hasInvalidHeaderChar("a\x00b"), true);
  assert.equal(hasInvalidHeaderChar("a\rb"), true);
  assert.equal(hasInvalidHeaderChar("a\x7fb"), true);
  assert.equal(hasInvalidHeaderChar("a\u0100b"), true);
});
