// Shared helpers for the websocket integration tests: loopback servers on port 0, bounded waits, raw TCP.
import type { EventEmitter } from "node:events";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocketServerOptions } from "../../../src/websocket/index.js";

/** Rejects if `promise` does not settle within `ms`. */
export function within<T>(promise: Promise<T>, ms = 5000, label = "operation"): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The next `event` on `emitter`, bounded in time; resolves with the listener arguments ('error' does not reject it). */
export function next<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string, ms = 5000): Promise<T> {
  return within(new Promise<T>((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args as T))), ms, `event "${event}"`);
}

/** A WebSocketServer on 127.0.0.1, port 0, once listening. */
export async function startServer(options: Omit<WebSocketServerOptions, "port"> = {}): Promise<{ wss: WebSocketServer; port: number; url: string }> {
  const wss = new WebSocketServer({ ...options, port: 0, host: "127.0.0.1" });
  await next(wss, "listening");
  const port = (wss.address() as AddressInfo).port;
  return { wss, port, url: `ws://127.0.0.1:${port}` };
}

/** Closes a server and waits for it. */
export function stopServer(wss: WebSocketServer): Promise<void> {
  return within(
    new Promise<void>((resolve) => wss.close(() => resolve())),
    10_000,
    "server close",
  );
}

/** A raw TCP connection that collects everything it receives. */
export class RawClient {
  readonly socket: net.Socket;
  received = Buffer.alloc(0);
  ended = false;
  closed: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
    });
    socket.on("end", () => {
      this.ended = true;
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect(port, "127.0.0.1");
    await next(socket, "connect");
    return new RawClient(socket);
  }

  /** Waits until `predicate(received)` holds. */
  async waitFor(predicate: (received: Buffer) => boolean, ms = 5000): Promise<void> {
    await within(
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (predicate(this.received)) resolve();
          else if (this.socket.destroyed && !predicate(this.received)) reject(new Error(`socket closed; received ${this.received.toString("latin1")}`));
          else setTimeout(check, 2);
        };
        check();
      }),
      ms,
      "raw client wait",
    );
  }

  /** Sends a handshake and waits for the response head; returns it and leaves the rest in `received`. */
  async handshake(path = "/", extra = ""): Promise<string> {
    this.socket.write(
      `GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
    );
    await this.waitFor((r) => r.includes("\r\n\r\n"));
    const end = this.received.indexOf("\r\n\r\n") + 4;
    const head = this.received.subarray(0, end).toString("latin1");
    this.received = this.received.subarray(end);
    return head;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Sends raw request text and returns the whole response (the server is expected to close). */
export async function rawExchange(port: number, request: string | Buffer): Promise<string> {
  const client = await RawClient.connect(port);
  client.socket.write(request);
  await within(client.closed, 5000, "server closing the raw connection");
  return client.received.toString("latin1");
}

/** Parses the frames of an unmasked byte stream (server to client): [opcode, payload][]. */
export function parseServerFrames(bytes: Buffer): Array<[number, Buffer]> {
  return parseServerFrameBytes(bytes).map(([first, payload]) => [first & 0x0f, payload]);
}

/**
 * Parses the frames of an unmasked byte stream (server to client) as [first header byte,
 * payload][], so a test can check FIN and RSV1 as well as the opcode.
 */
export function parseServerFrameBytes(bytes: Buffer): Array<[number, Buffer]> {
  const frames: Array<[number, Buffer]> = [];
  let i = 0;
  while (i + 2 <= bytes.length) {
    let length = bytes[i + 1]! & 0x7f;
    let at = i + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at);
      at += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at));
      at += 8;
    }
    if (at + length > bytes.length) break;
    frames.push([bytes[i]!, bytes.subarray(at, at + length)]);
    i = at + length;
  }
  return frames;
}
