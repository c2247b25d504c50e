// Soak (issue 9): 5 000 Socket.IO clients connect and disconnect continuously while broadcasts
// run, against a Courant server in its own process. Afterwards every session, socket and room
// entry is gone, the heap is back near its baseline and nothing went unhandled.
// 2 minutes with CI=true or SOAK=full, 20 s otherwise.
import { test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { MiB, mib, startChildServer, until } from "./helpers.js";

const FULL = process.env.CI === "true" || process.env.SOAK === "full";
const DURATION = Number(process.env.SOAK_MS ?? (FULL ? 120_000 : 20_000));
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 5000);
/** Handshakes in flight at once while ramping up. */
const RAMP_CONCURRENCY = 200;

interface Counters {
  opened: number;
  connected: number;
  held: number;
  peakHeld: number;
  ticks: number;
  roomMessages: number;
  acks: number;
  /** Acked emits still unanswered when their client left, 2 s or more later. */
  lostAcks: number;
  errors: string[];
}

/**
 * One slot of the fleet: a lean raw Engine.IO v4 / Socket.IO v5 client over `ws` that connects,
 * stays a random while (answering pings, counting broadcasts, sending one acked emit), leaves
 * (half gracefully with a DISCONNECT packet, half by dropping the TCP connection) and comes back.
 */
class Slot {
  ws: WebSocket | null = null;
  #connected = false;
  #ackPending = false;
  #timer: NodeJS.Timeout | undefined;
  constructor(
    readonly url: string,
    readonly counters: Counters,
    readonly running: () => boolean,
    readonly lifetime: () => number,
  ) {}

  /** Connects; resolves once the Socket.IO CONNECT was answered (or the attempt failed). */
  connect(): Promise<void> {
    return new Promise((resolve) => {
      const c = this.counters;
      c.opened++;
      const ws = new WebSocket(this.url, { perMessageDeflate: false });
      this.ws = ws;
      let settled = false;
      const settle = (): void => {
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      ws.on("message", (data: Buffer) => {
        const text = data.toString();
        const type = text.charCodeAt(0);
        if (type === 0x32 /* 2: ping */) ws.send("3");
        else if (type === 0x30 /* 0: open */) ws.send("40");
        else if (text.startsWith("40")) {
          this.#connected = true;
          c.connected++;
          c.held++;
          if (c.held > c.peakHeld) c.peakHeld = c.held;
          this.#ackPending = true;
          ws.send('421["echo",1]');
          this.schedule(this.lifetime());
          settle();
        } else if (text.startsWith('42["tick"')) c.ticks++;
        else if (text.startsWith('42["room"')) c.roomMessages++;
        else if (text === "431[1]") {
          this.#ackPending = false;
          c.acks++;
        }
      });
      ws.on("error", (err) => {
        if (this.running()) c.errors.push(err.message);
        settle();
      });
      ws.on("close", () => {
        if (this.#connected) c.held--;
        this.#connected = false;
        if (this.#timer !== undefined) clearTimeout(this.#timer);
        this.#timer = undefined;
        this.ws = null;
        settle();
        if (this.running()) void this.connect();
      });
    });
  }

  /** Leaves after `ms` (replacing any earlier plan). */
  schedule(ms: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = this.#connected ? setTimeout(slotLeave, ms, this) : undefined;
  }

  leave(): void {
    const ws = this.ws;
    if (ws === null) return;
    if (this.#ackPending) this.counters.lostAcks++;
    if (Math.random() < 0.5) {
      ws.send("41");
      ws.close();
    } else {
      ws.terminate();
    }
  }

  stop(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const ws = this.ws;
    if (ws === null || ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.once("close", () => resolve());
      ws.terminate();
    });
  }
}

function slotLeave(slot: Slot): void {
  slot.leave();
}

test(`soak: ${CLIENTS} clients churning for ${DURATION / 1000} s under broadcasts; nothing leaks`, { timeout: DURATION + 240_000 }, async (t) => {
  const server = await startChildServer();
  const counters: Counters = { opened: 0, connected: 0, held: 0, peakHeld: 0, ticks: 0, roomMessages: 0, acks: 0, lostAcks: 0, errors: [] };
  let running = true;
  const url = `ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`;
  const slots: Slot[] = [];
  // If the test times out, node:test abandons it: stop the fleet and the server anyway so the run exits.
  const watchdog = setTimeout(() => {
    running = false;
    for (const s of slots) void s.stop();
    void server.kill();
  }, DURATION + 230_000);
  watchdog.unref();
  try {
    // Warm up at full size (JIT, and tables that keep their high-water capacity), release
    // everything, then take the baseline: what stays above it afterwards grew per connection.
    let ramping = true;
    const lifetime = (): number => (ramping ? 1e9 : 2000 + Math.random() * 6000);
    let warmRunning = true;
    const warm: Slot[] = [];
    for (let i = 0; i < CLIENTS; i++) warm.push(new Slot(url, counters, () => warmRunning, lifetime));
    for (let i = 0; i < CLIENTS; i += RAMP_CONCURRENCY) await Promise.all(warm.slice(i, i + RAMP_CONCURRENCY).map((s) => s.connect()));
    warmRunning = false;
    await Promise.all(warm.map((s) => s.stop()));
    await until(async () => (await server.stats()).clientsCount === 0, 30_000, "warm-up clients gone");
    const baseline = await server.stats();
    counters.opened = counters.connected = counters.held = counters.peakHeld = counters.acks = 0;

    // The fleet ramps up holding every connection, then churns under broadcasts: each client
    // leaves after 2 to 8 s (half with a DISCONNECT, half dropping TCP) and comes straight back.
    const rampStart = Date.now();
    for (let i = 0; i < CLIENTS; i++) slots.push(new Slot(url, counters, () => running, lifetime));
    for (let i = 0; i < CLIENTS; i += RAMP_CONCURRENCY) {
      await Promise.all(slots.slice(i, i + RAMP_CONCURRENCY).map((s) => s.connect()));
    }
    const rampMs = Date.now() - rampStart;
    ramping = false;
    await server.command("broadcast-start");
    const start = Date.now();
    for (const s of slots) s.schedule(lifetime());
    let peak = await server.stats();
    while (Date.now() - start < DURATION) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, DURATION - (Date.now() - start) + 1)));
      const now = await server.stats();
      if (now.heapUsed > peak.heapUsed) peak = now;
    }
    running = false;
    await server.command("broadcast-stop");
    const elapsed = Date.now() - start;
    await Promise.all(slots.map((s) => s.stop()));

    await until(async () => (await server.stats()).clientsCount === 0, 30_000, "clientsCount back to 0");
    let after = await server.stats();
    // Closed sessions may sit in the heartbeat wheel until their slot comes round: give it a few seconds.
    const settleBy = Date.now() + 15_000;
    while (after.heapUsed >= baseline.heapUsed + 16 * MiB && Date.now() < settleBy) {
      if (process.env.SOAK_DEBUG) console.error("heap", mib(after.heapUsed));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      after = await server.stats();
    }
    // A connection the fleet abandoned while it was still being set up can reach the server after
    // the count first read 0 (seen once in CI: clientsCount 1 at the end). Its session must still go,
    // within the heartbeat bound of the soak server (pingInterval + pingTimeout = 10 s).
    const leftover = (s: typeof after): number => s.clientsCount + s.sockets + s.rooms + s.sids;
    const straggler = leftover(after) > 0 ? JSON.stringify({ clients: after.clientsCount, sockets: after.sockets, rooms: after.rooms, sids: after.sids }) : "";
    if (straggler !== "") {
      await until(async () => leftover((after = await server.stats())) === 0, 15_000, "stragglers gone within the heartbeat bound");
    }
    t.diagnostic(`duration ${(elapsed / 1000).toFixed(1)} s (ramp-up to ${CLIENTS} in ${(rampMs / 1000).toFixed(1)} s)`);
    if (straggler !== "") t.diagnostic(`left after the fleet stopped, then gone: ${straggler}`);
    t.diagnostic(`connections opened ${counters.opened}, Socket.IO connects ${counters.connected}, peak held ${counters.peakHeld}`);
    t.diagnostic(`server broadcasts ${after.broadcasts}, tick deliveries ${counters.ticks}, room deliveries ${counters.roomMessages}, acks ${counters.acks} (lost ${counters.lostAcks})`);
    t.diagnostic(`client errors ${counters.errors.length} (${[...new Set(counters.errors)].join(", ")}), server uncaught ${after.uncaught}, other disconnect reasons ${JSON.stringify(after.reasons)}`);
    t.diagnostic(`server heap: baseline ${mib(baseline.heapUsed)}, peak sample ${mib(peak.heapUsed)} (${peak.clientsCount} clients), after ${mib(after.heapUsed)}; rss after ${mib(after.rss)}`);

    assert.equal(after.uncaught, 0, "no unhandled error in the server");
    // One 2-minute run on a loaded 2-core machine saw 48 ECONNRESET in 87 000 connections (not
    // reproduced since); allow at most 1 in 1 000 connections and print them.
    assert.ok(counters.errors.length <= counters.opened / 1000, `client errors: ${counters.errors.length} (${[...new Set(counters.errors)].join(", ")})`);
    assert.ok(counters.peakHeld >= CLIENTS * 0.9, `held ${counters.peakHeld} of ${CLIENTS} at peak`);
    assert.ok(counters.connected > CLIENTS, "clients churned (reconnected after leaving)");
    assert.ok(counters.ticks > 0 && counters.roomMessages > 0, "broadcasts were delivered");
    assert.equal(counters.lostAcks, 0, "every acked emit was answered before its client left");
    assert.ok(counters.acks >= counters.connected - CLIENTS, "acks came back");
    assert.equal(after.clientsCount, 0);
    assert.equal(after.sockets, 0, "no socket left in the namespace");
    assert.equal(after.rooms, 0, "every room entry freed");
    assert.equal(after.sids, 0, "every socket's room set freed");
    assert.ok(after.heapUsed < baseline.heapUsed + 16 * MiB, `heap after ${mib(after.heapUsed)} vs baseline ${mib(baseline.heapUsed)}`);
  } finally {
    clearTimeout(watchdog);
    running = false;
    await Promise.all(slots.map((s) => s.stop()));
    await server.close();
  }
});
