// The one error type the Socket.IO codec throws for bad input.

/**
 * A malformed Socket.IO packet (protocol v5). Thrown by {@link SocketPacketDecoder.add},
 * {@link reconstructPacket} and {@link checkDecodedPacket}; the decoder resets itself first, so the caller can close the
 * connection (or carry on with a fresh packet). `code` is one of:
 *
 * | code | meaning |
 * |---|---|
 * | `SIO_ERR_EMPTY_PACKET` | an empty text packet |
 * | `SIO_ERR_INVALID_PACKET_TYPE` | the first character is not a type digit `0`–`6` |
 * | `SIO_ERR_INVALID_ATTACHMENTS` | a binary packet whose attachment count is missing, not digits followed by `-`, or 0 |
 * | `SIO_ERR_TOO_MANY_ATTACHMENTS` | an attachment count above `maxAttachments` (refused while reading the header) |
 * | `SIO_ERR_INVALID_ACK_ID` | an ack id that is not a safe integer, an id on CONNECT/DISCONNECT/CONNECT_ERROR, or an ACK without an id |
 * | `SIO_ERR_INVALID_JSON` | the payload is not valid JSON (trailing garbage included) |
 * | `SIO_ERR_TOO_DEEP` | JSON nested more than `maxDepth` arrays/objects |
 * | `SIO_ERR_INVALID_PAYLOAD` | a payload of the wrong shape for its type (CONNECT: none or an object; DISCONNECT: none; EVENT: a non-empty array starting with a string; ACK: an array; CONNECT_ERROR: an object or a string) |
 * | `SIO_ERR_INVALID_PLACEHOLDER` | a `{ "_placeholder": true }` whose `num` is not an integer in `[0, attachments)`, or a `num` used twice |
 * | `SIO_ERR_ATTACHMENT_MISMATCH` | the number of placeholders differs from the announced attachment count |
 * | `SIO_ERR_UNEXPECTED_BINARY` | a binary chunk while no binary packet awaits attachments |
 * | `SIO_ERR_UNEXPECTED_TEXT` | a text packet while a binary packet still awaits attachments |
 * | `SIO_ERR_INVALID_PACKET` | another codec (`parser` option) decoded something that is not an object |
 * | `SIO_ERR_INVALID_NAMESPACE` | another codec decoded a packet whose namespace is not a string starting with `/` |
 *
 * @example
 * ```ts
 * try {
 *   decoder.add('2[null]');
 * } catch (err) {
 *   if (err instanceof SocketProtocolError && err.code === "SIO_ERR_INVALID_PAYLOAD") closeConnection();
 * }
 * ```
 */
export class SocketProtocolError extends Error {
  /** Stable error code, see the table above. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "SocketProtocolError";
    this.code = code;
  }
}
