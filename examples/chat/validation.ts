// Every payload from the browser goes through here before the chat uses it. The parsers
// normalise (trim, NFC, line endings) and return either the clean value or a ChatErrorBody
// whose message the browser shows to the user as is.
import type { ChatErrorBody, ChatErrorCode, ChatLimits } from "./chat-events.js";

/** A parsed value or the error to acknowledge with. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ChatErrorBody };

/** A `join` request once validated. */
export interface JoinRequest {
  nickname: string;
  room: string;
  sessionId: string;
  resume: boolean;
}

/** A `message` request once validated. */
export interface MessageRequest {
  room: string;
  clientId: string;
  text: string;
}

/** The limits the chat uses when its options do not say otherwise. */
export const DEFAULT_LIMITS: Readonly<ChatLimits> = Object.freeze({ nickname: 32, message: 500, room: 32 });

// C0/C1 controls, and the bidi overrides that can make a nickname display as someone else's.
const NICKNAME_FORBIDDEN = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
// Message text keeps \n and \t; other controls are dropped rather than refused.
const MESSAGE_CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// Lower-case letters (any script), digits, '-' and '_', starting with a letter or digit.
const ROOM_NAME = /^[\p{Ll}\p{Lo}\p{Nd}][\p{Ll}\p{Lo}\p{Nd}_-]*$/u;
// Client-made ids (session and message): short URL-safe tokens.
const TOKEN = /^[A-Za-z0-9_-]{8,64}$/;

function fail<T>(code: ChatErrorCode, message: string): Parsed<T> {
  return { ok: false, error: { code, message } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Normalises and checks a nickname: trimmed, inner spaces collapsed, 1 to `limits.nickname`
 * characters, no control or bidi-override characters. Any other text is allowed, markup
 * included: the browser only ever shows it as text.
 *
 * @example
 * parseNickname("  Ada   Lovelace ", DEFAULT_LIMITS); // { ok: true, value: "Ada Lovelace" }
 */
export function parseNickname(value: unknown, limits: ChatLimits): Parsed<string> {
  if (typeof value !== "string") return fail("CHAT_ERR_INVALID_PAYLOAD", "The nickname must be text.");
  const nickname = value.normalize("NFC").trim().replace(/\s+/g, " ");
  if (nickname.length === 0) return fail("CHAT_ERR_NICKNAME_INVALID", "Pick a nickname.");
  if (nickname.length > limits.nickname) {
    return fail("CHAT_ERR_NICKNAME_TOO_LONG", `Nicknames are limited to ${limits.nickname} characters.`);
  }
  if (NICKNAME_FORBIDDEN.test(nickname)) {
    return fail("CHAT_ERR_NICKNAME_INVALID", "That nickname contains characters that are not allowed.");
  }
  return { ok: true, value: nickname };
}

/**
 * Normalises and checks a room name: trimmed and lower-cased, then letters, digits, `-` and
 * `_`, starting with a letter or digit, at most `limits.room` characters.
 *
 * @example
 * parseRoomName(" Random ", DEFAULT_LIMITS); // { ok: true, value: "random" }
 * parseRoomName("two words", DEFAULT_LIMITS).ok; // false
 */
export function parseRoomName(value: unknown, limits: ChatLimits): Parsed<string> {
  if (typeof value !== "string") return fail("CHAT_ERR_INVALID_PAYLOAD", "The room name must be text.");
  const room = value.normalize("NFC").trim().toLowerCase();
  if (room.length === 0 || room.length > limits.room || !ROOM_NAME.test(room)) {
    return fail(
      "CHAT_ERR_ROOM_INVALID",
      `Room names are 1 to ${limits.room} lower-case letters, digits, "-" or "_".`,
    );
  }
  return { ok: true, value: room };
}

/**
 * Normalises and checks message text: line endings become `\n`, control characters other than
 * `\n` and `\t` are dropped, surrounding blank space is trimmed; it must then be 1 to
 * `limits.message` characters.
 *
 * @example
 * parseMessageText("hello\r\n", DEFAULT_LIMITS); // { ok: true, value: "hello" }
 * parseMessageText("x".repeat(501), DEFAULT_LIMITS).ok; // false: CHAT_ERR_MESSAGE_TOO_LONG
 */
export function parseMessageText(value: unknown, limits: ChatLimits): Parsed<string> {
  if (typeof value !== "string") return fail("CHAT_ERR_INVALID_PAYLOAD", "The message must be text.");
  const text = value.normalize("NFC").replace(/\r\n?/g, "\n").replace(MESSAGE_CONTROLS, "").trim();
  if (text.length === 0) return fail("CHAT_ERR_MESSAGE_EMPTY", "The message is empty.");
  if (text.length > limits.message) {
    return fail(
      "CHAT_ERR_MESSAGE_TOO_LONG",
      `Messages are limited to ${limits.message} characters (this one has ${text.length}).`,
    );
  }
  return { ok: true, value: text };
}

function parseToken(value: unknown, what: string): Parsed<string> {
  if (typeof value !== "string" || !TOKEN.test(value)) {
    return fail("CHAT_ERR_INVALID_PAYLOAD", `The ${what} must be 8 to 64 letters, digits, "-" or "_".`);
  }
  return { ok: true, value };
}

/**
 * Checks a `join` request: `{ nickname, room, sessionId, resume? }`.
 *
 * @example
 * parseJoinRequest({ nickname: "ada", room: "general", sessionId: "s3ss10n-1d" }, DEFAULT_LIMITS);
 * // { ok: true, value: { nickname: "ada", room: "general", sessionId: "s3ss10n-1d", resume: false } }
 */
export function parseJoinRequest(value: unknown, limits: ChatLimits): Parsed<JoinRequest> {
  if (!isRecord(value)) return fail("CHAT_ERR_INVALID_PAYLOAD", "A join request must be an object.");
  const nickname = parseNickname(value.nickname, limits);
  if (!nickname.ok) return nickname;
  const room = parseRoomName(value.room, limits);
  if (!room.ok) return room;
  const sessionId = parseToken(value.sessionId, "session id");
  if (!sessionId.ok) return sessionId;
  if (value.resume !== undefined && typeof value.resume !== "boolean") {
    return fail("CHAT_ERR_INVALID_PAYLOAD", "`resume` must be a boolean.");
  }
  return {
    ok: true,
    value: { nickname: nickname.value, room: room.value, sessionId: sessionId.value, resume: value.resume === true },
  };
}

/**
 * Checks a `message` request: `{ room, clientId, text }`. `clientId` is the sender's own id for
 * the message, which makes a resend after a reconnection idempotent.
 *
 * @example
 * parseMessageRequest({ room: "general", clientId: "m-0001-abcd", text: "hi" }, DEFAULT_LIMITS).ok; // true
 */
export function parseMessageRequest(value: unknown, limits: ChatLimits): Parsed<MessageRequest> {
  if (!isRecord(value)) return fail("CHAT_ERR_INVALID_PAYLOAD", "A message must be an object.");
  const room = parseRoomName(value.room, limits);
  if (!room.ok) return room;
  const clientId = parseToken(value.clientId, "message id");
  if (!clientId.ok) return clientId;
  const text = parseMessageText(value.text, limits);
  if (!text.ok) return text;
  return { ok: true, value: { room: room.value, clientId: clientId.value, text: text.value } };
}

/**
 * Checks a `typing` notice: `{ typing: boolean }`; returns null for anything else.
 *
 * @example
 * parseTyping({ typing: true }); // true
 * parseTyping("yes"); // null
 */
export function parseTyping(value: unknown): boolean | null {
  return isRecord(value) && typeof value.typing === "boolean" ? value.typing : null;
}
