import assert from "node:assert/strict";
import { test } from "node:test";
import { randomId } from "../../../src/engine/random-id.js";

test("randomId: 20 base64url characters, distinct across several pool refills, symbols about evenly used", () => {
  const ids = Array.from({ length: 5_000 }, () => randomId()); // about 20 refills of the pool
  for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{20}$/);
  assert.equal(new Set(ids).size, ids.length);
  // 100 000 characters over 64 symbols: about 1 562 each; a stuck or reused pool would skew this.
  const counts = new Map<string, number>();
  for (const id of ids) for (const c of id) counts.set(c, (counts.get(c) ?? 0) + 1);
  assert.equal(counts.size, 64);
  for (const [symbol, n] of counts) assert.ok(n > 1_300 && n < 1_850, `${symbol}: ${n}`);
});
