import { randomBytes } from "node:crypto";
import http, { type ClientRequest, type IncomingMessage } from "node:http";
import https from "node:https";
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import { WebSocketError } from "./errors.js";
import { parseExtensions, isToken } from "./extension.js";
import { acceptKey } from "./handshake.js";
import { DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_MAX_PAYLOAD, kAbortHandshake, kAttach, kSetRequest } from "./internal.js";
import {
  PERMESSAGE_DEFLATE,
  type PerMessageDeflateOptions,
  PerMessageDeflate,
  type ResolvedDeflateOptions,
  acceptServerResponse,
  clientOffer,
  resolveDeflateOptions,
} from "./permessage-deflate.js";
import type { WebSocket } from "./websocket.js";

/**
 * Options of the Node client (`new WebSocket(url, protocols, options)`).
 *
 * @example
 * ```ts
 * new WebSocket("wss://example.org/ws", [], { ca: readFileSync("ca.pem"), handshakeTimeout: 5000 });
 * ```
 */
export interface ClientOptions {
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Milliseconds for the opening handshake. Default 30 000; 0 = none. */
  handshakeTimeout?: number;
  /** permessage-deflate (RFC 7692). On by default, like ws. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Largest message in bytes (after inflating). Default 100 MiB; 0 = no limit. */
  maxPayload?: number;
  /** `Origin` header. */
  origin?: string;
  /** See `WebSocketServerOptions.maxBackpressure`. Default 16 MiB. */
  maxBackpressure?: number;
  /** Milliseconds the closing handshake may take before the socket is destroyed. Default 30 000. */
  closeTimeout?: number;
  /** An HTTP(S) agent for the upgrade request. */
  agent?: http.Agent;
  /** Check the server certificate (wss). Default true. */
  rejectUnauthorized?: boolean;
  /** Trusted CA certificates (wss). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate (wss). */
  cert?: string | Buffer | Array<string | Buffer>;
  /** Client private key (wss). */
  key?: string | Buffer | Array<string | Buffer>;
  /** Passphrase of `key`. */
  passphrase?: string;
  /** TLS SNI name; default the URL host unless it is an IP address. */
  servername?: string;
}

interface RequestState {
  ws: WebSocket;
  key: string;
  protocols: string[];
  deflate: ResolvedDeflateOptions | null;
  maxPayload: number;
}

/**
 * Validates the URL and subprotocols, then sends the upgrade request (RFC 6455 §4.1). Returns
 * the normalized URL. Throws `SyntaxError` for what the browser would also refuse synchronously.
 *
 * @example
 * ```ts
 * // Called by the WebSocket constructor:
 * this.url = connectClient(this, "ws://127.0.0.1:8080", ["chat"], {});
 * ```
 */
export function connectClient(ws: WebSocket, address: string | URL, protocols: string | string[] | undefined, options: ClientOptions): string {
  let url: URL;
  try {
    url = address instanceof URL ? new URL(address.href) : new URL(address);
  } catch {
    throw new SyntaxError(`Invalid URL: ${String(address)}`);
  }
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new SyntaxError(`The URL's protocol must be one of "ws:", "wss:", "http:", or "https:"`);
  }
  if (url.hash !== "") throw new SyntaxError("The URL contains a fragment identifier");
  const list = protocols === undefined ? [] : typeof protocols === "string" ? [protocols] : protocols;
  const seen = new Set<string>();
  for (const protocol of list) {
    if (typeof protocol !== "string" || !isToken(protocol) || seen.has(protocol)) {
      throw new SyntaxError("An invalid or duplicated subprotocol was specified");
    }
    seen.add(protocol);
  }

  const secure = url.protocol === "wss:";
  const key = randomBytes(16).toString("base64");
  const pmd = options.perMessageDeflate ?? true;
  const deflate = pmd === false ? null : resolveDeflateOptions(pmd, false);
  const headers: Record<string, string> = {
    ...options.headers,
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": key,
    Connection: "Upgrade",
    Upgrade: "websocket",
  };
  if (deflate !== null) headers["Sec-WebSocket-Extensions"] = PerMessageDeflate.format(clientOffer(deflate.options));
  if (list.length > 0) headers["Sec-WebSocket-Protocol"] = list.join(",");
  if (options.origin !== undefined) headers.Origin = options.origin;

  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const requestOptions: https.RequestOptions = {
    method: "GET",
    host: hostname,
    port: url.port === "" ? (secure ? 443 : 80) : Number(url.port),
    path: url.pathname + url.search,
    headers,
  };
  if (url.username !== "" || url.password !== "") {
    requestOptions.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  }
  if (options.agent !== undefined) requestOptions.agent = options.agent;
  else requestOptions.createConnection = (secure ? tlsConnect : netConnect) as unknown as https.RequestOptions["createConnection"];
  if (secure) {
    requestOptions.rejectUnauthorized = options.rejectUnauthorized ?? true;
    if (options.ca !== undefined) requestOptions.ca = options.ca;
    if (options.cert !== undefined) requestOptions.cert = options.cert;
    if (options.key !== undefined) requestOptions.key = options.key;
    if (options.passphrase !== undefined) requestOptions.passphrase = options.passphrase;
    if (options.servername !== undefined) requestOptions.servername = options.servername;
  }

  const req = secure ? https.request(requestOptions) : http.request(requestOptions);
  ws[kSetRequest](req);
  const state: RequestState = { ws, key, protocols: list, deflate, maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD };
  const timeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
  if (timeout > 0) {
    req.setTimeout(timeout, () => {
      ws[kAbortHandshake](new WebSocketError("WS_ERR_HANDSHAKE_TIMEOUT", "Opening handshake has timed out"));
    });
  }
  req.on("error", (error: Error) => {
    ws[kAbortHandshake](error);
  });
  req.on("response", (res: IncomingMessage) => {
    if (ws.readyState !== ws.CONNECTING) return;
    if (ws.listenerCount("unexpected-response") > 0) {
      ws.emit("unexpected-response", req, res);
      return;
    }
    res.resume();
    ws[kAbortHandshake](new WebSocketError("WS_ERR_UNEXPECTED_RESPONSE", `Unexpected server response: ${res.statusCode}`));
  });
  req.on("upgrade", (res: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(state, req, res, socket, head);
  });
  req.end();
  return url.href;
}

function onUpgrade(state: RequestState, req: ClientRequest, res: IncomingMessage, socket: Duplex, head: Buffer): void {
  const { ws } = state;
  ws.emit("upgrade", res);
  // A listener may have closed it already.
  if (ws.readyState !== ws.CONNECTING) {
    socket.destroy();
    return;
  }
  const fail = (message: string): void => {
    socket.destroy();
    ws[kAbortHandshake](new WebSocketError("WS_ERR_HANDSHAKE", message));
  };
  if (res.headers.upgrade?.toLowerCase() !== "websocket") return fail("Invalid Upgrade header");
  if (res.headers["sec-websocket-accept"] !== acceptKey(state.key)) return fail("Invalid Sec-WebSocket-Accept header");

  const serverProtocol = res.headers["sec-websocket-protocol"];
  let protocol = "";
  if (serverProtocol !== undefined) {
    if (state.protocols.length === 0) return fail("Server sent a subprotocol but none was requested");
    if (!state.protocols.includes(serverProtocol)) return fail("Server sent an invalid subprotocol");
    protocol = serverProtocol;
  } else if (state.protocols.length > 0) {
    return fail("Server sent no subprotocol");
  }

  const extensionHeader = res.headers["sec-websocket-extensions"];
  let deflate: PerMessageDeflate | null = null;
  let extensions = "";
  if (extensionHeader !== undefined) {
    if (state.deflate === null) return fail("Server sent a Sec-WebSocket-Extensions header but no extension was requested");
    let offers;
    try {
      offers = parseExtensions(extensionHeader);
    } catch {
      return fail("Invalid Sec-WebSocket-Extensions header");
    }
    const accepted = offers.get(PERMESSAGE_DEFLATE);
    if (offers.size !== 1 || accepted === undefined || accepted.length !== 1) {
      return fail("Server indicated an extension that was not requested");
    }
    try {
      const params = acceptServerResponse(accepted[0]!, state.deflate.options);
      deflate = new PerMessageDeflate(state.deflate, params, false, state.maxPayload);
    } catch (error) {
      return fail((error as Error).message);
    }
    extensions = extensionHeader;
  }
  req.removeAllListeners("timeout");
  ws[kAttach](socket, head, { deflate, protocol, extensions });
  ws.emit("open");
}

function netConnect(options: net.NetConnectOpts & { path?: string | null }): net.Socket {
  // The request path must not be taken for an IPC socket path.
  return net.connect({ ...options, path: undefined } as net.NetConnectOpts);
}

function tlsConnect(options: tls.ConnectionOptions & { path?: string | null; host?: string }): tls.TLSSocket {
  const servername = options.servername ?? (options.host !== undefined && net.isIP(options.host) === 0 ? options.host : undefined);
  const tlsOptions: tls.ConnectionOptions = { ...options, path: undefined } as tls.ConnectionOptions;
  if (servername !== undefined) tlsOptions.servername = servername;
  return tls.connect(tlsOptions);
}
