import { test } from "node:test";
import assert from "node:assert/strict";
import { Timer, TimerWheel } from "../../../src/engine/heartbeat.js";

class Recorder {
  fired: number[] = [];
  onTimer(now: number): void {
    this.fired.push(now);
  }
}

test("a timer fires at the first sweep at or after its deadline, never early", () => {
  const wheel = new TimerWheel(10);
  try {
    const target = new Recorder();
    const timer = new Timer(target);
    const base = 1_000_000; // ms, a multiple of the resolution
    wheel.schedule(timer, base + 25);
    assert.equal(timer.scheduled, true);
    wheel.sweep(base + 20);
    assert.deepEqual(target.fired, []);
    wheel.sweep(base + 24);
    assert.deepEqual(target.fired, [], "its slot is current but it is not due at 24");
    wheel.sweep(base + 25);
    assert.deepEqual(target.fired, [base + 25]);
    assert.equal(timer.scheduled, false);
    wheel.sweep(base + 100);
    assert.equal(target.fired.length, 1, "fires once");
  } finally {
    wheel.stop();
  }
});

test("rescheduling moves a timer; cancelling stops it", () => {
  const wheel = new TimerWheel(5);
  try {
    const a = new Recorder();
    const b = new Recorder();
    const ta = new Timer(a);
    const tb = new Timer(b);
    const base = 2_000_000;
    wheel.schedule(ta, base + 10);
    wheel.schedule(tb, base + 10);
    wheel.schedule(ta, base + 50); // moved later
    wheel.cancel(tb);
    wheel.sweep(base + 20);
    assert.deepEqual(a.fired, []);
    assert.deepEqual(b.fired, []);
    wheel.schedule(ta, base + 30); // moved back earlier
    wheel.sweep(base + 30);
    assert.deepEqual(a.fired, [base + 30]);
    wheel.sweep(base + 60);
    assert.deepEqual(a.fired, [base + 30], "fires once, not again where it was");
    assert.equal(wheel.pendingSlots, 0);
  } finally {
    wheel.stop();
  }
});

test("cancelling or moving takes a timer out of its slot at once, in any order", () => {
  const wheel = new TimerWheel(10);
  try {
    const base = 6_000_000;
    const recorders = Array.from({ length: 8 }, () => new Recorder());
    const timers = recorders.map((r) => new Timer(r));
    for (const t of timers) wheel.schedule(t, base + 15); // one slot
    assert.equal(wheel.pendingSlots, 1);
    // Cancel the first, the last and one in the middle; move two to a later slot.
    for (const i of [0, 7, 3]) wheel.cancel(timers[i] as Timer);
    for (const i of [5, 1]) wheel.schedule(timers[i] as Timer, base + 45);
    assert.equal(wheel.pendingSlots, 2);
    wheel.cancel(timers[3] as Timer); // a second cancel is a no-op
    wheel.sweep(base + 20);
    assert.deepEqual(
      recorders.map((r) => r.fired.length),
      [0, 0, 1, 0, 1, 0, 1, 0],
    );
    assert.equal(wheel.pendingSlots, 1, "only the moved timers' slot is left");
    for (const i of [5, 1]) wheel.cancel(timers[i] as Timer);
    assert.equal(wheel.pendingSlots, 0, "an emptied slot is dropped");
    wheel.sweep(base + 100);
    assert.deepEqual(
      recorders.map((r) => r.fired.length),
      [0, 0, 1, 0, 1, 0, 1, 0],
    );
  } finally {
    wheel.stop();
  }
});

test("a callback may cancel or move timers of the slot being swept", () => {
  const wheel = new TimerWheel(10);
  try {
    const base = 7_000_000;
    const later = new Recorder();
    const cancelled = new Recorder();
    const tLater = new Timer(later);
    const tCancelled = new Timer(cancelled);
    const first = new Timer({
      onTimer: () => {
        wheel.cancel(tCancelled);
        wheel.schedule(tLater, base + 35);
      },
    });
    for (const t of [first, tCancelled, tLater]) wheel.schedule(t, base + 12);
    wheel.sweep(base + 20);
    assert.deepEqual(cancelled.fired, []);
    assert.deepEqual(later.fired, []);
    wheel.sweep(base + 40);
    assert.deepEqual(later.fired, [base + 40]);
    assert.deepEqual(cancelled.fired, []);
    assert.equal(wheel.pendingSlots, 0);
  } finally {
    wheel.stop();
  }
});

test("a target may reschedule itself from onTimer (the heartbeat's ping → pong-wait cycle)", () => {
  const wheel = new TimerWheel(10);
  try {
    const fired: number[] = [];
    const target = {
      timer: null as Timer | null,
      onTimer(now: number) {
        fired.push(now);
        if (fired.length < 3) wheel.schedule(this.timer as Timer, now + 20);
      },
    };
    target.timer = new Timer(target);
    const base = 3_000_000;
    wheel.schedule(target.timer, base + 20);
    for (let t = base; t <= base + 200; t += 10) wheel.sweep(t);
    assert.deepEqual(fired, [base + 20, base + 40, base + 60]);
  } finally {
    wheel.stop();
  }
});

test("a deadline already past fires at the next sweep; a late sweep fires every due slot", () => {
  const wheel = new TimerWheel(10);
  try {
    const base = Math.floor(Date.now() / 10) * 10;
    const r = new Recorder();
    const timers = [new Timer(r), new Timer(r), new Timer(r)];
    wheel.schedule(timers[0] as Timer, base - 1000);
    wheel.schedule(timers[1] as Timer, base + 30);
    wheel.schedule(timers[2] as Timer, base + 70);
    wheel.sweep(base + 100);
    assert.equal(r.fired.length, 3);
  } finally {
    wheel.stop();
  }
});

test("a throwing target does not stop the others", async () => {
  const wheel = new TimerWheel(10);
  const errors: unknown[] = [];
  const onUncaught = (err: unknown) => errors.push(err);
  process.prependListener("uncaughtException", onUncaught);
  const listeners = process.listeners("uncaughtException");
  try {
    const ok = new Recorder();
    const base = 4_000_000;
    wheel.schedule(
      new Timer({
        onTimer() {
          throw new Error("boom");
        },
      }),
      base + 10,
    );
    wheel.schedule(new Timer(ok), base + 10);
    wheel.sweep(base + 10);
    assert.equal(ok.fired.length, 1);
    // The error is rethrown on the next tick, where the test captures it.
    for (const l of listeners) if (l !== onUncaught) process.removeListener("uncaughtException", l);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((errors[0] as Error).message, "boom");
  } finally {
    process.removeListener("uncaughtException", onUncaught);
    for (const l of listeners) if (l !== onUncaught && !process.listeners("uncaughtException").includes(l)) process.on("uncaughtException", l);
    wheel.stop();
  }
});

test("the real interval fires on time and stops when nothing is scheduled", async () => {
  const wheel = new TimerWheel(2);
  // The wheel's interval is unref'd (sockets keep a server alive): hold the loop open here.
  const keepAlive = setTimeout(() => {}, 5000);
  try {
    const start = Date.now();
    const done = new Promise<number>((resolve) => wheel.schedule(new Timer({ onTimer: (now) => resolve(now) }), start + 40));
    const firedAt = await done;
    const actual = Date.now();
    assert.ok(firedAt >= start + 40, `early by ${start + 40 - firedAt} ms`);
    assert.ok(actual - start < 40 + 30, `late: ${actual - start} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(wheel.pendingSlots, 0);
  } finally {
    clearTimeout(keepAlive);
    wheel.stop();
  }
});

test("19 000 timers: one sweep fires them all in a few ms", () => {
  const wheel = new TimerWheel(50);
  try {
    let count = 0;
    const target = {
      onTimer() {
        count++;
      },
    };
    const base = 5_000_000;
    const timers: Timer[] = [];
    for (let i = 0; i < 19_000; i++) {
      const t = new Timer(target);
      timers.push(t);
      wheel.schedule(t, base + 25_000 + (i % 50));
    }
    // Half of them get a pong and move on (reschedule), as sessions do.
    for (let i = 0; i < timers.length; i += 2) wheel.schedule(timers[i] as Timer, base + 60_000);
    const t0 = performance.now();
    wheel.sweep(base + 25_100);
    const elapsed = performance.now() - t0;
    assert.equal(count, 9_500);
    assert.ok(elapsed < 50, `sweep took ${elapsed} ms`);
    wheel.sweep(base + 60_000);
    assert.equal(count, 19_000);
  } finally {
    wheel.stop();
  }
});

test("resolution must be at least 1 ms", () => {
  assert.throws(() => new TimerWheel(0), RangeError);
});
