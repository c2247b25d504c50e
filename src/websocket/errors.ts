/**
 * The stable error codes of the websocket layer. Each one is a protocol rule or a limit; the
 * close code sent to the peer (when one is sent) travels with the error as `closeCode`.
 *
 * | code | close code | meaning |
 * |---|---|---|
 * | `WS_ERR_INVALID_OPCODE` | 1002 | reserved opcode, continuation with no message, or a new data frame inside a fragmented message |
 * | `WS_ERR_UNEXPECTED_RSV_1` | 1002 | RSV1 set without permessage-deflate, or on a control or continuation frame |
 * | `WS_ERR_UNEXPECTED_RSV_2_3` | 1002 | RSV2 or RSV3 set (no extension defines them) |
 * | `WS_ERR_EXPECTED_FIN` | 1002 | a fragmented control frame |
 * | `WS_ERR_EXPECTED_MASK` | 1002 | a client frame that is not masked (server side) |
 * | `WS_ERR_UNEXPECTED_MASK` | 1002 | a server frame that is masked (client side) |
 * | `WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH` | 1002 | a control frame over 125 bytes, or a close frame of 1 byte |
 * | `WS_ERR_INVALID_PAYLOAD_LENGTH` | 1002 | a 64-bit length with its most significant bit set |
 * | `WS_ERR_INVALID_CLOSE_CODE` | 1002 | a close code that may not be sent on the wire |
 * | `WS_ERR_INVALID_UTF8` | 1007 | a text message or close reason that is not UTF-8 |
 * | `WS_ERR_UNSUPPORTED_MESSAGE_LENGTH` | 1009 | a frame, message or inflated message over `maxPayload` |
 * | `WS_ERR_INFLATE` | 1007 | compressed data that zlib cannot inflate |
 * | `WS_ERR_BACKPRESSURE` | 1006 | more than `maxBackpressure` bytes were buffered for the peer: the socket was terminated |
 * | `WS_ERR_CLOSE_TIMEOUT` | 1006 | reserved, not raised: a closing handshake that times out destroys the socket and `close` reports 1006 |
 * | `WS_ERR_HANDSHAKE` | – | a refused or invalid opening handshake (server: see `statusCode`; client: bad 101 response) |
 * | `WS_ERR_HANDSHAKE_TIMEOUT` | – | the client's opening handshake did not finish within `handshakeTimeout` |
 * | `WS_ERR_UNEXPECTED_RESPONSE` | – | the server answered the upgrade request with something other than 101 |
 * | `WS_ERR_CLOSED_BEFORE_OPEN` | – | `close()` or `terminate()` was called while CONNECTING |
 * | `WS_ERR_NOT_OPEN` | – | `send()`/`ping()`/`pong()` on a socket that is CLOSING or CLOSED |
 * | `WS_ERR_SOCKET` | 1006 | reserved, not raised: a TCP/TLS error destroys the socket and `close` reports 1006 (client connection failures emit the Node error itself) |
 */
/**
 * @example
 * ```ts
 * const code: WebSocketErrorCode = "WS_ERR_INVALID_UTF8";
 * ```
 */
export type WebSocketErrorCode =
  | "WS_ERR_INVALID_OPCODE"
  | "WS_ERR_UNEXPECTED_RSV_1"
  | "WS_ERR_UNEXPECTED_RSV_2_3"
  | "WS_ERR_EXPECTED_FIN"
  | "WS_ERR_EXPECTED_MASK"
  | "WS_ERR_UNEXPECTED_MASK"
  | "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH"
  | "WS_ERR_INVALID_PAYLOAD_LENGTH"
  | "WS_ERR_INVALID_CLOSE_CODE"
  | "WS_ERR_INVALID_UTF8"
  | "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH"
  | "WS_ERR_INFLATE"
  | "WS_ERR_BACKPRESSURE"
  | "WS_ERR_CLOSE_TIMEOUT"
  | "WS_ERR_HANDSHAKE"
  | "WS_ERR_HANDSHAKE_TIMEOUT"
  | "WS_ERR_UNEXPECTED_RESPONSE"
  | "WS_ERR_CLOSED_BEFORE_OPEN"
  | "WS_ERR_NOT_OPEN"
  | "WS_ERR_SOCKET";

/**
 * An error of the websocket layer: a protocol violation by the peer, a limit, or a handshake
 * failure. `code` is stable (see {@link WebSocketErrorCode}); `closeCode` is the close code sent
 * to the peer for it (1006 when no close frame could be sent); `statusCode` is the HTTP status of
 * a refused server-side handshake.
 *
 * @example
 * ```ts
 * ws.on("error", (err) => {
 *   if (err instanceof WebSocketError && err.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
 *     console.warn("peer sent a message over maxPayload");
 *   }
 * });
 * ```
 */
export class WebSocketError extends Error {
  readonly code: WebSocketErrorCode;
  readonly closeCode: number;
  readonly statusCode: number | undefined;

  constructor(code: WebSocketErrorCode, message: string, closeCode = 1006, statusCode?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "WebSocketError";
    this.code = code;
    this.closeCode = closeCode;
    this.statusCode = statusCode;
  }
}
