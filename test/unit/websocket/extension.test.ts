import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { formatExtensions, parseExtensions } from "../../../src/websocket/extension.js";

function plain(header: string): unknown {
  const out: Array<[string, Array<Array<[string, Array<string | true>]>>]> = [];
  for (const [name, offers] of parseExtensions(header)) out.push([name, offers.map((p) => [...p.entries()])]);
  return out;
}

describe("Sec-WebSocket-Extensions parsing (RFC 6455 §9.1)", () => {
  test("names, parameters, values, repeated offers", () => {
    assert.deepEqual(plain("permessage-deflate"), [["permessage-deflate", [[]]]]);
    assert.deepEqual(plain("permessage-deflate; client_max_window_bits"), [["permessage-deflate", [[["client_max_window_bits", [true]]]]]]);
    assert.deepEqual(plain("permessage-deflate; server_max_window_bits=10; client_no_context_takeover, permessage-deflate"), [
      ["permessage-deflate", [[["server_max_window_bits", ["10"]], ["client_no_context_takeover", [true]]], []]],
    ]);
    assert.deepEqual(plain("foo, bar; baz=1"), [
      ["foo", [[]]],
      ["bar", [[["baz", ["1"]]]]],
    ]);
    assert.deepEqual(plain("  a  ;  b = 2 ;\tc  ,  d "), [
      ["a", [[["b", ["2"]], ["c", [true]]]]],
      ["d", [[]]],
    ]);
  });

  test("quoted values must be tokens once unescaped", () => {
    assert.deepEqual(plain('a; b="10"'), [["a", [[["b", ["10"]]]]]]);
    assert.deepEqual(plain('a; b="1\\0"'), [["a", [[["b", ["10"]]]]]]);
    assert.throws(() => parseExtensions('a; b="1 0"'), SyntaxError);
    assert.throws(() => parseExtensions('a; b=""'), SyntaxError);
    assert.throws(() => parseExtensions('a; b="10'), SyntaxError);
  });

  test("repeated parameters are kept (negotiation declines them)", () => {
    assert.deepEqual(plain("a; b=1; b=2"), [["a", [[["b", ["1", "2"]]]]]]);
  });

  test("malformed headers throw SyntaxError", () => {
    for (const bad of ["", " ", ",", "a,", ",a", "a;", "a; =1", "a; b=", "a b", "a; b c", "a=1", "a;; b", "a; b=1 2", "a@b", "ä"]) {
      assert.throws(() => parseExtensions(bad), SyntaxError, JSON.stringify(bad));
    }
  });

  test("hostile names are plain data", () => {
    const parsed = parseExtensions("__proto__; constructor=1; hasOwnProperty, toString; __proto__=2");
    assert.deepEqual([...parsed.keys()], ["__proto__", "toString"]);
    assert.deepEqual(parsed.get("__proto__")?.[0]?.get("constructor"), ["1"]);
    assert.deepEqual(parsed.get("__proto__")?.[0]?.get("hasOwnProperty"), [true]);
    assert.deepEqual(parsed.get("toString")?.[0]?.get("__proto__"), ["2"]);
    assert.equal(({} as Record<string, unknown>).constructor, Object, "no prototype was touched");
  });

  test("linear time on long hostile input", () => {
    const start = performance.now();
    assert.throws(() => parseExtensions("a" + " ".repeat(200_000) + "b"), SyntaxError);
    parseExtensions("a" + "; b".repeat(50_000));
    assert.ok(performance.now() - start < 500, "parsing 200 KB took too long");
  });

  test("format", () => {
    assert.equal(formatExtensions([["permessage-deflate", new Map<string, string | number | true>([["client_max_window_bits", 10], ["server_no_context_takeover", true]])]]),
      "permessage-deflate; client_max_window_bits=10; server_no_context_takeover");
    assert.equal(formatExtensions([["a", new Map()], ["b", new Map([["c", "d"]])]]), "a, b; c=d");
  });
});
