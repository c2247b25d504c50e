// The chat's wire contract: what the browser and the server say to each other over Socket.IO.
// Client payloads are typed `unknown` on purpose: they come from the network and go through
// ./validation.ts before anything trusts them.

/** One chat message as stored and broadcast. `ts` is the server's clock (ms since the epoch). */
export interface ChatMessage {
  id: string;
  room: string;
  nickname: string;
  text: string;
  ts: number;
}

/** The size limits, sent to the browser so its hints match what the server enforces. */
export interface ChatLimits {
  nickname: number;
  message: number;
  room: number;
}

/** One entry of the room list: its name and how many people are in it now. */
export interface RoomSummary {
  name: string;
  count: number;
}

/** The room list and the number of connected clients (`io.engine.clientsCount`). */
export interface Directory {
  rooms: RoomSummary[];
  clients: number;
}

/** Sent once on every connection, before the user has joined. */
export interface Hello {
  limits: ChatLimits;
  defaultRoom: string;
  directory: Directory;
}

/** The acknowledgement of a `join`: the room the user is now in, who is there, and its recent history. */
export interface Joined {
  room: string;
  nickname: string;
  members: string[];
  history: ChatMessage[];
}

/** The acknowledgement of a `message`: the stored message, with its server id and time. */
export interface Sent {
  message: ChatMessage;
}

/** Someone entered a room. `quiet` is set when they are only coming back after a reconnection. */
export interface MemberJoined {
  room: string;
  nickname: string;
  ts: number;
  quiet: boolean;
}

/** Someone left a room, for another room (`to`) or by disconnecting (`to` is null). */
export interface MemberLeft {
  room: string;
  nickname: string;
  ts: number;
  to: string | null;
}

/** Someone started or stopped typing. Receivers also expire it by themselves. */
export interface Typing {
  room: string;
  nickname: string;
  typing: boolean;
}

/** Every error the chat returns in an acknowledgement; the browser shows `message` as is. */
export type ChatErrorCode =
  | "CHAT_ERR_INVALID_PAYLOAD"
  | "CHAT_ERR_NICKNAME_INVALID"
  | "CHAT_ERR_NICKNAME_TOO_LONG"
  | "CHAT_ERR_NICKNAME_TAKEN"
  | "CHAT_ERR_ROOM_INVALID"
  | "CHAT_ERR_ROOM_LIMIT"
  | "CHAT_ERR_MESSAGE_EMPTY"
  | "CHAT_ERR_MESSAGE_TOO_LONG"
  | "CHAT_ERR_NOT_JOINED"
  | "CHAT_ERR_RATE_LIMITED"
  | "CHAT_ERR_UNAVAILABLE";

/** The error half of every acknowledgement. */
export interface ChatErrorBody {
  code: ChatErrorCode;
  message: string;
}

/** What an acknowledgement carries: `{ ok: true, ...result }` or `{ ok: false, error }`. */
export type Reply<T> = ({ ok: true } & T) | { ok: false; error: ChatErrorBody };

/** Events the browser sends. Every argument is untrusted, the acknowledgement callback included. */
export interface ClientToServerEvents {
  /** `{ nickname, room, sessionId, resume? }`, acknowledged with `Reply<Joined>`. */
  join: (request: unknown, ack: unknown) => void;
  /** `{ room, clientId, text }`, acknowledged with `Reply<Sent>`. */
  message: (request: unknown, ack: unknown) => void;
  /** `{ typing: boolean }`, not acknowledged. */
  typing: (request: unknown) => void;
}

/** Events the server sends. */
export interface ServerToClientEvents {
  hello: (hello: Hello) => void;
  directory: (directory: Directory) => void;
  message: (message: ChatMessage) => void;
  "member:joined": (event: MemberJoined) => void;
  "member:left": (event: MemberLeft) => void;
  typing: (event: Typing) => void;
}

/** No custom events go between server processes: with Redis they share broadcasts and `fetchSockets()` only. */
export type InterServerEvents = Record<string, never>;

/** What the server keeps on `socket.data` once a socket has joined. */
export interface ChatSocketData {
  nickname?: string;
  room?: string;
  sessionId?: string;
}
