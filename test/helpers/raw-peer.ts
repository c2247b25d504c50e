/**
 * A raw TCP WebSocket peer for conformance tests: the opening handshake written by hand, frames
 * built by `buildFrame` and read back undecoded by `FrameReader`.
 *
 * - `rawHandshake` / `connectRawClient` play the client against a server under test.
 * - `RawServer` plays the server against a client under test.
 * Both end up with a `RawPeer` that sends frames and reads what the other side sent, with a
 * deadline on every wait.
 */
import net from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { AssertionError } from "node:assert";
import { FrameReader, Opcode, buildFrame, describeFrame, parseClosePayload } from "./frame.js";
import type { FrameSpec, ParsedFrame } from "./frame.js";
import { DEFAULT_TIMEOUT_MS, delay } from "./wait.js";

/** The GUID of RFC 6455 §1.3, appended to the key before hashing. */
export const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2 step 5.4).
 *
 * @example
 * computeAccept("dGhlIHNhbXBsZSBub25jZQ=="); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
 */
export function computeAccept(key: string): string {
  return createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
}

/** A fresh random 16-byte key, base64 encoded, as a client sends it. */
export function randomKey(): string {
  return randomBytes(16).toString("base64");
}

/** A decoded close frame. `code` is undefined when the close frame had no payload. */
export interface CloseInfo {
  code: number | undefined;
  reason: Buffer;
  /** Every frame received before the close frame, since the last read. */
  before: ParsedFrame[];
  frame: ParsedFrame;
}

/** One reassembled data message. */
export interface RawMessage {
  opcode: number;
  /** Payload of all fragments concatenated, inflated when the first frame had RSV1 and an inflater was given. */
  payload: Buffer;
  /** The data frames that made the message, in order. */
  frames: ParsedFrame[];
  /** Control frames that arrived between the message's fragments. */
  control: ParsedFrame[];
  compressed: boolean;
}

/** Something that can inflate a permessage-deflate message (see deflate.ts). */
export interface MessageInflater {
  inflate(data: Buffer): Promise<Buffer>;
}

/**
 * One side of an open WebSocket connection, driven byte by byte.
 *
 * `role` is the part this raw peer plays: as "client" it masks what it sends and requires the
 * other side's frames to be unmasked; as "server" the other way around (RFC 6455 §5.1).
 *
 * @example
 * const peer = await connectRawClient(port);
 * peer.send({ opcode: Opcode.TEXT, payload: "hello" });
 * const msg = await peer.nextMessage();
 * assert.equal(msg.payload.toString(), "hello");
 * peer.destroy();
 */
export class RawPeer {
  readonly socket: net.Socket;
  readonly role: "client" | "server";
  /** Every frame received, in order, including ones already returned by the `next*` methods. */
  readonly received: ParsedFrame[] = [];
  /** As client: the server's handshake response. */
  response: HandshakeResponse | undefined;
  /** As server: the client's upgrade request. */
  request: RawUpgrade | undefined;
  #reader = new FrameReader();
  #queue: ParsedFrame[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #closed = false;
  #error: Error | undefined;
  readonly #closedPromise: Promise<void>;

  constructor(socket: net.Socket, role: "client" | "server", initial?: Buffer) {
    this.socket = socket;
    this.role = role;
    socket.setNoDelay(true);
    this.#closedPromise = new Promise<void>((resolve) => {
      socket.once("close", () => {
        this.#closed = true;
        this.#ended = true;
        this.#notify();
        resolve();
      });
    });
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("error", (err) => {
      this.#error ??= err;
      this.#notify();
    });
    if (initial !== undefined && initial.length > 0) this.#onData(initial);
    socket.resume();
  }

  /** True once the other side ended its half of the TCP connection (or it closed). */
  get ended(): boolean {
    return this.#ended;
  }

  /** True once the TCP connection is fully closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes received that do not form a whole frame yet. */
  get pendingBytes(): number {
    return this.#reader.pendingBytes;
  }

  /**
   * Sends one frame, or raw bytes. Frames are masked by default when this peer is the client
   * (pass `mask: false` to break the rule on purpose).
   */
  send(frame: FrameSpec | Buffer): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(Buffer.isBuffer(frame) ? frame : this.build(frame));
  }

  /** Sends several frames in a single TCP write, so the other side sees them together. */
  sendAll(frames: (FrameSpec | Buffer)[]): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.write(Buffer.concat(frames.map((f) => (Buffer.isBuffer(f) ? f : this.build(f)))));
  }

  /**
   * Writes `data` in pieces of `chunkSize` bytes with a short pause between them, so the other
   * side's parser really sees split input.
   */
  async sendChunked(data: Buffer, chunkSize = 1, pauseMs = 1): Promise<void> {
    for (let i = 0; i < data.length; i += chunkSize) {
      if (this.socket.destroyed || this.socket.writableEnded) return;
      this.socket.write(data.subarray(i, i + chunkSize));
      await delay(pauseMs);
    }
  }

  /** Builds a frame with this peer's default masking. */
  build(frame: FrameSpec): Buffer {
    return buildFrame({ ...frame, mask: frame.mask ?? this.role === "client" });
  }

  /**
   * The next frame from the other side, checking the masking rule of RFC 6455 §5.1 unless
   * `checkMask` is false. Rejects when the connection ends first or after `timeoutMs`.
   */
  async nextFrame(timeoutMs = DEFAULT_TIMEOUT_MS, checkMask = true): Promise<ParsedFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.#queue.shift();
      if (frame !== undefined) {
        if (checkMask) this.#checkMask(frame);
        return frame;
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) throw new AssertionError({ message: `connection ended while waiting for a frame (${this.#summary()})` });
      const left = deadline - Date.now();
      if (left <= 0) throw new AssertionError({ message: `timeout after ${timeoutMs}ms waiting for a frame (${this.#summary()})` });
      await this.#waitForActivity(left);
    }
  }

  /**
   * Reads frames until a whole data message arrived (first frame plus continuations up to FIN)
   * and returns it. Control frames in between are collected in `control`. An inflater decodes
   * compressed messages (RSV1 on the first frame).
   */
  async nextMessage(timeoutMs = DEFAULT_TIMEOUT_MS, inflater?: MessageInflater): Promise<RawMessage> {
    const deadline = Date.now() + timeoutMs;
    const frames: ParsedFrame[] = [];
    const control: ParsedFrame[] = [];
    for (;;) {
      const frame = await this.nextFrame(Math.max(1, deadline - Date.now()));
      if (frame.opcode >= 0x8) {
        if (frame.opcode === Opcode.CLOSE) {
          const { code } = parseClosePayload(frame.payload);
          throw new AssertionError({ message: `expected a data message, got a close frame with code ${code ?? "none"}` });
        }
        control.push(frame);
        continue;
      }
      frames.push(frame);
      if (frame.fin) break;
    }
    const first = frames[0] as ParsedFrame;
    const joined = Buffer.concat(frames.map((f) => f.payload));
    const compressed = first.rsv1;
    const payload = compressed && inflater !== undefined ? await inflater.inflate(joined) : joined;
    return { opcode: first.opcode, payload, frames, control, compressed };
  }

  /**
   * Reads frames until a close frame and returns its code and reason, with the frames that came
   * before it. Rejects if the connection ends without a close frame or after `timeoutMs`.
   */
  async nextClose(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseInfo> {
    const deadline = Date.now() + timeoutMs;
    const before: ParsedFrame[] = [];
    for (;;) {
      let frame: ParsedFrame;
      try {
        frame = await this.nextFrame(Math.max(1, deadline - Date.now()));
      } catch (err) {
        const seen = before.map(describeFrame).join(", ");
        throw new AssertionError({ message: `no close frame: ${(err as Error).message}; frames before: [${seen}]` });
      }
      if (frame.opcode === Opcode.CLOSE) {
        const { code, reason } = parseClosePayload(frame.payload);
        return { code, reason, before, frame };
      }
      before.push(frame);
    }
  }

  /** Resolves when the TCP connection is closed; rejects after `timeoutMs`. */
  async waitForClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    if (this.#closed) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AssertionError({ message: `TCP connection still open after ${timeoutMs}ms` })), timeoutMs);
    });
    try {
      await Promise.race([this.#closedPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Resolves when the other side has ended (or fully closed) the TCP connection, without closing
   * our half; rejects after `timeoutMs`.
   */
  async waitForEnd(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new AssertionError({ message: `the other side did not end the TCP connection within ${timeoutMs}ms` });
      await this.#waitForActivity(left);
    }
  }

  /** Frames received and not yet returned by a `next*` call. */
  drain(): ParsedFrame[] {
    return this.#queue.splice(0, this.#queue.length);
  }

  /** Ends our half of the TCP connection (FIN). */
  end(): void {
    this.socket.end();
  }

  /** Destroys the TCP connection at once. Safe to call twice. */
  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    try {
      for (const frame of this.#reader.push(chunk)) {
        this.received.push(frame);
        this.#queue.push(frame);
      }
    } catch (err) {
      this.#error ??= err as Error;
    }
    this.#notify();
  }

  #checkMask(frame: ParsedFrame): void {
    const mustMask = this.role === "server";
    if (frame.masked !== mustMask) {
      throw new AssertionError({
        message: `${mustMask ? "client" : "server"} sent a${frame.masked ? " masked" : "n unmasked"} frame (${describeFrame(frame)}), RFC 6455 §5.1`,
      });
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #waitForActivity(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #summary(): string {
    const last = this.received.slice(-3).map(describeFrame).join(", ");
    return `${this.received.length} frames received${last === "" ? "" : `, last: ${last}`}; ${this.#reader.pendingBytes} bytes pending`;
  }
}

/** Options of the hand-written upgrade request; each header can be replaced or left out. */
export interface UpgradeRequestOptions {
  method?: string;
  path?: string;
  host?: string;
  /** `null` leaves the header out. */
  key?: string | null;
  version?: string | null;
  upgrade?: string | null;
  connection?: string | null;
  protocols?: string;
  extensions?: string;
  /** Extra header lines, written as given, after the standard ones. */
  extraHeaders?: [string, string][];
}

/**
 * The text of an upgrade request (RFC 6455 §4.1), valid by default.
 *
 * @example
 * socket.write(upgradeRequest({ path: "/chat", protocols: "a, b" }));
 */
export function upgradeRequest(opts: UpgradeRequestOptions = {}): string {
  const lines = [`${opts.method ?? "GET"} ${opts.path ?? "/"} HTTP/1.1`, `Host: ${opts.host ?? "127.0.0.1"}`];
  const key = opts.key === undefined ? randomKey() : opts.key;
  if (opts.upgrade !== null) lines.push(`Upgrade: ${opts.upgrade ?? "websocket"}`);
  if (opts.connection !== null) lines.push(`Connection: ${opts.connection ?? "Upgrade"}`);
  if (key !== null) lines.push(`Sec-WebSocket-Key: ${key}`);
  if (opts.version !== null) lines.push(`Sec-WebSocket-Version: ${opts.version ?? "13"}`);
  if (opts.protocols !== undefined) lines.push(`Sec-WebSocket-Protocol: ${opts.protocols}`);
  if (opts.extensions !== undefined) lines.push(`Sec-WebSocket-Extensions: ${opts.extensions}`);
  for (const [name, value] of opts.extraHeaders ?? []) lines.push(`${name}: ${value}`);
  return lines.join("\r\n") + "\r\n\r\n";
}

/** An HTTP response head as read off the wire. */
export interface HandshakeResponse {
  status: number;
  statusText: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** For a refused handshake: the body (read up to Content-Length, or until the server closed). */
  body: Buffer;
  /** For a 101: the open connection, as the client. */
  peer: RawPeer | undefined;
  /** Time from writing the request to reading the whole response head, in milliseconds. */
  elapsedMs: number;
}

/**
 * Connects to `port`, writes `request` (see `upgradeRequest`) and reads the response. On 101 the
 * connection stays open as `peer`; otherwise the socket is destroyed once the body was read.
 *
 * @example
 * const res = await rawHandshake(port, upgradeRequest({ version: "8" }));
 * assert.equal(res.status, 426);
 */
export async function rawHandshake(port: number, request: string | Buffer, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<HandshakeResponse> {
  const socket = net.connect({ port, host: "127.0.0.1" });
  socket.setNoDelay(true);
  const started = Date.now();
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    socket.write(request);
    const { head, rest } = await readHead(socket, timeoutMs, "the handshake response");
    const elapsedMs = Date.now() - started;
    const parsed = parseHead(head);
    const status = Number(parsed.startLine.split(" ")[1]);
    const statusText = parsed.startLine.split(" ").slice(2).join(" ");
    if (status === 101) {
      return { status, statusText, headers: parsed.headers, body: Buffer.alloc(0), peer: new RawPeer(socket, "client", rest), elapsedMs };
    }
    const length = parsed.headers["content-length"] === undefined ? undefined : Number(parsed.headers["content-length"]);
    const body = await readBody(socket, rest, length, timeoutMs);
    socket.destroy();
    return { status, statusText, headers: parsed.headers, body, peer: undefined, elapsedMs };
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/**
 * Opens a WebSocket connection to `port` with a hand-written valid request, checks the 101
 * response (status, Upgrade, Connection, Sec-WebSocket-Accept) and returns the raw client peer.
 *
 * @example
 * const peer = await connectRawClient(port, { extensions: "permessage-deflate" });
 */
export async function connectRawClient(port: number, opts: UpgradeRequestOptions = {}): Promise<RawPeer> {
  const key = opts.key ?? randomKey();
  const res = await rawHandshake(port, upgradeRequest({ ...opts, key }));
  if (res.status !== 101 || res.peer === undefined) {
    throw new AssertionError({ message: `expected 101, got ${res.status} ${res.statusText}: ${res.body.toString()}` });
  }
  if (res.headers["upgrade"]?.toLowerCase() !== "websocket") throw new AssertionError({ message: `bad Upgrade header: ${res.headers["upgrade"]}` });
  if (!/\bupgrade\b/i.test(res.headers["connection"] ?? "")) throw new AssertionError({ message: `bad Connection header: ${res.headers["connection"]}` });
  if (res.headers["sec-websocket-accept"] !== computeAccept(key)) {
    throw new AssertionError({ message: `bad Sec-WebSocket-Accept: ${res.headers["sec-websocket-accept"]}` });
  }
  res.peer.response = res;
  return res.peer;
}

/** An upgrade request received by `RawServer`, waiting for a response. */
export interface RawUpgrade {
  socket: net.Socket;
  method: string;
  path: string;
  httpVersion: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The header lines exactly as received. */
  rawHeaders: [string, string][];
  /**
   * Answers with a 101 (valid unless overridden) and returns the raw server peer.
   * `extensions`/`protocol` add those headers; `accept` overrides Sec-WebSocket-Accept (`null`
   * leaves it out); `extraHeaders` are appended; `frames` are written in the same TCP write.
   */
  accept(opts?: { extensions?: string; protocol?: string; accept?: string | null; upgrade?: string | null; connection?: string | null; extraHeaders?: [string, string][]; frames?: Buffer[] }): RawPeer;
  /** Writes `text` as the whole response (for broken handshakes) and keeps the socket. */
  respondRaw(text: string): void;
}

/**
 * A TCP server that plays a WebSocket server by hand, for testing a client. Connections are
 * queued; `nextUpgrade()` hands them out in order once their request head arrived.
 *
 * @example
 * const server = await RawServer.listen();
 * const client = new WebSocket(`ws://127.0.0.1:${server.port}/`);
 * const upgrade = await server.nextUpgrade();
 * const peer = upgrade.accept();
 * peer.send({ opcode: Opcode.TEXT, payload: "hi" });
 */
export class RawServer {
  readonly server: net.Server;
  #pending: RawUpgrade[] = [];
  #failures: Error[] = [];
  #wake: (() => void) | undefined;
  #sockets = new Set<net.Socket>();

  private constructor(server: net.Server) {
    this.server = server;
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
      socket.on("error", () => {});
      socket.setNoDelay(true);
      readHead(socket, 10_000, "the upgrade request").then(
        ({ head, rest }) => {
          this.#pending.push(makeUpgrade(socket, head, rest));
          this.#notify();
        },
        (err: Error) => {
          this.#failures.push(err);
          socket.destroy();
          this.#notify();
        },
      );
    });
  }

  /** Starts a server on 127.0.0.1, port 0. */
  static async listen(): Promise<RawServer> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", resolve);
    });
    return new RawServer(server);
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** `ws://127.0.0.1:<port><path>` */
  url(path = "/"): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  /** The next upgrade request received; rejects after `timeoutMs`. */
  async nextUpgrade(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawUpgrade> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const next = this.#pending.shift();
      if (next !== undefined) return next;
      const failure = this.#failures.shift();
      if (failure !== undefined) throw failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new AssertionError({ message: `no upgrade request within ${timeoutMs}ms` });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Closes the listener and destroys every connection. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

function makeUpgrade(socket: net.Socket, head: string, rest: Buffer): RawUpgrade {
  const parsed = parseHead(head);
  const [method = "", path = "", httpVersion = ""] = parsed.startLine.split(" ");
  const upgrade: RawUpgrade = {
    socket,
    method,
    path,
    httpVersion,
    headers: parsed.headers,
    rawHeaders: parsed.rawHeaders,
    accept(opts = {}) {
      const lines = ["HTTP/1.1 101 Switching Protocols"];
      if (opts.upgrade !== null) lines.push(`Upgrade: ${opts.upgrade ?? "websocket"}`);
      if (opts.connection !== null) lines.push(`Connection: ${opts.connection ?? "Upgrade"}`);
      const accept = opts.accept === undefined ? computeAccept(parsed.headers["sec-websocket-key"] ?? "") : opts.accept;
      if (accept !== null) lines.push(`Sec-WebSocket-Accept: ${accept}`);
      if (opts.protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${opts.protocol}`);
      if (opts.extensions !== undefined) lines.push(`Sec-WebSocket-Extensions: ${opts.extensions}`);
      for (const [name, value] of opts.extraHeaders ?? []) lines.push(`${name}: ${value}`);
      const headBytes = Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1");
      socket.write(Buffer.concat([headBytes, ...(opts.frames ?? [])]));
      const peer = new RawPeer(socket, "server", rest);
      peer.request = upgrade;
      return peer;
    },
    respondRaw(text) {
      socket.write(text);
    },
  };
  return upgrade;
}

function readHead(socket: net.Socket, timeoutMs: number, what: string): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end === -1) return;
      cleanup();
      socket.pause();
      // Paused until a RawPeer (or readBody) takes over, so no chunk is lost in between.
      resolve({ head: buffered.subarray(0, end).toString("latin1"), rest: buffered.subarray(end + 4) });
    };
    const onEnd = (): void => {
      cleanup();
      reject(new AssertionError({ message: `connection closed before ${what} (got ${JSON.stringify(buffered.toString("latin1").slice(0, 200))})` }));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new AssertionError({ message: `timeout after ${timeoutMs}ms waiting for ${what}` }));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
    };
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("close", onEnd);
    socket.on("error", onError);
  });
}

function readBody(socket: net.Socket, initial: Buffer, length: number | undefined, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve) => {
    let body = initial;
    const done = (): void => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", done);
      socket.off("end", done);
      resolve(length === undefined ? body : body.subarray(0, length));
    };
    const onData = (chunk: Buffer): void => {
      body = Buffer.concat([body, chunk]);
      if (length !== undefined && body.length >= length) done();
    };
    const timer = setTimeout(done, length === undefined ? Math.min(timeoutMs, 500) : timeoutMs);
    if (length !== undefined && body.length >= length) return done();
    socket.on("data", onData);
    socket.on("close", done);
    socket.on("end", done);
    socket.resume();
  });
}

function parseHead(head: string): { startLine: string; headers: Record<string, string>; rawHeaders: [string, string][] } {
  const [startLine = "", ...lines] = head.split("\r\n");
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const rawHeaders: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    rawHeaders.push([name, value]);
    const lower = name.toLowerCase();
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
  }
  return { startLine, headers, rawHeaders };
}
