// courant/websocket: our own RFC 6455 + RFC 7692 server and client, with no runtime dependency.
export { WebSocket, type WebSocketHandler, type BinaryType, type SendOptions, type RawData } from "./websocket.js";
export {
  WebSocketServer,
  abortHandshake,
  type WebSocketServerOptions,
  type VerifyClient,
  type VerifyClientInfo,
  type VerifyClientCallback,
} from "./server.js";
export type { ClientOptions } from "./client.js";
export { PreparedMessage, type SendData } from "./prepared-message.js";
export { WebSocketError, type WebSocketErrorCode } from "./errors.js";
export type { SendCallback } from "./sender.js";
export type { PerMessageDeflateOptions } from "./permessage-deflate.js";
export { CloseCode, isValidCloseCode } from "./validation.js";
export {
  WebSocketEvent,
  WebSocketMessageEvent,
  WebSocketCloseEvent,
  WebSocketErrorEvent,
  type WebSocketEventListener,
} from "./event-target.js";
export { DEFAULT_MAX_PAYLOAD, DEFAULT_MAX_BACKPRESSURE, DEFAULT_CLOSE_TIMEOUT, DEFAULT_HANDSHAKE_TIMEOUT } from "./internal.js";
