/**
 * What a server's own code costs per echo round trip, without the kernel:
 * `node --import tsx bench/sio/protocol-cost.ts [rounds]`.
 *
 * Each WebSocket target of `npm run bench` runs in a process of its own (pinned to the server
 * core where taskset exists), behind 100 in-memory sockets: Duplex streams that keep nothing of
 * what the server writes but its length. The sockets are fed the load generator's very echo
 * request (`421["echo",…]`, masked) once per round, and the process's CPU time is divided by the
 * acks that came back. That covers the WebSocket framing, Engine.IO and Socket.IO decoding, the
 * handler, encoding and Node's stream machinery, and none of the system calls: on loopback
 * (`npm run bench`) every server adds about the same kernel time to each round trip (the report's
 * "of it in the kernel" column), and this figure is what is left to tell them apart.
 *
 * node-floor is the same bound as in the benchmark: its figure is the harness and Node's streams
 * alone. Runs alternate between targets; medians of `REPS` (3) runs are printed, with the ratio
 * to socket.io.
 */
import { IncomingMessage } from "node:http";
import { Duplex } from "node:stream";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { CORES, spawnNode, waitFor } from "../e2e/processes.js";
import { median } from "../e2e/report.js";
import { maskedFrame } from "../generator/raw-connection.js";
import { loadSioTarget } from "./targets/index.js";
import { BASE_WORKLOAD } from "./harness.js";
import { ECHO_DATA } from "./workload.js";

/** The WebSocket targets, socket.io first (the ratios are to it). */
export const PROTOCOL_COST_TARGETS: readonly string[] = ["socket.io-ws", "courant-ws", "ws", "node-floor"];
const CLIENTS = 100;
const WARMUP_ROUNDS = 500;
const REPS = Number(process.env["REPS"] ?? 3);

const REQUEST = maskedFrame(Buffer.from(`421${JSON.stringify(["echo", ECHO_DATA])}`), 0x1);
/** An ack as every target writes it: an unmasked text frame holding `431[ECHO_DATA]`. */
const ACK_LENGTH = 2 + Buffer.byteLength(`431${JSON.stringify([ECHO_DATA])}`);

/** A connection with no kernel under it: what the server writes is only counted. */
class MemorySocket extends Duplex {
  readonly remoteAddress = "127.0.0.1";
  readonly remotePort = 40_000;
  readonly remoteFamily = "IPv4";
  written = 0;

  override _read(): void {}

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.written += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    callback();
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  setTimeout(): this {
    return this;
  }
}

/** An upgrade request as a browser's `new WebSocket()` sends it to the Socket.IO path. */
function upgradeRequest(socket: MemorySocket): IncomingMessage {
  const req = new IncomingMessage(socket as never);
  req.method = "GET";
  req.url = "/socket.io/?EIO=4&transport=websocket";
  req.httpVersion = "1.1";
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  const headers: Record<string, string> = {
    host: "127.0.0.1",
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": randomBytes(16).toString("base64"),
  };
  req.headers = headers;
  req.rawHeaders = Object.entries(headers).flat();
  req.complete = true;
  return req;
}

/** Runs `rounds` rounds of one request per socket, each round ended by a macrotask so acks flush. */
async function rounds(sockets: MemorySocket[], count: number): Promise<void> {
  for (let r = 0; r < count; r++) {
    // A copy per request: servers unmask in place.
    for (const socket of sockets) socket.push(Buffer.from(REQUEST));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * One measurement in this process: µs of CPU per round trip, over `roundCount` rounds after a
 * warm-up. Throws unless every request of every round was acknowledged.
 *
 * @example
 * const micros = await protocolCost("courant-ws", 3_000);
 */
export async function protocolCost(targetName: string, roundCount: number): Promise<number> {
  const target = await loadSioTarget(targetName);
  const server = await target.start({ ...BASE_WORKLOAD, pingInterval: 600_000 });
  const sockets = Array.from({ length: CLIENTS }, () => new MemorySocket());
  for (const socket of sockets) {
    server.http.emit("upgrade", upgradeRequest(socket), socket, Buffer.alloc(0));
    socket.push(maskedFrame(Buffer.from("40"), 0x1));
  }
  for (let i = 0; i < 200 && server.connectionCount() < CLIENTS; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (server.connectionCount() < CLIENTS) throw new Error(`${targetName}: ${server.connectionCount()} of ${CLIENTS} sockets connected`);
  await rounds(sockets, WARMUP_ROUNDS);
  const before = sockets.map((s) => s.written);
  const cpu = process.cpuUsage();
  await rounds(sockets, roundCount);
  const used = process.cpuUsage(cpu);
  const bytes = sockets.reduce((sum, s, i) => sum + s.written - (before[i] as number), 0);
  await server.close();
  if (bytes !== roundCount * CLIENTS * ACK_LENGTH) {
    throw new Error(`${targetName}: wrote ${bytes} bytes, expected ${roundCount * CLIENTS} acks of ${ACK_LENGTH} bytes`);
  }
  return (used.user + used.system) / (roundCount * CLIENTS);
}

async function main(): Promise<void> {
  const [first, second] = process.argv.slice(2);
  if (first === "--child") {
    const micros = await protocolCost(second as string, Number(process.argv[4]));
    // The target still listens: leave once the parent has the figure.
    process.send?.({ micros }, () => process.exit(0));
    return;
  }
  const roundCount = Number(first ?? 3_000);
  const results = new Map<string, number[]>(PROTOCOL_COST_TARGETS.map((t) => [t, []]));
  for (let rep = 0; rep < REPS; rep++) {
    for (const target of PROTOCOL_COST_TARGETS) {
      const child = spawnNode(fileURLToPath(import.meta.url), ["--child", target, String(roundCount)], [], CORES?.server);
      const exited = new Promise((resolve) => child.once("exit", resolve));
      const { micros } = await waitFor(child, (m) => m as { micros: number }, 120_000, `${target} protocol cost`);
      results.get(target)?.push(micros);
      await exited;
    }
  }
  const base = median(results.get("socket.io-ws") as number[]);
  console.log(`Server CPU per echo round trip over in-memory sockets (${CLIENTS} sockets × ${roundCount} rounds, median of ${REPS}):\n`);
  console.log("| target | µs per round trip | vs socket.io-ws | runs |");
  console.log("|---|---:|---:|---|");
  for (const [target, values] of results) {
    const m = median(values);
    console.log(`| ${target} | ${m.toFixed(2)} | ${(m / base).toFixed(2)}× | ${values.map((v) => v.toFixed(2)).join(", ")} |`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
