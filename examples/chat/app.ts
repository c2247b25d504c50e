// The chat application: Express serves the page from ./public, and the Socket.IO server shares
// its HTTP server (the browser loads the client from /socket.io/socket.io.js on the same origin).
import { once } from "node:events";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo, Socket as NetSocket } from "node:net";
import { fileURLToPath } from "node:url";
import express from "express";
import { createClient } from "redis";
import { createAdapter } from "../../src/adapters/redis/index.js";
import { Server, type Socket } from "../../src/index.js";
import type { ChatLimits, ChatSocketData, ClientToServerEvents, InterServerEvents, ServerToClientEvents } from "./chat-events.js";
import { ChatService } from "./chat-service.js";
import { MemoryHistoryStore, type HistoryStore } from "./history-store.js";
import { RedisHistoryStore, type ChatRedisClient } from "./redis-history-store.js";
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
  /**
   * A Redis URL to run several processes together: broadcasts go through the Redis adapter,
   * history through a {@link RedisHistoryStore} (unless `store` is given) and the people in each
   * room are counted across every process. Default: none, one process on its own.
   */
  redisUrl?: string;
  /** With `redisUrl`: the prefix of the adapter's channels and the history's keys. Default "courant-chat". */
  redisKey?: string;
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
  const redis = options.redisUrl !== undefined && options.redisUrl !== "" ? await connectRedis(options.redisUrl) : undefined;
  const redisKey = options.redisKey ?? "courant-chat";
  const ownStore = options.store === undefined;
  const store =
    options.store ??
    (redis === undefined
      ? new MemoryHistoryStore({ size: historySize, maxRooms })
      : new RedisHistoryStore({ client: redis.pub, prefix: redisKey, size: historySize, maxRooms }));

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
  // With Redis, a broadcast made here is published once and delivered by every chat process.
  const io: ChatIo = new Server(httpServer, {
    maxHttpBufferSize: 64 * 1024,
    ...(redis === undefined ? {} : { adapter: createAdapter(redis.pub, redis.sub, { key: redisKey }) }),
  });
  if (redis !== undefined) {
    io.of("/").adapter.on("error", (err: unknown) => {
      console.error("chat: Redis adapter:", err);
    });
  }

  const service = new ChatService(io, {
    store,
    limits,
    defaultRoom: defaultRoom.value,
    historySize,
    maxRooms,
    rateLimit: options.rateLimit ?? { messages: 20, windowMs: 10_000 },
    directoryDelayMs: 50,
    cluster: redis !== undefined,
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
    if (ownStore) await store.close();
    await redis?.quit();
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
    // After io.close(): the adapter unsubscribes and says goodbye through these clients.
    await redis?.quit();
  }

  return {
    httpServer,
    io,
    port,
    url: `http://localhost:${port}`,
    close: () => (closing ??= close()),
  };
}

/** The two clients the Redis adapter needs: one publishes (and stores history), one subscribes. */
interface RedisPair {
  pub: ChatRedisClient;
  sub: ChatRedisClient;
  quit(): Promise<void>;
}

// Redis that cannot be reached at start is a configuration error, reported after a few tries;
// once connected, the clients reconnect by themselves (up to 2 s apart) for as long as it takes.
const INITIAL_CONNECT_RETRIES = 5;

async function connectRedis(url: string): Promise<RedisPair> {
  let connected = false;
  const pub = createClient({
    url,
    socket: {
      connectTimeout: 3000,
      reconnectStrategy: (retries: number, cause: Error) =>
        !connected && retries >= INITIAL_CONNECT_RETRIES ? cause : Math.min(100 * 2 ** retries, 2000),
    },
  });
  const sub = pub.duplicate();
  for (const client of [pub, sub]) {
    client.on("error", (err: unknown) => {
      if (connected) console.error("chat: Redis:", err instanceof Error ? err.message : err);
    });
  }
  try {
    await Promise.all([pub.connect(), sub.connect()]);
  } catch (err) {
    for (const client of [pub, sub]) if (client.isOpen) client.destroy();
    const reason = err instanceof Error ? err.message : String(err);
    throw new ChatConfigError("CHAT_ERR_REDIS_UNAVAILABLE", `Redis at ${url} cannot be reached (${reason}).`);
  }
  connected = true;
  let quitting: Promise<void> | undefined;
  const quit = async (): Promise<void> => {
    await Promise.all([pub, sub].map((client) => (client.isOpen ? client.close() : undefined)));
  };
  return { pub, sub, quit: () => (quitting ??= quit()) };
}
