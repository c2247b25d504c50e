import { test } from "node:test";
import assert from "node:assert/strict";
import { Emitter } from "../../../src/client/emitter.js";

test("on, emit, off of one listener, of an event, of everything", () => {
  const e = new Emitter();
  const calls: string[] = [];
  const a = (x: string): void => void calls.push(`a${x}`);
  const b = (x: string): void => void calls.push(`b${x}`);
  e.on("x", a).on("x", b).on("y", a);
  e.emit("x", 1);
  assert.deepEqual(calls, ["a1", "b1"]);
  e.off("x", a);
  e.emit("x", 2);
  assert.deepEqual(calls, ["a1", "b1", "b2"]);
  assert.equal(e.listeners("x").length, 1);
  e.off("x");
  assert.equal(e.hasListeners("x"), false);
  assert.equal(e.hasListeners("y"), true);
  e.off();
  e.emit("y", 3);
  assert.deepEqual(calls, ["a1", "b1", "b2"]);
});

test("once runs once, and off() finds it by the original listener", () => {
  const e = new Emitter();
  let n = 0;
  const inc = (): void => void n++;
  e.once("x", inc);
  e.emit("x");
  e.emit("x");
  assert.equal(n, 1);
  e.once("x", inc);
  e.off("x", inc);
  e.emit("x");
  assert.equal(n, 1);
});

test("listeners added or removed during an emit do not change that emit", () => {
  const e = new Emitter();
  const calls: string[] = [];
  const late = (): void => void calls.push("late");
  const second = (): void => void calls.push("second");
  e.on("x", () => {
    calls.push("first");
    e.off("x", second);
    e.on("x", late);
  });
  e.on("x", second);
  e.emit("x");
  assert.deepEqual(calls, ["first", "second"]);
  e.emit("x");
  assert.deepEqual(calls, ["first", "second", "first", "late"]);
});

test("listeners are called with this = the emitter; emitReserved is emit's local form", () => {
  const e = new Emitter();
  let self: unknown;
  e.on("x", function (this: unknown) {
    self = this;
  });
  e.emitReserved("x");
  assert.equal(self, e);
});

test("socket.io-client's aliases: addEventListener is on; removeListener, removeEventListener and removeAllListeners are off", () => {
  const e = new Emitter();
  const calls: string[] = [];
  const a = (): void => void calls.push("a");
  const b = (): void => void calls.push("b");
  e.addEventListener("x", a);
  e.on("x", b);
  e.once("y", a);
  e.removeListener("x", a);
  e.emit("x");
  assert.deepEqual(calls, ["b"]);
  e.removeEventListener("y", a);
  e.emit("y");
  assert.deepEqual(calls, ["b"], "a once listener is removed by the listener it wraps");
  e.on("y", a);
  e.removeAllListeners("x");
  assert.equal(e.hasListeners("x"), false);
  assert.equal(e.hasListeners("y"), true);
  e.removeAllListeners();
  assert.equal(e.hasListeners("y"), false);
});
