import { test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay } from "../../../src/client/backoff.js";

/** Runs `fn` with Math.random returning `value`. */
function withRandom<T>(value: number, fn: () => T): T {
  const original = Math.random;
  Math.random = () => value;
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

test("without jitter the delay doubles from min up to max", () => {
  const delays = [0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, 100, 1000, 0));
  assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000]);
});

test("jitter moves the delay both ways by at most the factor", () => {
  // attempt 2: base 400, jitter 0.5 → [200, 600]
  assert.equal(withRandom(0, () => backoffDelay(2, 100, 10_000, 0.5)), 200);
  assert.equal(withRandom(0.5, () => backoffDelay(2, 100, 10_000, 0.5)), 400);
  assert.equal(withRandom(0.999999, () => backoffDelay(2, 100, 10_000, 0.5)), 599);
});

test("delays always stay within [min, max], whatever the attempt and the random draw", () => {
  for (let attempt = 0; attempt < 1100; attempt++) {
    for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) {
      const delay = withRandom(r, () => backoffDelay(attempt, 1000, 5000, 0.5));
      assert.ok(delay >= 1000 && delay <= 5000, `attempt ${attempt}, random ${r}: ${delay}`);
      assert.ok(Number.isInteger(delay));
    }
  }
});

test("random draws spread the delays (clients do not come back at once)", () => {
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) seen.add(backoffDelay(1, 1000, 5000, 0.5));
  assert.ok(seen.size > 50, `only ${seen.size} distinct delays`);
  for (const delay of seen) assert.ok(delay >= 1000 && delay <= 3000);
});
