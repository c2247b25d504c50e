// The heartbeat of many sessions from the shared timer: pings on time for 19 000 sessions,
// pongs keep them, missing pongs close them with "ping timeout". Sessions run over a fake
// transport (no sockets) so only the scheduling is measured.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { TimerWheel } from "../../../src/engine/heartbeat.js";
import { Session } from "../../../src/engine/session.js";
import type { EngineHost } from "../../../src/engine/transport.js";
import type { WebSocketTransport } from "../../../src/engine/transports/websocket.js";

class FakeTransport {
  readonly name = "websocket" as const;
  readonly writable = true;
  session: Session | null = null;
  pings: number[] = [];
  answer = true;
  attach(session: Session): void {
    this.session = session;
  }
  sendText(packet: string): void {
    if (packet !== "2") return;
    this.pings.push(Date.now());
    // The client answers at once.
    if (this.answer) (this.session as Session).onTextPacket("3");
  }
  sendBinary(): void {}
  sendPrepared(): void {}
  close(): void {}
  discard(): void {}
}

function makeHost(pingInterval: number, pingTimeout: number, onClose: (s: Session) => void): EngineHost {
  const resolution = Math.max(1, Math.min(50, Math.floor(Math.min(pingInterval, pingTimeout) / 50)));
  return {
    opts: { pingInterval, pingTimeout, upgradeTimeout: 10_000, maxHttpBufferSize: 1e6 },
    compressionThreshold: -1,
    closeTimeout: 1000,
    wheel: new TimerWheel(resolution),
    upgradesFor: () => [],
    onSessionClose: onClose,
    emitHeaders: () => {},
  };
}

const fakeRequest = { socket: { remoteAddress: "127.0.0.1" } } as unknown as IncomingMessage;

test("19 000 sessions: every ping within a few tens of ms of its due time, none early", async (t) => {
  const interval = 1000;
  // On a shared machine the event loop itself may stall: measure it, and allow for it.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const host = makeHost(interval, 1000, () => {});
  const transports: FakeTransport[] = [];
  const sessions: Session[] = [];
  const keepAlive = setInterval(() => {}, 1000);
  try {
    // Open them spread over 200 ms, as connections arrive.
    const start = Date.now();
    const opened: number[] = [];
    for (let i = 0; i < 19_000; i++) {
      if (i % 1900 === 0 && i > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      const t = new FakeTransport();
      const s = new Session(`s${i}`, fakeRequest, t as unknown as WebSocketTransport, host);
      // Taken before open(): the session's own clock reading is the same or later, never earlier.
      opened.push(Date.now());
      s.open();
      transports.push(t);
      sessions.push(s);
    }
    // Two ping rounds.
    await new Promise((resolve) => setTimeout(resolve, 2 * interval + 300 + (Date.now() - start)));
    let worst = 0;
    let total = 0;
    let count = 0;
    for (let i = 0; i < transports.length; i++) {
      const pings = (transports[i] as FakeTransport).pings;
      assert.ok(pings.length >= 2, `session ${i} got ${pings.length} pings`);
      let due = (opened[i] as number) + interval;
      for (const at of pings.slice(0, 2)) {
        const late = at - due;
        assert.ok(late >= -1, `session ${i}: ping ${-late} ms early (opened ${opened[i]}, pings ${pings.join(",")}, due ${due})`);
        worst = Math.max(worst, late);
        total += late;
        count++;
        due = at + interval; // the pong came back at once
      }
    }
    loopDelay.disable();
    const maxStall = loopDelay.max / 1e6;
    const meanStall = loopDelay.mean / 1e6;
    const mean = total / count;
    t.diagnostic(`lateness: worst ${worst} ms, mean ${mean.toFixed(1)} ms; event loop stalls: max ${maxStall.toFixed(1)} ms, mean ${meanStall.toFixed(1)} ms`);
    // At most one slot (20 ms) late, plus whatever the event loop itself was kept from running.
    assert.ok(worst <= 20 + maxStall + 30, `worst lateness ${worst} ms (max stall ${maxStall.toFixed(1)} ms)`);
    assert.ok(mean <= 20 + meanStall + 15, `mean lateness ${mean.toFixed(1)} ms (mean stall ${meanStall.toFixed(1)} ms)`);
    for (const s of sessions) assert.equal(s.readyState, "open");
  } finally {
    loopDelay.disable();
    clearInterval(keepAlive);
    for (const s of sessions) s.close(true);
    host.wheel.stop();
  }
});

test("a session whose pong does not come closes pingTimeout after the ping; the others stay", async () => {
  const closed: Session[] = [];
  const host = makeHost(100, 100, (s) => closed.push(s));
  const keepAlive = setInterval(() => {}, 1000);
  try {
    const live = new FakeTransport();
    const silent = new FakeTransport();
    silent.answer = false;
    const a = new Session("a", fakeRequest, live as unknown as WebSocketTransport, host);
    const b = new Session("b", fakeRequest, silent as unknown as WebSocketTransport, host);
    const reasons: string[] = [];
    b.on("close", (r: string) => reasons.push(r));
    a.open();
    b.open();
    await new Promise((resolve) => setTimeout(resolve, 350));
    assert.deepEqual(reasons, ["ping timeout"]);
    assert.equal(silent.pings.length, 1);
    assert.deepEqual(closed, [b]);
    assert.equal(a.readyState, "open");
    assert.ok(live.pings.length >= 3);
    a.close(true);
  } finally {
    clearInterval(keepAlive);
    host.wheel.stop();
  }
});
