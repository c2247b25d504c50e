import type { ClientRequest } from "node:http";
import type { Duplex } from "node:stream";
import type { ClientOptions } from "./client.js";
import { connectClient } from "./client.js";
import { WebSocketError } from "./errors.js";
import { EMPTY_BUFFER, MAX_CONTROL_PAYLOAD, OPCODE_PING, OPCODE_PONG } from "./frame.js";
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_MAX_BACKPRESSURE,
  DEFAULT_MAX_PAYLOAD,
  type AttachInit,
  type ClientTracker,
  type ServerSideInit,
  kAbortHandshake,
  kAttach,
  kServerSide,
  kSetRequest,
  kTracker,
  kWasClean,
  kBatchWritten,
  kWebSocket,
} from "./internal.js";
import { PreparedMessage, type SendData, toBuffer } from "./prepared-message.js";
import { Receiver, type ReceiverHandler } from "./receiver.js";
import { type SendCallback, Sender } from "./sender.js";
import { deferListenerTable } from "./lazy-listeners.js";
import { isValidCloseCode } from "./validation.js";
import { WebSocketEventTarget } from "./websocket-events.js";

/**
 * The fast path for layers built on top (the engine): one object whose methods are called
 * directly, instead of EventEmitter hops. Methods run with `this` = the handler. The EventEmitter
 * events are still emitted when they have listeners.
 *
 * @example
 * ```ts
 * class Transport implements WebSocketHandler {
 *   onMessage(data: Buffer, isBinary: boolean) { ... }
 *   onClose(code: number, reason: Buffer) { ... }
 * }
 * ws.setHandler(new Transport());
 * ```
 */
export interface WebSocketHandler {
  /** A whole message (fragments joined, inflated); text is already UTF-8 validated, still a Buffer. */
  onMessage(data: Buffer, isBinary: boolean): void;
  /** Once, when the connection is fully closed (1006 when no close frame was received). */
  onClose(code: number, reason: Buffer): void;
  /** At most once: a protocol violation, a limit (see `WebSocketError.code`) or a handshake failure. */
  onError?(error: WebSocketError | Error): void;
  /** `bufferedAmount` went back to 0 after writes were queued. */
  onDrain?(): void;
}

/**
 * What `message` listeners get: a Buffer for text, and for binary what `binaryType` asks for
 * (Buffer by default; `fragments` gives a one-element array, as fragments are joined on arrival).
 *
 * @example
 * ```ts
 * ws.on("message", (data: RawData, isBinary) => console.log(isBinary, (data as Buffer).length));
 * ```
 */
export type RawData = Buffer | ArrayBuffer | Buffer[] | Blob;

/**
 * `binaryType` values: how binary messages are given to `message` listeners.
 *
 * @example
 * ```ts
 * ws.binaryType = "arraybuffer";
 * ```
 */
export type BinaryType = "nodebuffer" | "arraybuffer" | "fragments" | "blob";

/**
 * Options of `send()`.
 *
 * @example
 * ```ts
 * ws.send(part1, { fin: false });
 * ws.send(part2, { fin: true, compress: false });
 * ```
 */
export interface SendOptions {
  /** Send as binary (default: true for buffers, false for strings). */
  binary?: boolean;
  /** Compress with permessage-deflate when negotiated (default true; small messages are never compressed). */
  compress?: boolean;
  /** False sends a fragment; the message ends with the next send that has `fin: true`. */
  fin?: boolean;
  /** Mask the frame (default: true on the client, false on the server). */
  mask?: boolean;
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const STATE_NAMES = ["CONNECTING", "OPEN", "CLOSING", "CLOSED"];

/** Auto-pongs are dropped while more than this is waiting to be written (a ping flood cannot grow buffers). */
const PONG_BUFFER_LIMIT = 1024 * 1024;

/** How long a client waits for the server's TCP close after the closing handshake before closing itself. */
const CLIENT_CLOSE_GRACE = 2000;

interface Hooks {
  errorAndClose(ws: WebSocket, error: Error): void;
  message(ws: WebSocket, data: Buffer, isBinary: boolean): void;
  ping(ws: WebSocket, data: Buffer): void;
  pong(ws: WebSocket, data: Buffer): void;
  closeFrame(ws: WebSocket, code: number, reason: Buffer): void;
  protocolError(ws: WebSocket, error: WebSocketError): void;
  receiverDrain(ws: WebSocket): void;
  socketData(ws: WebSocket, chunk: Buffer): void;
  socketEnd(ws: WebSocket): void;
  socketClose(ws: WebSocket): void;
  closeTimeout(ws: WebSocket): void;
}

let hooks: Hooks;

type SocketWithOwner = Duplex & { [kWebSocket]?: WebSocket; setNoDelay?: (noDelay?: boolean) => unknown; setTimeout?: (ms: number) => unknown };

/**
 * One WebSocket connection (RFC 6455), server side or Node client, shaped like `ws`'s WebSocket
 * with the browser's `on*`/`addEventListener` surface too.
 *
 * Events: `open`, `message(data, isBinary)`, `close(code, reason: Buffer)`, `error(err)` (only
 * emitted when someone listens, at most once), `ping(data)`, `pong(data)`, `upgrade(res)`,
 * `unexpected-response(req, res)`.
 *
 * @example
 * ```ts
 * const ws = new WebSocket("ws://127.0.0.1:8080/chat", "chat.v1");
 * ws.on("open", () => ws.send("hello"));
 * ws.on("message", (data, isBinary) => console.log(isBinary ? data : data.toString()));
 * ```
 */
export class WebSocket extends WebSocketEventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;

  #readyState = CONNECTING;
  readonly #isServer: boolean;
  #url = "";
  #protocol = "";
  #extensions = "";
  #binaryType: BinaryType = "nodebuffer";
  #socket: SocketWithOwner | null = null;
  #receiver: Receiver | null = null;
  #sender: Sender | null = null;
  #deflate: AttachInit["deflate"] = null;
  #handler: WebSocketHandler | null = null;
  #request: ClientRequest | null = null;
  #maxPayload: number;
  #maxBackpressure: number;
  #closeTimeout: number;
  #closeTimer: NodeJS.Timeout | null = null;
  #closeFrameSent = false;
  #closeFrameReceived = false;
  #closeCode = 1006;
  #closeReason: Buffer = EMPTY_BUFFER;
  #errorEmitted = false;
  #closeEmitted = false;
  #socketClosed = false;
  #paused = false;
  /** @internal The server's client set, when tracking. */
  [kTracker]: ClientTracker | null = null;

  /**
   * Opens a client connection to a `ws://` or `wss://` URL (`http:`/`https:` are accepted too).
   * Throws a `SyntaxError` for an invalid URL or subprotocol list.
   */
  constructor(address: string | URL, protocols?: string | string[], options?: ClientOptions);
  /** Like ws, options may come second when no subprotocol is asked for. */
  constructor(address: string | URL, options?: ClientOptions);
  constructor(address: string | URL | typeof kServerSide, protocols?: string | string[] | ServerSideInit | ClientOptions, options?: ClientOptions) {
    super();
    if (address === kServerSide) {
      const init = protocols as ServerSideInit;
      // A server-side socket is often driven only through its handler (the engine's case).
      deferListenerTable(this);
      this.#isServer = true;
      this.#maxPayload = init.maxPayload;
      this.#maxBackpressure = init.maxBackpressure;
      this.#closeTimeout = init.closeTimeout;
      return;
    }
    this.#isServer = false;
    if (protocols !== undefined && protocols !== null && typeof protocols === "object" && !Array.isArray(protocols)) {
      options = protocols as ClientOptions;
      protocols = undefined;
    }
    const opts = options ?? {};
    this.#maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.#maxBackpressure = opts.maxBackpressure ?? DEFAULT_MAX_BACKPRESSURE;
    this.#closeTimeout = opts.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.#url = connectClient(this, address, protocols as string | string[] | undefined, opts);
  }

  get CONNECTING(): 0 {
    return CONNECTING;
  }
  get OPEN(): 1 {
    return OPEN;
  }
  get CLOSING(): 2 {
    return CLOSING;
  }
  get CLOSED(): 3 {
    return CLOSED;
  }

  /** 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  get readyState(): number {
    return this.#readyState;
  }

  /** The URL connected to (client side); empty on the server side. */
  get url(): string {
    return this.#url;
  }

  /** The subprotocol the server selected, or "". */
  get protocol(): string {
    return this.#protocol;
  }

  /** The negotiated `Sec-WebSocket-Extensions` value, or "". */
  get extensions(): string {
    return this.#extensions;
  }

  /** How binary messages reach `message` listeners (the handler always gets Buffers). */
  get binaryType(): BinaryType {
    return this.#binaryType;
  }
  set binaryType(type: BinaryType) {
    if (type === "nodebuffer" || type === "arraybuffer" || type === "fragments" || type === "blob") this.#binaryType = type;
  }

  /** Bytes accepted by `send()` and not handed to the kernel yet (including the socket's own buffer). */
  get bufferedAmount(): number {
    return this.#sender === null ? 0 : this.#sender.bufferedAmount;
  }

  /** Whether `pause()` is in effect. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /** Stops reading from the socket and delivering messages until `resume()`. */
  pause(): void {
    if (this.#readyState === CONNECTING || this.#readyState === CLOSED) return;
    this.#paused = true;
    this.#socket!.pause();
    this.#receiver!.pause();
  }

  /** Undoes `pause()`; buffered messages are delivered from the next tick. */
  resume(): void {
    if (this.#readyState === CONNECTING || this.#readyState === CLOSED || !this.#paused) return;
    this.#paused = false;
    this.#receiver!.resume();
    this.#socket!.resume();
  }

  /**
   * Installs the fast-path handler (or removes it with null). Its methods are called with
   * `this` = the handler.
   */
  setHandler(handler: WebSocketHandler | null): void {
    this.#handler = handler;
    this.#syncDrainCallback();
  }

  /**
   * Builds one unmasked frame to write as is to many server-side sockets with `sendPrepared`.
   * Strings are text unless `binary: true`; buffers are binary unless `binary: false`.
   *
   * @example
   * ```ts
   * const message = WebSocket.prepare(JSON.stringify(update));
   * for (const client of wss.clients) client.sendPrepared(message);
   * ```
   */
  static prepare(data: SendData, options?: { binary?: boolean }): PreparedMessage {
    return new PreparedMessage(data, options?.binary);
  }

  /**
   * Sends a message. Strings go as text, buffers as binary unless `binary: false`. Throws while
   * CONNECTING (like the browser); when CLOSING/CLOSED the callback gets an error.
   */
  send(data: SendData | number, options?: SendOptions | SendCallback, cb?: SendCallback): void {
    if (typeof options === "function") {
      cb = options;
      options = undefined;
    }
    if (this.#readyState === CONNECTING) throw notOpenSync(this.#readyState);
    if (typeof data === "number") data = String(data);
    const payload = typeof data === "string" ? data : toBuffer(data);
    if (this.#readyState !== OPEN) {
      sendAfterClose(this.#readyState, cb);
      return;
    }
    // A string's length stands in for its byte length: close enough for a limit, and free.
    if (!this.#checkBackpressure(payload.length, cb)) return;
    const binary = options?.binary ?? typeof payload !== "string";
    const mask = options?.mask ?? !this.#isServer;
    this.#sender!.sendData(payload, binary, options?.fin ?? true, options?.compress ?? true, mask, cb);
  }

  /**
   * Writes a prepared frame (no copy, no re-encode, uncompressed). On a client-side socket, which
   * must mask, it falls back to a normal send of the same payload.
   */
  sendPrepared(message: PreparedMessage, cb?: SendCallback): void {
    if (this.#readyState === CONNECTING) throw notOpenSync(this.#readyState);
    if (this.#readyState !== OPEN) {
      sendAfterClose(this.#readyState, cb);
      return;
    }
    if (!this.#isServer) {
      this.send(message.payload, { binary: message.binary, compress: false }, cb);
      return;
    }
    if (!this.#checkBackpressure(message.frame.length, cb)) return;
    this.#sender!.sendFrame(message.frame, cb);
  }

  /** Sends a ping (at most 125 bytes, else RangeError). */
  ping(data?: SendData | number, mask?: boolean, cb?: SendCallback): void {
    this.#control(OPCODE_PING, data, mask, cb);
  }

  /** Sends an unsolicited pong (at most 125 bytes, else RangeError). */
  pong(data?: SendData | number, mask?: boolean, cb?: SendCallback): void {
    this.#control(OPCODE_PONG, data, mask, cb);
  }

  #control(opcode: number, data: SendData | number | undefined, mask: boolean | undefined, cb: SendCallback | undefined): void {
    if (this.#readyState === CONNECTING) throw notOpenSync(this.#readyState);
    const payload = data === undefined ? EMPTY_BUFFER : typeof data === "number" ? Buffer.from(String(data)) : typeof data === "string" ? Buffer.from(data) : toBuffer(data);
    if (payload.length > MAX_CONTROL_PAYLOAD) throw new RangeError("The data size must not be greater than 125 bytes");
    if (this.#readyState !== OPEN) {
      sendAfterClose(this.#readyState, cb);
      return;
    }
    this.#sender!.sendControl(opcode, payload, mask ?? !this.#isServer, cb);
  }

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2). `code` must be 1000, 1001-1003, 1007-1014 or
   * 3000-4999 (else TypeError); `reason` at most 123 bytes (else RangeError). If the peer does not
   * answer within `closeTimeout`, the socket is destroyed.
   */
  close(code?: number, reason?: string | Buffer): void {
    if (code !== undefined && (typeof code !== "number" || !isValidCloseCode(code))) {
      throw new TypeError("First argument must be a valid close code number");
    }
    const reasonBuf = reason === undefined ? EMPTY_BUFFER : typeof reason === "string" ? Buffer.from(reason) : reason;
    if (reasonBuf.length > 123) throw new RangeError("The close reason must not be greater than 123 bytes");
    if (this.#readyState === CLOSED) return;
    if (this.#readyState === CONNECTING) {
      this[kAbortHandshake](new WebSocketError("WS_ERR_CLOSED_BEFORE_OPEN", "WebSocket was closed before the connection was established"));
      return;
    }
    // The WHATWG rule: a reason without a code is sent with 1000.
    this.#startClose(code === undefined && reasonBuf.length > 0 ? 1000 : code, reasonBuf);
  }

  /** Destroys the socket at once (close code 1006). */
  terminate(): void {
    if (this.#readyState === CLOSED) return;
    if (this.#readyState === CONNECTING) {
      this[kAbortHandshake](new WebSocketError("WS_ERR_CLOSED_BEFORE_OPEN", "WebSocket was closed before the connection was established"));
      return;
    }
    this.#readyState = CLOSING;
    this.#receiver!.stop();
    // What was sent this tick (the 101 response, on a socket ended in its connection handler) still goes.
    this.#sender!.flushNow();
    this.#socket!.destroy();
  }

  #startClose(code: number | undefined, reason: Buffer): void {
    if (this.#closeFrameSent) {
      if (this.#closeFrameReceived) this.#handshakeDone();
      return;
    }
    this.#readyState = CLOSING;
    this.#closeFrameSent = true;
    // The peer's close frame must be read to finish the handshake: closing ends a pause.
    if (this.#paused) {
      this.#paused = false;
      this.#receiver!.resume();
      this.#socket!.resume();
    }
    this.#sender!.sendClose(code, reason, !this.#isServer, undefined);
    if (this.#closeFrameReceived) this.#handshakeDone();
    else this.#armCloseTimer(this.#closeTimeout);
  }

  /**
   * Both close frames went by. RFC 6455 §7.1.1: the server closes TCP first; the client waits
   * for that a short while, then closes itself.
   */
  #handshakeDone(): void {
    if (this.#isServer) {
      this.#socket!.end();
      this.#armCloseTimer(this.#closeTimeout);
    } else {
      this.#armCloseTimer(Math.min(this.#closeTimeout, CLIENT_CLOSE_GRACE));
    }
  }

  /** (Re)arms the timer that destroys the socket if the closing does not finish in `ms`. */
  #armCloseTimer(ms: number): void {
    if (this.#socketClosed) return;
    if (this.#closeTimer !== null) clearTimeout(this.#closeTimer);
    this.#closeTimer = setTimeout(closeTimerFired, ms, this);
    this.#closeTimer.unref?.();
  }

  /** Fails the connection: the error is reported once, a close frame with its code is sent if possible, then TCP is closed. */
  #fail(error: WebSocketError): void {
    this.#receiver?.stop();
    const socket = this.#socket;
    if (socket !== null && !this.#socketClosed) {
      if (!this.#closeFrameSent && error.closeCode !== 1006 && !socket.destroyed) {
        this.#closeFrameSent = true;
        this.#sender!.sendClose(error.closeCode, EMPTY_BUFFER, !this.#isServer, undefined);
      }
      this.#readyState = CLOSING;
      if (error.closeCode === 1006) socket.destroy();
      else {
        // Input is discarded from now on; reading on lets the peer's FIN arrive.
        socket.resume();
        socket.end();
        this.#armCloseTimer(this.#closeTimeout);
      }
    }
    this.#emitError(error);
  }

  #emitError(error: WebSocketError | Error): void {
    if (this.#errorEmitted) return;
    this.#errorEmitted = true;
    const handler = this.#handler;
    if (handler !== null && handler.onError !== undefined) handler.onError(error);
    if (this.listenerCount("error") > 0) this.emit("error", error);
  }

  #checkBackpressure(size: number, cb: SendCallback | undefined): boolean {
    const limit = this.#maxBackpressure;
    if (limit <= 0) return true;
    const buffered = this.#sender!.bufferedAmount;
    // A single message may always go out on an idle socket; piling up behind a slow peer may not.
    if (buffered === 0 || buffered + size <= limit) return true;
    const error = new WebSocketError("WS_ERR_BACKPRESSURE", `More than ${limit} bytes buffered for a slow peer`, 1006);
    if (cb !== undefined) process.nextTick(cb, error);
    this.#fail(error);
    return false;
  }

  #syncDrainCallback(): void {
    const sender = this.#sender;
    if (sender === null) return;
    sender.setDrainTarget(this.#handler !== null && this.#handler.onDrain !== undefined ? this : null);
  }

  /** @internal The sender's batch left the socket's buffer. */
  [kBatchWritten](error: Error | null | undefined): void {
    if (error != null || this.#readyState !== OPEN || this.#sender!.bufferedAmount !== 0) return;
    const handler = this.#handler;
    if (handler !== null && handler.onDrain !== undefined) handler.onDrain();
  }

  #emitClose(): void {
    if (this.#closeEmitted) return;
    this.#closeEmitted = true;
    this.#readyState = CLOSED;
    if (this.#closeTimer !== null) {
      clearTimeout(this.#closeTimer);
      this.#closeTimer = null;
    }
    this.#sender?.abort(closedError);
    this.#deflate?.close();
    const code = this.#closeCode;
    const reason = this.#closeReason;
    this[kTracker]?.delete(this);
    const handler = this.#handler;
    if (handler !== null) handler.onClose(code, reason);
    this.emit("close", code, reason);
  }

  // ---- handshake glue (server.ts / client.ts) ----

  /** @internal Takes over the upgraded socket; `head` is data that arrived with the handshake. */
  [kAttach](socket: Duplex, head: Buffer, init: AttachInit): void {
    const owned = socket as SocketWithOwner;
    owned[kWebSocket] = this;
    this.#socket = owned;
    this.#deflate = init.deflate;
    this.#protocol = init.protocol;
    this.#extensions = init.extensions;
    this.#receiver = new Receiver(
      { isServer: this.#isServer, maxPayload: this.#maxPayload, perMessageDeflate: init.deflate },
      new ReceiverSink(this),
    );
    this.#sender = new Sender(socket, init.deflate);
    if (init.response !== undefined) this.#sender.sendPreamble(init.response);
    this.#syncDrainCallback();
    this.#request = null;
    owned.setTimeout?.(0);
    owned.setNoDelay?.(true);
    if (head.length > 0) socket.unshift(head);
    socket.on("close", socketOnClose);
    socket.on("data", socketOnData);
    socket.on("end", socketOnEnd);
    socket.on("error", socketOnError);
    this.#readyState = OPEN;
  }

  /** @internal The client's pending handshake request (aborted by close/terminate while CONNECTING). */
  [kSetRequest](request: ClientRequest | null): void {
    this.#request = request;
  }

  /** @internal Fails the opening handshake: error then close(1006), on the next tick. */
  [kAbortHandshake](error: Error): void {
    if (this.#readyState !== CONNECTING) return;
    this.#readyState = CLOSING;
    const request = this.#request;
    this.#request = null;
    if (request !== null) request.destroy();
    if (this.#socket !== null) this.#socket.destroy();
    process.nextTick(emitErrorAndClose, this, error);
  }

  /** @internal Both close frames were exchanged (for CloseEvent.wasClean). */
  override [kWasClean](): boolean {
    return this.#closeFrameReceived && this.#closeFrameSent;
  }

  static {
    // Module-private hooks with access to private state, so none of this is public API.
    hooks = {
      errorAndClose(ws, error) {
        ws.#emitError(error);
        ws.#emitClose();
      },
      message(ws, data, isBinary) {
        const handler = ws.#handler;
        if (handler !== null) handler.onMessage(data, isBinary);
        if (ws.listenerCount("message") > 0) ws.emit("message", isBinary ? ws.#binaryData(data) : data, isBinary);
      },
      ping(ws, data) {
        if (ws.#readyState === OPEN && ws.#sender!.bufferedAmount < PONG_BUFFER_LIMIT) {
          ws.#sender!.sendControl(OPCODE_PONG, data, !ws.#isServer, undefined);
        }
        if (ws.listenerCount("ping") > 0) ws.emit("ping", data);
      },
      pong(ws, data) {
        if (ws.listenerCount("pong") > 0) ws.emit("pong", data);
      },
      closeFrame(ws, code, reason) {
        ws.#closeFrameReceived = true;
        ws.#closeCode = code;
        ws.#closeReason = reason;
        if (ws.#paused) ws.#socket!.resume();
        // RFC 6455 §5.5.1: echo the code (and reason); no code (1005) is echoed as an empty close frame.
        ws.#startClose(code === 1005 ? undefined : code, code === 1005 ? EMPTY_BUFFER : reason);
      },
      protocolError(ws, error) {
        ws.#fail(error);
      },
      receiverDrain(ws) {
        if (ws.#socketClosed) ws.#emitClose();
        else if (!ws.#paused) ws.#socket!.resume();
      },
      socketData(ws, chunk) {
        if (!ws.#receiver!.write(chunk)) ws.#socket!.pause();
      },
      socketEnd(ws) {
        ws.#readyState = CLOSING;
        ws.#socket!.end();
      },
      socketClose(ws) {
        ws.#socketClosed = true;
        ws.#readyState = CLOSING;
        const socket = ws.#socket!;
        socket.removeListener("data", socketOnData);
        const receiver = ws.#receiver!;
        // Whatever the socket still holds is parsed (even while paused) before 'close'.
        let chunk: Buffer | null;
        while ((chunk = socket.read() as Buffer | null) !== null) receiver.write(chunk);
        if (receiver.finish()) ws.#emitClose();
      },
      closeTimeout(ws) {
        ws.#closeTimer = null;
        ws.#socket?.destroy();
      },
    };
  }

  #binaryData(data: Buffer): unknown {
    switch (this.#binaryType) {
      case "arraybuffer":
        return data.buffer.slice(data.byteOffset, data.byteOffset + data.length);
      case "fragments":
        return [data];
      case "blob":
        return new Blob([data as unknown as BlobPart]);
      default:
        return data;
    }
  }
}

/** Forwards receiver events to the WebSocket (one small object per connection, no closures). */
class ReceiverSink implements ReceiverHandler {
  readonly #ws: WebSocket;
  constructor(ws: WebSocket) {
    this.#ws = ws;
  }
  onMessage(data: Buffer, isBinary: boolean): void {
    hooks.message(this.#ws, data, isBinary);
  }
  onPing(data: Buffer): void {
    hooks.ping(this.#ws, data);
  }
  onPong(data: Buffer): void {
    hooks.pong(this.#ws, data);
  }
  onCloseFrame(code: number, reason: Buffer): void {
    hooks.closeFrame(this.#ws, code, reason);
  }
  onError(error: WebSocketError): void {
    hooks.protocolError(this.#ws, error);
  }
  onDrain(): void {
    hooks.receiverDrain(this.#ws);
  }
}

function closedError(): WebSocketError {
  return new WebSocketError("WS_ERR_NOT_OPEN", "WebSocket is not open: readyState 3 (CLOSED)", 1006);
}

function socketOnData(this: SocketWithOwner, chunk: Buffer): void {
  hooks.socketData(this[kWebSocket]!, chunk);
}

function socketOnEnd(this: SocketWithOwner): void {
  hooks.socketEnd(this[kWebSocket]!);
}

function socketOnClose(this: SocketWithOwner): void {
  hooks.socketClose(this[kWebSocket]!);
}

function socketOnError(this: SocketWithOwner): void {
  // A reset or TLS failure: the 'close' that follows reports 1006.
  this.destroy();
}

function closeTimerFired(ws: WebSocket): void {
  hooks.closeTimeout(ws);
}

function emitErrorAndClose(ws: WebSocket, error: Error): void {
  hooks.errorAndClose(ws, error);
}

function sendAfterClose(readyState: number, cb: SendCallback | undefined): void {
  if (cb === undefined) return;
  const error = new WebSocketError("WS_ERR_NOT_OPEN", `WebSocket is not open: readyState ${readyState} (${STATE_NAMES[readyState]})`);
  process.nextTick(cb, error);
}

function notOpenSync(readyState: number): Error {
  return new Error(`WebSocket is not open: readyState ${readyState} (${STATE_NAMES[readyState]})`);
}
