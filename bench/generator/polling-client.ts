/**
 * Engine.IO long-polling clients for the generator (scenario 7), by hand over keep-alive HTTP:
 * the open request, `40` posted to join the main namespace, then one outstanding GET per client;
 * each response's packets are split on the record separator and classified by their first bytes
 * (`2` ping → post `3`; `42` event → a delivery). Client 0 posts `42["go"]` to trigger broadcasts,
 * with the same flow control as the WebSocket fan-out.
 */
import http from "node:http";
import type { SioGeneratorMessage, SioJob } from "./sio-generator.js";

const PATH = "/socket.io/?EIO=4&transport=polling";
const SEPARATOR = "\x1e";

interface Counters {
  deliveries: number;
  dropped: number;
  closing: boolean;
}

function request(agent: http.Agent, port: number, path: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: "127.0.0.1", port, path, method: body === undefined ? "GET" : "POST", headers: body === undefined ? {} : { "content-type": "text/plain;charset=UTF-8" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`HTTP ${res.statusCode}: ${text}`))));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

class PollingClient {
  sid = "";
  joined = false;

  constructor(
    readonly agent: http.Agent,
    readonly port: number,
    readonly counters: Counters,
  ) {}

  async open(): Promise<void> {
    const text = await request(this.agent, this.port, PATH);
    this.sid = (JSON.parse(text.slice(1)) as { sid: string }).sid;
    await this.post("40");
    while (!this.joined) this.#handle(await request(this.agent, this.port, `${PATH}&sid=${this.sid}`));
  }

  post(body: string): Promise<string> {
    return request(this.agent, this.port, `${PATH}&sid=${this.sid}`, body);
  }

  /** Polls until the run closes; returns the count of deliveries seen. */
  async loop(onDeliveries: (n: number) => void): Promise<void> {
    while (!this.counters.closing) {
      let text: string;
      try {
        text = await request(this.agent, this.port, `${PATH}&sid=${this.sid}`);
      } catch {
        if (!this.counters.closing) this.counters.dropped++;
        return;
      }
      const n = this.#handle(text);
      if (n > 0) onDeliveries(n);
    }
  }

  #handle(text: string): number {
    let deliveries = 0;
    let start = 0;
    for (;;) {
      const end = text.indexOf(SEPARATOR, start);
      const first = text.charCodeAt(start);
      if (first === 0x34) {
        const second = text.charCodeAt(start + 1);
        if (second === 0x32) deliveries++;
        else if (second === 0x30) this.joined = true;
      } else if (first === 0x32) {
        void this.post("3").catch(() => undefined);
      } else if (first === 0x31) {
        this.counters.dropped++;
      }
      if (end === -1) break;
      start = end + 1;
    }
    return deliveries;
  }
}

/**
 * Runs the polling scenario in this generator process.
 *
 * @example
 * await pollingRun(job, send);
 */
export async function pollingRun(job: SioJob, send: (message: SioGeneratorMessage) => void): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const counters: Counters = { deliveries: 0, dropped: 0, closing: false };
  const clients: PollingClient[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(job.connectConcurrency, job.connections) }, async () => {
      while (next < job.connections) {
        next++;
        const client = new PollingClient(agent, job.port, counters);
        try {
          await client.open();
          clients.push(client);
        } catch {
          failed++;
        }
      }
    }),
  );
  send({ type: "connected", connections: clients.length, failed, elapsedMs: performance.now() - started });
  const controller = clients[0];
  if (controller === undefined) throw new Error("no polling client");
  const perGo = job.deliveriesPerGo;
  let completed = 0;
  const sentAt: number[] = [];
  const latencies: number[] = [];
  const ask = (): void => {
    sentAt.push(performance.now());
    void controller.post('42["go"]').catch(() => undefined);
  };
  const onDeliveries = (n: number): void => {
    counters.deliveries += n;
    while (sentAt.length > 0 && counters.deliveries >= (completed + 1) * perGo) {
      completed++;
      latencies.push(performance.now() - (sentAt.shift() as number));
      if (!counters.closing) ask();
    }
  };
  const loops = clients.map((client) => client.loop(onDeliveries));
  for (let i = 0; i < job.inflightGos; i++) ask();
  let lastSeen = -1;
  const watchdog = setInterval(() => {
    if (counters.deliveries === lastSeen && !counters.closing) {
      sentAt.length = 0;
      completed = Math.floor(counters.deliveries / perGo);
      for (let i = 0; i < job.inflightGos; i++) ask();
    }
    lastSeen = counters.deliveries;
  }, 2_000);
  await new Promise((resolve) => setTimeout(resolve, job.warmupMs));
  latencies.length = 0;
  const first = counters.deliveries;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, job.durationMs));
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const rate = ((counters.deliveries - first) * 1000) / elapsedMs;
  clearInterval(watchdog);
  counters.closing = true;
  latencies.sort((a, b) => a - b);
  const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  send({
    type: "result",
    result: { rate, elapsedMs, p50: pick(0.5), p99: pick(0.99), dropped: counters.dropped, cpu: (cpu.user + cpu.system) / 1000 / elapsedMs, pings: 0, maxPingGapMs: 0 },
  });
  agent.destroy();
  await Promise.race([Promise.all(loops), new Promise((resolve) => setTimeout(resolve, 1_000))]);
}
