// Where the recent messages of each room live. The chat only talks to the HistoryStore
// interface, so a store shared by several processes (Redis lists, say) can replace the
// in-memory one without touching the rest of the app. Every method is async for that reason.
import type { ChatMessage } from "./chat-events.js";

/**
 * The recent history of every room.
 *
 * @example
 * const store: HistoryStore = new MemoryHistoryStore({ size: 50 });
 * await store.append({ id: "1", room: "general", nickname: "ada", text: "hi", ts: Date.now() });
 * await store.recent("general", 50); // [{ id: "1", ... }]
 */
export interface HistoryStore {
  /** Stores a message at the end of its room's history, dropping the oldest past the store's size. */
  append(message: ChatMessage): Promise<void>;
  /** The newest `limit` messages of a room, oldest first; an empty array for an unknown room. */
  recent(room: string, limit: number): Promise<ChatMessage[]>;
  /** The rooms that have history, so the room list shows them while nobody is in them. */
  rooms(): Promise<string[]>;
  /** Releases what the store holds (connections, memory). */
  close(): Promise<void>;
}

/** Options of {@link MemoryHistoryStore}. */
export interface MemoryHistoryStoreOptions {
  /** Messages kept per room. Default 50. */
  size?: number;
  /** Rooms kept; past it, the room written to least recently is forgotten. Default 100. */
  maxRooms?: number;
}

/**
 * The default store: the last `size` messages of each room, in this process's memory, lost
 * when it exits.
 *
 * @example
 * const store = new MemoryHistoryStore({ size: 2 });
 * for (const text of ["a", "b", "c"]) {
 *   await store.append({ id: text, room: "general", nickname: "ada", text, ts: Date.now() });
 * }
 * (await store.recent("general", 50)).map((m) => m.text); // ["b", "c"]
 */
export class MemoryHistoryStore implements HistoryStore {
  // Map order doubles as recency: a room is moved to the end on every append.
  #rooms = new Map<string, ChatMessage[]>();
  #size: number;
  #maxRooms: number;

  constructor(options: MemoryHistoryStoreOptions = {}) {
    const { size = 50, maxRooms = 100 } = options;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
    if (!Number.isInteger(maxRooms) || maxRooms < 1) {
      throw new RangeError(`maxRooms must be a positive integer, got ${maxRooms}`);
    }
    this.#size = size;
    this.#maxRooms = maxRooms;
  }

  append(message: ChatMessage): Promise<void> {
    let messages = this.#rooms.get(message.room);
    if (messages === undefined) {
      messages = [];
    } else {
      this.#rooms.delete(message.room);
    }
    this.#rooms.set(message.room, messages);
    messages.push(message);
    if (messages.length > this.#size) messages.splice(0, messages.length - this.#size);
    if (this.#rooms.size > this.#maxRooms) {
      const oldest = this.#rooms.keys().next().value;
      if (oldest !== undefined) this.#rooms.delete(oldest);
    }
    return Promise.resolve();
  }

  recent(room: string, limit: number): Promise<ChatMessage[]> {
    const messages = this.#rooms.get(room);
    if (messages === undefined || limit <= 0) return Promise.resolve([]);
    return Promise.resolve(messages.slice(-limit));
  }

  rooms(): Promise<string[]> {
    return Promise.resolve([...this.#rooms.keys()]);
  }

  close(): Promise<void> {
    this.#rooms.clear();
    return Promise.resolve();
  }
}
