import { hash } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { type ExtensionOffers, isTokenChar, parseExtensions } from "./extension.js";
import { WEBSOCKET_GUID } from "./frame.js";

/**
 * `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key` (RFC 6455 §4.2.2 step 5.4).
 *
 * @example
 * ```ts
 * acceptKey("dGhlIHNhbXBsZSBub25jZQ=="); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
 * ```
 */
export function acceptKey(key: string): string {
  // One-shot: no Hash object per handshake (about a third of createHash's cost).
  return hash("sha1", key + WEBSOCKET_GUID, "base64");
}

/**
 * The head of a plain HTTP/1.1 response written straight on a socket (a refused or answered
 * upgrade): the status line, one line per header value (arrays give one line each, `undefined` none)
 * and the blank line.
 *
 * @example
 * ```ts
 * responseHead(426, "Upgrade Required", { "Sec-WebSocket-Version": "13" });
 * // "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n\r\n"
 * ```
 */
export function responseHead(status: number, reason: string, headers: OutgoingHttpHeaders): string {
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) head += `${name}: ${String(v)}\r\n`;
  }
  return head + "\r\n";
}

/** Base64 of exactly 16 bytes: 22 significant characters and "==" (RFC 6455 §4.1). */
const KEY_PATTERN = /^[+/0-9A-Za-z]{21}[AQgw]==$/;

/**
 * Whether a `Sec-WebSocket-Key` is the base64 encoding of exactly 16 bytes.
 *
 * @example
 * ```ts
 * isValidKey("dGhlIHNhbXBsZSBub25jZQ=="); // true
 * ```
 */
export function isValidKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/**
 * Splits a comma-separated list of tokens (a `Sec-WebSocket-Protocol` header) in one linear pass.
 * Spaces and tabs around elements are ignored; an empty element, a non-token character or a
 * duplicate throws a `SyntaxError`.
 *
 * @example
 * ```ts
 * parseProtocols("chat, superchat"); // Set { "chat", "superchat" }
 * ```
 */
export function parseProtocols(header: string): Set<string> {
  const protocols = new Set<string>();
  for (const element of header.split(",")) {
    let start = 0;
    let end = element.length;
    while (start < end && isSpace(element.charCodeAt(start))) start++;
    while (end > start && isSpace(element.charCodeAt(end - 1))) end--;
    if (start === end) throw new SyntaxError("Empty subprotocol in the list");
    for (let i = start; i < end; i++) {
      if (!isTokenChar(element.charCodeAt(i))) throw new SyntaxError(`Invalid character in subprotocol "${element.slice(start, end)}"`);
    }
    const protocol = start === 0 && end === element.length ? element : element.slice(start, end);
    if (protocols.has(protocol)) throw new SyntaxError(`The "${protocol}" subprotocol is duplicated`);
    protocols.add(protocol);
  }
  return protocols;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** A handshake the server accepts, with what it parsed. */
export interface ValidHandshake {
  ok: true;
  key: string;
  protocols: Set<string>;
  extensions: ExtensionOffers | null;
}

/** A handshake the server refuses, with the HTTP answer. */
export interface RefusedHandshake {
  ok: false;
  status: number;
  message: string;
  headers?: Record<string, string>;
}

function hasToken(list: string, token: string): boolean {
  for (const part of list.split(",")) if (part.trim().toLowerCase() === token) return true;
  return false;
}

/**
 * Checks an upgrade request against RFC 6455 §4.2.1 (anything wrong is a 400): GET, HTTP/1.1 or later, `Upgrade: websocket`,
 * `Connection` containing `upgrade`, a 16-byte base64 key, version 13 (other versions get 426 with
 * `Sec-WebSocket-Version: 13`), and well-formed subprotocol and extension lists. Linear in the
 * header sizes.
 *
 * @example
 * ```ts
 * const result = validateUpgradeRequest(req);
 * if (!result.ok) refuse(socket, result.status, result.message, result.headers);
 * ```
 */
export function validateUpgradeRequest(req: IncomingMessage): ValidHandshake | RefusedHandshake {
  if (req.method !== "GET") return { ok: false, status: 400, message: "Invalid HTTP method" };
  if (req.httpVersionMajor < 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor < 1)) {
    return { ok: false, status: 400, message: "HTTP/1.1 or later is required" };
  }
  const upgrade = req.headers.upgrade;
  if (upgrade === undefined || !hasToken(upgrade, "websocket")) return { ok: false, status: 400, message: "Invalid Upgrade header" };
  const connection = req.headers.connection;
  if (connection === undefined || !hasToken(connection, "upgrade")) return { ok: false, status: 400, message: "Invalid Connection header" };
  const key = req.headers["sec-websocket-key"];
  if (key === undefined || !isValidKey(key.trim())) return { ok: false, status: 400, message: "Missing or invalid Sec-WebSocket-Key header" };
  const version = req.headers["sec-websocket-version"];
  if (version === undefined) return { ok: false, status: 400, message: "Missing Sec-WebSocket-Version header" };
  if (version.trim() !== "13") {
    // RFC 6455 §4.4: tell the client which version we speak.
    return { ok: false, status: 426, message: "Unsupported WebSocket version", headers: { "Sec-WebSocket-Version": "13" } };
  }
  let protocols = new Set<string>();
  const protocolHeader = req.headers["sec-websocket-protocol"];
  if (protocolHeader !== undefined) {
    try {
      protocols = parseProtocols(protocolHeader);
    } catch {
      return { ok: false, status: 400, message: "Invalid Sec-WebSocket-Protocol header" };
    }
  }
  let extensions: ExtensionOffers | null = null;
  const extensionHeader = req.headers["sec-websocket-extensions"];
  if (extensionHeader !== undefined) {
    try {
      extensions = parseExtensions(extensionHeader);
    } catch {
      return { ok: false, status: 400, message: "Invalid Sec-WebSocket-Extensions header" };
    }
  }
  return { ok: true, key: key.trim(), protocols, extensions };
}
