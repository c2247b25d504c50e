// courant/engine: the Engine.IO v4 server, usable on its own as engine.io is.
export { Engine, Engine as Server, attach, listen } from "./server.js";
export type { EngineOptions, EngineResolvedOptions, EngineEventMap } from "./server.js";
export { Session, Session as Socket } from "./session.js";
export type { SessionHandler, SessionCloseReason, SessionReadyState, SendOptions, SessionEventMap, RequestDetails } from "./session.js";
export { PreparedPackets } from "./prepared-packets.js";
export { EngineErrorCode, ENGINE_ERROR_MESSAGES, EngineError } from "./errors.js";
export type { EngineConnectionError, EngineErrorCodeValue } from "./errors.js";
export type { CorsOptions, CorsOptionsDelegate, CorsOrigin, CorsOriginFunction } from "./cors.js";
export type { CookieOptions } from "./cookie.js";
export type { Transport, TransportName } from "./transport.js";
export type { EngineMiddleware } from "./middlewares.js";
export { UpgradeResponse } from "./upgrade-response.js";
