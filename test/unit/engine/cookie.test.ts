import { test } from "node:test";
import assert from "node:assert/strict";
import { formatSessionCookie } from "../../../src/engine/cookie.js";

test("true: io=<sid>; Path=/; HttpOnly; SameSite=Lax", () => {
  assert.equal(formatSessionCookie(true, "abc_-1"), "io=abc_-1; Path=/; HttpOnly; SameSite=Lax");
  assert.equal(formatSessionCookie({}, "abc"), "io=abc; Path=/; HttpOnly; SameSite=Lax");
});

test("every attribute, in Set-Cookie order", () => {
  const expires = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
  assert.equal(
    formatSessionCookie(
      { name: "lb", path: "/app", domain: "example.com", maxAge: 60.7, expires, secure: true, partitioned: true, priority: "high", sameSite: "none" },
      "s1",
    ),
    "lb=s1; Max-Age=60; Domain=example.com; Path=/app; Expires=Wed, 02 Jan 2030 03:04:05 GMT; HttpOnly; Secure; Partitioned; Priority=High; SameSite=None",
  );
});

test("path false drops Path and HttpOnly unless asked; sameSite true is Strict, false drops it", () => {
  assert.equal(formatSessionCookie({ path: false }, "x"), "io=x; SameSite=Lax");
  assert.equal(formatSessionCookie({ path: false, httpOnly: true }, "x"), "io=x; HttpOnly; SameSite=Lax");
  assert.equal(formatSessionCookie({ httpOnly: false, sameSite: true }, "x"), "io=x; Path=/; SameSite=Strict");
  assert.equal(formatSessionCookie({ sameSite: false }, "x"), "io=x; Path=/; HttpOnly");
});

test("values that are not cookie-safe are percent-encoded", () => {
  assert.equal(formatSessionCookie(true, "a b;c"), "io=a%20b%3Bc; Path=/; HttpOnly; SameSite=Lax");
});
