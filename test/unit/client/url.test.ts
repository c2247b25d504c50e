import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeQuery, parseUrl } from "../../../src/client/url.js";

test("origin, namespace and query from a full URL", () => {
  assert.deepEqual(parseUrl("http://example.com:3000/admin?token=a%20b&x=1"), {
    origin: "http://example.com:3000",
    nsp: "/admin",
    query: "token=a%20b&x=1",
  });
  assert.deepEqual(parseUrl("https://example.com"), { origin: "https://example.com", nsp: "/", query: "" });
});

test("ws and wss become http and https; default ports disappear", () => {
  assert.equal(parseUrl("ws://localhost:8080/").origin, "http://localhost:8080");
  assert.equal(parseUrl("wss://example.com:443/chat").origin, "https://example.com");
  assert.equal(parseUrl("wss://example.com:443/chat").nsp, "/chat");
});

test("a URL without scheme gets https outside a page", () => {
  assert.deepEqual(parseUrl("localhost:3000/chat"), { origin: "https://localhost:3000", nsp: "/chat", query: "" });
});

test("relative URLs and no URL resolve against the page's location", () => {
  const g = globalThis as { location?: unknown };
  g.location = { protocol: "http:", host: "page.test:8080", href: "http://page.test:8080/app/index.html" };
  try {
    assert.deepEqual(parseUrl(), { origin: "http://page.test:8080", nsp: "/", query: "" });
    assert.deepEqual(parseUrl("/admin"), { origin: "http://page.test:8080", nsp: "/admin", query: "" });
    assert.equal(parseUrl("other.test/x").origin, "http://other.test");
    assert.equal(parseUrl("//cdn.test/y").origin, "http://cdn.test");
  } finally {
    delete g.location;
  }
});

test("query objects are encoded, strings passed through", () => {
  assert.equal(encodeQuery({ token: "a b&c", n: 1, ok: true }), "token=a+b%26c&n=1&ok=true");
  assert.equal(encodeQuery("?x=1&y=2"), "x=1&y=2");
  assert.equal(encodeQuery(undefined), "");
});
