// One engine session as the Socket.IO layer sees it: decodes its messages into packets, routes
// them to the namespace sockets multiplexed on it, and encodes what those sockets send.
// It is the session's handler object: the engine calls it directly, no EventEmitter hop.

import type { IncomingMessage } from "node:http";
import type { Session, SessionHandler } from "../engine/index.js";
import { Timer } from "../engine/heartbeat.js";
import type { TimerTarget } from "../engine/heartbeat.js";
import { checkDecodedPacket, PacketType, SocketPacketDecoder, SocketProtocolError } from "../protocol/index.js";
import type { SocketPacket } from "../protocol/index.js";
import type { PacketDecoder, Parser } from "../protocol/parser.js";
import type { Server } from "./server.js";
import { NO_AUTH } from "./handshake.js";
import { RESERVED_EVENTS } from "./reserved-events.js";
import type { DisconnectReason, Socket } from "./socket.js";

const COMPRESS = { compress: true } as const;
const NO_COMPRESS = { compress: false } as const;
/** The decoder of every client with no binary packet pending (see `Client#decode`). */
let sharedDecoder = new SocketPacketDecoder();
/** What a `parser` option's decoder emitted during the current `add()` (decoding is synchronous). */
let decodedNow: unknown[] = [];
function collectDecoded(packet: unknown): void {
  decodedNow.push(packet);
}
/** The sockets of a client in no namespace (shared; the array is replaced, never changed). */
const NO_SOCKETS: readonly Socket<any, any, any, any>[] = Object.freeze([]);

/**
 * The Socket.IO side of one engine session (`socket.client`): one per connection, holding one
 * socket per namespace the client joined.
 *
 * A client that breaks the protocol is closed: its sockets get `disconnect` with reason
 * `"parse error"` and the error as description, a `SocketProtocolError` whose `code` is one of
 * the decoder's (see `SocketProtocolError`) or one of these:
 *
 * | code | meaning |
 * |---|---|
 * | `SIO_ERR_RESERVED_EVENT` | an event named `connect`, `connect_error`, `disconnect`, `disconnecting`, `newListener`, `removeListener` or `error` |
 * | `SIO_ERR_UNEXPECTED_PACKET` | a CONNECT_ERROR packet (only servers send those) |
 *
 * A CONNECT for a namespace that does not exist is answered with CONNECT_ERROR
 * `{ message: "Invalid namespace" }`, and the connection stays.
 *
 * @example
 * ```ts
 * io.on("connection", (socket) => {
 *   console.log(socket.client.conn.transport.name, socket.client.conn.remoteAddress);
 * });
 * ```
 */
export class Client implements SessionHandler, TimerTarget {
  readonly server: Server<any, any, any, any>;
  /** The engine session. */
  readonly conn: Session;
  /** The engine session id. */
  readonly id: string;
  /**
   * This client's own decoder: with the built-in codec only while a binary packet of its is
   * pending (see `#decode`); with the `parser` option's, from the first message on.
   */
  #decoder: SocketPacketDecoder | PacketDecoder | null = null;
  /**
   * Connected sockets, one per namespace. A copy-on-write array rather than a Map: a client joins
   * one to a few namespaces, rarely changes them, and a Map's table would cost ~150 bytes each.
   */
  #sockets: readonly Socket<any, any, any, any>[] = NO_SOCKETS;
  /** Namespaces whose CONNECT is being handled (middlewares running). */
  #connecting: Set<string> | undefined;
  /** The connect timeout, until the first namespace is joined. */
  #timer: Timer | undefined;
  #closed = false;

  /** Made by the server for each new engine session; becomes the session's handler. */
  constructor(server: Server<any, any, any, any>, conn: Session) {
    this.server = server;
    this.conn = conn;
    this.id = conn.id;
    conn.setHandler(this);
    this.#timer = new Timer(this);
    server.scheduleConnectTimeout(this.#timer);
  }

  /** The first HTTP request of the connection; `null` once let go (see `Session.request`). */
  get request(): IncomingMessage {
    return this.conn.request;
  }

  /** Whether the connection is closed (for this layer). */
  get closed(): boolean {
    return this.#closed;
  }

  // ---- the session handler ----

  #socketOf(name: string): Socket<any, any, any, any> | undefined {
    const sockets = this.#sockets;
    for (let i = 0; i < sockets.length; i++) if (sockets[i]!.nsp.name === name) return sockets[i];
    return undefined;
  }

  /**
   * Decodes one message. Text packets carry no state from one message to the next, so clients
   * share one decoder; a binary packet header leaves its packet pending in the decoder, so the
   * client then keeps that decoder as its own and a fresh one is shared. Saves a decoder per idle
   * connection; decoding is synchronous, so no other client can touch the shared one meanwhile.
   */
  #decode(data: string | Buffer): SocketPacket | undefined {
    const own = this.#decoder as SocketPacketDecoder | null;
    if (own !== null) {
      // Done with the binary packet (or failed: the decoder reset itself): back to the shared one.
      try {
        return own.add(data);
      } finally {
        if (!own.awaitingAttachments) this.#decoder = null;
      }
    }
    const decoder = sharedDecoder;
    const packet = decoder.add(data);
    if (decoder.awaitingAttachments) {
      this.#decoder = decoder;
      sharedDecoder = new SocketPacketDecoder();
    }
    return packet;
  }

  /** `name` is no longer connecting; the set goes once empty (it is there only during middlewares). */
  #doneConnecting(name: string): void {
    const connecting = this.#connecting;
    if (connecting === undefined) return;
    connecting.delete(name);
    if (connecting.size === 0) this.#connecting = undefined;
  }

  /**
   * Feeds one message to the `parser` option's decoder, made on the first message. It either
   * returns a packet or emits "decoded" (socket.io-parser's way); each is checked, then routed
   * once `add()` has returned, so an error thrown by a listener is not taken for a decoding one.
   */
  #decodeCustom(parser: Parser, data: string | Buffer): void {
    let decoder = this.#decoder as PacketDecoder | null;
    if (decoder === null) {
      decoder = this.#decoder = new parser.Decoder();
      decoder.on?.("decoded", collectDecoded);
    }
    let failure: { error: unknown } | undefined;
    try {
      const packet = decoder.add(data);
      if (packet !== undefined) decodedNow.push(packet);
    } catch (error) {
      failure = { error };
    }
    const packets = decodedNow;
    if (packets.length > 0) decodedNow = [];
    for (const packet of packets) this.#onDecoded(packet);
    if (failure !== undefined) this.#fail(failure.error);
  }

  #onDecoded(value: unknown): void {
    if (this.#closed) return;
    let packet: SocketPacket;
    try {
      packet = checkDecodedPacket(value);
    } catch (err) {
      this.#fail(err);
      return;
    }
    this.#route(packet);
  }

  /** Engine: one Engine.IO message. A packet that does not decode closes the client with "parse error". */
  onMessage(data: string | Buffer): void {
    if (this.#closed) return;
    const parser = this.server.customParser;
    if (parser !== undefined) {
      this.#decodeCustom(parser, data);
      return;
    }
    let packet: SocketPacket | undefined;
    try {
      packet = this.#decode(data);
    } catch (err) {
      this.#fail(err);
      return;
    }
    if (packet !== undefined) this.#route(packet);
  }

  /** Hands a decoded packet to its namespace's socket (or starts the namespace's connect). */
  #route(packet: SocketPacket): void {
    const socket = this.#socketOf(packet.nsp);
    switch (packet.type) {
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        if (RESERVED_EVENTS.has((packet.data as unknown[])[0] as string)) {
          this.#fail(new SocketProtocolError("SIO_ERR_RESERVED_EVENT", "Socket.IO: a client may not send a reserved event name"));
          return;
        }
        socket?.onEvent(packet);
        return;
      case PacketType.ACK:
      case PacketType.BINARY_ACK:
        socket?.onAck(packet);
        return;
      case PacketType.CONNECT:
        if (socket === undefined && this.#connecting?.has(packet.nsp) !== true) {
          this.#connect(packet.nsp, (packet.data as Record<string, unknown> | undefined) ?? NO_AUTH);
        }
        return;
      case PacketType.DISCONNECT:
        socket?.onClose("client namespace disconnect");
        return;
      default:
        // CONNECT_ERROR goes from server to client only.
        this.#fail(new SocketProtocolError("SIO_ERR_UNEXPECTED_PACKET", "Socket.IO: a client may not send CONNECT_ERROR"));
    }
  }

  /** Engine: the session closed. */
  onClose(reason: string, description?: unknown): void {
    this.#onClose(reason as DisconnectReason, description);
  }

  // ---- used by the namespaces and sockets ----

  /** Encodes a packet and sends its parts (text, then attachments) on the session. */
  writePacket(packet: SocketPacket, compress: boolean): void {
    if (this.#closed) return;
    const options = compress ? COMPRESS : NO_COMPRESS;
    for (const part of this.server.encodePacket(packet)) this.conn.send(part, options);
  }

  /** Namespace: the socket was admitted. */
  attach(socket: Socket<any, any, any, any>): void {
    const name = socket.nsp.name;
    this.#doneConnecting(name);
    const others = this.#sockets.filter((s) => s.nsp.name !== name);
    // A literal for the usual first socket: exactly one slot (a spread or push reserves ~17).
    this.#sockets = others.length === 0 ? [socket] : others.concat(socket);
    this.#stopTimer();
  }

  /** Namespace: the connection to `name` was refused. */
  refuse(name: string): void {
    this.#doneConnecting(name);
  }

  /** Socket: it left its namespace. */
  detach(socket: Socket<any, any, any, any>): void {
    if (this.#sockets.includes(socket)) this.#sockets = this.#sockets.filter((s) => s !== socket);
  }

  /**
   * Disconnects every socket of this client from its namespace, then closes the connection; the
   * engine flushes the DISCONNECT packets before its close packet.
   */
  disconnectAll(): void {
    if (this.#closed) return;
    const conn = this.conn;
    for (const socket of this.#sockets) {
      this.writePacket({ type: PacketType.DISCONNECT, nsp: socket.nsp.name }, true);
      socket.onClose("server namespace disconnect");
    }
    this.#onClose("forced server close", undefined);
    conn.close();
  }

  /** Closes the connection; the sockets get "forced server close". */
  close(): void {
    if (this.#closed) return;
    this.#onClose("forced server close", undefined);
    this.conn.close();
  }

  /** @internal Timer: the client joined no namespace in time. */
  onTimer(): void {
    this.#timer = undefined;
    if (this.#sockets.length === 0) this.close();
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    this.server.cancelConnectTimeout(this.#timer);
    this.#timer = undefined;
  }

  #connect(name: string, auth: Record<string, unknown>): void {
    (this.#connecting ??= new Set()).add(name);
    this.server.lookupNamespace(name, auth, (nsp) => {
      if (this.#closed) return;
      if (nsp === undefined) {
        this.#doneConnecting(name);
        this.writePacket({ type: PacketType.CONNECT_ERROR, nsp: name, data: { message: "Invalid namespace" } }, true);
        return;
      }
      nsp.add(this, auth);
    });
  }

  /** A protocol violation: the sockets get "parse error" (the error as description), then the session is closed. */
  #fail(err: unknown): void {
    if (this.#closed) return;
    this.#onClose("parse error", err);
    this.conn.close(true);
  }

  #onClose(reason: DisconnectReason, description: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimer();
    const sockets = this.#sockets;
    this.#sockets = NO_SOCKETS;
    for (const socket of sockets) socket.onClose(reason, description);
    this.#connecting = undefined;
    const decoder = this.#decoder;
    this.#decoder = null;
    // socket.io-parser's decoder drops a half-received binary packet this way.
    if (this.server.customParser !== undefined) (decoder as PacketDecoder | null)?.destroy?.();
    this.conn.setHandler(null);
  }
}
