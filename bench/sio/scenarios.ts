/**
 * The Socket.IO benchmark scenarios (issue 8). Each starts one server process (three joined through
 * Redis for scale-out) and its generator process(es), measures one window, stops them and returns
 * one number per metric plus the CPU share of every process and the busy share of every core.
 */
import type { SioResult } from "../generator/sio-generator.js";
import type { Metric, Scenario } from "../e2e/scenarios/scenario.js";
import { BASE_WORKLOAD, SioGenerator, coreMeter, job, startSioServer } from "./harness.js";
import type { SioJob } from "../generator/sio-generator.js";
import type { Workload } from "./workload.js";
import type { ServerProcess } from "../e2e/processes.js";
import { FLOOR_TARGETS, POLLING_TARGETS, SCALE_OUT_TARGETS, SIO_TARGETS } from "./targets/index.js";

/** The Redis the scale-out servers meet at. */
const REDIS_URL = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
let runCounter = 0;

/** Options every Socket.IO scenario takes. */
export interface SioScenarioOptions {
  quick: boolean;
  /** Run the server under `node --cpu-prof` (profiles in bench/sio/profiles/). */
  profile?: boolean;
}

/** A Socket.IO scenario: the e2e scenario shape plus an optional fixed repetition count. */
export interface SioScenario extends Scenario {
  /** Repetitions regardless of `--reps` (for the long capacity check). */
  readonly repetitions?: number;
  /** Skipped with `--quick`. */
  readonly full?: boolean;
  /** Run with `--quick` (a subset, so that it finishes in under a minute). */
  readonly quick?: boolean;
  run(target: string, options: SioScenarioOptions): Promise<Record<string, number>>;
}

const rate = (key: string, label: string, unit = "msg/s"): Metric => ({ key, label, unit, better: "higher" });
const lower = (key: string, label: string, unit: string): Metric => ({ key, label, unit, better: "lower" });

/**
 * One generator and one measured window against `servers` server processes (all on the server
 * core); with more than one, they are joined through Redis under a key of their own and the
 * generator spreads its connections over them round-robin. `serverCpu` is the servers' sum,
 * `serverKernelCpu` the part of it spent in the kernel.
 */
async function measured(target: string, workload: Workload, fields: Omit<SioJob, "port">, profile: boolean, servers = 1): Promise<{ result: SioResult; extra: Record<string, number> }> {
  const shared: Workload = servers > 1 ? { ...workload, redis: { url: REDIS_URL, key: `courant-bench-${process.pid}-${Date.now()}-${++runCounter}` } } : workload;
  const started: ServerProcess[] = [];
  let generator: SioGenerator | undefined;
  try {
    // One after the other: each start waits for its server to listen (and, scaled out, to reach Redis).
    for (let i = 0; i < servers; i++) started.push(await startSioServer(target, shared, profile));
    const ports = started.map((s) => s.port);
    generator = SioGenerator.start({ ...fields, port: ports[0] as number, ...(servers > 1 ? { ports } : {}) });
    const connected = await generator.next("connected", 120_000);
    if (connected.failed > 0) throw new Error(`${connected.failed} of ${fields.connections} connections failed`);
    // Listen for the result before anything else is awaited: a busy server may answer the CPU
    // request after the generator has already reported.
    const pending = generator.next("result", 120_000);
    pending.catch(() => undefined);
    const cores = coreMeter();
    // Off Linux the CPU share is asked of the server, and one stuck writing a backlog may not
    // answer in time: its share is then unknown (NaN) rather than a failed run.
    const serverCpu = await Promise.all(started.map((s) => s.cpuMeter().catch(() => undefined)));
    const { result } = await pending;
    if (result.dropped > 0 && fields.mode !== "connect") throw new Error(`${result.dropped} connections dropped`);
    const coreBusy = cores();
    const unknown = { total: Number.NaN, kernel: Number.NaN };
    const shares = await Promise.all(serverCpu.map((meter) => (meter === undefined ? unknown : meter().catch(() => unknown))));
    const serverCpuTotal = shares.reduce((sum, share) => sum + share.total, 0);
    const serverKernelCpu = shares.reduce((sum, share) => sum + share.kernel, 0);
    return { result, extra: { serverCpu: serverCpuTotal, serverKernelCpu, generatorCpu: result.cpu, ...coreBusy } };
  } finally {
    await generator?.exit();
    // The figures are in: only a profiled server needs to exit on its own.
    await Promise.all(started.map((s) => (profile ? s.stop() : s.kill())));
  }
}

function fanout(name: string, batch: number): SioScenario {
  const connections = 1000;
  return {
    name,
    quick: true,
    description: `fan-out: ${connections} clients, io.emit of a 100-byte event, ${batch === 1 ? "one per tick" : `bursts of ${batch} per tick`} (2 requests outstanding: with more, several land in one read and one tick, which is no longer one per tick); deliveries/s at the clients, time from the request to the burst's last delivery`,
    metrics: [rate("deliveriesPerSecond", `fan-out ${batch}/tick: deliveries/s`), lower("lastDeliveryMs", `fan-out ${batch}/tick: time to last delivery (p50)`, "ms")],
    targets: SIO_TARGETS,
    async run(target, { quick, profile = false }) {
      const { result, extra } = await measured(
        target,
        { ...BASE_WORKLOAD, batch },
        job({ mode: "fanout", port: 0, connections, deliveriesPerGo: batch * connections, inflightGos: 2, warmupMs: quick ? 300 : 500, durationMs: batch > 1 ? (quick ? 1_500 : 2_000) : quick ? 700 : 2_000 }),
        profile,
      );
      return { deliveriesPerSecond: result.rate, lastDeliveryMs: result.p50, ...extra };
    },
  };
}

function echo(name: string, inflight: number): SioScenario {
  return {
    name,
    quick: true,
    description: `echo with ack: 100 clients, ${inflight} request${inflight === 1 ? "" : "s"} in flight each (421["echo",…] → 431[…]); round trips/s, p50/p99 latency`,
    metrics: [rate("roundTripsPerSecond", `echo ${inflight} in flight: round trips/s`), lower("p50Ms", `echo ${inflight} in flight: p50`, "ms"), lower("p99Ms", `echo ${inflight} in flight: p99`, "ms")],
    targets: FLOOR_TARGETS,
    async run(target, { quick, profile = false }) {
      const { result, extra } = await measured(target, BASE_WORKLOAD, job({ mode: "echo", port: 0, connections: 100, inflight, warmupMs: quick ? 200 : 500, durationMs: quick ? 700 : 2_000 }), profile);
      return { roundTripsPerSecond: result.rate, p50Ms: result.p50, p99Ms: result.p99, ...extra };
    },
  };
}

const rooms: SioScenario = {
  name: "rooms",
  description: "rooms: 10 000 clients in 1 000 rooms of 10 (2 000 in 200 with --quick), io.to(random room).emit of a 100-byte event, 100 rooms per tick; deliveries/s",
  metrics: [rate("deliveriesPerSecond", "rooms: deliveries/s")],
  targets: SIO_TARGETS,
  async run(target, { quick, profile = false }) {
    const connections = quick ? 2_000 : 10_000;
    const roomCount = connections / 10;
    const batch = 100;
    const { result, extra } = await measured(
      target,
      { ...BASE_WORKLOAD, kind: "rooms", batch, rooms: roomCount },
      job({ mode: "fanout", port: 0, connections, rooms: roomCount, deliveriesPerGo: batch * 10, inflightGos: 4, connectConcurrency: 200, warmupMs: quick ? 300 : 500, durationMs: quick ? 1_000 : 2_000 }),
      profile,
    );
    return { deliveriesPerSecond: result.rate, ...extra };
  },
};

const binary: SioScenario = {
  name: "binary",
  description: "binary: io.emit of a 64 KiB Buffer attachment to 100 clients (451-[…] + one binary frame each); attachments delivered/s",
  metrics: [rate("deliveriesPerSecond", "binary 64 KiB: attachments/s")],
  targets: SIO_TARGETS,
  async run(target, { quick, profile = false }) {
    const { result, extra } = await measured(
      target,
      { ...BASE_WORKLOAD, kind: "binary", batch: 1, binarySize: 64 * 1024 },
      job({ mode: "fanout", port: 0, connections: 100, deliveriesPerGo: 100, warmupMs: quick ? 300 : 500, durationMs: quick ? 1_000 : 2_000 }),
      profile,
    );
    return { deliveriesPerSecond: result.rate, megabytesPerSecond: (result.rate * 64 * 1024) / 1e6, ...extra };
  },
};

const polling: SioScenario = {
  name: "polling",
  description: "long-polling: 1 000 polling clients (200 with --quick), bursts of 10 io.emit per tick; deliveries/s (WebSocket-only servers excluded)",
  metrics: [rate("deliveriesPerSecond", "long-polling: deliveries/s")],
  targets: POLLING_TARGETS,
  async run(target, { quick, profile = false }) {
    const connections = quick ? 200 : 1_000;
    const batch = 10;
    const { result, extra } = await measured(
      target,
      { ...BASE_WORKLOAD, batch },
      job({ mode: "polling", port: 0, connections, deliveriesPerGo: batch * connections, connectConcurrency: 50, warmupMs: quick ? 500 : 1_000, durationMs: quick ? 1_000 : 2_000 }),
      profile,
    );
    return { deliveriesPerSecond: result.rate, ...extra };
  },
};

const connectRate: SioScenario = {
  name: "connect",
  description: "connection rate: 50 concurrent loops of TCP connect + WebSocket upgrade + Engine.IO open + namespace join (40) + close; handshakes/s",
  metrics: [rate("handshakesPerSecond", "connection rate: handshakes/s", "conn/s")],
  targets: FLOOR_TARGETS,
  async run(target, { quick, profile = false }) {
    const { result, extra } = await measured(target, BASE_WORKLOAD, job({ mode: "connect", port: 0, connections: 0, connectConcurrency: 50, warmupMs: 300, durationMs: quick ? 1_000 : 2_000 }), profile);
    return { handshakesPerSecond: result.rate, ...extra };
  },
};

const scaleOut: SioScenario = {
  name: "scale-out",
  description:
    "scale-out: 3 server processes joined through Redis (each run under a key of its own), 1 000 clients spread round-robin over them, bursts of 10 io.emit of a 100-byte event from one process (2 requests outstanding), reaching the other two through their Redis adapter; deliveries/s at the clients, time from the request to the burst's last delivery (server CPU = the three processes' sum)",
  metrics: [rate("deliveriesPerSecond", "scale-out 3 servers: deliveries/s"), lower("lastDeliveryMs", "scale-out 3 servers: time to last delivery (p50)", "ms")],
  targets: SCALE_OUT_TARGETS,
  async run(target, { quick, profile = false }) {
    const connections = 1000;
    const batch = 10;
    const { result, extra } = await measured(
      target,
      { ...BASE_WORKLOAD, batch },
      job({ mode: "fanout", port: 0, connections, deliveriesPerGo: batch * connections, inflightGos: 2, warmupMs: quick ? 300 : 500, durationMs: quick ? 1_000 : 2_000 }),
      profile,
      3,
    );
    return { deliveriesPerSecond: result.rate, lastDeliveryMs: result.p50, lastDeliveryP99Ms: result.p99, ...extra };
  },
};

/**
 * Opens `connections` idle clients over generators of at most 9 500 each (at least two), started
 * one after the other, and measures memory after each. Besides the whole delta per connection it
 * reports the marginal cost, from the first generator's connections to the end: fixed costs
 * that the first burst pays once (V8's young generation grown to its maximum, compiled code,
 * pools) are not part of it.
 */
async function idleRun(target: string, connections: number, pingInterval: number, holdMs: number): Promise<Record<string, number>> {
  const server = await startSioServer(target, { ...BASE_WORKLOAD, pingInterval });
  const before = await server.request<"memory">("memory");
  const parts = Math.max(2, Math.ceil(connections / 9_500));
  const generators: SioGenerator[] = [];
  try {
    let opened = 0;
    let first = before;
    let firstCount = 0;
    for (let i = 0; i < parts; i++) {
      const share = Math.floor(connections / parts) + (i < connections % parts ? 1 : 0);
      const generator = SioGenerator.start(job({ mode: "idle", port: server.port, connections: share, connectConcurrency: 100 }));
      generators.push(generator);
      const connected = await generator.next("connected", 180_000);
      if (connected.failed > 0) throw new Error(`${connected.failed} of ${connections} idle connections failed`);
      opened += share;
      await server.waitForConnections(opened, 60_000);
      if (i === 0) {
        first = await server.request<"memory">("memory", 60_000);
        firstCount = opened;
      }
    }
    if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
    const after = await server.request<"memory">("memory", 60_000);
    const reports = await Promise.all(generators.map((g) => g.report()));
    const maxPingGapMs = Math.max(...reports.map((r) => r.maxPingGapMs));
    const marginal = connections - firstCount;
    return {
      rssPerConnection: (after.rss - before.rss) / connections,
      heapPerConnection: (after.heapUsed - before.heapUsed) / connections,
      rssMarginal: (after.rss - first.rss) / marginal,
      heapMarginal: (after.heapUsed - first.heapUsed) / marginal,
      connected: after.connections,
      dropped: reports.reduce((a, r) => a + r.dropped, 0),
      pings: reports.reduce((a, r) => a + r.pings, 0),
      maxPingGapMs,
      maxPingGapRatio: maxPingGapMs / pingInterval,
    };
  } finally {
    for (const g of generators) g.release();
    await Promise.all(generators.map((g) => g.exit()));
    await server.stop();
  }
}

const idleMemory: SioScenario = {
  name: "idle-memory",
  quick: true,
  description:
    "idle memory: 10 000 connections (2 000 with --quick) from two generator processes, one after the other; server RSS and heap after forced GCs, per connection over all of them and marginal (the second half: without the fixed costs the first burst pays once, mostly V8's young generation growing to its maximum)",
  metrics: [
    lower("rssPerConnection", "idle: RSS per connection", "bytes"),
    lower("heapPerConnection", "idle: heap per connection", "bytes"),
    lower("rssMarginal", "idle: RSS per connection, marginal", "bytes"),
    lower("heapMarginal", "idle: heap per connection, marginal", "bytes"),
  ],
  targets: FLOOR_TARGETS,
  run: (target, { quick }) => idleRun(target, quick ? 2_000 : 10_000, 25_000, 0),
};

const idleCapacity: SioScenario = {
  name: "idle-capacity",
  description: "capacity: 19 000 idle connections held by one server process, pingInterval 5 s, held 12 s; every connection must stay and every ping gap stay within 1.2 × pingInterval",
  metrics: [lower("maxPingGapRatio", "19 000 idle: largest ping gap / pingInterval", "x"), lower("rssPerConnection", "19 000 idle: RSS per connection", "bytes")],
  targets: ["courant-ws", "socket.io-ws"],
  repetitions: 1,
  full: true,
  run: (target) => idleRun(target, 19_000, 5_000, 12_000),
};

/** Every Socket.IO scenario, in report order. */
export const SIO_SCENARIOS: readonly SioScenario[] = [
  fanout("fanout-burst", 100),
  fanout("fanout-tick", 1),
  echo("echo-1", 1),
  echo("echo-8", 8),
  idleMemory,
  connectRate,
  rooms,
  binary,
  polling,
  scaleOut,
  idleCapacity,
];
