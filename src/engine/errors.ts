// The Engine.IO handshake error codes (engine.io-protocol v4 §"Errors" as the official server answers them),
// plus the stable EIO_ERR_... codes of errors the engine raises itself.

/**
 * The numeric codes sent to a client whose request is refused, as `{"code":N,"message":"..."}`.
 *
 * | code | name | when |
 * |---|---|---|
 * | 0 | `UNKNOWN_TRANSPORT` | `transport` is missing or not in the `transports` option |
 * | 1 | `UNKNOWN_SID` | `sid` names no live session |
 * | 2 | `BAD_HANDSHAKE_METHOD` | a handshake (no `sid`) that is not a GET |
 * | 3 | `BAD_REQUEST` | anything else malformed: a bad Origin header, a transport mismatch, an overlapping request, a refused upgrade |
 * | 4 | `FORBIDDEN` | `allowRequest` said no, or a WebSocket Origin outside the `cors.origin` list (HTTP 403) |
 * | 5 | `UNSUPPORTED_PROTOCOL_VERSION` | `EIO` is not `4` |
 *
 * @example
 * ```ts
 * engine.on("connection_error", (err) => {
 *   if (err.code === EngineErrorCode.FORBIDDEN) console.log("refused by allowRequest");
 * });
 * ```
 */
export const EngineErrorCode = {
  UNKNOWN_TRANSPORT: 0,
  UNKNOWN_SID: 1,
  BAD_HANDSHAKE_METHOD: 2,
  BAD_REQUEST: 3,
  FORBIDDEN: 4,
  UNSUPPORTED_PROTOCOL_VERSION: 5,
} as const;

/**
 * One of the {@link EngineErrorCode} values.
 *
 * @example
 * ```ts
 * const code: EngineErrorCodeValue = EngineErrorCode.BAD_REQUEST; // 3
 * ```
 */
export type EngineErrorCodeValue = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/**
 * The protocol's message for each code, indexed by code.
 *
 * @example
 * ```ts
 * ENGINE_ERROR_MESSAGES[1]; // "Session ID unknown"
 * ```
 */
export const ENGINE_ERROR_MESSAGES: readonly string[] = [
  "Transport unknown",
  "Session ID unknown",
  "Bad handshake method",
  "Bad request",
  "Forbidden",
  "Unsupported protocol version",
];

/**
 * What the engine's `connection_error` event carries: the refused request, the protocol code and
 * message sent to the client, and a `context` object saying why (e.g. `{ name: "TRANSPORT_MISMATCH" }`).
 *
 * @example
 * ```ts
 * engine.on("connection_error", (err: EngineConnectionError) => console.log(err.req.url, err.code, err.context));
 * ```
 */
export interface EngineConnectionError {
  req: import("node:http").IncomingMessage;
  code: EngineErrorCodeValue;
  message: string;
  context: Record<string, unknown>;
}

/**
 * An error the engine hands to a session's `close` event as its `description`. `code` is one of:
 *
 * | code | meaning |
 * |---|---|
 * | `EIO_ERR_PAYLOAD_TOO_LARGE` | a polling POST larger than `maxHttpBufferSize` |
 * | `EIO_ERR_POLL_OVERLAP` | a second polling GET while one was pending |
 * | `EIO_ERR_POST_OVERLAP` | a second polling POST while one was being read |
 * | `EIO_ERR_POLL_ABORTED` | the client dropped a pending polling GET |
 * | `EIO_ERR_POST_ABORTED` | the client dropped a POST before its body was complete |
 * | `EIO_ERR_INVALID_PAYLOAD` | a packet or payload that does not decode |
 * | `EIO_ERR_HEARTBEAT_DIRECTION` | a client-sent `ping` (v4 pings go from the server) |
 * | `EIO_ERR_WEBSOCKET` | the WebSocket failed (its error is the `cause`) |
 *
 * @example
 * ```ts
 * session.on("close", (reason, description) => {
 *   if (description instanceof EngineError) console.log(description.code);
 * });
 * ```
 */
export class EngineError extends Error {
  /** Stable error code, see the table above. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EngineError";
    this.code = code;
  }
}

/**
 * Answers a refused HTTP request with the protocol's JSON body (`{"code":N,"message":"..."}`):
 * status 403 for `FORBIDDEN`, 400 otherwise. Headers already set on `res` (CORS) are kept.
 *
 * @example
 * ```ts
 * respondWithError(res, EngineErrorCode.UNKNOWN_SID);
 * ```
 */
export function respondWithError(res: import("node:http").ServerResponse, code: EngineErrorCodeValue, message?: string): void {
  if (res.headersSent || res.writableEnded) {
    if (!res.writableEnded) res.end();
    return;
  }
  const body = JSON.stringify({ code, message: message ?? ENGINE_ERROR_MESSAGES[code] });
  res.writeHead(code === EngineErrorCode.FORBIDDEN ? 403 : 400, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}
