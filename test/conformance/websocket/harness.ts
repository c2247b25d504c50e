/**
 * Runs one conformance case in both roles:
 * - "server": the implementation's WebSocketServer (an echo server) against a raw TCP client
 *   that sends hand-built masked frames;
 * - "client": the implementation's WebSocket client (echoing too) against a raw TCP server that
 *   answers the handshake by hand and sends unmasked frames.
 * A case talks only to `session.peer`, so the same body checks both roles; the peer enforces the
 * masking rule on everything it reads.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connectRawClient } from "../../helpers/raw-client.js";
import type { UpgradeRequestOptions } from "../../helpers/raw-client.js";
import type { RawPeer } from "../../helpers/raw-peer.js";
import { RawServer } from "../../helpers/raw-server.js";
import { Opcode, closePayload, describeFrame } from "../../helpers/frame.js";
import { DEFAULT_TIMEOUT_MS, withTimeout } from "../../helpers/wait.js";
import { IMPL, WebSocket, closeServer, listenServer } from "../../helpers/websocket-impl.js";
import type { WebSocketLike, WebSocketServerLike } from "../../helpers/websocket-impl.js";

export type Role = "server" | "client";
export const ROLES: readonly Role[] = ["server", "client"];

/** What the implementation's socket reported when it closed. */
export interface CloseEvent {
  code: number;
  reason: Buffer;
}

/** One open connection between the implementation under test and a raw peer. */
export interface Session {
  role: Role;
  /** The raw side: sends frames, reads what the implementation sent. */
  peer: RawPeer;
  /** The implementation's socket for this connection (server side or client). */
  ws: WebSocketLike;
  /** Errors the implementation's socket emitted. */
  errors: Error[];
  /** Messages the implementation's socket delivered, in order. */
  messages: { data: Buffer; isBinary: boolean }[];
  /** Settles when the implementation's socket emits `close`. */
  closed: Promise<CloseEvent>;
}

/** How to open a session: handshake details per role. */
export interface OpenOptions {
  /** Role "server": the raw client's request. */
  request?: UpgradeRequestOptions;
  /** Role "client": options for `new WebSocket`, and the raw server's 101 extras. */
  clientOptions?: Record<string, unknown>;
  protocols?: string | string[];
  response?: { extensions?: string; protocol?: string };
  /** Do not echo messages back (the default echoes every message). */
  noEcho?: boolean;
}

/**
 * One echo WebSocketServer and one raw server per test file; opens sessions in either role.
 *
 * @example
 * const h = await Harness.start({ maxPayload: 1 << 20 });
 * after(() => h.close());
 * bothRoles(h, "1.1.1 empty text", async ({ peer }) => { ... });
 */
export class Harness {
  readonly wss: WebSocketServerLike;
  readonly port: number;
  readonly raw: RawServer;
  #noEcho = false;
  #connections: WebSocketLike[] = [];
  #wakeConnection: (() => void) | undefined;
  #clients = new Set<WebSocketLike>();
  #peers = new Set<RawPeer>();

  private constructor(wss: WebSocketServerLike, port: number, raw: RawServer) {
    this.wss = wss;
    this.port = port;
    this.raw = raw;
    wss.on("connection", (ws: WebSocketLike) => {
      // Every server-side socket echoes (unless a session asked otherwise) and swallows its
      // errors; sessions opened through `open` also record what happened.
      ws.on("error", ignoreError);
      if (!this.#noEcho) ws.on("message", echoOnMessage);
      this.#connections.push(ws);
      const wake = this.#wakeConnection;
      this.#wakeConnection = undefined;
      wake?.();
    });
  }

  /** Starts the echo server (with `serverOptions`) and the raw server. */
  static async start(serverOptions: Record<string, unknown> = {}): Promise<Harness> {
    const { wss, port } = await listenServer(serverOptions);
    const raw = await RawServer.listen();
    return new Harness(wss, port, raw);
  }

  /** Opens one session in `role`. */
  async open(role: Role, opts: OpenOptions = {}): Promise<Session> {
    return role === "server" ? this.#openServer(opts) : this.#openClient(opts);
  }

  async #openServer(opts: OpenOptions): Promise<Session> {
    this.#noEcho = opts.noEcho === true;
    this.#connections.length = 0;
    const peer = await connectRawClient(this.port, opts.request ?? {});
    this.#peers.add(peer);
    const ws = await this.#nextConnection();
    this.#noEcho = false;
    return watch("server", peer, ws, false);
  }

  async #openClient(opts: OpenOptions): Promise<Session> {
    const ws = new WebSocket(this.raw.url(), opts.protocols ?? [], opts.clientOptions ?? {});
    this.#clients.add(ws);
    const errors: Error[] = [];
    ws.on("error", (err: Error) => errors.push(err));
    const opened = new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("close", (code: number) => reject(new Error(`client closed (${code}) before open: ${errors.map((e) => e.message).join("; ")}`)));
    });
    const upgrade = await this.raw.nextUpgrade();
    const peer = upgrade.accept(opts.response ?? {});
    this.#peers.add(peer);
    await withTimeout(opened, DEFAULT_TIMEOUT_MS, "client open");
    const session = watch("client", peer, ws, opts.noEcho !== true, errors);
    return session;
  }

  async #nextConnection(): Promise<WebSocketLike> {
    const deadline = Date.now() + DEFAULT_TIMEOUT_MS;
    for (;;) {
      const ws = this.#connections.shift();
      if (ws !== undefined) return ws;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("the server did not emit 'connection'");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wakeConnection = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Destroys one session's sockets. */
  dispose(session: Session): void {
    session.peer.destroy();
    session.ws.terminate();
    this.#peers.delete(session.peer);
    this.#clients.delete(session.ws);
  }

  /** Closes everything the harness opened. */
  async close(): Promise<void> {
    for (const peer of this.#peers) peer.destroy();
    for (const ws of this.#clients) ws.terminate();
    await closeServer(this.wss);
    await this.raw.close();
  }
}

function ignoreError(): void {}

function echoOnMessage(this: WebSocketLike, data: Buffer, isBinary: boolean): void {
  if (this.readyState === 1) this.send(data, { binary: isBinary });
}

function watch(role: Role, peer: RawPeer, ws: WebSocketLike, echo: boolean, errors: Error[] = []): Session {
  const messages: { data: Buffer; isBinary: boolean }[] = [];
  if (role === "server") ws.on("error", (err: Error) => errors.push(err));
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    messages.push({ data, isBinary });
  });
  if (echo) ws.on("message", echoOnMessage);
  const closed = new Promise<CloseEvent>((resolve) => {
    ws.once("close", (code: number, reason: Buffer) => resolve({ code, reason }));
  });
  return { role, peer, ws, errors, messages, closed };
}

/**
 * Registers `body` as one test per role (named `<name> [server]` and `<name> [client]`), each on
 * a fresh session that is disposed afterwards.
 *
 * @example
 * bothRoles(h, "2.2 ping with payload gets a pong", async ({ peer }) => {
 *   peer.send({ opcode: Opcode.PING, payload: "x" });
 *   assert.equal((await peer.nextFrame()).opcode, Opcode.PONG);
 * });
 */
export function bothRoles(h: Harness, name: string, body: (s: Session) => Promise<void>, opts: OpenOptions & { roles?: readonly Role[] } = {}): void {
  for (const role of opts.roles ?? ROLES) {
    test(`${name} [${role}]`, async () => {
      const session = await h.open(role, opts);
      try {
        await body(session);
      } finally {
        h.dispose(session);
      }
    });
  }
}

/**
 * Asserts that the next data message is `opcode` with exactly `payload`.
 *
 * @example
 * await expectEcho(peer, Opcode.TEXT, "hello");
 */
export async function expectEcho(peer: RawPeer, opcode: number, payload: Buffer | string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const msg = await peer.nextMessage(timeoutMs);
  assert.equal(msg.opcode, opcode, `opcode of ${msg.frames.map(describeFrame).join(", ")}`);
  const expected = typeof payload === "string" ? Buffer.from(payload) : payload;
  assert.equal(msg.payload.length, expected.length, "echoed payload length");
  assert.ok(msg.payload.equals(expected), "echoed payload bytes");
  for (const frame of msg.frames) assert.equal(frame.rsv1 || frame.rsv2 || frame.rsv3, false, "no RSV bit without an extension");
}

/**
 * Asserts that the implementation fails the connection with close `code` (RFC 6455 §7.1.7):
 * the next frame(s) end in a close frame with that code and nothing of `forbidden` before it.
 * Then answers the close like a well-behaved peer and checks the TCP connection goes away.
 *
 * @example
 * peer.send({ opcode: 0x3 });
 * await expectFailure(session, 1002);
 */
export async function expectFailure(session: Session, code: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const { peer } = session;
  const close = await peer.nextClose(timeoutMs);
  assert.equal(close.code, code, `close code (frames before: ${close.before.map(describeFrame).join(", ") || "none"})`);
  assert.ok(close.frame.fin, "close frame has FIN");
  await finishClose(session, code);
}

/**
 * After the implementation sent its close frame: reply with a close frame (`replyCode`), then
 * require the TCP connection to end: the server must close it (RFC 6455 §7.1.1); with a client
 * under test, the raw server ends it and the client must follow.
 */
export async function finishClose(session: Session, replyCode: number | undefined): Promise<void> {
  const { peer, role } = session;
  peer.send({ opcode: Opcode.CLOSE, payload: closePayload(replyCode) });
  if (role === "server") {
    await peer.waitForEnd();
  } else {
    peer.end();
    await peer.waitForClosed();
  }
  await withTimeout(session.closed, DEFAULT_TIMEOUT_MS, "the implementation's close event");
}

/** The implementation under test, for test names. */
export const IMPL_NAME = IMPL;
