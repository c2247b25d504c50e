// The middleware runner: order, the first error stops the chain, async steps, a middleware that
// throws, next() called twice, and an exception from after the chain not taken for a refusal.

import { test } from "node:test";
import assert from "node:assert/strict";
import { runMiddlewares } from "../../../src/server/middleware.js";

type Fn = (value: string[], next: (err?: Error) => void) => void;

function run(fns: Fn[], value: string[] = []): Promise<{ err: Error | null; calls: number; value: string[] }> {
  return new Promise((resolve) => {
    let calls = 0;
    runMiddlewares(fns, value, (err) => {
      calls++;
      setImmediate(() => resolve({ err, calls, value }));
    });
  });
}

test("no middleware: done(null) at once", async () => {
  let sync = false;
  runMiddlewares<string, Error>([], "x", (err) => {
    assert.equal(err, null);
    sync = true;
  });
  assert.equal(sync, true);
});

test("runs in order, sync and async, then done(null) once", async () => {
  const result = await run([
    (v, next) => (v.push("a"), next()),
    (v, next) => setTimeout(() => (v.push("b"), next()), 5),
    (v, next) => (v.push("c"), next()),
  ]);
  assert.deepEqual(result, { err: null, calls: 1, value: ["a", "b", "c"] });
});

test("the first error stops the chain", async () => {
  const result = await run([(v, next) => (v.push("a"), next(new Error("no"))), (v, next) => (v.push("b"), next())]);
  assert.equal(result.err?.message, "no");
  assert.deepEqual(result.value, ["a"]);
});

test("a middleware that throws before next() refuses with its error; next() twice counts once", async () => {
  const thrown = await run([
    () => {
      throw new Error("boom");
    },
  ]);
  assert.equal(thrown.err?.message, "boom");
  const twice = await run([(v, next) => (v.push("a"), next(), next()), (v, next) => (v.push("b"), next())]);
  assert.deepEqual(twice, { err: null, calls: 1, value: ["a", "b"] });
  const nonError = await run([
    () => {
      throw "a string";
    },
  ]);
  assert.equal(nonError.err?.message, "a string");
});

test("an exception thrown by done (a listener) propagates instead of becoming a refusal", () => {
  assert.throws(
    () =>
      runMiddlewares<string, Error>([(_v, next) => next()], "x", (err) => {
        assert.equal(err, null);
        throw new Error("from the connection listener");
      }),
    /from the connection listener/,
  );
});
