/**
 * Process plumbing for the Socket.IO benchmark: the server process (bench/sio/server-process.ts,
 * pinned to the server core), one or more generator processes (pinned to the generator core), and
 * each core's busy share from /proc/stat, which includes the kernel's loopback work.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { SioGeneratorMessage, SioJob, SioResult } from "../generator/sio-generator.js";
import { GeneratorChild, ServerProcess } from "../e2e/processes.js";
import type { Workload } from "./workload.js";

const SERVER_ENTRY = fileURLToPath(new URL("./server-process.ts", import.meta.url));
const GENERATOR_ENTRY = fileURLToPath(new URL("../generator/sio-generator.ts", import.meta.url));

/** Where `--cpu-prof` profiles go when profiling is on. */
export const PROFILE_DIR = fileURLToPath(new URL("./profiles/", import.meta.url));

/** Default workload; scenarios override fields. */
export const BASE_WORKLOAD: Workload = { kind: "all", batch: 1, rooms: 0, binarySize: 0, pingInterval: 25_000 };

/**
 * Starts `target`'s server with `workload`, optionally under `--cpu-prof`.
 *
 * @example
 * const server = await startSioServer("courant-ws", { ...BASE_WORKLOAD, batch: 100 });
 */
export function startSioServer(target: string, workload: Workload, profile = false): Promise<ServerProcess> {
  // One directory per run: tsx's loader thread writes a profile of its own beside the main thread's.
  const flags = profile ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}${target}-${workload.kind}-${workload.batch}-${Date.now()}`] : [];
  return ServerProcess.launch(SERVER_ENTRY, [target, JSON.stringify(workload)], flags, target);
}

/** A running Socket.IO generator process. */
export class SioGenerator extends GeneratorChild<SioGeneratorMessage> {
  /**
   * Starts a generator on the generator core and hands it `job`.
   *
   * @example
   * const generator = SioGenerator.start(job);
   */
  static start(job: SioJob): SioGenerator {
    return new SioGenerator(GENERATOR_ENTRY, job);
  }

  /** Idle mode: asks for the result. */
  async report(timeoutMs = 10_000): Promise<SioResult> {
    const answer = this.next("result", timeoutMs);
    this.child.send({ type: "report" });
    return (await answer).result;
  }
}

/** A job with the defaults filled in. */
export function job(fields: Partial<SioJob> & Pick<SioJob, "mode" | "port" | "connections">): SioJob {
  return { rooms: 0, deliveriesPerGo: 0, inflightGos: 2, inflight: 1, warmupMs: 500, durationMs: 2_000, connectConcurrency: 100, ...fields };
}

function readCoreTicks(): { busy: number; total: number }[] {
  const cores: { busy: number; total: number }[] = [];
  for (const line of readFileSync("/proc/stat", "latin1").split("\n")) {
    if (!/^cpu\d+ /.test(line)) continue;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    cores.push({ busy: total - idle, total });
  }
  return cores;
}

/**
 * Starts measuring each core's busy share; the returned function reads it (`core0`, `core1`, …,
 * 1 = fully busy, user + system + softirq, so loopback work shows).
 *
 * @example
 * const cores = coreMeter(); await work(); console.log(cores());
 */
export function coreMeter(): () => Record<string, number> {
  const first = readCoreTicks();
  return () => {
    const out: Record<string, number> = {};
    readCoreTicks().forEach((now, i) => {
      const before = first[i];
      if (before === undefined) return;
      out[`core${i}Busy`] = (now.busy - before.busy) / Math.max(1, now.total - before.total);
    });
    return out;
  };
}
