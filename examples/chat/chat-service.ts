// The chat itself: what happens on join, message, typing and disconnect. It uses only the
// Socket.IO 4 server API (rooms, broadcast operators, acknowledgements), so it runs the same
// on Courant and on socket.io.
import { randomUUID } from "node:crypto";
import type { ChatIo, ChatSocket } from "./app.js";
import type { ChatErrorBody, ChatErrorCode, ChatLimits, ChatMessage, Directory, Joined, Reply, Sent } from "./chat-events.js";
import type { HistoryStore } from "./history-store.js";
import { compareNicknames, nicknameKey, Presence } from "./presence.js";
import { parseJoinRequest, parseMessageRequest, parseTyping } from "./validation.js";

/** How the chat behaves; {@link createChatServer} fills in the defaults. */
export interface ChatServiceOptions {
  store: HistoryStore;
  limits: ChatLimits;
  defaultRoom: string;
  /** Messages a newcomer to a room receives. */
  historySize: number;
  /** Rooms that may exist at once (with people or history in them). */
  maxRooms: number;
  /** At most `messages` per socket every `windowMs`. */
  rateLimit: { messages: number; windowMs: number };
  /** Room-list updates are coalesced into one broadcast per this many ms. */
  directoryDelayMs: number;
  /**
   * Several processes share this chat through an adapter (Redis): who is in a room, the room
   * counts, the client count and nickname checks then ask every process (`fetchSockets()`)
   * instead of this one's Presence. Default false.
   */
  cluster?: boolean;
}

/** A joined socket as any process sees it (`socket.data` travels with `fetchSockets()`). */
interface SeenSocket {
  id: string;
  data: Partial<{ nickname: string; room: string; sessionId: string }>;
}

interface SenderState {
  windowStart: number;
  count: number;
  lastTyping: number;
}

// Resends after a reconnection are matched on (session, client message id); this many are remembered.
const RECENT_SENDS = 10_000;
// A client that says "typing" more often than this is not relayed every time.
const TYPING_MIN_INTERVAL_MS = 500;

type Ack<T> = (reply: Reply<T>) => void;

function asAck<T>(value: unknown): Ack<T> | null {
  return typeof value === "function" ? (value as Ack<T>) : null;
}

function error(code: ChatErrorCode, message: string): { ok: false; error: ChatErrorBody } {
  return { ok: false, error: { code, message } };
}

/**
 * Runs the chat on a Socket.IO server: call it once, after the server is created.
 *
 * @example
 * const io = new Server(httpServer);
 * const chat = new ChatService(io, {
 *   store: new MemoryHistoryStore({ size: 50 }),
 *   limits: DEFAULT_LIMITS,
 *   defaultRoom: "general",
 *   historySize: 50,
 *   maxRooms: 100,
 *   rateLimit: { messages: 20, windowMs: 10_000 },
 *   directoryDelayMs: 50,
 * });
 * // later: chat.close(); io.close();
 */
export class ChatService {
  #io: ChatIo;
  #options: ChatServiceOptions;
  #presence = new Presence();
  #senders = new Map<string, SenderState>();
  #recentSends = new Map<string, ChatMessage>();
  #directoryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(io: ChatIo, options: ChatServiceOptions) {
    this.#io = io;
    this.#options = options;
    io.on("connection", (socket) => {
      this.#onConnection(socket);
    });
  }

  /** Stops the pending room-list update; the caller closes the Socket.IO server. */
  close(): void {
    this.#closed = true;
    if (this.#directoryTimer !== undefined) clearTimeout(this.#directoryTimer);
    this.#directoryTimer = undefined;
  }

  #onConnection(socket: ChatSocket): void {
    this.#senders.set(socket.id, { windowStart: 0, count: 0, lastTyping: 0 });
    socket.on("join", (request, ack) => {
      void this.#onJoin(socket, request, ack);
    });
    socket.on("message", (request, ack) => {
      void this.#onMessage(socket, request, ack);
    });
    socket.on("typing", (request) => {
      this.#onTyping(socket, request);
    });
    socket.on("disconnect", () => {
      this.#onDisconnect(socket);
    });
    void this.#sendHello(socket);
    this.#scheduleDirectory();
  }

  async #sendHello(socket: ChatSocket): Promise<void> {
    const directory = await this.#directory();
    socket.emit("hello", { limits: this.#options.limits, defaultRoom: this.#options.defaultRoom, directory });
  }

  async #onJoin(socket: ChatSocket, request: unknown, ackValue: unknown): Promise<void> {
    const ack = asAck<Joined>(ackValue);
    if (ack === null) return;
    const parsed = parseJoinRequest(request, this.#options.limits);
    if (!parsed.ok) return ack(parsed);
    const { nickname, room, sessionId, resume } = parsed.value;

    if (!(await this.#roomAvailable(room))) {
      return ack(error("CHAT_ERR_ROOM_LIMIT", "There are too many rooms already; pick an existing one."));
    }
    if (!socket.connected) return;

    const holder = this.#presence.holderOf(nickname);
    if (holder !== undefined && holder.socketId !== socket.id) {
      if (holder.sessionId !== sessionId) {
        return ack(error("CHAT_ERR_NICKNAME_TAKEN", `"${nickname}" is already taken; pick another nickname.`));
      }
      // The same browser tab is back before its old connection timed out: hand the nickname over.
      this.#presence.leave(holder.socketId);
      if (holder.room !== room) this.#announceLeft(holder.room, holder.nickname, room);
      this.#io.in(holder.socketId).disconnectSockets(true);
    } else if (holder === undefined && this.#options.cluster === true) {
      const remote = (await this.#everyone()).find(
        (seen) => seen.id !== socket.id && seen.data.nickname !== undefined && nicknameKey(seen.data.nickname) === nicknameKey(nickname),
      );
      if (remote !== undefined) {
        if (remote.data.sessionId !== sessionId) {
          return ack(error("CHAT_ERR_NICKNAME_TAKEN", `"${nickname}" is already taken; pick another nickname.`));
        }
        // The same tab, reconnected to another process: its old connection there is dropped
        // (that process announces it leaving).
        this.#io.in(remote.id).disconnectSockets(true);
      }
      if (!socket.connected) return;
    }

    const previous = this.#presence.get(socket.id);
    const changed = previous === undefined || previous.room !== room || previous.nickname !== nickname;
    if (previous !== undefined && changed) {
      void socket.leave(previous.room);
      this.#announceLeft(previous.room, previous.nickname, previous.room === room ? null : room);
    }
    this.#presence.join({ socketId: socket.id, nickname, room, sessionId });
    socket.data.nickname = nickname;
    socket.data.room = room;
    socket.data.sessionId = sessionId;
    if (changed) {
      void socket.join(room);
      socket.to(room).emit("member:joined", { room, nickname, ts: Date.now(), quiet: resume });
      this.#scheduleDirectory();
    }

    let history: ChatMessage[] = [];
    try {
      history = await this.#options.store.recent(room, this.#options.historySize);
    } catch (err) {
      console.error("chat: could not read the history of %s:", room, err);
    }
    ack({ ok: true, room, nickname, members: await this.#members(room), history });
  }

  async #onMessage(socket: ChatSocket, request: unknown, ackValue: unknown): Promise<void> {
    const ack = asAck<Sent>(ackValue);
    if (ack === null) return;
    const parsed = parseMessageRequest(request, this.#options.limits);
    if (!parsed.ok) return ack(parsed);
    const { room, clientId, text } = parsed.value;
    const member = this.#presence.get(socket.id);
    if (member === undefined || member.room !== room) {
      return ack(error("CHAT_ERR_NOT_JOINED", `Join #${room} before writing to it.`));
    }

    const key = `${member.sessionId}\n${clientId}`;
    const seen = this.#recentSends.get(key);
    if (seen !== undefined) return ack({ ok: true, message: seen });
    if (!this.#allowMessage(socket.id)) {
      return ack(error("CHAT_ERR_RATE_LIMITED", "You are sending messages too fast; wait a few seconds."));
    }

    const message: ChatMessage = { id: randomUUID(), room, nickname: member.nickname, text, ts: Date.now() };
    this.#rememberSend(key, message);
    try {
      await this.#options.store.append(message);
    } catch (err) {
      this.#recentSends.delete(key);
      console.error("chat: could not store a message in %s:", room, err);
      return ack(error("CHAT_ERR_UNAVAILABLE", "The message could not be saved; try again."));
    }
    // Everyone in the room but the sender, whose page already shows it and learns from the ack.
    socket.to(room).emit("message", message);
    ack({ ok: true, message });
  }

  #onTyping(socket: ChatSocket, request: unknown): void {
    const typing = parseTyping(request);
    const member = this.#presence.get(socket.id);
    const sender = this.#senders.get(socket.id);
    if (typing === null || member === undefined || sender === undefined) return;
    if (typing) {
      const now = Date.now();
      if (now - sender.lastTyping < TYPING_MIN_INTERVAL_MS) return;
      sender.lastTyping = now;
    } else {
      sender.lastTyping = 0;
    }
    socket.to(member.room).emit("typing", { room: member.room, nickname: member.nickname, typing });
  }

  #onDisconnect(socket: ChatSocket): void {
    this.#senders.delete(socket.id);
    const member = this.#presence.leave(socket.id);
    if (member !== undefined) this.#announceLeft(member.room, member.nickname, null);
    this.#scheduleDirectory();
  }

  #announceLeft(room: string, nickname: string, to: string | null): void {
    this.#io.to(room).emit("member:left", { room, nickname, ts: Date.now(), to });
    this.#scheduleDirectory();
  }

  #allowMessage(socketId: string): boolean {
    const sender = this.#senders.get(socketId);
    if (sender === undefined) return false;
    const now = Date.now();
    if (now - sender.windowStart >= this.#options.rateLimit.windowMs) {
      sender.windowStart = now;
      sender.count = 0;
    }
    sender.count++;
    return sender.count <= this.#options.rateLimit.messages;
  }

  #rememberSend(key: string, message: ChatMessage): void {
    this.#recentSends.set(key, message);
    if (this.#recentSends.size > RECENT_SENDS) {
      const oldest = this.#recentSends.keys().next().value;
      if (oldest !== undefined) this.#recentSends.delete(oldest);
    }
  }

  /** Every joined socket of every process; this process's alone if the others cannot be asked. */
  async #everyone(room?: string): Promise<SeenSocket[]> {
    try {
      const sockets = await (room === undefined ? this.#io.fetchSockets() : this.#io.in(room).fetchSockets());
      return sockets.map((s) => ({ id: s.id, data: s.data }));
    } catch (err) {
      console.error("chat: could not ask the other processes who is connected:", err);
      const local = room === undefined ? [...this.#io.sockets.sockets.values()] : [...this.#io.sockets.sockets.values()].filter((s) => s.rooms.has(room));
      return local.map((s) => ({ id: s.id, data: s.data }));
    }
  }

  async #members(room: string): Promise<string[]> {
    if (this.#options.cluster !== true) return this.#presence.members(room);
    const names = new Map<string, string>();
    for (const seen of await this.#everyone(room)) {
      const { nickname } = seen.data;
      if (nickname !== undefined && seen.data.room === room) names.set(nicknameKey(nickname), nickname);
    }
    return [...names.values()].sort(compareNicknames);
  }

  /** People per room and connected clients: this process's, or every process's in a cluster. */
  async #census(): Promise<{ counts: Map<string, number>; clients: number }> {
    const counts = new Map<string, number>();
    if (this.#options.cluster !== true) {
      for (const room of this.#presence.rooms()) counts.set(room, this.#presence.count(room));
      return { counts, clients: this.#io.engine.clientsCount };
    }
    const everyone = await this.#everyone();
    for (const seen of everyone) {
      const { room } = seen.data;
      if (room !== undefined) counts.set(room, (counts.get(room) ?? 0) + 1);
    }
    return { counts, clients: everyone.length };
  }

  async #roomAvailable(room: string): Promise<boolean> {
    if (room === this.#options.defaultRoom || this.#presence.count(room) > 0) return true;
    const names = await this.#roomNames();
    return names.has(room) || names.size < this.#options.maxRooms;
  }

  async #roomNames(occupied: Iterable<string> = this.#presence.rooms()): Promise<Set<string>> {
    let stored: string[] = [];
    try {
      stored = await this.#options.store.rooms();
    } catch (err) {
      console.error("chat: could not list the rooms:", err);
    }
    return new Set([this.#options.defaultRoom, ...occupied, ...stored]);
  }

  async #directory(): Promise<Directory> {
    const defaultRoom = this.#options.defaultRoom;
    const { counts, clients } = await this.#census();
    const rooms = [...(await this.#roomNames(counts.keys()))]
      .map((name) => ({ name, count: counts.get(name) ?? 0 }))
      .sort((a, b) => (a.name === defaultRoom ? -1 : b.name === defaultRoom ? 1 : a.name.localeCompare(b.name)));
    return { rooms, clients };
  }

  // One shared timer coalesces bursts (a reconnecting crowd, a server restart) into one update.
  #scheduleDirectory(): void {
    if (this.#directoryTimer !== undefined || this.#closed) return;
    this.#directoryTimer = setTimeout(() => {
      this.#directoryTimer = undefined;
      void this.#broadcastDirectory();
    }, this.#options.directoryDelayMs);
  }

  async #broadcastDirectory(): Promise<void> {
    const directory = await this.#directory();
    if (!this.#closed) this.#io.emit("directory", directory);
  }
}
