import { test } from "node:test";
import assert from "node:assert/strict";
import { pickEncoding } from "../../../src/engine/transports/polling.js";

test("pickEncoding: gzip or deflate by weight; gzip on ties; nothing else", () => {
  assert.equal(pickEncoding(undefined), null);
  assert.equal(pickEncoding(""), null);
  assert.equal(pickEncoding("br"), null);
  assert.equal(pickEncoding("gzip"), "gzip");
  assert.equal(pickEncoding("deflate"), "deflate");
  assert.equal(pickEncoding("deflate, gzip"), "gzip");
  assert.equal(pickEncoding("gzip;q=0.5, deflate"), "deflate");
  assert.equal(pickEncoding("gzip;q=0, deflate;q=0"), null);
  assert.equal(pickEncoding("GZIP"), "gzip");
  assert.equal(pickEncoding("x-gzip"), "gzip");
  assert.equal(pickEncoding("*"), "gzip");
  assert.equal(pickEncoding("br;q=1, deflate;q=0.1"), "deflate");
});
