import type { PerMessageDeflate } from "./permessage-deflate.js";

/** Symbols shared by websocket.ts, server.ts and client.ts; not exported from the package. */
export const kServerSide = Symbol("server-side WebSocket");
export const kAttach = Symbol("attach socket");
export const kAbortHandshake = Symbol("abort handshake");
export const kSetRequest = Symbol("set handshake request");
export const kWebSocket = Symbol("websocket");
export const kTracker = Symbol("client tracker");
export const kWasClean = Symbol("was clean");
export const kBatchWritten = Symbol("batch written");

/** The server's set of clients, told when a socket closes. */
export interface ClientTracker {
  delete(ws: object): void;
}

/** Settings a server gives each of its sockets. */
export interface ServerSideInit {
  maxPayload: number;
  maxBackpressure: number;
  closeTimeout: number;
}

/** What a finished handshake hands over to the WebSocket. */
export interface AttachInit {
  deflate: PerMessageDeflate | null;
  protocol: string;
  extensions: string;
  /**
   * Server side: the 101 response, written as the first bytes of the connection's first batch, so
   * that it and the first messages (the Engine.IO open packet) leave in one write.
   */
  response?: Buffer;
}

/** Default `maxPayload`: 100 MiB, like ws. */
export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;
/** Default `maxBackpressure`: 16 MiB. */
export const DEFAULT_MAX_BACKPRESSURE = 16 * 1024 * 1024;
/** Default `closeTimeout`: 30 s. */
export const DEFAULT_CLOSE_TIMEOUT = 30_000;
/** Default client `handshakeTimeout`: 30 s. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 30_000;
