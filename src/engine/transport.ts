// What a session needs from a transport (polling or WebSocket), and what transports and sessions
// need from their engine. Both transports implement `Transport`; the engine implements `EngineHost`.

import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { TimerWheel } from "./heartbeat.js";
import type { PreparedPackets } from "./prepared-packets.js";
import type { Session } from "./session.js";

/**
 * The transport names of Engine.IO v4 that this server speaks.
 *
 * @example
 * ```ts
 * const transports: TransportName[] = ["websocket"]; // WebSocket only, no long-polling
 * ```
 */
export type TransportName = "polling" | "websocket";

/**
 * A session's connection to its client. Packets handed to a transport are already encoded
 * (`"4hello"`, `"2"`, raw bytes for a binary message) and go out in the order given.
 *
 * @example
 * ```ts
 * session.transport.name; // "polling" until the upgrade, then "websocket"
 * ```
 */
export interface Transport {
  readonly name: TransportName;
  /** True when a packet sent now goes out at once. */
  readonly writable: boolean;
  /** Sends one encoded text packet (type digit first). */
  sendText(packet: string, compress: boolean, callback: (() => void) | undefined): void;
  /** Sends one binary `message` packet. */
  sendBinary(data: Uint8Array, compress: boolean, callback: (() => void) | undefined): void;
  /** Sends pre-encoded `message` packets (the broadcast fast path). */
  sendPrepared(prepared: PreparedPackets): void;
  /** Delivers what is queued, then closes (polling sends a `close` packet with its next response). */
  close(): void;
  /** Closes now, dropping what is queued. */
  discard(): void;
}

/**
 * The engine settings and hooks transports and sessions read (one object per engine).
 *
 * @example
 * ```ts
 * host.wheel.schedule(timer, Date.now() + host.opts.pingInterval);
 * ```
 */
export interface EngineHost {
  readonly opts: {
    readonly pingInterval: number;
    readonly pingTimeout: number;
    readonly upgradeTimeout: number;
    readonly maxHttpBufferSize: number;
    readonly initialPacket?: string | Uint8Array | undefined;
  };
  /** Bytes from which polling responses are compressed; -1 when `httpCompression` is off. */
  readonly compressionThreshold: number;
  /** How long a closing polling session waits for the GET that carries its `close` packet. */
  readonly closeTimeout: number;
  readonly wheel: TimerWheel;
  /** The transports a session on `name` may upgrade to (the handshake's `upgrades`). */
  upgradesFor(name: TransportName): readonly TransportName[];
  /** A session reached "closed": forget it. */
  onSessionClose(session: Session): void;
  /** Lets `initial_headers` / `headers` listeners (and the `cookie` option) change a response's headers. */
  emitHeaders(headers: OutgoingHttpHeaders, req: IncomingMessage, sid: string | undefined): void;
}
