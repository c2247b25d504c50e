/**
 * The Socket.IO load generator, run as its own process (pinned by the parent). It receives a
 * `SioJob` over IPC, reports `connected`, then a `SioResult` (for `idle`, when asked with
 * `{ type: "report" }`; it exits on `{ type: "stop" }`).
 *
 * Modes:
 * - fanout: connection 0 sends `42["go"]`; the server broadcasts; the generator asks again each
 *   time the deliveries of the oldest outstanding `go` have all arrived (`inflightGos` outstanding).
 * - echo: every connection keeps `inflight` `421["echo",…]` requests outstanding; the acks read in
 *   one chunk are answered with as many new requests in one write (as a client that reads before
 *   it writes would); latencies go to a histogram (10 µs buckets).
 * - idle: open the connections and hold them, answering pings; reports the largest ping gap.
 * - connect: `connectConcurrency` loops of connect + handshake + namespace join + close.
 */
import { maskedFrame } from "./raw-connection.js";
import { SioConnection } from "./sio-connection.js";
import { ECHO_DATA } from "../sio/workload.js";
import type { SioSink } from "./sio-connection.js";
import { pollingRun } from "./polling-client.js";

export interface SioJob {
  mode: "fanout" | "echo" | "idle" | "connect" | "polling";
  port: number;
  /** Several servers (scale-out): connection i goes to `ports[i % ports.length]` instead of `port`. */
  ports?: number[];
  connections: number;
  /** Fanout: room count; connection i joins `r<i % rooms>` (0 = no rooms). */
  rooms: number;
  /** Fanout: deliveries one `go` causes across this generator's connections. */
  deliveriesPerGo: number;
  /** Fanout: `go` requests outstanding. */
  inflightGos: number;
  /** Echo: requests outstanding per connection. */
  inflight: number;
  warmupMs: number;
  durationMs: number;
  connectConcurrency: number;
}

export interface SioResult {
  /** Deliveries (fanout, polling), round trips (echo) or handshakes (connect) per second. */
  rate: number;
  elapsedMs: number;
  /** Echo: round-trip latency percentiles; fanout: time from `go` to its last delivery (ms). */
  p50: number;
  p99: number;
  dropped: number;
  /** The generator's CPU time over the window / its length (1 = one core busy). */
  cpu: number;
  /** Idle: pings received and the largest gap between two pings on one connection (ms). */
  pings: number;
  maxPingGapMs: number;
}

export type SioGeneratorMessage =
  | { type: "connected"; connections: number; failed: number; elapsedMs: number }
  | { type: "result"; result: SioResult }
  | { type: "error"; message: string };

function send(message: SioGeneratorMessage): void {
  process.send?.(message);
}

const BUCKET_US = 10;
const BUCKETS = 500_001;

/** Latency histogram in 10 µs buckets up to 5 s. */
export class Histogram {
  readonly counts = new Uint32Array(BUCKETS);
  total = 0;

  add(ms: number): void {
    const bucket = Math.min(BUCKETS - 1, Math.floor((ms * 1000) / BUCKET_US));
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.total++;
  }

  /**
   * The latency (ms) under which `q` of the samples fall.
   *
   * @example
   * histogram.percentile(0.99);
   */
  percentile(q: number): number {
    if (this.total === 0) return Number.NaN;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return ((i + 0.5) * BUCKET_US) / 1000;
    }
    return Number.NaN;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}

class Sink implements SioSink {
  deliveries = 0;
  acks = 0;
  dropped = 0;
  pings = 0;
  maxPingGap = 0;
  closing = false;
  readonly latency = new Histogram();
  /** The echo request repeated `inflight` times, so that any number of requests up to it is one write of a slice. */
  #echo: Buffer | undefined;
  #echoSize = 0;

  constructor(readonly job: SioJob) {
    if (job.mode === "echo") {
      const frame = maskedFrame(Buffer.from(`421${JSON.stringify(["echo", ECHO_DATA])}`), 0x1);
      this.#echoSize = frame.length;
      this.#echo = Buffer.concat(Array.from({ length: Math.max(1, job.inflight) }, () => frame));
    }
  }

  /** Sends `count` echo requests in one write (the acks of one received chunk are answered together). */
  sendEcho(conn: SioConnection, count: number): void {
    const frames = this.#echo;
    if (frames === undefined || this.closing) return;
    const now = performance.now();
    for (let i = 0; i < count; i++) conn.pending.push(now);
    conn.write(frames.subarray(0, count * this.#echoSize));
  }

  onDeliveries(_conn: SioConnection, count: number): void {
    this.deliveries += count;
  }

  onAcks(conn: SioConnection, count: number): void {
    this.acks += count;
    const now = performance.now();
    for (let i = 0; i < count; i++) {
      const sent = conn.pending.shift();
      if (sent !== undefined) this.latency.add(now - sent);
    }
    this.sendEcho(conn, count);
  }

  onPing(gapMs: number): void {
    this.pings++;
    if (gapMs > this.maxPingGap) this.maxPingGap = gapMs;
  }

  onClose(): void {
    if (!this.closing && this.job.mode !== "connect") this.dropped++;
  }
}

const GO = maskedFrame(Buffer.from('42["go"]'), 0x1);

/** Fan-out flow control: keeps `inflightGos` requests outstanding, timing each to its last delivery. */
class FanoutSink extends Sink {
  readonly batchLatency = new Histogram();
  #controller: SioConnection | undefined;
  #sentAt: number[] = [];
  #completed = 0;
  #lastSeen = -1;
  #watchdog: NodeJS.Timeout | undefined;

  start(controller: SioConnection): void {
    this.#controller = controller;
    for (let i = 0; i < this.job.inflightGos; i++) this.#ask();
    // If deliveries stop (a lost count), start over from what arrived rather than hang.
    this.#watchdog = setInterval(() => {
      if (this.closing) return;
      if (this.deliveries === this.#lastSeen) {
        this.#sentAt = [];
        this.#completed = Math.floor(this.deliveries / this.job.deliveriesPerGo);
        for (let i = 0; i < this.job.inflightGos; i++) this.#ask();
      }
      this.#lastSeen = this.deliveries;
    }, 2_000);
  }

  stop(): void {
    clearInterval(this.#watchdog);
  }

  override onDeliveries(conn: SioConnection, count: number): void {
    super.onDeliveries(conn, count);
    const perGo = this.job.deliveriesPerGo;
    while (this.#sentAt.length > 0 && this.deliveries >= (this.#completed + 1) * perGo) {
      this.#completed++;
      const sent = this.#sentAt.shift() as number;
      this.batchLatency.add(performance.now() - sent);
      if (!this.closing) this.#ask();
    }
  }

  #ask(): void {
    this.#sentAt.push(performance.now());
    this.#controller?.write(GO);
  }
}

async function connectAll(job: SioJob, sink: Sink): Promise<{ conns: SioConnection[]; failed: number }> {
  const conns: SioConnection[] = [];
  const ports = job.ports !== undefined && job.ports.length > 0 ? job.ports : undefined;
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < job.connections) {
      const index = next++;
      try {
        const conn = await SioConnection.open(ports === undefined ? job.port : (ports[index % ports.length] as number), sink);
        if (job.rooms > 0) conn.write(maskedFrame(Buffer.from(`42${JSON.stringify(["join", `r${index % job.rooms}`])}`), 0x1));
        // Connection 0 (on the first server) leads the fan-out.
        if (index === 0) conns.unshift(conn);
        else conns.push(conn);
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.connectConcurrency, job.connections) }, worker));
  return { conns, failed };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function window(job: SioJob, read: () => number, onStart: () => void): Promise<{ rate: number; elapsedMs: number; cpu: number }> {
  await sleep(job.warmupMs);
  onStart();
  const first = read();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await sleep(job.durationMs);
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return { rate: ((read() - first) * 1000) / elapsedMs, elapsedMs, cpu: (cpu.user + cpu.system) / 1000 / elapsedMs };
}

async function runConnect(job: SioJob, sink: Sink): Promise<SioResult> {
  let done = 0;
  let failed = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop) {
      try {
        const conn = await SioConnection.open(job.port, sink);
        done++;
        conn.destroy();
      } catch {
        failed++;
        if (failed > 100) throw new Error(`${failed} handshakes failed`);
      }
    }
  };
  const workers = Promise.all(Array.from({ length: job.connectConcurrency }, worker));
  const measured = await window(job, () => done, () => undefined);
  stop = true;
  await workers;
  return { ...measured, p50: Number.NaN, p99: Number.NaN, dropped: failed, pings: 0, maxPingGapMs: 0 };
}

async function run(job: SioJob): Promise<void> {
  if (job.mode === "polling") {
    await pollingRun(job, send);
    return;
  }
  const sink = job.mode === "fanout" ? new FanoutSink(job) : new Sink(job);
  if (job.mode === "connect") {
    send({ type: "connected", connections: 0, failed: 0, elapsedMs: 0 });
    send({ type: "result", result: await runConnect(job, sink) });
    return;
  }
  const started = performance.now();
  const { conns, failed } = await connectAll(job, sink);
  send({ type: "connected", connections: conns.length, failed, elapsedMs: performance.now() - started });
  let result: SioResult;
  if (job.mode === "idle") {
    await new Promise<void>((resolve) => process.once("message", () => resolve()));
    result = { rate: 0, elapsedMs: 0, p50: Number.NaN, p99: Number.NaN, dropped: sink.dropped, cpu: 0, pings: sink.pings, maxPingGapMs: sink.maxPingGap };
  } else if (sink instanceof FanoutSink) {
    const controller = conns[0];
    if (controller === undefined) throw new Error("no connection");
    // Let every join reach the server before the first broadcast.
    if (job.rooms > 0) await sleep(500);
    sink.start(controller);
    const measured = await window(job, () => sink.deliveries, () => sink.batchLatency.reset());
    sink.stop();
    result = { ...measured, p50: sink.batchLatency.percentile(0.5), p99: sink.batchLatency.percentile(0.99), dropped: sink.dropped, pings: sink.pings, maxPingGapMs: sink.maxPingGap };
  } else {
    for (const conn of conns) sink.sendEcho(conn, job.inflight);
    const measured = await window(job, () => sink.acks, () => sink.latency.reset());
    result = { ...measured, p50: sink.latency.percentile(0.5), p99: sink.latency.percentile(0.99), dropped: sink.dropped, pings: sink.pings, maxPingGapMs: sink.maxPingGap };
  }
  send({ type: "result", result });
  if (job.mode === "idle") await new Promise<void>((resolve) => process.once("message", () => resolve()));
  sink.closing = true;
  for (const conn of conns) conn.destroy();
}

process.once("message", (job: SioJob) => {
  run(job).then(
    () => setTimeout(() => process.exit(0), 50),
    (err: unknown) => {
      send({ type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      setTimeout(() => process.exit(1), 50);
    },
  );
});
