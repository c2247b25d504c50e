/**
 * The client side of a hand-written opening handshake (RFC 6455 §4.1), for testing a server:
 * build any upgrade request, send it, read the response, and on 101 keep the connection as a
 * `RawPeer`.
 */
import net from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { AssertionError } from "node:assert";
import { RawPeer } from "./raw-peer.js";
import { parseHead, readBody, readHead } from "./http-head.js";
import { DEFAULT_TIMEOUT_MS } from "./wait.js";

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
