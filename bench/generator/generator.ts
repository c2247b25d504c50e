/**
 * Load generator, run as its own process (pinned to its own core by bench/run.ts). Talks to the
 * parent over IPC: it receives a `GeneratorJob`, reports `connected`, then a `GeneratorResult`.
 *
 * Modes:
 * - echo: every connection keeps `inflight` messages outstanding; each reply sends one more.
 * - fanout: connection 0 asks the server for a batch (`batch` broadcasts to everybody) and asks
 *   again each time a whole batch has arrived everywhere, with four batches in flight.
 * - idle: open the connections, report, and hold them until told to stop.
 */
import { RawConnection, maskedFrame } from "./raw-connection.js";
import type { ConnectionSink } from "./raw-connection.js";

export interface GeneratorJob {
  mode: "echo" | "fanout" | "idle";
  port: number;
  connections: number;
  /** Payload size of the frames the generator sends (echo). */
  size: number;
  /** Echo: messages outstanding per connection. */
  inflight: number;
  /** Fanout: broadcasts per request. */
  batch: number;
  warmupMs: number;
  durationMs: number;
  /** Connections opened at once while connecting. */
  connectConcurrency: number;
}

export interface GeneratorResult {
  /** Data frames received during the measured window. */
  frames: number;
  /** Length of the measured window in milliseconds. */
  elapsedMs: number;
  /** Frames per second over the window. */
  rate: number;
  /** Connections that closed during the run (should be 0). */
  dropped: number;
  /** The generator's CPU time over the window divided by its length (1 = one core busy). */
  cpu: number;
}

export type GeneratorMessage =
  | { type: "connected"; connections: number; failed: number; elapsedMs: number }
  | { type: "result"; result: GeneratorResult }
  | { type: "error"; message: string };

function send(message: GeneratorMessage): void {
  process.send?.(message);
}

class Counter implements ConnectionSink {
  frames = 0;
  dropped = 0;
  closing = false;
  constructor(readonly job: GeneratorJob) {}

  onFrames(conn: RawConnection, frames: number): void {
    this.frames += frames;
    if (this.job.mode === "echo" && !this.closing) conn.sendRepeated(frames);
  }

  onClose(): void {
    if (!this.closing) this.dropped++;
  }
}

/** Fan-out requests outstanding, so the server never waits for the generator's next request. */
const BATCHES_IN_FLIGHT = 4;

class FanoutCounter extends Counter {
  requested = 0;
  #controller: RawConnection | undefined;
  #request = maskedFrame(Buffer.from("go"), 0x1);

  start(controller: RawConnection): void {
    this.#controller = controller;
    for (let i = 0; i < BATCHES_IN_FLIGHT; i++) this.#ask();
  }

  override onFrames(_conn: RawConnection, frames: number): void {
    this.frames += frames;
    const perBatch = this.job.batch * this.job.connections;
    // Ask for one more batch each time another whole batch has arrived, keeping BATCHES_IN_FLIGHT requested.
    while (!this.closing && this.frames >= (this.requested - BATCHES_IN_FLIGHT + 1) * perBatch) this.#ask();
  }

  #ask(): void {
    this.requested++;
    this.#controller?.write(this.#request);
  }
}

async function connectAll(job: GeneratorJob, sink: ConnectionSink, payload: Buffer): Promise<{ conns: RawConnection[]; failed: number }> {
  const conns: RawConnection[] = [];
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < job.connections) {
      next++;
      try {
        conns.push(await RawConnection.open(job.port, sink, maskedFrame(payload, 0x2)));
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.connectConcurrency, job.connections) }, worker));
  return { conns, failed };
}

async function measure(sink: Counter, job: GeneratorJob): Promise<GeneratorResult> {
  await new Promise((resolve) => setTimeout(resolve, job.warmupMs));
  const startFrames = sink.frames;
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, job.durationMs));
  const frames = sink.frames - startFrames;
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  return { frames, elapsedMs, rate: (frames * 1000) / elapsedMs, dropped: sink.dropped, cpu: (cpu.user + cpu.system) / 1000 / elapsedMs };
}

async function run(job: GeneratorJob): Promise<void> {
  const sink = job.mode === "fanout" ? new FanoutCounter(job) : new Counter(job);
  const payload = Buffer.alloc(job.size, 0x61);
  const started = Date.now();
  const { conns, failed } = await connectAll(job, sink, payload);
  send({ type: "connected", connections: conns.length, failed, elapsedMs: Date.now() - started });
  if (job.mode === "idle") {
    await new Promise<void>((resolve) => process.once("message", () => resolve()));
  } else {
    if (sink instanceof FanoutCounter) {
      const controller = conns[0];
      if (controller === undefined) throw new Error("no connection");
      sink.start(controller);
    } else {
      for (const conn of conns) conn.sendRepeated(job.inflight);
    }
    const result = await measure(sink, job);
    send({ type: "result", result });
  }
  sink.closing = true;
  for (const conn of conns) conn.destroy();
}

process.once("message", (job: GeneratorJob) => {
  run(job).then(
    () => setTimeout(() => process.exit(0), 50),
    (err: unknown) => {
      send({ type: "error", message: err instanceof Error ? err.stack ?? err.message : String(err) });
      setTimeout(() => process.exit(1), 50);
    },
  );
});
