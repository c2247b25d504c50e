// The handshake details of a socket.

import { parse as parseQuery } from "node:querystring";
import type { Handshake } from "../adapters/adapter.js";
import type { Session } from "../engine/index.js";

/**
 * The auth of a CONNECT packet that carried none: one shared frozen object rather than an empty
 * one per connection; a socket's `handshake.auth` gets an object of its own (see below).
 *
 * @example
 * ```ts
 * const auth = (packet.data as Record<string, unknown> | undefined) ?? NO_AUTH;
 * ```
 */
export const NO_AUTH: Record<string, unknown> = Object.freeze({});

/**
 * The handshake of a socket connecting over `conn` with `auth`, created at `issued` (ms).
 *
 * @example
 * ```ts
 * const handshake = buildHandshake(socket.conn, { token: "abc" }, Date.now());
 * handshake.query.EIO; // "4"
 * ```
 */
export function buildHandshake(conn: Session, auth: Record<string, unknown>, issued: number): Handshake {
  const { headers, url, secure } = conn.requestDetails;
  const q = url.indexOf("?");
  return {
    headers,
    time: new Date(issued).toString(),
    address: conn.remoteAddress,
    xdomain: headers.origin !== undefined,
    secure,
    issued,
    url,
    query: q === -1 ? {} : parseQuery(url.slice(q + 1)),
    auth: auth === NO_AUTH ? {} : auth,
  };
}
