import { test } from "node:test";
import assert from "node:assert/strict";
import { CorsPolicy, matchOrigin } from "../../../src/engine/cors.js";

test("matchOrigin: exact strings, RegExps (stateless even when global), lists", () => {
  assert.equal(matchOrigin("https://a.example", "https://a.example"), true);
  assert.equal(matchOrigin("https://a.example:443", "https://a.example"), false);
  assert.equal(matchOrigin("https://x.b.example", /\.b\.example$/), true);
  assert.equal(matchOrigin("https://b.example.evil", /\.b\.example$/), false);
  const global = /^https:\/\/g\./g;
  assert.equal(matchOrigin("https://g.example", global), true);
  assert.equal(matchOrigin("https://g.example", global), true, "lastIndex is reset");
  assert.equal(matchOrigin("https://c.example", ["https://a.example", /^https:\/\/c\./]), true);
  assert.equal(matchOrigin("https://d.example", ["https://a.example", /^https:\/\/c\./]), false);
  assert.equal(matchOrigin("https://d.example", []), false);
});

test("allowOrigin: '*' (default), true (echo), false, string, RegExp, list", () => {
  assert.equal(new CorsPolicy({}).allowOrigin("https://a.example"), "*");
  assert.equal(new CorsPolicy({}).allowOrigin(undefined), "*");
  assert.equal(new CorsPolicy({ origin: true }).allowOrigin("https://a.example"), "https://a.example");
  assert.equal(new CorsPolicy({ origin: true }).allowOrigin(undefined), null);
  assert.equal(new CorsPolicy({ origin: false }).allowOrigin("https://a.example"), null);
  const list = new CorsPolicy({ origin: ["https://a.example", /\.b\.example$/] });
  assert.equal(list.allowOrigin("https://a.example"), "https://a.example");
  assert.equal(list.allowOrigin("https://x.b.example"), "https://x.b.example");
  assert.equal(list.allowOrigin("https://evil.example"), null);
  assert.equal(list.allowOrigin(undefined), null);
  assert.equal(new CorsPolicy({ origin: "https://a.example" }).allowOrigin("https://b.example"), null);
});

test("restrictsOrigin is true for rules, false for '*' and true", () => {
  assert.equal(new CorsPolicy({}).restrictsOrigin, false);
  assert.equal(new CorsPolicy({ origin: "*" }).restrictsOrigin, false);
  assert.equal(new CorsPolicy({ origin: true }).restrictsOrigin, false);
  assert.equal(new CorsPolicy({ origin: "https://a.example" }).restrictsOrigin, true);
  assert.equal(new CorsPolicy({ origin: [/x/] }).restrictsOrigin, true);
  assert.equal(new CorsPolicy({ origin: (_o, cb) => cb(null, true) }).restrictsOrigin, true);
});

test("resolveOrigin: a function origin may allow, refuse, return a rule, or fail", async () => {
  const byFunction = (allow: boolean | string | RegExp | Error) =>
    new CorsPolicy({
      origin: (_origin, cb) => setImmediate(() => (allow instanceof Error ? cb(allow) : cb(null, allow))),
    });
  assert.equal(await byFunction(true).resolveOrigin("https://a.example"), "https://a.example");
  assert.equal(await byFunction(false).resolveOrigin("https://a.example"), null);
  assert.equal(await byFunction(/a\.example$/).resolveOrigin("https://a.example"), "https://a.example");
  assert.equal(await byFunction("https://b.example").resolveOrigin("https://a.example"), null);
  assert.equal(await byFunction(new Error("no")).resolveOrigin("https://a.example"), null);
  const throwing = new CorsPolicy({
    origin: () => {
      throw new Error("boom");
    },
  });
  assert.equal(await throwing.resolveOrigin("https://a.example"), null);
  assert.equal(await new CorsPolicy({ origin: ["https://a.example"] }).resolveOrigin("https://a.example"), "https://a.example");
});
