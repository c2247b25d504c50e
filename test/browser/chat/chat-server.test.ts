// The chat server without a browser: every payload is validated, resends are idempotent,
// limits hold, and the page is served with its security headers. Real loopback sockets with
// the official socket.io-client.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client";
import { ChatConfigError, createChatServer, type ChatServer, type ChatServerOptions } from "../../../examples/chat/app.js";
import type { ChatMessage } from "../../../examples/chat/chat-events.js";
import { MemoryHistoryStore } from "../../../examples/chat/history-store.js";
import { DEFAULT_LIMITS, parseMessageText, parseNickname, parseRoomName } from "../../../examples/chat/validation.js";

const WAIT_MS = 5000;
const sockets: ClientSocket[] = [];

async function connect(chat: ChatServer): Promise<ClientSocket> {
  const socket = connectClient(chat.url, { transports: ["websocket"], forceNew: true, reconnection: false });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no connect")), WAIT_MS);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return socket;
}

function ask(socket: ClientSocket, event: string, payload: unknown): Promise<any> {
  return socket.timeout(WAIT_MS).emitWithAck(event, payload);
}

/** Resolves with the next `event` whose payload passes `accept`. */
function next<T = any>(socket: ClientSocket, event: string, accept: (payload: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no ${event} within ${WAIT_MS} ms`));
    }, WAIT_MS);
    function listener(payload: T): void {
      if (!accept(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(payload);
    }
    socket.on(event, listener);
  });
}

/** Collects every `event` until the returned function is called. */
function record<T = any>(socket: ClientSocket, event: string): () => T[] {
  const seen: T[] = [];
  const listener = (payload: T): void => {
    seen.push(payload);
  };
  socket.on(event, listener);
  return () => {
    socket.off(event, listener);
    return seen;
  };
}

async function joined(chat: ChatServer, nickname: string, room = "general", sessionId = `session-${nickname}`) {
  const socket = await connect(chat);
  const reply = await ask(socket, "join", { nickname, room, sessionId });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return socket;
}

async function withServer(options: ChatServerOptions, run: (chat: ChatServer) => Promise<void>): Promise<void> {
  const chat = await createChatServer({ port: 0, ...options });
  try {
    await run(chat);
  } finally {
    await chat.close();
  }
}

describe("chat server", { timeout: 60_000 }, () => {
  let chat: ChatServer;

  before(
    async () => {
      chat = await createChatServer({ port: 0, historySize: 50 });
    },
    { timeout: 10_000 },
  );

  after(
    async () => {
      for (const socket of sockets) socket.disconnect();
      await chat?.close();
    },
    { timeout: 10_000 },
  );

  test("says hello with its limits, default room and directory on every connection", async () => {
    const socket = connectClient(chat.url, { transports: ["websocket"], forceNew: true, reconnection: false });
    sockets.push(socket);
    const hello = await next(socket, "hello");
    assert.deepEqual(hello.limits, { nickname: 32, message: 500, room: 32 });
    assert.equal(hello.defaultRoom, "general");
    assert.deepEqual(hello.directory.rooms[0], { name: "general", count: 0 });
    assert.equal(hello.directory.clients, chat.io.engine.clientsCount);
    socket.disconnect();
  });

  test("refuses malformed join requests with a code and a readable message", async () => {
    const socket = await connect(chat);
    const cases: [unknown, string][] = [
      [null, "CHAT_ERR_INVALID_PAYLOAD"],
      ["general", "CHAT_ERR_INVALID_PAYLOAD"],
      [[1, 2], "CHAT_ERR_INVALID_PAYLOAD"],
      [{ nickname: 42, room: "general", sessionId: "session-ok" }, "CHAT_ERR_INVALID_PAYLOAD"],
      [{ nickname: "   ", room: "general", sessionId: "session-ok" }, "CHAT_ERR_NICKNAME_INVALID"],
      [{ nickname: "n".repeat(33), room: "general", sessionId: "session-ok" }, "CHAT_ERR_NICKNAME_TOO_LONG"],
      [{ nickname: "\u202Eevil", room: "general", sessionId: "session-ok" }, "CHAT_ERR_NICKNAME_INVALID"],
      [{ nickname: "a\u0000b", room: "general", sessionId: "session-ok" }, "CHAT_ERR_NICKNAME_INVALID"],
      [{ nickname: "ok", room: "two words", sessionId: "session-ok" }, "CHAT_ERR_ROOM_INVALID"],
      [{ nickname: "ok", room: "<b>", sessionId: "session-ok" }, "CHAT_ERR_ROOM_INVALID"],
      [{ nickname: "ok", room: "r".repeat(33), sessionId: "session-ok" }, "CHAT_ERR_ROOM_INVALID"],
      [{ nickname: "ok", room: "", sessionId: "session-ok" }, "CHAT_ERR_ROOM_INVALID"],
      [{ nickname: "ok", room: { $gt: "" }, sessionId: "session-ok" }, "CHAT_ERR_INVALID_PAYLOAD"],
      [{ nickname: "ok", room: "general" }, "CHAT_ERR_INVALID_PAYLOAD"],
      [{ nickname: "ok", room: "general", sessionId: "short" }, "CHAT_ERR_INVALID_PAYLOAD"],
      [{ nickname: "ok", room: "general", sessionId: "session-ok", resume: "yes" }, "CHAT_ERR_INVALID_PAYLOAD"],
    ];
    for (const [payload, code] of cases) {
      const reply = await ask(socket, "join", payload);
      assert.equal(reply.ok, false, JSON.stringify(payload));
      assert.equal(reply.error.code, code, JSON.stringify(payload));
      assert.equal(typeof reply.error.message, "string");
      assert.ok(reply.error.message.length > 0);
    }
    // None of them joined anything: a message is still refused.
    const reply = await ask(socket, "message", { room: "general", clientId: "client-0001", text: "hi" });
    assert.equal(reply.error.code, "CHAT_ERR_NOT_JOINED");
    socket.disconnect();
  });

  test("normalises what it accepts: nickname spaces, room case", async () => {
    const socket = await connect(chat);
    const reply = await ask(socket, "join", { nickname: "  Ada   L ", room: " Maths ", sessionId: "session-ada" });
    assert.equal(reply.ok, true);
    assert.equal(reply.nickname, "Ada L");
    assert.equal(reply.room, "maths");
    assert.deepEqual(reply.members, ["Ada L"]);
    assert.deepEqual(reply.history, []);
    socket.disconnect();
  });

  test("refuses malformed messages, and messages for a room the sender is not in", async () => {
    const socket = await joined(chat, "val", "validation");
    const cases: [unknown, string][] = [
      [undefined, "CHAT_ERR_INVALID_PAYLOAD"],
      ["hello", "CHAT_ERR_INVALID_PAYLOAD"],
      [{ room: "validation", clientId: "client-0001", text: 42 }, "CHAT_ERR_INVALID_PAYLOAD"],
      [{ room: "validation", clientId: "client-0001", text: ["hi"] }, "CHAT_ERR_INVALID_PAYLOAD"],
      [{ room: "validation", clientId: "bad id!", text: "hi" }, "CHAT_ERR_INVALID_PAYLOAD"],
      [{ room: "validation", text: "hi" }, "CHAT_ERR_INVALID_PAYLOAD"],
      [{ room: "validation", clientId: "client-0001", text: " \n\t " }, "CHAT_ERR_MESSAGE_EMPTY"],
      [{ room: "validation", clientId: "client-0001", text: "\u0001\u0002" }, "CHAT_ERR_MESSAGE_EMPTY"],
      [{ room: "validation", clientId: "client-0001", text: "x".repeat(501) }, "CHAT_ERR_MESSAGE_TOO_LONG"],
      [{ room: "general", clientId: "client-0001", text: "hi" }, "CHAT_ERR_NOT_JOINED"],
      [{ room: "Bad Room", clientId: "client-0001", text: "hi" }, "CHAT_ERR_ROOM_INVALID"],
    ];
    for (const [payload, code] of cases) {
      const reply = await ask(socket, "message", payload);
      assert.equal(reply.ok, false, JSON.stringify(payload));
      assert.equal(reply.error.code, code, JSON.stringify(payload));
    }
    const ok = await ask(socket, "message", { room: "validation", clientId: "client-0002", text: " a\r\nb\u0007 " });
    assert.equal(ok.ok, true);
    assert.equal(ok.message.text, "a\nb");
    assert.equal(ok.message.nickname, "val");
    assert.equal(ok.message.text.length, 3);
    const exact = await ask(socket, "message", { room: "validation", clientId: "client-0003", text: "y".repeat(500) });
    assert.equal(exact.ok, true);
    socket.disconnect();
  });

  test("ignores events without an acknowledgement and garbage typing notices, and keeps serving", async () => {
    const socket = await joined(chat, "quiet", "ignored");
    const watcher = await joined(chat, "watcher", "ignored");
    const typing = record(watcher, "typing");
    const messages = record(watcher, "message");
    socket.emit("message", { room: "ignored", clientId: "client-0001", text: "no ack" });
    socket.emit("join", { nickname: "quiet2", room: "ignored", sessionId: "session-q2" });
    for (const payload of [null, "yes", { typing: "yes" }, [true], 1]) socket.emit("typing", payload);
    const delivered = next(watcher, "message", (m: ChatMessage) => m.text === "with ack");
    const reply = await ask(socket, "message", { room: "ignored", clientId: "client-0002", text: "with ack" });
    assert.equal(reply.ok, true);
    await delivered;
    assert.deepEqual(typing(), []);
    assert.deepEqual(
      messages().map((m: ChatMessage) => m.text),
      ["with ack"],
    );
    socket.disconnect();
    watcher.disconnect();
  });

  test("a resent message (same session and client id) is stored and broadcast once", async () => {
    const sender = await joined(chat, "resender", "resend");
    const watcher = await joined(chat, "resend-watcher", "resend");
    const seen = record(watcher, "message");
    const request = { room: "resend", clientId: "client-resend-1", text: "only once" };
    const first = await ask(sender, "message", request);
    const second = await ask(sender, "message", request);
    assert.equal(first.ok, true);
    assert.deepEqual(second, first);
    // A different message after it is the barrier: the watcher got everything before it.
    const barrier = next(watcher, "message", (m: ChatMessage) => m.text === "barrier");
    await ask(sender, "message", { room: "resend", clientId: "client-resend-2", text: "barrier" });
    await barrier;
    assert.deepEqual(
      seen().map((m: ChatMessage) => m.text),
      ["only once", "barrier"],
    );
    const late = await connect(chat);
    const reply = await ask(late, "join", { nickname: "resend-late", room: "resend", sessionId: "session-late" });
    assert.deepEqual(
      reply.history.map((m: ChatMessage) => m.text),
      ["only once", "barrier"],
    );
    for (const socket of [sender, watcher, late]) socket.disconnect();
  });

  test("a nickname is taken for other sessions, and handed back to its own session after a reconnection", async () => {
    const first = await joined(chat, "Kim", "nicknames", "session-kim-1");
    const watcher = await joined(chat, "kim-watcher", "nicknames");
    const other = await connect(chat);
    const taken = await ask(other, "join", { nickname: "KIM", room: "nicknames", sessionId: "session-other" });
    assert.equal(taken.ok, false);
    assert.equal(taken.error.code, "CHAT_ERR_NICKNAME_TAKEN");

    const joins = record(watcher, "member:joined");
    const lefts = record(watcher, "member:left");
    const kicked = new Promise<string>((resolve) => first.once("disconnect", (reason) => resolve(reason)));
    const again = await connect(chat);
    const reply = await ask(again, "join", { nickname: "Kim", room: "nicknames", sessionId: "session-kim-1", resume: true });
    assert.equal(reply.ok, true);
    assert.equal(await kicked, "io server disconnect");
    assert.deepEqual(reply.members, ["Kim", "kim-watcher"]);
    const back = next(watcher, "message", (m: ChatMessage) => m.text === "back");
    await ask(again, "message", { room: "nicknames", clientId: "client-kim-1", text: "back" });
    await back;
    assert.deepEqual(
      joins().map((e) => [e.nickname, e.quiet]),
      [["Kim", true]],
    );
    assert.deepEqual(lefts(), [], "the old connection leaves without a notice");
    for (const socket of [watcher, other, again]) socket.disconnect();
  });

  test("switching rooms and disconnecting tell the room, and the directory follows", async () => {
    const mover = await joined(chat, "mover", "dir-a");
    const stayer = await joined(chat, "stayer", "dir-a");
    const moved = next(stayer, "member:left", (e) => e.nickname === "mover");
    const updated = next(stayer, "directory", (d) =>
      d.rooms.some((r: { name: string; count: number }) => r.name === "dir-b" && r.count === 1),
    );
    const reply = await ask(mover, "join", { nickname: "mover", room: "dir-b", sessionId: "session-mover" });
    assert.equal(reply.ok, true);
    const left = await moved;
    assert.equal(left.to, "dir-b");
    assert.equal(left.room, "dir-a");
    const directory = await updated;
    assert.deepEqual(
      directory.rooms.find((r: { name: string }) => r.name === "dir-a"),
      { name: "dir-a", count: 1 },
    );
    assert.equal(directory.rooms[0].name, "general", "the default room comes first");

    const watcherInB = await joined(chat, "b-watcher", "dir-b");
    const gone = next(watcherInB, "member:left", (e) => e.nickname === "mover");
    const recounted = next(watcherInB, "directory", (d) =>
      d.rooms.some((r: { name: string; count: number }) => r.name === "dir-b" && r.count === 1),
    );
    mover.disconnect();
    const event = await gone;
    assert.equal(event.to, null);
    await recounted;
    stayer.disconnect();
    watcherInB.disconnect();
  });

  test("relays typing to the rest of the room only, and throttles a flood", async () => {
    const typist = await joined(chat, "typist", "typing-room");
    const reader = await joined(chat, "reader", "typing-room");
    const outsider = await joined(chat, "outsider", "elsewhere");
    const seenByOutsider = record(outsider, "typing");
    const seenByTypist = record(typist, "typing");
    const seen = record(reader, "typing");
    for (let i = 0; i < 20; i++) typist.emit("typing", { typing: true });
    typist.emit("typing", { typing: false });
    await next(reader, "typing", (e) => e.typing === false);
    const events = seen();
    assert.deepEqual(events[0], { room: "typing-room", nickname: "typist", typing: true });
    assert.equal(events.filter((e) => e.typing).length, 1, "20 notices in a burst are relayed once");
    assert.deepEqual(seenByOutsider(), []);
    assert.deepEqual(seenByTypist(), []);
    for (const socket of [typist, reader, outsider]) socket.disconnect();
  });

  test("limits messages per socket", async () => {
    await withServer({ rateLimit: { messages: 3, windowMs: 60_000 } }, async (limited) => {
      const socket = await joined(limited, "fast");
      for (let i = 1; i <= 3; i++) {
        const reply = await ask(socket, "message", { room: "general", clientId: `client-fast-${i}`, text: `m${i}` });
        assert.equal(reply.ok, true);
      }
      const refused = await ask(socket, "message", { room: "general", clientId: "client-fast-4", text: "m4" });
      assert.equal(refused.error.code, "CHAT_ERR_RATE_LIMITED");
      socket.disconnect();
    });
  });

  test("limits how many rooms exist, and keeps only historySize messages per room", async () => {
    await withServer({ maxRooms: 2, historySize: 3 }, async (small) => {
      const socket = await joined(small, "builder", "one");
      const refused = await ask(socket, "join", { nickname: "builder", room: "two", sessionId: "session-builder" });
      assert.equal(refused.error.code, "CHAT_ERR_ROOM_LIMIT");
      // Existing rooms are still open.
      const back = await ask(socket, "join", { nickname: "builder", room: "general", sessionId: "session-builder" });
      assert.equal(back.ok, true);
      for (let i = 1; i <= 5; i++) {
        await ask(socket, "message", { room: "general", clientId: `client-hist-${i}`, text: `h${i}` });
      }
      const late = await connect(small);
      const reply = await ask(late, "join", { nickname: "late", room: "general", sessionId: "session-late" });
      assert.deepEqual(
        reply.history.map((m: ChatMessage) => m.text),
        ["h3", "h4", "h5"],
      );
      socket.disconnect();
      late.disconnect();
    });
  });

  test("serves the page with a strict content security policy, a health check and the client script", async () => {
    const page = await fetch(chat.url);
    assert.equal(page.status, 200);
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /object-src 'none'/);
    assert.equal(page.headers.get("x-content-type-options"), "nosniff");
    assert.equal(page.headers.get("x-powered-by"), null);
    assert.match(await page.text(), /<script src="\/socket.io\/socket.io.js" defer><\/script>/);
    const health = await (await fetch(`${chat.url}/healthz`)).json();
    assert.equal(health.ok, true);
    assert.equal(typeof health.clients, "number");
    const client = await fetch(`${chat.url}/socket.io/socket.io.js`);
    assert.equal(client.status, 200);
    assert.ok((await client.text()).length > 10_000);
  });

  // With a Redis that answers, the chat runs on several processes: test/integration/chat/chat-redis.test.ts.
  test("stops with a clear error when REDIS_URL names a Redis nobody answers at", async () => {
    await assert.rejects(createChatServer({ port: 0, redisUrl: "redis://127.0.0.1:1" }), (err: unknown) => {
      assert.ok(err instanceof ChatConfigError);
      assert.equal(err.code, "CHAT_ERR_REDIS_UNAVAILABLE");
      return true;
    });
  });

  test("close() can be called twice and frees the port for a restart", async () => {
    const first = await createChatServer({ port: 0 });
    const socket = await connect(first);
    await Promise.all([first.close(), first.close()]);
    assert.equal(first.httpServer.listening, false);
    const second = await createChatServer({ port: first.port });
    assert.equal(second.port, first.port);
    await second.close();
    socket.disconnect();
  });
});

describe("chat building blocks", () => {
  test("MemoryHistoryStore keeps the newest messages per room and forgets the least recent room", async () => {
    const store = new MemoryHistoryStore({ size: 2, maxRooms: 2 });
    const message = (room: string, text: string): ChatMessage => ({ id: `${room}-${text}`, room, nickname: "n", text, ts: 1 });
    for (const text of ["a", "b", "c"]) await store.append(message("one", text));
    await store.append(message("two", "x"));
    assert.deepEqual(
      (await store.recent("one", 50)).map((m) => m.text),
      ["b", "c"],
    );
    assert.deepEqual(
      (await store.recent("one", 1)).map((m) => m.text),
      ["c"],
    );
    await store.append(message("one", "d")); // "one" is now the most recent room
    await store.append(message("three", "y")); // so "two" is forgotten
    assert.deepEqual((await store.rooms()).sort(), ["one", "three"]);
    assert.deepEqual(await store.recent("two", 50), []);
    assert.throws(() => new MemoryHistoryStore({ size: 0 }), RangeError);
    await store.close();
    assert.deepEqual(await store.rooms(), []);
  });

  test("the parsers normalise and refuse as documented", () => {
    assert.deepEqual(parseNickname("  Ada   Lovelace ", DEFAULT_LIMITS), { ok: true, value: "Ada Lovelace" });
    assert.deepEqual(parseNickname("<img src=x onerror=alert(1)>", DEFAULT_LIMITS), {
      ok: true,
      value: "<img src=x onerror=alert(1)>",
    });
    assert.equal(parseNickname("a\u2066b", DEFAULT_LIMITS).ok, false);
    assert.deepEqual(parseRoomName(" Random ", DEFAULT_LIMITS), { ok: true, value: "random" });
    assert.deepEqual(parseRoomName("café_2", DEFAULT_LIMITS), { ok: true, value: "café_2" });
    assert.equal(parseRoomName("-lead", DEFAULT_LIMITS).ok, false);
    assert.deepEqual(parseMessageText("e\u0301\r\n", DEFAULT_LIMITS), { ok: true, value: "é" });
    const long = parseMessageText("x".repeat(501), DEFAULT_LIMITS);
    assert.equal(long.ok, false);
    assert.equal(!long.ok && long.error.code, "CHAT_ERR_MESSAGE_TOO_LONG");
  });
});
