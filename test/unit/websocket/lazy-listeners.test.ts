import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, test } from "node:test";
import { deferListenerTable } from "../../../src/websocket/lazy-listeners.js";

class Lazy extends EventEmitter {
  constructor() {
    super();
    deferListenerTable(this);
  }
}

// The contract deferListenerTable relies on: an EventEmitter without a listener table behaves as
// one with no listeners, and makes its table on the first listener.
describe("deferListenerTable", () => {
  test("an emitter without a table has no listeners and emits nothing", () => {
    const emitter = new Lazy();
    assert.equal(emitter.emit("message", 1), false);
    assert.equal(emitter.listenerCount("message"), 0);
    assert.deepEqual(emitter.eventNames(), []);
    assert.deepEqual(emitter.listeners("message"), []);
    assert.deepEqual(emitter.rawListeners("message"), []);
    assert.equal(emitter.removeListener("message", () => undefined), emitter);
    assert.equal(emitter.removeAllListeners("message"), emitter);
    assert.equal(emitter.removeAllListeners(), emitter);
  });

  test("an unhandled error still throws", () => {
    const emitter = new Lazy();
    assert.throws(() => emitter.emit("error", new Error("boom")), /boom/);
  });

  test("on, once, off and prepend work from the first listener on", () => {
    const emitter = new Lazy();
    const seen: string[] = [];
    const onA = (v: string): void => void seen.push(`a:${v}`);
    emitter.on("a", onA);
    emitter.once("b", (v: string) => seen.push(`b:${v}`));
    emitter.prependListener("a", (v: string) => seen.push(`first:${v}`));
    assert.equal(emitter.emit("a", "1"), true);
    emitter.emit("b", "2");
    emitter.emit("b", "3");
    emitter.off("a", onA);
    emitter.emit("a", "4");
    assert.deepEqual(seen, ["first:1", "a:1", "b:2", "first:4"]);
    assert.deepEqual(emitter.eventNames(), ["a"]);
    emitter.removeAllListeners();
    assert.equal(emitter.emit("a", "5"), false);
    emitter.on("a", onA);
    emitter.emit("a", "6");
    assert.deepEqual(seen.at(-1), "a:6");
  });

  test("an error listener catches errors", () => {
    const emitter = new Lazy();
    let caught: unknown;
    emitter.on("error", (error) => (caught = error));
    emitter.emit("error", new Error("handled"));
    assert.match(String(caught), /handled/);
  });

  test("the table is really gone until a listener is added", () => {
    const emitter = new Lazy();
    assert.equal((emitter as unknown as { _events: unknown })._events, undefined);
    emitter.on("x", () => undefined);
    assert.notEqual((emitter as unknown as { _events: unknown })._events, undefined);
  });
});
