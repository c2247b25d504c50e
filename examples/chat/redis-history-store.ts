// The history shared by every chat process: one Redis list per room (the last `size` messages,
// as JSON) and one sorted set of room names scored by their last write, so that the room written
// to least recently is the one forgotten past `maxRooms`, as in the in-memory store.
import type { createClient } from "redis";
import type { ChatMessage } from "./chat-events.js";
import type { HistoryStore } from "./history-store.js";

/** A connected node-redis client (v5), as `createClient()` returns it. */
export type ChatRedisClient = ReturnType<typeof createClient>;

/** Options of {@link RedisHistoryStore}. */
export interface RedisHistoryStoreOptions {
  /** A connected client; the store uses it but does not close it. */
  client: ChatRedisClient;
  /** Prefix of every key, so that several chats (or test runs) can share one Redis. Default "courant-chat". */
  prefix?: string;
  /** Messages kept per room. Default 50. */
  size?: number;
  /** Rooms kept; past it, the room written to least recently is forgotten. Default 100. */
  maxRooms?: number;
}

/**
 * A {@link HistoryStore} in Redis, shared by every process given the same client URL and prefix.
 *
 * @example
 * const client = createClient({ url: "redis://127.0.0.1:6379" });
 * await client.connect();
 * const store = new RedisHistoryStore({ client, prefix: "chat", size: 50 });
 * await store.append({ id: "1", room: "general", nickname: "ada", text: "hi", ts: Date.now() });
 * await store.recent("general", 50); // [{ id: "1", ... }], from any process
 * await store.close();
 * await client.quit();
 */
export class RedisHistoryStore implements HistoryStore {
  #client: ChatRedisClient;
  #prefix: string;
  #size: number;
  #maxRooms: number;
  #roomsKey: string;

  constructor(options: RedisHistoryStoreOptions) {
    const { client, prefix = "courant-chat", size = 50, maxRooms = 100 } = options;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
    if (!Number.isInteger(maxRooms) || maxRooms < 1) {
      throw new RangeError(`maxRooms must be a positive integer, got ${maxRooms}`);
    }
    this.#client = client;
    this.#prefix = prefix;
    this.#size = size;
    this.#maxRooms = maxRooms;
    this.#roomsKey = `${prefix}:rooms`;
  }

  async append(message: ChatMessage): Promise<void> {
    const key = this.#historyKey(message.room);
    const [, , , roomCount] = await this.#client
      .multi()
      .rPush(key, JSON.stringify(message))
      .lTrim(key, -this.#size, -1)
      .zAdd(this.#roomsKey, { score: Date.now(), value: message.room })
      .zCard(this.#roomsKey)
      .exec();
    const excess = Number(roomCount) - this.#maxRooms;
    if (excess > 0) {
      // ZPOPMIN is atomic: two processes trimming at once never forget the same room twice.
      const forgotten = await this.#client.zPopMinCount(this.#roomsKey, excess);
      if (forgotten.length > 0) await this.#client.del(forgotten.map((entry) => this.#historyKey(entry.value)));
    }
  }

  async recent(room: string, limit: number): Promise<ChatMessage[]> {
    if (limit <= 0) return [];
    const entries = await this.#client.lRange(this.#historyKey(room), -limit, -1);
    const messages: ChatMessage[] = [];
    for (const entry of entries) {
      const message = parseStored(entry);
      if (message !== null) messages.push(message);
    }
    return messages;
  }

  rooms(): Promise<string[]> {
    return this.#client.zRange(this.#roomsKey, 0, -1);
  }

  /** Nothing to release: the client belongs to whoever passed it. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  #historyKey(room: string): string {
    return `${this.#prefix}:history:${room}`;
  }
}

// What another process (or an older version) wrote is checked before it reaches a browser.
function parseStored(entry: string): ChatMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(entry);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { id, room, nickname, text, ts } = value as Record<string, unknown>;
  if (typeof id !== "string" || typeof room !== "string" || typeof nickname !== "string") return null;
  if (typeof text !== "string" || typeof ts !== "number") return null;
  return { id, room, nickname, text, ts };
}
