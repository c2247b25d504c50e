/**
 * A hand-written WebSocket server for testing a client: it reads the client's upgrade request
 * and answers it (validly or not) by hand; an accepted connection becomes a `RawPeer`.
 */
import net from "node:net";
import { AssertionError } from "node:assert";
import { RawPeer } from "./raw-peer.js";
import { computeAccept } from "./raw-client.js";
import { parseHead, readHead } from "./http-head.js";
import { DEFAULT_TIMEOUT_MS } from "./wait.js";

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
