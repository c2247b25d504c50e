// The Engine.IO v4 server: routes HTTP requests and upgrades under its path, verifies them
// (answering refusals with the protocol's error codes), performs handshakes and keeps the
// sessions. Requests outside the path go untouched to the application's own handlers.

import { EventEmitter } from "node:events";
import { createServer } from "node:http";
import type { IncomingMessage, OutgoingHttpHeaders, Server as HttpServer, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "../websocket/index.js";
import type { WebSocket } from "../websocket/index.js";
import { formatSessionCookie } from "./cookie.js";
import { CorsDelegate, CorsPolicy } from "./cors.js";
import { ENGINE_ERROR_MESSAGES, EngineErrorCode, respondWithError } from "./errors.js";
import { randomId } from "./random-id.js";
import type { EngineConnectionError, EngineErrorCodeValue } from "./errors.js";
import { TimerWheel, wheelFor } from "./heartbeat.js";
import { PreparedPackets } from "./prepared-packets.js";
import { Session } from "./session.js";
import { defaultEngineOptions, normalizePath } from "./options.js";
import type { EngineOptions, EngineResolvedOptions } from "./options.js";
import { runMiddlewares } from "./middlewares.js";
import type { EngineMiddleware } from "./middlewares.js";
import { hasInvalidHeaderChar, parseQuery } from "./request-query.js";
import type { EngineQuery } from "./request-query.js";
import type { EngineHost, TransportName } from "./transport.js";
import { PollingTransport } from "./transports/polling.js";
import { WebSocketTransport } from "./transports/websocket.js";
import { UpgradeResponse, answerUpgrade } from "./upgrade-response.js";

export type { EngineOptions, EngineResolvedOptions } from "./options.js";

const kQuery = Symbol("courant.engine.query");
const kSid = Symbol("courant.engine.sid");
const kResponse = Symbol("courant.engine.upgrade-response");

interface TaggedRequest extends IncomingMessage {
  [kQuery]?: EngineQuery | undefined;
  [kSid]?: string;
  /** The middlewares' response on an upgrade, whose headers go into the 101. */
  [kResponse]?: UpgradeResponse | undefined;
}

/** The 101 response's own headers, which neither listeners nor middlewares may add to. */
const HANDSHAKE_HEADERS = new Set(["connection", "upgrade", "sec-websocket-accept", "sec-websocket-extensions", "sec-websocket-protocol"]);

function noop(): void {}

const warned = new Set<string>();

/** One process warning per code: engine.io options that Courant takes but cannot honour. */
function warnOnce(code: string, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  process.emitWarning(message, { type: "CourantWarning", code });
}

function destroyStrayUpgrade(socket: Duplex & { bytesWritten?: number }): void {
  // Nobody answered this upgrade outside our path: end it rather than leave it hanging.
  if (socket.writable && (socket.bytesWritten ?? 0) <= 0) {
    socket.on("error", noop);
    socket.end();
  }
}

/**
 * The events of an {@link Engine} and their arguments.
 *
 * @example
 * ```ts
 * const onError = (...[err]: EngineEventMap["connection_error"]) => console.log(err.code, err.message);
 * engine.on("connection_error", onError);
 * ```
 */
export interface EngineEventMap {
  connection: [session: Session];
  connection_error: [error: EngineConnectionError];
  initial_headers: [headers: OutgoingHttpHeaders, req: IncomingMessage];
  headers: [headers: OutgoingHttpHeaders, req: IncomingMessage];
}

/**
 * The Engine.IO v4 server (also exported as `Server`).
 *
 * Events: `connection`(session), `connection_error`({ req, code, message, context }),
 * `initial_headers`(headers, req) on handshake responses, `headers`(headers, req) on every response.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { Engine } from "courant/engine";
 *
 * const httpServer = createServer();
 * const engine = new Engine().attach(httpServer);
 * engine.on("connection", (session) => session.on("message", (data) => session.send(data)));
 * httpServer.listen(3000);
 * ```
 */
export class Engine extends EventEmitter<EngineEventMap> {
  /** Live sessions by id. */
  readonly clients = new Map<string, Session>();
  /** The options with defaults filled in. */
  readonly opts: EngineResolvedOptions;
  /** The HTTP server created by {@link listen}, if any. */
  httpServer: HttpServer | undefined = undefined;
  readonly #host: EngineHost;
  #wheel: TimerWheel;
  #cors: CorsPolicy | CorsDelegate | null = null;
  readonly #middlewares: EngineMiddleware[] = [];
  #compressionThreshold = 1024;
  #wss: WebSocketServer | null = null;
  readonly #onWebSocketBound: (ws: WebSocket, req: IncomingMessage) => void;

  constructor(options?: EngineOptions) {
    super();
    this.opts = defaultEngineOptions();
    this.#wheel = new TimerWheel(1);
    const engine = this;
    this.#host = {
      get opts() {
        return engine.opts;
      },
      get compressionThreshold() {
        return engine.#compressionThreshold;
      },
      get closeTimeout() {
        return Math.min(30_000, engine.opts.pingInterval + engine.opts.pingTimeout);
      },
      get wheel() {
        return engine.#wheel;
      },
      upgradesFor(name) {
        return name === "polling" && engine.opts.allowUpgrades && engine.opts.transports.includes("websocket") ? ["websocket"] : [];
      },
      onSessionClose(session) {
        if (engine.clients.get(session.id) === session) engine.clients.delete(session.id);
      },
      emitHeaders(headers, req, sid) {
        engine.#emitHeaders(headers, req, sid);
      },
    };
    this.#onWebSocketBound = (ws, req) => this.#onWebSocket(ws, req as TaggedRequest);
    this.#applyOptions(options ?? {});
  }

  /**
   * How many sessions are open.
   *
   * @example
   * ```ts
   * console.log(`${engine.clientsCount} clients`);
   * ```
   */
  get clientsCount(): number {
    return this.clients.size;
  }

  #applyOptions(options: EngineOptions): void {
    const o = this.opts;
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
    }
    o.path = normalizePath(options.path ?? o.path);
    const compression = options.httpCompression;
    if (compression !== undefined) o.httpCompression = compression === false ? false : { threshold: compression === true ? 1024 : (compression.threshold ?? 1024) };
    this.#compressionThreshold = o.httpCompression === false ? -1 : o.httpCompression.threshold;
    this.#cors = o.cors === undefined ? null : typeof o.cors === "function" ? new CorsDelegate(o.cors) : new CorsPolicy(o.cors);
    // Timers fire at most one slot late: a fiftieth of the shortest delay, between 1 and 50 ms.
    this.#wheel = wheelFor(this.#wheel, Math.min(o.pingInterval, o.pingTimeout, o.upgradeTimeout), 50);
    if (options.maxHttpBufferSize !== undefined || options.perMessageDeflate !== undefined) this.#wss = null;
    if (options.allowEIO3 === true) {
      warnOnce("COURANT_NO_EIO3", "allowEIO3 is set, but Courant speaks Engine.IO 4 only: Socket.IO 2 clients are refused with UNSUPPORTED_PROTOCOL_VERSION");
    }
    if (options.wsEngine !== undefined) {
      warnOnce("COURANT_WS_ENGINE", "wsEngine is not used: Courant runs its own WebSocket server (courant/websocket)");
    }
  }

  /**
   * Makes a session id: `opts.generateId` when given, otherwise 15 random bytes as base64url.
   * May be replaced (`engine.generateId = (req) => ...`).
   *
   * @example
   * ```ts
   * engine.generateId = () => crypto.randomUUID();
   * ```
   */
  generateId(req: IncomingMessage): string | Promise<string> {
    const custom = this.opts.generateId;
    return custom !== undefined ? custom(req) : randomId();
  }

  /**
   * Intercepts requests and upgrades under the path on `server`; everything else still reaches
   * the listeners the server already had. `options` are merged into the engine's.
   *
   * @example
   * ```ts
   * const engine = new Engine().attach(httpServer, { path: "/realtime/" });
   * ```
   */
  attach(server: HttpServer | HttpsServer, options?: EngineOptions): this {
    if (options !== undefined) this.#applyOptions(options);
    const previous = server.listeners("request").slice() as ((req: IncomingMessage, res: ServerResponse) => void)[];
    server.removeAllListeners("request");
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      if (this.#matchesPath(req.url)) {
        this.handleRequest(req, res);
        return;
      }
      for (let i = 0; i < previous.length; i++) (previous[i] as (req: IncomingMessage, res: ServerResponse) => void).call(server, req, res);
    });
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (this.#matchesPath(req.url)) {
        this.handleUpgrade(req, socket, head);
        return;
      }
      if (this.opts.destroyUpgrade) (setTimeout(destroyStrayUpgrade, this.opts.destroyUpgradeTimeout, socket) as unknown as NodeJS.Timeout).unref();
    });
    return this;
  }

  #matchesPath(url: string | undefined): boolean {
    if (url === undefined) return false;
    const path = this.opts.path;
    if (url.startsWith(path)) return true;
    // Also "/engine.io" and "/engine.io?..." (clients with addTrailingSlash: false).
    const bare = path.length - 1;
    return url.startsWith(path.slice(0, bare)) && (url.length === bare || url.charCodeAt(bare) === 0x3f /* ? */);
  }

  /**
   * Handles an HTTP request under the path (polling GET/POST, CORS preflight, errors).
   *
   * @example
   * ```ts
   * httpServer.on("request", (req, res) => engine.handleRequest(req, res));
   * ```
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const hook = this.opts.requestHook;
    if (hook !== undefined && hook(req, res)) return;
    const query = parseQuery(req.url);
    const cors = this.#cors;
    if (cors instanceof CorsDelegate) {
      cors.policyFor(req, (err, policy) => {
        if (err === null) this.#withCors(req, res, query, policy);
        else this.#abortRequest(req, res, EngineErrorCode.BAD_REQUEST, { name: "CORS_FAILURE", error: err });
      });
      return;
    }
    this.#withCors(req, res, query, cors);
  }

  #withCors(req: IncomingMessage, res: ServerResponse, query: EngineQuery | null, cors: CorsPolicy | null): void {
    if (cors === null) {
      this.#afterMiddlewares(req, res, query);
      return;
    }
    if (cors.isAsync) {
      void cors.resolveOrigin(req.headers.origin).then((allow) => this.#afterCors(req, res, query, cors, allow));
      return;
    }
    this.#afterCors(req, res, query, cors, cors.allowOrigin(req.headers.origin));
  }

  /**
   * Adds an Express-style middleware for every HTTP request of the engine, polling requests and
   * WebSocket upgrades alike, run in order after CORS and before the engine looks at the request
   * (socket.io 4.6+). `req._query` holds the parsed query: `req._query.sid === undefined` on a
   * handshake. An error passed to `next(err)` (or thrown) refuses the request with HTTP 400
   * (`connection_error` context `{ name: "MIDDLEWARE_FAILURE", error }`). A middleware may answer
   * the request itself; on an upgrade `res` is an {@link UpgradeResponse}, whose headers go into
   * the 101 response.
   *
   * @example
   * ```ts
   * io.engine.use(sessionMiddleware); // express-session: socket.request.session
   * io.engine.use(helmet());
   * ```
   */
  use(middleware: EngineMiddleware): this {
    this.#middlewares.push(middleware);
    return this;
  }

  /** Runs the middlewares (if any), then verifies the request. */
  #afterMiddlewares(req: IncomingMessage, res: ServerResponse, query: EngineQuery | null): void {
    if (this.#middlewares.length === 0) {
      this.#verifyRequest(req, res, query);
      return;
    }
    runMiddlewares(this.#middlewares, req, res, (err) => {
      if (err !== undefined) this.#abortRequest(req, res, EngineErrorCode.BAD_REQUEST, { name: "MIDDLEWARE_FAILURE", error: err });
      else if (!res.writableEnded) this.#verifyRequest(req, res, query);
    });
  }

  #afterCors(req: IncomingMessage, res: ServerResponse, query: EngineQuery | null, cors: CorsPolicy, allow: string | null): void {
    if (req.method === "OPTIONS") {
      if (!cors.preflightContinues) {
        cors.answerPreflight(req, res, allow);
        return;
      }
      cors.setPreflightHeaders(req, res, allow);
    } else if (allow !== null) cors.setHeaders(res, allow);
    this.#afterMiddlewares(req, res, query);
  }

  #verifyRequest(req: IncomingMessage, res: ServerResponse, query: EngineQuery | null): void {
    if (query === null) {
      this.#abortRequest(req, res, EngineErrorCode.BAD_REQUEST, { name: "INVALID_QUERY" });
      return;
    }
    const transport = query.transport;
    if (transport === undefined || !this.opts.transports.includes(transport as TransportName)) {
      this.#abortRequest(req, res, EngineErrorCode.UNKNOWN_TRANSPORT, { transport });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && hasInvalidHeaderChar(origin)) {
      this.#abortRequest(req, res, EngineErrorCode.BAD_REQUEST, { name: "INVALID_ORIGIN", origin });
      return;
    }
    const sid = query.sid;
    if (sid !== undefined) {
      const session = this.clients.get(sid);
      if (session === undefined) {
        this.#abortRequest(req, res, EngineErrorCode.UNKNOWN_SID, { sid });
        return;
      }
      const polling = session.pollingTransport;
      if (polling === null || transport !== "polling") {
        this.#abortRequest(req, res, EngineErrorCode.BAD_REQUEST, { name: "TRANSPORT_MISMATCH", transport, previousTransport: session.transport.name });
        return;
      }
      polling.onRequest(req, res);
      return;
    }
    if (req.method !== "GET") {
      this.#abortRequest(req, res, EngineErrorCode.BAD_HANDSHAKE_METHOD, { method: req.method });
      return;
    }
    if (transport !== "polling") {
      // A WebSocket handshake must come as an HTTP upgrade.
      this.#abortRequest(req, res, EngineErrorCode.BAD_REQUEST, { name: "TRANSPORT_HANDSHAKE_ERROR", error: new Error("invalid transport handshake") });
      return;
    }
    if (query.EIO !== "4") {
      this.#abortRequest(req, res, EngineErrorCode.UNSUPPORTED_PROTOCOL_VERSION, { protocol: query.EIO });
      return;
    }
    const allowRequest = this.opts.allowRequest;
    if (allowRequest === undefined) {
      this.#handshakePolling(req, res);
      return;
    }
    let answered = false;
    allowRequest(req, (err, success) => {
      if (answered) return;
      answered = true;
      if (!success) this.#abortRequest(req, res, EngineErrorCode.FORBIDDEN, typeof err === "string" && err !== "" ? { message: err } : {});
      else this.#handshakePolling(req, res);
    });
  }

  #handshakePolling(req: IncomingMessage, res: ServerResponse): void {
    let id: string | Promise<string>;
    try {
      id = this.generateId(req);
    } catch (err) {
      this.#abortRequest(req, res, EngineErrorCode.BAD_REQUEST, { name: "ID_GENERATION_ERROR", error: err });
      return;
    }
    if (typeof id === "string") {
      this.#openPolling(req, res, id);
      return;
    }
    Promise.resolve(id).then(
      (value) => this.#openPolling(req, res, value),
      (err: unknown) => this.#abortRequest(req, res, EngineErrorCode.BAD_REQUEST, { name: "ID_GENERATION_ERROR", error: err }),
    );
  }

  #openPolling(req: IncomingMessage, res: ServerResponse, id: string): void {
    if (res.writableEnded || res.destroyed) return;
    if (typeof id !== "string" || id === "" || this.clients.has(id)) {
      this.#abortRequest(req, res, EngineErrorCode.BAD_REQUEST, { name: "ID_GENERATION_ERROR", sid: id });
      return;
    }
    const transport = new PollingTransport(this.#host);
    const session = new Session(id, req, transport, this.#host);
    this.clients.set(id, session);
    transport.onHandshake(req, res, id);
    session.open();
    this.emit("connection", session);
  }

  /**
   * Handles an HTTP upgrade under the path: a WebSocket that opens a session, or the probe of
   * a polling session's upgrade.
   *
   * @example
   * ```ts
   * httpServer.on("upgrade", (req, socket, head) => engine.handleUpgrade(req, socket, head));
   * ```
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const query = parseQuery(req.url);
    if (query === null) {
      this.#abortUpgrade(req, socket, EngineErrorCode.BAD_REQUEST, { name: "INVALID_QUERY" });
      return;
    }
    const transport = query.transport;
    if (transport !== "websocket" || !this.opts.transports.includes("websocket")) {
      this.#abortUpgrade(req, socket, EngineErrorCode.UNKNOWN_TRANSPORT, { transport });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && hasInvalidHeaderChar(origin)) {
      this.#abortUpgrade(req, socket, EngineErrorCode.BAD_REQUEST, { name: "INVALID_ORIGIN", origin });
      return;
    }
    const cors = this.#cors;
    if (cors instanceof CorsDelegate) {
      cors.policyFor(req, (err, policy) => {
        if (err === null) this.#upgradeWithCors(req, socket, head, query, policy, origin);
        else this.#abortUpgrade(req, socket, EngineErrorCode.BAD_REQUEST, { name: "CORS_FAILURE", error: err });
      });
      return;
    }
    this.#upgradeWithCors(req, socket, head, query, cors, origin);
  }

  #upgradeWithCors(req: IncomingMessage, socket: Duplex, head: Buffer, query: EngineQuery, cors: CorsPolicy | null, origin: string | undefined): void {
    if (cors !== null && cors.restrictsOrigin && origin !== undefined) {
      // Browsers do not apply CORS to WebSocket: refuse other origins here (cross-site WebSocket hijacking).
      if (cors.isAsync) {
        void cors.resolveOrigin(origin).then((allow) => {
          if (allow === null) this.#abortUpgrade(req, socket, EngineErrorCode.FORBIDDEN, { name: "ORIGIN_NOT_ALLOWED", origin });
          else this.#upgradeAfterMiddlewares(req as TaggedRequest, socket, head, query);
        });
        return;
      }
      if (cors.allowOrigin(origin) === null) {
        this.#abortUpgrade(req, socket, EngineErrorCode.FORBIDDEN, { name: "ORIGIN_NOT_ALLOWED", origin });
        return;
      }
    }
    this.#upgradeAfterMiddlewares(req as TaggedRequest, socket, head, query);
  }

  /** Runs the middlewares (if any) with an {@link UpgradeResponse}, then verifies the upgrade. */
  #upgradeAfterMiddlewares(req: TaggedRequest, socket: Duplex, head: Buffer, query: EngineQuery): void {
    if (this.#middlewares.length === 0) {
      this.#verifyUpgrade(req, socket, head, query);
      return;
    }
    const res = new UpgradeResponse(req, socket);
    runMiddlewares(this.#middlewares, req, res as unknown as ServerResponse, (err) => {
      if (err !== undefined) {
        this.#abortUpgrade(req, socket, EngineErrorCode.BAD_REQUEST, { name: "MIDDLEWARE_FAILURE", error: err });
        return;
      }
      if (res.writableEnded || socket.destroyed) return;
      if (res.getHeaderNames().length > 0) req[kResponse] = res;
      this.#verifyUpgrade(req, socket, head, query);
    });
  }

  #verifyUpgrade(req: TaggedRequest, socket: Duplex, head: Buffer, query: EngineQuery): void {
    req[kQuery] = query;
    const sid = query.sid;
    if (sid !== undefined) {
      const session = this.clients.get(sid);
      if (session === undefined) {
        this.#abortUpgrade(req, socket, EngineErrorCode.UNKNOWN_SID, { sid });
        return;
      }
      if (!this.opts.allowUpgrades || session.upgrading || session.pollingTransport === null || session.readyState !== "open") {
        this.#abortUpgrade(req, socket, EngineErrorCode.BAD_REQUEST, { name: "UPGRADE_REFUSED", sid, upgrading: session.upgrading, upgraded: session.upgraded });
        return;
      }
      this.#acceptUpgrade(req, socket, head);
      return;
    }
    if (req.method !== "GET") {
      this.#abortUpgrade(req, socket, EngineErrorCode.BAD_HANDSHAKE_METHOD, { method: req.method });
      return;
    }
    if (query.EIO !== "4") {
      this.#abortUpgrade(req, socket, EngineErrorCode.UNSUPPORTED_PROTOCOL_VERSION, { protocol: query.EIO });
      return;
    }
    const allowRequest = this.opts.allowRequest;
    if (allowRequest === undefined) {
      this.#handshakeWebSocket(req, socket, head);
      return;
    }
    let answered = false;
    allowRequest(req, (err, success) => {
      if (answered) return;
      answered = true;
      if (!success) this.#abortUpgrade(req, socket, EngineErrorCode.FORBIDDEN, typeof err === "string" && err !== "" ? { message: err } : {});
      else this.#handshakeWebSocket(req, socket, head);
    });
  }

  #handshakeWebSocket(req: TaggedRequest, socket: Duplex, head: Buffer): void {
    let id: string | Promise<string>;
    try {
      id = this.generateId(req);
    } catch (err) {
      this.#abortUpgrade(req, socket, EngineErrorCode.BAD_REQUEST, { name: "ID_GENERATION_ERROR", error: err });
      return;
    }
    const proceed = (value: string): void => {
      if (typeof value !== "string" || value === "" || this.clients.has(value)) {
        this.#abortUpgrade(req, socket, EngineErrorCode.BAD_REQUEST, { name: "ID_GENERATION_ERROR", sid: value });
        return;
      }
      req[kSid] = value;
      this.#acceptUpgrade(req, socket, head);
    };
    if (typeof id === "string") proceed(id);
    else
      Promise.resolve(id).then(proceed, (err: unknown) =>
        this.#abortUpgrade(req, socket, EngineErrorCode.BAD_REQUEST, { name: "ID_GENERATION_ERROR", error: err }),
      );
  }

  #acceptUpgrade(req: TaggedRequest, socket: Duplex, head: Buffer): void {
    if (socket.destroyed) return;
    this.#upgradeServer().handleUpgrade(req, socket, head, this.#onWebSocketBound);
  }

  #upgradeServer(): WebSocketServer {
    if (this.#wss !== null) return this.#wss;
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.opts.maxHttpBufferSize,
      perMessageDeflate: this.opts.perMessageDeflate,
      clientTracking: false,
    });
    wss.on("headers", (headers: string[], req: IncomingMessage) => {
      const tagged = req as TaggedRequest;
      const sid = tagged[kSid];
      const fromMiddlewares = tagged[kResponse];
      tagged[kResponse] = undefined;
      if (
        fromMiddlewares === undefined &&
        this.listenerCount("headers") === 0 &&
        (sid === undefined || (this.opts.cookie === false && this.listenerCount("initial_headers") === 0))
      ) {
        return;
      }
      // The listeners see a header object, as on polling; their changes become header lines.
      const object: OutgoingHttpHeaders = fromMiddlewares === undefined ? {} : fromMiddlewares.getHeaders();
      this.#emitHeaders(object, req, sid);
      for (const [name, value] of Object.entries(object)) {
        if (value === undefined || HANDSHAKE_HEADERS.has(name.toLowerCase())) continue;
        if (Array.isArray(value)) for (const v of value) headers.push(`${name}: ${v}`);
        else headers.push(`${name}: ${String(value)}`);
      }
    });
    this.#wss = wss;
    return wss;
  }

  #onWebSocket(ws: WebSocket, req: TaggedRequest): void {
    const query = req[kQuery] as EngineQuery;
    // The session keeps the request: let the parsed query go with the handshake.
    req[kQuery] = undefined;
    const transport = new WebSocketTransport(ws, this.#host, !query.b64);
    if (query.sid !== undefined) {
      const session = this.clients.get(query.sid);
      if (session === undefined || !session.attachProbe(transport)) transport.discard();
      return;
    }
    const id = req[kSid] as string;
    if (this.clients.has(id)) {
      transport.discard();
      return;
    }
    const session = new Session(id, req, transport, this.#host);
    this.clients.set(id, session);
    session.open();
    this.emit("connection", session);
  }

  #emitHeaders(headers: OutgoingHttpHeaders, req: IncomingMessage, sid: string | undefined): void {
    if (sid !== undefined) {
      const cookie = this.opts.cookie;
      if (cookie !== false) headers["Set-Cookie"] = [formatSessionCookie(cookie, sid)];
      this.emit("initial_headers", headers, req);
    }
    this.emit("headers", headers, req);
  }

  #abortRequest(req: IncomingMessage, res: ServerResponse, code: EngineErrorCodeValue, context: Record<string, unknown>): void {
    const message = typeof context.message === "string" ? context.message : (ENGINE_ERROR_MESSAGES[code] as string);
    if (this.listenerCount("connection_error") > 0) this.emit("connection_error", { req, code, message, context } satisfies EngineConnectionError);
    respondWithError(res, code, message);
  }

  #abortUpgrade(req: IncomingMessage, socket: Duplex, code: EngineErrorCodeValue, context: Record<string, unknown>): void {
    const message = typeof context.message === "string" ? context.message : (ENGINE_ERROR_MESSAGES[code] as string);
    if (this.listenerCount("connection_error") > 0) this.emit("connection_error", { req, code, message, context } satisfies EngineConnectionError);
    answerUpgrade(socket, code === EngineErrorCode.FORBIDDEN ? 403 : 400, { "Content-Type": "application/json" }, JSON.stringify({ code, message }));
  }

  /**
   * Encodes `message` packets once for many sessions (see `session.sendPrepared`).
   *
   * @example
   * ```ts
   * const prepared = engine.prepare(['2["tick",1]']);
   * for (const session of engine.clients.values()) session.sendPrepared(prepared);
   * ```
   */
  prepare(messages: readonly (string | Uint8Array)[], options?: { compress?: boolean }): PreparedPackets {
    return new PreparedPackets(messages, options);
  }

  /**
   * Closes every session (reason `"server shutting down"`) and stops the heartbeat timer.
   *
   * @example
   * ```ts
   * engine.close();
   * ```
   */
  close(): this {
    for (const session of [...this.clients.values()]) session.shutdown();
    this.clients.clear();
    this.#wheel.stop();
    this.#wss?.close();
    this.#wss = null;
    return this;
  }
}

/**
 * Creates an engine on an existing HTTP(S) server.
 *
 * @example
 * ```ts
 * const engine = attach(httpServer, { path: "/engine.io/" });
 * engine.on("connection", (session) => session.send("welcome"));
 * ```
 */
export function attach(server: HttpServer | HttpsServer, options?: EngineOptions): Engine {
  return new Engine(options).attach(server);
}

/**
 * Creates an HTTP server on `port` that answers only the engine's path (501 elsewhere).
 *
 * @example
 * ```ts
 * const engine = listen(3000, {}, () => console.log("listening"));
 * // engine.httpServer is the http.Server
 * ```
 */
export function listen(port: number, options?: EngineOptions, callback?: () => void): Engine {
  const server = createServer((_req, res) => {
    res.writeHead(501);
    res.end("Not Implemented");
  });
  const engine = attach(server, options);
  engine.httpServer = server;
  server.listen(port, callback);
  return engine;
}
