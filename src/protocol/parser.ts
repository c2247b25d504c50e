// The shape of a Socket.IO packet codec, as the `parser` option of socket.io and socket.io-client
// takes it (socket.io-msgpack-parser, @socket.io/custom-parser): server and client use the same.

import type { SocketPacket } from "./socket-packet.js";

/**
 * A Socket.IO packet codec, for `parser`: `new Encoder().encode(packet)` gives the Engine.IO
 * messages of one packet; `new Decoder()` takes them back one at a time and either returns the
 * packet once complete (ours) or emits "decoded" with it (socket.io-parser's shape).
 *
 * @example
 * ```ts
 * import msgpackParser from "socket.io-msgpack-parser";
 * const io = new Server(httpServer, { parser: msgpackParser });
 * const socket = ioClient(url, { parser: msgpackParser });
 * ```
 */
export interface Parser {
  Encoder: new () => PacketEncoder;
  Decoder: new () => PacketDecoder;
}

/** Turns one packet into its Engine.IO messages. */
export interface PacketEncoder {
  /**
   * The Engine.IO messages of one packet, in order: strings, and binary as Uint8Array (Buffer) or
   * ArrayBuffer. Declared `unknown` because codecs type it variously (socket.io-msgpack-parser
   * declares an ArrayBuffer and returns an array); the server checks what comes back.
   */
  encode(packet: SocketPacket): unknown;
}

/** Takes Engine.IO messages one at a time; one instance per connection. */
export interface PacketDecoder {
  add(chunk: string | Uint8Array | ArrayBuffer): SocketPacket | undefined | void;
  on?(event: "decoded", listener: (packet: SocketPacket) => void): unknown;
  destroy?(): void;
}
