/**
 * The load generator's lean Engine.IO long-polling clients (the `polling` scenario), speaking
 * HTTP/1.1 by hand over raw keep-alive `net` sockets: two connections per client (one for the
 * long GET, one for POSTs, as a browser would). A client opens with
 * `GET /socket.io/?EIO=4&transport=polling` (the sid comes from the `0{...}` open packet), posts
 * `40` to join the main namespace, polls until the `40{...}` connect packet, then keeps exactly one
 * GET outstanding. Responses are parsed by hand (status line, Content-Length or chunked transfer
 * encoding, responses split across or sharing TCP chunks); a poll's body is only scanned for the
 * record separator 0x1e and the first two bytes of each packet (`42` event → a delivery; `2` ping →
 * post `3`; `1` close → a drop), never copied or decoded. Client 0 posts `42["go"]` to trigger
 * broadcasts, with the same flow control as the WebSocket fan-out. POSTs of one client go one at a
 * time (Engine.IO refuses overlapping data requests). Any response other than 200 fails the run.
 */
import net from "node:net";
import type { SioGeneratorMessage, SioJob } from "./sio-generator.js";

const PATH = "/socket.io/?EIO=4&transport=polling";
const CRLFCRLF = Buffer.from("\r\n\r\n");
/** A response head longer than this without its end is not HTTP. */
const MAX_HEAD = 64 * 1024;

// Response parser states.
const HEAD = 0; // reading the status line and headers
const BODY = 1; // a Content-Length body
const CHUNK_SIZE = 2; // a chunk-size line (hex, optional extensions, CRLF)
const CHUNK_DATA = 3; // a chunk's data
const CHUNK_END = 4; // the CRLF after a chunk's data
const TRAILER = 5; // trailer lines up to the empty line

// Packet scanner states, within a poll's body.
const PACKET_START = 0; // at a packet's first byte
const PACKET_AFTER_4 = 1; // the packet began with `4`: its second byte tells the Socket.IO type
const PACKET_REST = 2; // skipping to the next separator

// Client phases.
const HANDSHAKE = 0; // the open GET is outstanding
const JOIN_POST = 1; // `40` posted, waiting for its `ok`
const JOIN_POLL = 2; // polling until `40{...}` arrives
const READY = 3; // joined; idle until start()
const POLLING = 4; // one GET outstanding at all times

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const SEPARATOR = 0x1e;
const CH_0 = 0x30;
const CH_1 = 0x31;
const CH_2 = 0x32;
const CH_4 = 0x34;

const kLink = Symbol("pollingLink");
type TaggedSocket = net.Socket & { [kLink]: HttpLink };

/** Whether `buf[from, to)` is `name` (given in lower case), ignoring ASCII case. */
function nameIs(buf: Buffer, from: number, to: number, name: string): boolean {
  if (to - from !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (((buf[from + k] as number) | 0x20) !== name.charCodeAt(k)) return false;
  return true;
}

/** The decimal in `buf[from, to)` (spaces and tabs around it allowed), or NaN. */
function parseLength(buf: Buffer, from: number, to: number): number {
  let value = 0;
  let digits = 0;
  for (let k = from; k < to; k++) {
    const c = buf[k] as number;
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      digits++;
    } else if (c !== 0x20 && c !== 0x09) return Number.NaN;
  }
  return digits === 0 ? Number.NaN : value;
}

/** The run's shared state: counters, fan-out flow control, the first failure. */
class Run {
  readonly job: SioJob;
  readonly host: string;
  deliveries = 0;
  dropped = 0;
  closing = false;
  failure: Error | undefined;
  /** Rejects with the first failure (so that waits end early). */
  readonly aborted: Promise<never>;
  #abort: (error: Error) => void = () => undefined;
  controller: PollingClient | undefined;
  completed = 0;
  readonly sentAt: number[] = [];
  readonly latencies: number[] = [];

  constructor(job: SioJob) {
    this.job = job;
    this.host = `Host: 127.0.0.1:${job.port}\r\n`;
    this.aborted = new Promise<never>((_resolve, reject) => (this.#abort = reject));
    this.aborted.catch(() => undefined);
  }

  fail(message: string): void {
    if (this.failure !== undefined) return;
    this.failure = new Error(message);
    this.#abort(this.failure);
  }

  /** Waits `ms`, or less if the run fails (then throws). */
  async sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, ms))), this.aborted]);
    } finally {
      clearTimeout(timer);
    }
  }

  ask(): void {
    this.sentAt.push(performance.now());
    this.controller?.post('42["go"]');
  }

  /** `n` deliveries arrived in one poll; every `deliveriesPerGo` completes the oldest `go`. */
  onDeliveries(n: number): void {
    this.deliveries += n;
    const perGo = this.job.deliveriesPerGo;
    while (this.sentAt.length > 0 && this.deliveries >= (this.completed + 1) * perGo) {
      this.completed++;
      this.latencies.push(performance.now() - (this.sentAt.shift() as number));
      if (!this.closing) this.ask();
    }
  }
}

/**
 * One keep-alive HTTP/1.1 connection of a client, with one request outstanding at most. Parser
 * state lives in fields; socket listeners are module-level functions that find the link through a
 * symbol (no closure per connection). Reconnects on the next request if the server closed it idle.
 */
class HttpLink {
  readonly client: PollingClient;
  readonly isGet: boolean;
  socket: TaggedSocket | undefined;
  /** A request was written and its response is not complete yet. */
  busy = false;
  /** Keep the next response's body as text (the handshake). */
  wantText = false;
  /** The body kept as text (the handshake, or an error response). */
  text = "";
  /** `42` packets seen in the current response. */
  deliveries = 0;
  #state = HEAD;
  #partial: Buffer | undefined;
  #status = 0;
  #left = 0;
  #sizeEnded = false;
  #lineLength = 0;
  #keepText = false;
  #closeAfter = false;
  #packet = PACKET_START;
  /** The outstanding request (sent again once if a reused connection closes before answering). */
  #request: Buffer | string = "";
  /** The connection has answered a request before (the server may let it go while idle). */
  #reused = false;
  /** A byte of the outstanding request's response arrived. */
  #answered = false;

  constructor(client: PollingClient, isGet: boolean) {
    this.client = client;
    this.isGet = isGet;
  }

  send(request: Buffer | string): void {
    let socket = this.socket;
    if (socket === undefined) {
      socket = net.connect({ port: this.client.run.job.port, host: "127.0.0.1" }) as TaggedSocket;
      socket.setNoDelay(true);
      socket[kLink] = this;
      socket.on("data", socketOnData);
      socket.on("error", socketOnError);
      socket.on("close", socketOnClose);
      this.socket = socket;
      this.#state = HEAD;
      this.#partial = undefined;
      this.#reused = false;
    }
    this.busy = true;
    this.#request = request;
    this.#answered = false;
    socket.write(request);
  }

  destroy(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.busy = false;
    socket?.destroy();
  }

  /** @internal */
  closed(socket: TaggedSocket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (!this.busy) return; // an idle keep-alive connection the server let go: reopened on demand
    this.busy = false;
    // The server closed an idle keep-alive connection as the request went out (it was not read):
    // send it again on a new connection, as browsers do.
    if (this.#reused && !this.#answered && !this.client.run.closing) this.send(this.#request);
    else this.client.onLost();
  }

  /** @internal */
  feed(socket: TaggedSocket, chunk: Buffer): void {
    if (this.socket !== socket) return;
    const n = chunk.length;
    let i = 0;
    this.#answered = true;
    while (i < n && this.socket === socket) {
      switch (this.#state) {
        case HEAD:
          i = this.#readHead(chunk, i);
          break;
        case BODY:
        case CHUNK_DATA: {
          const take = Math.min(this.#left, n - i);
          if (this.#keepText) this.text += chunk.toString("latin1", i, i + take);
          else if (this.isGet) this.#scan(chunk, i, i + take);
          i += take;
          this.#left -= take;
          if (this.#left > 0) break;
          if (this.#state === BODY) this.#complete();
          else {
            this.#state = CHUNK_END;
            this.#left = 2;
          }
          break;
        }
        case CHUNK_END:
          i++;
          if (--this.#left === 0) this.#state = CHUNK_SIZE;
          break;
        case CHUNK_SIZE: {
          const c = chunk[i++] as number;
          if (c === LF) {
            this.#sizeEnded = false;
            if (this.#left > 0) this.#state = CHUNK_DATA;
            else {
              this.#state = TRAILER;
              this.#lineLength = 0;
            }
          } else if (!this.#sizeEnded) {
            const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
            if (digit >= 0) this.#left = this.#left * 16 + digit;
            else if (c === CR || c === 0x3b /* ; */ || c === 0x20 || c === 0x09) this.#sizeEnded = true;
            else this.#protocolError(`bad chunk size byte 0x${c.toString(16)}`);
          }
          break;
        }
        case TRAILER: {
          const c = chunk[i++] as number;
          if (c === LF) {
            if (this.#lineLength === 0) this.#complete();
            else this.#lineLength = 0;
          } else if (c !== CR) this.#lineLength++;
          break;
        }
      }
    }
  }

  /** Reads a response head starting at `chunk[i]`; returns where its body starts (or `chunk.length` if the head is not complete). */
  #readHead(chunk: Buffer, i: number): number {
    const partial = this.#partial;
    let buf = chunk;
    let start = i;
    let from = i;
    if (partial !== undefined) {
      buf = Buffer.concat([partial, chunk.subarray(i)]);
      start = 0;
      from = Math.max(0, partial.length - 3);
    }
    const end = buf.indexOf(CRLFCRLF, from);
    if (end === -1) {
      this.#partial = partial !== undefined ? buf : Buffer.from(chunk.subarray(i));
      if (this.#partial.length > MAX_HEAD) this.#protocolError("response head too long");
      return chunk.length;
    }
    this.#partial = undefined;
    this.#parseHead(buf, start, end);
    return partial !== undefined ? i + end + 4 - partial.length : end + 4;
  }

  /** Parses the head in `buf[start, end)` (`end` = where its final CRLFCRLF begins) and sets up the body. */
  #parseHead(buf: Buffer, start: number, end: number): void {
    if (end - start < 12 || !nameIs(buf, start, start + 7, "http/1.")) {
      this.#protocolError(`not an HTTP/1.x response: ${JSON.stringify(buf.toString("latin1", start, Math.min(end, start + 80)))}`);
      return;
    }
    const status = ((buf[start + 9] as number) - 0x30) * 100 + ((buf[start + 10] as number) - 0x30) * 10 + ((buf[start + 11] as number) - 0x30);
    let contentLength = -1;
    let chunked = false;
    let close = false;
    let p = buf.indexOf(LF, start) + 1;
    while (p > 0 && p < end) {
      let eol = buf.indexOf(CR, p);
      if (eol === -1 || eol > end) eol = end;
      const colon = buf.indexOf(COLON, p);
      if (colon !== -1 && colon < eol) {
        const first = (buf[p] as number) | 0x20;
        if (first === 0x63 /* c */) {
          if (nameIs(buf, p, colon, "content-length")) contentLength = parseLength(buf, colon + 1, eol);
          else if (nameIs(buf, p, colon, "connection")) close = buf.toString("latin1", colon + 1, eol).toLowerCase().includes("close");
        } else if (first === 0x74 /* t */ && nameIs(buf, p, colon, "transfer-encoding")) {
          chunked = buf.toString("latin1", colon + 1, eol).toLowerCase().includes("chunked");
        }
      }
      p = eol + 2;
    }
    if (status >= 100 && status < 200) return; // an interim response: the real one follows
    this.#status = status;
    this.#closeAfter = close;
    this.#keepText = this.wantText || status !== 200;
    this.text = "";
    this.deliveries = 0;
    this.#packet = PACKET_START;
    this.#left = 0;
    if (chunked) {
      this.#state = CHUNK_SIZE;
      this.#sizeEnded = false;
    } else if (contentLength > 0) {
      this.#state = BODY;
      this.#left = contentLength;
    } else if (contentLength === 0 || status === 204 || status === 304) {
      this.#complete();
    } else {
      this.#protocolError(`HTTP ${status} response without Content-Length or chunked Transfer-Encoding`);
    }
  }

  /** Looks at the first two bytes of each packet in `chunk[i, end)` of a poll's body. */
  #scan(chunk: Buffer, i: number, end: number): void {
    let state = this.#packet;
    while (i < end) {
      if (state === PACKET_REST) {
        const sep = chunk.indexOf(SEPARATOR, i);
        if (sep === -1 || sep >= end) break;
        i = sep + 1;
        state = PACKET_START;
        continue;
      }
      const c = chunk[i++] as number;
      if (c === SEPARATOR) state = PACKET_START;
      else if (state === PACKET_AFTER_4) {
        if (c === CH_2) this.deliveries++;
        else if (c === CH_0) this.client.joined = true;
        state = PACKET_REST;
      } else if (c === CH_4) state = PACKET_AFTER_4;
      else {
        if (c === CH_2) this.client.post("3");
        else if (c === CH_1) this.client.run.dropped++;
        state = PACKET_REST;
      }
    }
    this.#packet = state;
  }

  #complete(): void {
    this.#state = HEAD;
    this.busy = false;
    this.#reused = true;
    const status = this.#status;
    if (this.#closeAfter) {
      // The server ends this connection after the response: the next request opens another.
      const socket = this.socket;
      this.socket = undefined;
      socket?.end();
    }
    if (status !== 200) {
      this.client.onFailure(`HTTP ${status} on ${this.client.describe(this)}: ${this.text.slice(0, 300)}`);
      return;
    }
    if (this.isGet) this.client.onGetResponse(this);
    else this.client.onPostResponse();
  }

  #protocolError(message: string): void {
    this.destroy();
    this.client.onFailure(`${message} (on ${this.client.describe(this)})`);
  }
}

/** One long-polling client: a GET link and a POST link. */
class PollingClient {
  readonly run: Run;
  readonly getLink: HttpLink;
  readonly postLink: HttpLink;
  sid = "";
  joined = false;
  #phase = HANDSHAKE;
  #getRequest: Buffer | undefined;
  #postHead = "";
  #queue: string[] = [];
  #opened: ((error: Error | undefined) => void) | undefined;

  constructor(run: Run) {
    this.run = run;
    this.getLink = new HttpLink(this, true);
    this.postLink = new HttpLink(this, false);
  }

  /** Handshakes and joins the main namespace; resolves once `40{...}` arrived. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#opened = (error) => (error === undefined ? resolve() : reject(error));
      this.getLink.wantText = true;
      this.getLink.send(`GET ${PATH} HTTP/1.1\r\n${this.run.host}\r\n`);
    });
  }

  /** Starts polling (one GET outstanding from now on). */
  start(): void {
    this.#phase = POLLING;
    this.getLink.send(this.#getRequest as Buffer);
  }

  /** Posts `body` as soon as no other POST of this client is outstanding. */
  post(body: string): void {
    if (this.postLink.busy || this.#phase === HANDSHAKE) this.#queue.push(body);
    else this.postLink.send(`${this.#postHead}${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  destroy(): void {
    this.getLink.destroy();
    this.postLink.destroy();
  }

  describe(link: HttpLink): string {
    if (this.#phase === HANDSHAKE && link.isGet) return `GET ${PATH}`;
    return `${link.isGet ? "GET" : "POST"} ${PATH}&sid=${this.sid}`;
  }

  onGetResponse(link: HttpLink): void {
    const run = this.run;
    if (this.#phase === POLLING) {
      const n = link.deliveries;
      if (n > 0) run.onDeliveries(n);
      if (!run.closing) link.send(this.#getRequest as Buffer);
      return;
    }
    if (this.#phase === HANDSHAKE) {
      link.wantText = false;
      const text = link.text;
      let sid: unknown;
      try {
        sid = text.charCodeAt(0) === CH_0 ? (JSON.parse(text.slice(1)) as { sid?: unknown }).sid : undefined;
      } catch {
        sid = undefined;
      }
      if (typeof sid !== "string") {
        this.onFailure(`no Engine.IO open packet in the handshake response: ${JSON.stringify(text.slice(0, 200))}`);
        return;
      }
      this.sid = sid;
      this.#getRequest = Buffer.from(`GET ${PATH}&sid=${sid} HTTP/1.1\r\n${run.host}\r\n`, "latin1");
      this.#postHead = `POST ${PATH}&sid=${sid} HTTP/1.1\r\n${run.host}Content-Type: text/plain;charset=UTF-8\r\nContent-Length: `;
      this.#phase = JOIN_POST;
      this.post("40");
      return;
    }
    if (this.#phase !== JOIN_POLL) return;
    if (!this.joined) {
      link.send(this.#getRequest as Buffer);
      return;
    }
    this.#phase = READY;
    this.#settle(undefined);
  }

  onPostResponse(): void {
    if (this.#phase === JOIN_POST) {
      this.#phase = JOIN_POLL;
      this.getLink.send(this.#getRequest as Buffer);
    }
    this.#sendQueued();
  }

  /** A connection closed while its request was outstanding. */
  onLost(): void {
    if (this.#phase < READY) this.#settle(new Error(`connection closed before the namespace join (${this.sid || "no sid yet"})`));
    else if (!this.run.closing) this.run.dropped++;
  }

  /** A non-200 response or one that is not HTTP: fails the run. */
  onFailure(message: string): void {
    const error = `polling: ${message}`;
    this.run.fail(error);
    this.#settle(new Error(error));
  }

  #sendQueued(): void {
    const next = this.#queue.shift();
    if (next !== undefined) this.post(next);
  }

  #settle(error: Error | undefined): void {
    const opened = this.#opened;
    this.#opened = undefined;
    opened?.(error);
  }
}

function socketOnData(this: TaggedSocket, chunk: Buffer): void {
  this[kLink].feed(this, chunk);
}

function socketOnError(this: TaggedSocket): void {
  // "close" follows; a lost request is counted there.
}

function socketOnClose(this: TaggedSocket): void {
  this[kLink].closed(this);
}

/**
 * Runs the polling scenario in this generator process: opens `job.connections` long-polling
 * clients (`job.connectConcurrency` at a time), reports `connected`, keeps `job.inflightGos`
 * `go` requests outstanding from client 0 and reports the deliveries/s over the window after
 * `job.warmupMs`, the time from each `go` to its last delivery (p50/p99) and this process's CPU
 * share. Rejects with the server's answer if any response is not a 200.
 *
 * @example
 * await pollingRun(job, send);
 */
export async function pollingRun(job: SioJob, send: (message: SioGeneratorMessage) => void): Promise<void> {
  const run = new Run(job);
  const clients: PollingClient[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  const workers = Array.from({ length: Math.min(job.connectConcurrency, job.connections) }, async () => {
    while (next < job.connections && run.failure === undefined) {
      next++;
      const client = new PollingClient(run);
      try {
        await client.open();
        clients.push(client);
      } catch {
        client.destroy();
        failed++;
      }
    }
  });
  await Promise.race([Promise.all(workers), run.aborted]);
  send({ type: "connected", connections: clients.length, failed, elapsedMs: performance.now() - started });
  const controller = clients[0];
  if (controller === undefined) throw new Error("no polling client");
  run.controller = controller;
  for (const client of clients) client.start();
  for (let i = 0; i < job.inflightGos; i++) run.ask();
  // If deliveries stop (a lost count), start over from what arrived rather than hang.
  let lastSeen = -1;
  const watchdog = setInterval(() => {
    if (run.deliveries === lastSeen && !run.closing) {
      run.sentAt.length = 0;
      run.completed = Math.floor(run.deliveries / job.deliveriesPerGo);
      for (let i = 0; i < job.inflightGos; i++) run.ask();
    }
    lastSeen = run.deliveries;
  }, 2_000);
  try {
    await run.sleep(job.warmupMs);
    run.latencies.length = 0;
    const first = run.deliveries;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await run.sleep(job.durationMs);
    const elapsedMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    const rate = ((run.deliveries - first) * 1000) / elapsedMs;
    run.closing = true;
    const latencies = run.latencies.sort((a, b) => a - b);
    const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
    send({
      type: "result",
      result: { rate, elapsedMs, p50: pick(0.5), p99: pick(0.99), dropped: run.dropped, cpu: (cpu.user + cpu.system) / 1000 / elapsedMs, pings: 0, maxPingGapMs: 0 },
    });
  } finally {
    clearInterval(watchdog);
    run.closing = true;
    for (const client of clients) client.destroy();
  }
}
