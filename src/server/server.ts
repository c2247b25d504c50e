// The Socket.IO server (`courant`): attaches the engine to an HTTP server, turns engine sessions
// into clients, owns the namespaces (static and dynamic) and the adapter choice.

import { EventEmitter } from "node:events";
import { createServer } from "node:http";
import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Adapter, AdapterConstructor, AdapterNamespace, ResolvedRecoveryOptions, Room, SocketId } from "../adapters/adapter.js";
import { MemoryAdapter } from "../adapters/memory/memory-adapter.js";
import { SessionAwareAdapter } from "../adapters/memory/session-aware-adapter.js";
import { Engine } from "../engine/index.js";
import type { EngineOptions, Session } from "../engine/index.js";
import type { BroadcastOperator } from "./broadcast-operator.js";
import { Client } from "./client.js";
import type { NamespaceMiddleware } from "./middleware.js";
import { Namespace } from "./namespace.js";
import { ParentNamespace } from "./parent-namespace.js";
import type { ParentNspNameMatchFn } from "./parent-namespace.js";
import type { RemoteSocket } from "./remote-socket.js";
import { ClientFileServer } from "./serve-client.js";
import type { Socket } from "./socket.js";
import type {
  AckParams,
  AckResults,
  DecorateAcknowledgementsWithMultipleResponses,
  DefaultEventsMap,
  EventNames,
  EventParams,
  EventsMap,
  ReservedOrUserEventNames,
  ReservedOrUserListener,
} from "./typed-events.js";

/**
 * Options of connection state recovery.
 *
 * @example
 * ```ts
 * new Server(httpServer, { connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: true } });
 * ```
 */
export interface ConnectionStateRecoveryOptions {
  /** How long a disconnected socket's session (id, rooms, data, missed packets) is kept, in ms [120000]. */
  maxDisconnectionDuration?: number;
  /** Whether a recovered socket skips the namespace middlewares [true]. */
  skipMiddlewares?: boolean;
  /** Most packets kept per namespace for recovery [100000]. */
  maxLoggedPackets?: number;
}

/**
 * Options of the server: the engine's, plus the Socket.IO layer's.
 *
 * @example
 * ```ts
 * const io = new Server(httpServer, { path: "/socket.io", cors: { origin: "*" }, connectTimeout: 10_000 });
 * ```
 */
export interface ServerOptions extends EngineOptions {
  /** Where the server answers ["/socket.io"]. */
  path?: string;
  /** Serve the browser client at `<path>/socket.io.js` and friends [true]. */
  serveClient?: boolean;
  /** The adapter class (or factory) of every namespace [MemoryAdapter; SessionAwareAdapter with recovery]. */
  adapter?: AdapterConstructor;
  /** Ms a client has to join a namespace before its connection is closed [45000]. */
  connectTimeout?: number;
  /** Turns on connection state recovery [off]. */
  connectionStateRecovery?: ConnectionStateRecoveryOptions;
  /** Remove a child namespace of a dynamic namespace once its last socket leaves [false]. */
  cleanupEmptyChildNamespaces?: boolean;
}

/**
 * The server's own options with defaults applied (`io.opts`).
 *
 * @example
 * ```ts
 * io.opts.connectTimeout; // 45000
 * ```
 */
export interface ServerResolvedOptions {
  path: string;
  serveClient: boolean;
  connectTimeout: number;
  connectionStateRecovery: ResolvedRecoveryOptions | undefined;
  cleanupEmptyChildNamespaces: boolean;
}

/**
 * Events the library emits on the server (the main namespace's, plus `new_namespace`).
 *
 * @example
 * ```ts
 * io.on("new_namespace", (nsp) => nsp.use(auth));
 * ```
 */
export interface ServerReservedEventsMap<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> {
  connect: (socket: Socket<L, E, S, D>) => void;
  connection: (socket: Socket<L, E, S, D>) => void;
  new_namespace: (namespace: Namespace<L, E, S, D>) => void;
}

type HttpLikeServer = HttpServer | HttpsServer;
type ServerEventNames<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> = ReservedOrUserEventNames<ServerReservedEventsMap<L, E, S, D>, S>;
type ServerListener<L extends EventsMap, E extends EventsMap, S extends EventsMap, D, Ev extends ServerEventNames<L, E, S, D>> = ReservedOrUserListener<
  ServerReservedEventsMap<L, E, S, D>,
  S,
  Ev
>;

const ENGINE_ONLY_KEYS = ["path", "serveClient", "adapter", "connectTimeout", "connectionStateRecovery", "cleanupEmptyChildNamespaces"] as const;

function isHttpServer(value: unknown): value is HttpLikeServer {
  return typeof value === "object" && value !== null && typeof (value as { listen?: unknown }).listen === "function";
}

function normalizePath(path: string): string {
  const withSlash = path.startsWith("/") ? path : "/" + path;
  return withSlash.length > 1 && withSlash.endsWith("/") ? withSlash.slice(0, -1) : withSlash;
}

function resolveRecovery(options: ConnectionStateRecoveryOptions | undefined): ResolvedRecoveryOptions | undefined {
  if (options === undefined) return undefined;
  return {
    maxDisconnectionDuration: options.maxDisconnectionDuration ?? 2 * 60 * 1000,
    skipMiddlewares: options.skipMiddlewares ?? true,
    maxLoggedPackets: options.maxLoggedPackets ?? 100_000,
  };
}

/**
 * The Socket.IO 4 server API on Courant. Code written for `socket.io` runs by changing its import.
 *
 * @example
 * ```ts
 * import { EventEmitter } from "node:events";
import { createServer } from "node:http";
 * import { Server } from "courant";
 *
 * const httpServer = createServer();
 * const io = new Server(httpServer, { cors: { origin: "*" } });
 * io.on("connection", (socket) => {
 *   socket.on("chat", (text) => socket.broadcast.emit("chat", text));
 * });
 * httpServer.listen(3000);
 * ```
 */
export class Server<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  SocketData = any,
> {
  /** The main namespace, `"/"`. */
  readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The engine (set once attached to an HTTP server, or bound with `bind()`). */
  engine!: Engine;
  /** The HTTP server the engine is attached to. */
  httpServer: HttpLikeServer | undefined;
  readonly opts: ServerResolvedOptions;
  #engineOptions: EngineOptions;
  #adapter: AdapterConstructor | undefined;
  readonly #nsps = new Map<string, Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  readonly #parents: ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>[] = [];
  readonly #parentsByRegExp = new Map<string, { regex: RegExp; parent: ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> }>();
  #clientFiles: ClientFileServer | undefined;
  readonly #onConnection = (session: Session): void => {
    new Client(this, session);
  };

  /**
   * @param srv an HTTP(S) server to attach to, a port to listen on, or the options.
   * @example
   * ```ts
   * const io = new Server(3000);                   // its own HTTP server on port 3000
   * const io2 = new Server(httpServer, { path: "/rt" });
   * const io3 = new Server({ cors: { origin: "*" } }); io3.listen(3001);
   * ```
   */
  constructor(srv?: HttpLikeServer | number | ServerOptions, opts?: ServerOptions) {
    let server: HttpLikeServer | number | undefined;
    let options: ServerOptions;
    if (typeof srv === "number" || typeof srv === "function" || isHttpServer(srv)) {
      server = srv;
      options = opts ?? {};
    } else {
      options = srv ?? opts ?? {};
    }
    this.opts = {
      path: normalizePath(options.path ?? "/socket.io"),
      serveClient: options.serveClient !== false,
      connectTimeout: options.connectTimeout ?? 45_000,
      connectionStateRecovery: resolveRecovery(options.connectionStateRecovery),
      cleanupEmptyChildNamespaces: options.cleanupEmptyChildNamespaces === true,
    };
    this.#adapter = options.adapter;
    this.#engineOptions = engineOptionsOf(options);
    this.sockets = this.of("/");
    if (server !== undefined) this.attach(server);
  }

  // ---- options ----

  /**
   * Gets or sets the path the server answers under (set it before attaching).
   *
   * @example
   * ```ts
   * io.path(); // "/socket.io"
   * ```
   */
  path(): string;
  path(value: string): this;
  path(value?: string): string | this {
    if (value === undefined) return this.opts.path;
    this.opts.path = normalizePath(value);
    return this;
  }

  /**
   * Gets or sets whether the browser client files are served.
   *
   * @example
   * ```ts
   * io.serveClient(false);
   * ```
   */
  serveClient(): boolean;
  serveClient(value: boolean): this;
  serveClient(value?: boolean): boolean | this {
    if (value === undefined) return this.opts.serveClient;
    this.opts.serveClient = value;
    return this;
  }

  /**
   * Gets or sets the delay a client has to join a namespace.
   *
   * @example
   * ```ts
   * io.connectTimeout(10_000);
   * ```
   */
  connectTimeout(): number;
  connectTimeout(value: number): this;
  connectTimeout(value?: number): number | this {
    if (value === undefined) return this.opts.connectTimeout;
    this.opts.connectTimeout = value;
    return this;
  }

  /**
   * Gets or sets the adapter; setting it rebuilds every namespace's adapter.
   *
   * @example
   * ```ts
   * io.adapter(createAdapter(pubClient, subClient));
   * ```
   */
  adapter(): AdapterConstructor | undefined;
  adapter(value: AdapterConstructor): this;
  adapter(value?: AdapterConstructor): AdapterConstructor | undefined | this {
    if (value === undefined) return this.#adapter;
    this.#adapter = value;
    for (const nsp of this.#nsps.values()) nsp.initAdapter();
    return this;
  }

  /** Namespace: builds the adapter of `nsp` from the `adapter` option. */
  createAdapter(nsp: AdapterNamespace): Adapter {
    const ctor = this.#adapter ?? (this.opts.connectionStateRecovery === undefined ? MemoryAdapter : SessionAwareAdapter);
    // Classes and regular functions go through `new`; arrow functions (no prototype) are called.
    return (ctor as { prototype?: unknown }).prototype === undefined
      ? (ctor as (nsp: AdapterNamespace) => Adapter)(nsp)
      : new (ctor as new (nsp: AdapterNamespace) => Adapter)(nsp);
  }

  // ---- attaching ----

  /**
   * Attaches to an HTTP(S) server, or creates one listening on `port`.
   *
   * @throws TypeError when given a function (an Express app is a request handler, not a server).
   * @example
   * ```ts
   * io.attach(httpServer);
   * io.attach(3000, { pingInterval: 10_000 });
   * ```
   */
  attach(srv: HttpLikeServer | number, opts?: ServerOptions): this {
    if (typeof srv === "function") {
      throw new TypeError("Courant attaches to an http.Server, not to a request handler such as an Express app: pass http.createServer(app)");
    }
    if (opts !== undefined) {
      if (opts.path !== undefined) this.opts.path = normalizePath(opts.path);
      if (opts.serveClient !== undefined) this.opts.serveClient = opts.serveClient;
      if (opts.connectTimeout !== undefined) this.opts.connectTimeout = opts.connectTimeout;
      this.#engineOptions = { ...this.#engineOptions, ...engineOptionsOf(opts) };
    }
    let server: HttpLikeServer;
    if (typeof srv === "number") {
      server = createServer((_req, res) => {
        res.writeHead(404);
        res.end();
      });
      server.listen(srv);
    } else {
      server = srv;
    }
    const path = this.opts.path === "/" ? "/" : this.opts.path + "/";
    this.#clientFiles = new ClientFileServer(path);
    const userHook = this.#engineOptions.requestHook;
    const engine = new Engine({
      ...this.#engineOptions,
      path,
      requestHook: (req: IncomingMessage, res: ServerResponse): boolean => {
        if (this.opts.serveClient && this.#clientFiles?.handle(req, res) === true) return true;
        return userHook !== undefined && userHook(req, res);
      },
    });
    engine.attach(server);
    this.httpServer = server;
    this.bind(engine);
    return this;
  }

  /**
   * Alias of {@link attach}.
   *
   * @example
   * ```ts
   * io.listen(3000);
   * ```
   */
  listen(srv: HttpLikeServer | number, opts?: ServerOptions): this {
    return this.attach(srv, opts);
  }

  /**
   * Uses an engine built elsewhere (for example attached to several servers).
   *
   * @example
   * ```ts
   * const engine = new Engine({ path: "/socket.io/" }).attach(httpServer);
   * io.bind(engine);
   * ```
   */
  bind(engine: Engine): this {
    if (this.engine !== undefined) this.engine.off("connection", this.#onConnection);
    this.engine = engine;
    engine.on("connection", this.#onConnection);
    return this;
  }

  /**
   * Closes every socket ("server shutting down"), the engine, the adapters and the HTTP server.
   *
   * @example
   * ```ts
   * io.close(() => console.log("closed"));
   * ```
   */
  close(fn?: (err?: Error) => void): void {
    for (const nsp of this.#nsps.values()) {
      for (const socket of [...nsp.sockets.values()]) socket.onClose("server shutting down");
      const closed = nsp.adapter.close();
      if (closed !== undefined) closed.catch((err: unknown) => this.reportError(err));
    }
    for (const parent of this.#parents) void parent.adapter.close();
    this.engine?.close();
    const server = this.httpServer;
    if (server !== undefined && server.listening) server.close(fn);
    else if (fn !== undefined) process.nextTick(fn);
  }

  // ---- namespaces ----

  /**
   * The namespace `name` (created on first use), or a parent of namespaces created on demand
   * for names matching a RegExp or accepted by a function. `fn` becomes a `connection` listener.
   *
   * @example
   * ```ts
   * const admin = io.of("/admin");
   * io.of(/^\/room-\d+$/).on("connection", (socket) => socket.emit("room", socket.nsp.name));
   * io.of((name, auth, next) => next(null, name.startsWith("/team-")));
   * ```
   */
  of(
    name: string | RegExp | ParentNspNameMatchFn,
    fn?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    if (typeof name === "function" || name instanceof RegExp) {
      let parent: ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
      if (name instanceof RegExp) {
        const key = String(name);
        const existing = this.#parentsByRegExp.get(key);
        if (existing !== undefined) {
          parent = existing.parent;
        } else {
          const regex = name;
          parent = new ParentNamespace(this, (nsp, _auth, next) => next(null, regex.test(nsp)));
          this.#parentsByRegExp.set(key, { regex, parent });
          this.#parents.push(parent);
        }
      } else {
        parent = new ParentNamespace(this, name);
        this.#parents.push(parent);
      }
      if (fn !== undefined) parent.on("connection", fn);
      return parent;
    }
    const nspName = name.startsWith("/") ? name : "/" + name;
    let nsp = this.#nsps.get(nspName);
    if (nsp === undefined) {
      for (const { regex, parent } of this.#parentsByRegExp.values()) {
        if (regex.test(nspName)) {
          nsp = parent.createChild(nspName);
          break;
        }
      }
    }
    if (nsp === undefined) {
      nsp = new Namespace(this, nspName);
      this.registerNamespace(nsp);
    }
    if (fn !== undefined) nsp.on("connection", fn);
    return nsp;
  }

  /** Client: finds namespace `name`, asking the dynamic parents when it does not exist yet. */
  lookupNamespace(
    name: string,
    auth: Record<string, unknown>,
    callback: (nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> | undefined) => void,
  ): void {
    const existing = this.#nsps.get(name);
    if (existing !== undefined) {
      callback(existing);
      return;
    }
    const parents = this.#parents;
    const tryParent = (index: number): void => {
      const parent = parents[index];
      if (parent === undefined) {
        callback(undefined);
        return;
      }
      parent.matches(name, auth, (allow) => {
        if (!allow) {
          tryParent(index + 1);
          return;
        }
        // Another client may have created it while the matcher ran.
        callback(this.#nsps.get(name) ?? parent.createChild(name));
      });
    };
    tryParent(0);
  }

  /** Namespace registry: adds `nsp` and emits `new_namespace`. */
  registerNamespace(nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    this.#nsps.set(nsp.name, nsp);
    // The main namespace is created in the constructor, before `sockets` is set.
    if (nsp.name !== "/") this.sockets.emitReserved("new_namespace", nsp);
  }

  /** Namespace registry: removes `nsp` (an emptied child namespace). */
  unregisterNamespace(nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    if (this.#nsps.get(nsp.name) === nsp) this.#nsps.delete(nsp.name);
  }

  /** Whether namespace `name` exists. */
  hasNamespace(name: string): boolean {
    return this.#nsps.has(name);
  }

  /** An error with no caller to hand it to (an adapter failing in the background). */
  reportError(err: unknown): void {
    process.emitWarning(err instanceof Error ? err : new Error(String(err)));
  }

  // ---- the main namespace's API ----

  /**
   * Adds a listener on the main namespace (`connection`, `new_namespace`, or server-side events).
   *
   * @example
   * ```ts
   * io.on("connection", (socket) => {});
   * ```
   */
  on<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    this.sockets.addListener(ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * Alias of {@link on}.
   *
   * @example
   * ```ts
   * io.addListener("connection", (socket) => {});
   * ```
   */
  addListener<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    this.sockets.addListener(ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * Adds a one-time listener on the main namespace.
   *
   * @example
   * ```ts
   * io.once("connection", (socket) => console.log("first!"));
   * ```
   */
  once<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    EventEmitter.prototype.once.call(this.sockets, ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * Removes a listener of the main namespace.
   *
   * @example
   * ```ts
   * io.off("connection", onConnection);
   * ```
   */
  off<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    this.sockets.removeListener(ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * Alias of {@link off}.
   *
   * @example
   * ```ts
   * io.removeListener("connection", onConnection);
   * ```
   */
  removeListener<Ev extends ServerEventNames<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>(
    ev: Ev,
    listener: ServerListener<ListenEvents, EmitEvents, ServerSideEvents, SocketData, Ev>,
  ): this {
    this.sockets.removeListener(ev, listener as (...args: any[]) => void);
    return this;
  }

  /**
   * Removes every listener of `ev` (or of every event) on the main namespace.
   *
   * @example
   * ```ts
   * io.removeAllListeners("connection");
   * ```
   */
  removeAllListeners(ev?: string | symbol): this {
    this.sockets.removeAllListeners(ev);
    return this;
  }

  /**
   * The listeners of `ev` on the main namespace.
   *
   * @example
   * ```ts
   * io.listeners("connection").length;
   * ```
   */
  listeners(ev: string | symbol): ((...args: any[]) => void)[] {
    return this.sockets.listeners(ev) as ((...args: any[]) => void)[];
  }

  /**
   * How many listeners `ev` has on the main namespace.
   *
   * @example
   * ```ts
   * io.listenerCount("connection");
   * ```
   */
  listenerCount(ev: string | symbol): number {
    return this.sockets.listenerCount(ev);
  }

  /**
   * Adds a middleware to the main namespace.
   *
   * @example
   * ```ts
   * io.use((socket, next) => next());
   * ```
   */
  use(fn: NamespaceMiddleware<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>): this {
    this.sockets.use(fn);
    return this;
  }

  /**
   * A broadcast to the sockets in `room` (main namespace).
   *
   * @example
   * ```ts
   * io.to("room1").emit("news");
   * ```
   */
  to(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.to(room);
  }

  /**
   * Alias of {@link to}.
   *
   * @example
   * ```ts
   * io.in("room1").emit("news");
   * ```
   */
  in(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.in(room);
  }

  /**
   * A broadcast to every socket but those in `room` (main namespace).
   *
   * @example
   * ```ts
   * io.except("room1").emit("news");
   * ```
   */
  except(room: Room | readonly Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.except(room);
  }

  /**
   * Sends an event to every socket of the main namespace.
   *
   * @example
   * ```ts
   * io.emit("news", { title: "hello" });
   * ```
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.sockets.emit(ev, ...args);
  }

  /**
   * Sends an event to every socket of the main namespace and resolves with their acknowledgements.
   *
   * @example
   * ```ts
   * const answers = await io.timeout(1000).emitWithAck("poll");
   * ```
   */
  emitWithAck<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: AckParams<EmitEvents, Ev>): Promise<AckResults<EmitEvents, Ev>> {
    return this.sockets.emitWithAck(ev, ...args);
  }

  /**
   * Sends a `message` event to every socket of the main namespace.
   *
   * @example
   * ```ts
   * io.send("hello");
   * ```
   */
  send(...args: EventParams<EmitEvents, "message">): this {
    this.sockets.send(...args);
    return this;
  }

  /**
   * Alias of {@link send}.
   *
   * @example
   * ```ts
   * io.write("hello");
   * ```
   */
  write(...args: EventParams<EmitEvents, "message">): this {
    this.sockets.write(...args);
    return this;
  }

  /**
   * Sends an event to the other servers (main namespace); an ack callback last gets `(err, responses)`.
   *
   * @example
   * ```ts
   * io.serverSideEmit("hello", "world");
   * ```
   */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(ev: Ev, ...args: EventParams<ServerSideEvents, Ev>): boolean {
    return this.sockets.serverSideEmit(ev, ...args);
  }

  /**
   * Like {@link serverSideEmit}, resolving with the other servers' responses.
   *
   * @example
   * ```ts
   * const responses = await io.serverSideEmitWithAck("ping");
   * ```
   */
  serverSideEmitWithAck<Ev extends EventNames<ServerSideEvents>>(ev: Ev, ...args: AckParams<ServerSideEvents, Ev>): Promise<unknown[]> {
    return this.sockets.serverSideEmitWithAck(ev, ...args);
  }

  /**
   * The ids of every socket of the main namespace.
   *
   * @deprecated Use {@link fetchSockets}.
   * @example
   * ```ts
   * const ids = await io.allSockets();
   * ```
   */
  allSockets(): Promise<Set<SocketId>> {
    return this.sockets.allSockets();
  }

  /**
   * A broadcast whose packet may (or may not) be compressed.
   *
   * @example
   * ```ts
   * io.compress(false).emit("blob", bytes);
   * ```
   */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.compress(compress);
  }

  /**
   * A broadcast dropped for sockets that cannot take it right now.
   *
   * @example
   * ```ts
   * io.volatile.emit("tick");
   * ```
   */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.volatile;
  }

  /**
   * A broadcast to this process's sockets only.
   *
   * @example
   * ```ts
   * io.local.emit("hi");
   * ```
   */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.sockets.local;
  }

  /**
   * A broadcast that waits `ms` for the acknowledgements.
   *
   * @example
   * ```ts
   * io.timeout(1000).emit("poll", (err, responses) => {});
   * ```
   */
  timeout(ms: number): BroadcastOperator<DecorateAcknowledgementsWithMultipleResponses<EmitEvents>, SocketData> {
    return this.sockets.timeout(ms);
  }

  /**
   * Every socket of the main namespace.
   *
   * @example
   * ```ts
   * const sockets = await io.fetchSockets();
   * ```
   */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.sockets.fetchSockets();
  }

  /**
   * Makes every socket of the main namespace join `room`.
   *
   * @example
   * ```ts
   * io.socketsJoin("announcements");
   * ```
   */
  socketsJoin(room: Room | readonly Room[]): void {
    this.sockets.socketsJoin(room);
  }

  /**
   * Makes every socket of the main namespace leave `room`.
   *
   * @example
   * ```ts
   * io.socketsLeave("announcements");
   * ```
   */
  socketsLeave(room: Room | readonly Room[]): void {
    this.sockets.socketsLeave(room);
  }

  /**
   * Disconnects every socket of the main namespace (`close`: their whole connections).
   *
   * @example
   * ```ts
   * io.disconnectSockets(true);
   * ```
   */
  disconnectSockets(close = false): void {
    this.sockets.disconnectSockets(close);
  }
}

/** The options meant for the engine (the server's own keys removed). */
function engineOptionsOf(options: ServerOptions): EngineOptions {
  const engine: Record<string, unknown> = { ...options };
  for (const key of ENGINE_ONLY_KEYS) delete engine[key];
  return engine as EngineOptions;
}
