// The chat application: Express serves the page from ./public, and the Socket.IO server shares
// its HTTP server (the browser loads the client from /socket.io/socket.io.js on the same origin).
import { once } from "node:events";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo, Socket as NetSocket } from "node:net";
import { fileURLToPath } from "node:url";
import express from "express";
import { Server, type Socket } from "../../src/index.js";
import type { ChatLimits, ChatSocketData, ClientToServerEvents, InterServerEvents, ServerToClientEvents } from "./chat-events.js";
import { ChatService } from "./chat-service.js";
import { MemoryHistoryStore, type HistoryStore } from "./history-store.js";
import { DEFAULT_LIMITS, parseRoomName } from "./validation.js";

/** The chat's Socket.IO server, with its typed events. */
export type ChatIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, ChatSocketData>;
/** One connection to the chat. */
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, ChatSocketData>;

/** Options of {@link createChatServer}; every one has a default. */
export interface ChatServerOptions {
  /** TCP port; 0 picks a free one. Default 3000. */
  port?: number;
  /** Interface to listen on. Default: every interface. */
  host?: string;
  /** Messages a newcomer to a room sees. Default 50. */
  historySize?: number;
  /** Where history is kept. Default: a {@link MemoryHistoryStore} of `historySize` messages per room. */
  store?: HistoryStore;
  /** Nickname, message and room-name lengths. Default 32 / 500 / 32 characters. */
  limits?: Partial<ChatLimits>;
  /** The room everyone starts in. Default "general". */
  defaultRoom?: string;
  /** Rooms that may exist at once. Default 100. */
  maxRooms?: number;
  /** Messages allowed per socket and window. Default 20 every 10 s. */
  rateLimit?: { messages: number; windowMs: number };
  /** A Redis URL to run several processes together; see the scale-out note below. */
  redisUrl?: string;
}

/** A running chat. */
export interface ChatServer {
  httpServer: HttpServer;
  io: ChatIo;
  /** The port it listens on (the real one when started on port 0). */
  port: number;
  /** `http://localhost:<port>` */
  url: string;
  /** Disconnects everyone, stops listening and releases the store it made. Safe to call twice. */
  close(): Promise<void>;
}

/** Thrown by {@link createChatServer} for options it cannot honour. */
export class ChatConfigError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ChatConfigError";
    this.code = code;
  }
}

const PUBLIC_DIR = fileURLToPath(new URL("./public/", import.meta.url));

// The page loads only its own files and talks only to its own origin, so an injected
// script or image could do nothing even if one got through (which the page prevents anyway).
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Starts the chat: an Express app for the page and a Socket.IO server on the same HTTP server.
 *
 * @example
 * const chat = await createChatServer({ port: 0, historySize: 50 });
 * console.log(`chat on ${chat.url}`);
 * await chat.close();
 */
export async function createChatServer(options: ChatServerOptions = {}): Promise<ChatServer> {
  const limits: ChatLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const historySize = options.historySize ?? 50;
  const maxRooms = options.maxRooms ?? 100;
  const defaultRoom = parseRoomName(options.defaultRoom ?? "general", limits);
  if (!defaultRoom.ok) throw new ChatConfigError("CHAT_ERR_ROOM_INVALID", defaultRoom.error.message);
  const ownStore = options.store === undefined;
  const store = options.store ?? new MemoryHistoryStore({ size: historySize, maxRooms });

  const app = express();
  app.disable("x-powered-by");
  app.use((_req, res, next) => {
    res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "no-referrer");
    next();
  });
  app.use(express.static(PUBLIC_DIR));

  const httpServer = createServer(app);
  // Chat payloads are small; a client sending more than this is cut off by the transport.
  const io: ChatIo = new Server(httpServer, { maxHttpBufferSize: 64 * 1024 });

  // ── Scale-out: the one place the Redis adapter plugs in ──────────────────────────────
  // With several chat processes behind a load balancer, rooms and broadcasts go through Redis:
  //   import { createAdapter } from "courant/redis";
  //   io.adapter(createAdapter(pubClient, subClient));   // two connected node-redis/ioredis clients
  // and `store` becomes a Redis-backed HistoryStore (./history-store.ts is the interface).
  // Presence (./presence.ts) counts this process's people only and has to move to Redis too.
  // The chat is not wired to Redis yet (a later change does it), so a REDIS_URL is refused
  // here rather than silently running one process that only looks clustered.
  if (options.redisUrl !== undefined && options.redisUrl !== "") {
    await io.close();
    throw new ChatConfigError(
      "CHAT_ERR_REDIS_UNAVAILABLE",
      "REDIS_URL is set, but the chat does not run on several processes yet; unset it to run one process.",
    );
  }
  // ─────────────────────────────────────────────────────────────────────────────────────

  const service = new ChatService(io, {
    store,
    limits,
    defaultRoom: defaultRoom.value,
    historySize,
    maxRooms,
    rateLimit: options.rateLimit ?? { messages: 20, windowMs: 10_000 },
    directoryDelayMs: 50,
  });

  app.get("/healthz", (_req, res) => {
    res.json({ ok: true, clients: io.engine.clientsCount });
  });

  // Tracked so close() can end upgraded (WebSocket) connections, which the HTTP server forgets.
  const connections = new Set<NetSocket>();
  httpServer.on("connection", (socket: NetSocket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
  });

  try {
    httpServer.listen(options.port ?? 3000, options.host);
    await once(httpServer, "listening");
  } catch (err) {
    service.close();
    await io.close();
    throw err;
  }
  const port = (httpServer.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    service.close();
    const closed = httpServer.listening ? once(httpServer, "close") : Promise.resolve();
    await io.close();
    if (httpServer.listening) httpServer.close();
    for (const socket of connections) socket.destroy();
    await closed;
    if (ownStore) await store.close();
  }

  return {
    httpServer,
    io,
    port,
    url: `http://localhost:${port}`,
    close: () => (closing ??= close()),
  };
}
