// The Socket.IO server (`courant`): attaches the engine to an HTTP server, turns engine sessions
// into clients, owns the namespaces (static and dynamic) and the adapter choice.

import { createServer } from "node:http";
import type { Server as HttpServer, IncomingMessage, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { Adapter, AdapterConstructor, AdapterNamespace } from "../adapters/adapter.js";
import { MemoryAdapter } from "../adapters/memory/memory-adapter.js";
import { SessionAwareAdapter } from "../adapters/memory/session-aware-adapter.js";
import { Engine } from "../engine/index.js";
import type { EngineOptions, Session } from "../engine/index.js";
import { wheelFor } from "../engine/heartbeat.js";
import type { Timer, TimerWheel } from "../engine/heartbeat.js";
import { encodeSocketPacket, stringifyJson } from "../protocol/index.js";
import type { SocketPacket } from "../protocol/index.js";
import type { PacketEncoder, Parser } from "../protocol/parser.js";
import { Client } from "./client.js";
import { MainNamespaceApi } from "./main-namespace-api.js";
import { Namespace } from "./namespace.js";
import { ParentNamespace } from "./parent-namespace.js";
import type { ParentNspNameMatchFn } from "./parent-namespace.js";
import { ClientFileServer } from "./serve-client.js";
import { engineOptionsOf, normalizePath, resolveServerOptions } from "./server-options.js";
import type { ServerOptions, ServerResolvedOptions } from "./server-options.js";
import type { Socket } from "./socket.js";
import type { DefaultEventsMap, EventsMap } from "./typed-events.js";

export type { ConnectionStateRecoveryOptions, ServerOptions, ServerResolvedOptions } from "./server-options.js";
export type { ServerReservedEventsMap } from "./main-namespace-api.js";

type HttpLikeServer = HttpServer | HttpsServer;

/** The built-in codec's encoder: Socket.IO's JSON text, written by stringifyJson. */
function encodeBuiltIn(packet: SocketPacket): [string, ...Uint8Array[]] {
  return encodeSocketPacket(packet, stringifyJson);
}

const BUILT_IN_ENCODER: PacketEncoder = { encode: encodeBuiltIn };

function isHttpServer(value: unknown): value is HttpLikeServer {
  return typeof value === "object" && value !== null && typeof (value as { listen?: unknown }).listen === "function";
}

/**
 * The Socket.IO 4 server API on Courant. Code written for `socket.io` runs by changing its import.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
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
> extends MainNamespaceApi<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  /** The main namespace, `"/"`. */
  readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** The engine (set once attached to an HTTP server, or bound with `bind()`). */
  engine!: Engine;
  /** The HTTP server the engine is attached to. */
  httpServer: HttpLikeServer | undefined;
  readonly opts: ServerResolvedOptions;
  /** The encoder of the `parser` option, else the built-in one (socket.io's `io.encoder`, for adapters). */
  readonly encoder: PacketEncoder;
  /** @internal The `parser` option, `undefined` for the built-in codec (whose decoding is shared between clients). */
  readonly customParser: Parser | undefined;
  #engineOptions: EngineOptions;
  #adapter: AdapterConstructor | undefined;
  readonly #nsps = new Map<string, Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>>();
  readonly #parents: ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>[] = [];
  readonly #parentsByRegExp = new Map<string, { regex: RegExp; parent: ParentNamespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> }>();
  #clientFiles: ClientFileServer | undefined;
  /** Connect timeouts of the clients that joined no namespace yet: one shared timer, not one each. */
  #connectTimers: TimerWheel | null = null;
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
    super();
    this.opts = resolveServerOptions(options);
    this.customParser = options.parser;
    this.encoder = options.parser === undefined ? BUILT_IN_ENCODER : new options.parser.Encoder();
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
   * `fn` runs once the HTTP server has closed; the promise settles once the adapters have closed
   * (the Redis adapter's unsubscribing, say), as socket.io's does. An adapter that fails to close
   * is reported (`reportError`), and the promise still resolves.
   *
   * @example
   * ```ts
   * io.close(() => console.log("HTTP server closed"));
   * await io.close(); // then quit the Redis clients
   * ```
   */
  close(fn?: (err?: Error) => void): Promise<void> {
    const closing: Promise<void>[] = [];
    const closeAdapter = (adapter: Adapter): void => {
      const closed = adapter.close();
      if (closed !== undefined) closing.push(closed.catch((err: unknown) => this.reportError(err)));
    };
    for (const nsp of this.#nsps.values()) {
      for (const socket of [...nsp.sockets.values()]) socket.onClose("server shutting down");
      closeAdapter(nsp.adapter);
    }
    for (const parent of this.#parents) closeAdapter(parent.adapter);
    this.#connectTimers?.stop();
    this.engine?.close();
    const server = this.httpServer;
    if (server !== undefined && server.listening) server.close(fn);
    else if (fn !== undefined) process.nextTick(fn);
    return Promise.all(closing).then(() => undefined);
  }

  // ---- packets ----

  /**
   * @internal The Engine.IO messages of `packet`, from the `parser` option's encoder or the
   * built-in one. What another codec returns is checked: an array of strings, Uint8Arrays and
   * ArrayBuffers (made Uint8Arrays).
   *
   * @throws TypeError when the `parser` option's encoder returns anything else.
   */
  encodePacket(packet: SocketPacket): readonly (string | Uint8Array)[] {
    if (this.customParser === undefined) return encodeBuiltIn(packet);
    const parts: unknown = this.encoder.encode(packet);
    if (!Array.isArray(parts)) throw new TypeError("Socket.IO: the parser's encode() must return an array of messages");
    return parts.map((part: unknown) => {
      if (typeof part === "string" || part instanceof Uint8Array) return part;
      if (part instanceof ArrayBuffer) return new Uint8Array(part);
      throw new TypeError("Socket.IO: the parser's encode() returned a message that is neither a string nor binary");
    });
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

  /**
   * @internal A new client's connect timeout: `timer` fires `connectTimeout` ms from now, at most
   * a fiftieth of it late (between 1 ms and 1 s).
   */
  scheduleConnectTimeout(timer: Timer): void {
    const timeout = this.opts.connectTimeout;
    const wheel = (this.#connectTimers = wheelFor(this.#connectTimers, timeout, 1000));
    wheel.schedule(timer, Date.now() + timeout);
  }

  /** @internal The client joined a namespace, or closed. */
  cancelConnectTimeout(timer: Timer): void {
    this.#connectTimers?.cancel(timer);
  }

  /** An error with no caller to hand it to (an adapter failing in the background). */
  reportError(err: unknown): void {
    process.emitWarning(err instanceof Error ? err : new Error(String(err)));
  }
}
