// Courant Chat in the browser: plain DOM, no framework. Everything a user typed is put on the
// page with textContent (never innerHTML), so a nickname or message is always shown as text.
"use strict";

const $ = (id) => document.getElementById(id);
const ui = {
  login: $("login"),
  loginForm: $("login-form"),
  loginOnline: $("login-online"),
  loginButton: $("login-button"),
  nickname: $("nickname"),
  nicknameLimit: $("nickname-limit"),
  nicknameError: $("nickname-error"),
  chat: $("chat"),
  sidebar: $("sidebar"),
  scrim: $("scrim"),
  menuButton: $("menu-button"),
  rooms: $("rooms"),
  roomForm: $("room-form"),
  roomInput: $("room-input"),
  roomError: $("room-error"),
  people: $("people"),
  peopleCount: $("people-count"),
  meAvatar: $("me-avatar"),
  meName: $("me-name"),
  roomName: $("room-name"),
  roomMeta: $("room-meta"),
  onlineCount: $("online-count"),
  status: $("status"),
  banner: $("offline-banner"),
  messages: $("messages"),
  typing: $("typing"),
  composer: $("composer"),
  composerLabel: $("composer-label"),
  input: $("composer-input"),
  count: $("composer-count"),
  composerError: $("composer-error"),
};

const TYPING_SEND_EVERY_MS = 1500; // refresh "typing" this often while the user types
const TYPING_IDLE_MS = 2500; // say "stopped" after this long without a keystroke
const TYPING_EXPIRE_MS = 3000; // forget someone's "typing" after this long without news
const GROUP_WINDOW_MS = 5 * 60 * 1000; // consecutive messages of one author within this are grouped

const state = {
  limits: { nickname: 32, message: 500, room: 32 },
  defaultRoom: "general",
  // A fresh id per page: lets this tab take its own nickname back after a reconnection.
  sessionId: randomId(),
  nickname: null, // chosen (and being joined) or joined
  room: null, // the room this page shows, once joined
  joined: false, // the server has acknowledged our join on the current connection
  joining: null, // the room a join is in flight for
  early: [], // messages for `joining` that arrived before its acknowledgement
  members: [],
  shown: new Set(), // server ids of the messages on screen
  outbox: new Map(), // clientId -> { clientId, room, text, el }: sent or waiting, not yet acknowledged
  failed: new Map(), // clientId -> entry the server refused, until retried or the room changes
  typing: new Map(), // nickname -> expiry timer
  directory: { rooms: [], clients: 0 },
  typingSentAt: 0,
  typingIdleTimer: 0,
  unread: 0,
};

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const socket = createSocket();

function createSocket() {
  if (typeof io === "function") {
    return io({ reconnectionDelay: 500, reconnectionDelayMax: 4000, closeOnBeforeunload: true });
  }
  // The client script did not load: say so instead of leaving a form that does nothing.
  showError(
    ui.nicknameError,
    "The real-time client (/socket.io/socket.io.js) did not load, so the chat cannot connect. " +
      "Reload the page; if you run Courant from a checkout, build it first with npm run build.",
  );
  ui.loginOnline.textContent = "Offline";
  ui.loginButton.disabled = true;
  return { connected: false, on() {}, emit() {}, connect() {} };
}

// ── helpers ───────────────────────────────────────────────────────────────────────────────

function randomId() {
  // crypto.getRandomValues works on plain http too (randomUUID needs a secure context).
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function hueOf(text) {
  let hash = 0;
  for (const ch of text.toLowerCase()) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return hash % 360;
}

function avatar(nickname) {
  const node = el("span", "avatar", Array.from(nickname)[0]?.toUpperCase() ?? "?");
  node.setAttribute("aria-hidden", "true");
  node.style.setProperty("--hue", String(hueOf(nickname)));
  return node;
}

function timeElement(ts) {
  const date = new Date(ts);
  const node = el("time", "time", timeFormat.format(date));
  node.dateTime = date.toISOString();
  node.title = fullTimeFormat.format(date);
  return node;
}

// `kind` tags an error so the code that can resolve it (e.g. shortening a message) can clear it.
function showError(node, message, kind) {
  node.textContent = message ?? "";
  node.hidden = !message;
  node.dataset.kind = message ? (kind ?? "") : "";
}

// The same clean-up as the server's, so lengths agree and a resent message matches its stored copy.
function normalizeMessage(value) {
  return value
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, "")
    .trim();
}

function normalizeNickname(value) {
  return value.normalize("NFC").trim().replace(/\s+/g, " ");
}

function normalizeRoom(value) {
  return value.normalize("NFC").trim().toLowerCase().replace(/\s+/g, "-");
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// ── connection status ────────────────────────────────────────────────────────────────────

const STATUS_TEXT = { connecting: "Connecting…", connected: "Connected", reconnecting: "Reconnecting…", offline: "Offline" };

function setStatus(next) {
  ui.status.dataset.state = next;
  ui.status.textContent = STATUS_TEXT[next];
  const inChat = state.room !== null;
  ui.banner.hidden = !(inChat && (next === "reconnecting" || next === "offline"));
  document.body.dataset.connection = next;
  renderRooms();
  updateOutboxStatus();
}

socket.on("connect", () => {
  setStatus("connected");
  if (state.nickname !== null) join(state.room ?? state.defaultRoom, state.room !== null);
});

socket.on("disconnect", (reason) => {
  state.joined = false;
  state.joining = null;
  clearTyping();
  setStatus("reconnecting");
  // The client retries by itself except after a server-side disconnect (a server shutting down
  // may say so); the chat wants to be back in every case.
  if (reason === "io server disconnect") setTimeout(() => socket.connect(), 1000);
});

socket.on("connect_error", () => {
  setStatus(state.room === null ? "connecting" : "reconnecting");
  if (state.room === null) ui.loginOnline.textContent = "Cannot reach the server; retrying…";
});

socket.on("hello", (hello) => {
  state.limits = hello.limits;
  state.defaultRoom = hello.defaultRoom;
  ui.nicknameLimit.textContent = String(hello.limits.nickname);
  ui.roomInput.maxLength = hello.limits.room;
  setDirectory(hello.directory);
});

socket.on("directory", setDirectory);

// ── sign-in ──────────────────────────────────────────────────────────────────────────────

ui.nickname.value = localStorage.getItem("courant-chat:nickname") ?? "";
ui.nickname.focus();

ui.loginForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const nickname = normalizeNickname(ui.nickname.value);
  if (nickname.length === 0) return showError(ui.nicknameError, "Pick a nickname.");
  if (nickname.length > state.limits.nickname) {
    return showError(ui.nicknameError, `Nicknames are limited to ${state.limits.nickname} characters.`);
  }
  showError(ui.nicknameError, null);
  state.nickname = nickname;
  ui.loginButton.disabled = true;
  ui.loginButton.textContent = "Joining…";
  if (socket.connected) join(state.room ?? state.defaultRoom, false);
});

function backToLogin(message) {
  state.nickname = null;
  state.joined = false;
  ui.chat.hidden = true;
  ui.login.hidden = false;
  ui.loginButton.disabled = false;
  ui.loginButton.textContent = "Join the chat";
  showError(ui.nicknameError, message);
  ui.nickname.focus();
  ui.nickname.select();
}

// ── joining a room (first time, switching, or after a reconnection) ──────────────────────

function join(room, resume) {
  state.joining = room;
  state.early = [];
  const request = { nickname: state.nickname, room, sessionId: state.sessionId, resume };
  socket.emit("join", request, (reply) => onJoined(room, resume, reply));
}

function onJoined(room, resume, reply) {
  if (state.joining !== room) return; // superseded by a newer join or a disconnection
  state.joining = null;
  if (!reply || !reply.ok) {
    const message = reply?.error?.message ?? "Could not join the room.";
    if (state.joined) return showError(ui.roomError, message); // a failed switch: stay where we are
    return backToLogin(message);
  }
  const switched = state.room !== reply.room;
  state.nickname = reply.nickname;
  state.room = reply.room;
  state.joined = true;
  localStorage.setItem("courant-chat:nickname", reply.nickname);
  showError(ui.roomError, null);

  if (ui.chat.hidden) {
    ui.login.hidden = true;
    ui.chat.hidden = false;
    ui.meName.textContent = reply.nickname;
    ui.meAvatar.replaceWith(Object.assign(avatar(reply.nickname), { id: "me-avatar" }));
    ui.meAvatar = $("me-avatar");
  }
  if (switched) {
    ui.messages.replaceChildren();
    state.shown.clear();
    state.failed.clear();
    clearTyping();
    ui.roomName.textContent = reply.room;
    ui.composerLabel.textContent = `Message #${reply.room}`;
    ui.input.placeholder = `Message #${reply.room}`;
    ui.messages.setAttribute("aria-label", `Messages in #${reply.room}`);
    document.title = `#${reply.room} · Courant Chat`;
  }
  setMembers(reply.members);

  ui.messages.setAttribute("aria-busy", "true");
  for (const message of reply.history) addHistoryMessage(message);
  for (const message of state.early) addHistoryMessage(message);
  state.early = [];
  if (switched && reply.history.length === 0) {
    ui.messages.append(el("li", "notice empty", `This is the start of #${reply.room}. Say hello!`));
  }
  ui.messages.removeAttribute("aria-busy");
  if (switched) scrollToBottom();

  renderRooms();
  flushOutbox(resume);
  if (!resume || switched) ui.input.focus();
}

// A message from the history (or one that raced the join). One of ours that is still waiting
// for its acknowledgement arrived before the connection dropped: adopt it rather than show it twice.
function addHistoryMessage(message) {
  if (state.shown.has(message.id)) return;
  if (message.nickname === state.nickname) {
    for (const entry of state.outbox.values()) {
      if (entry.room === message.room && entry.text === message.text) {
        state.outbox.delete(entry.clientId);
        markSent(entry, message);
        return;
      }
    }
  }
  const pending = ui.messages.querySelector('.msg[data-status="pending"]');
  insertMessage(renderMessage(message, message.nickname === state.nickname), pending);
}

// ── rooms ────────────────────────────────────────────────────────────────────────────────

function setDirectory(directory) {
  state.directory = directory;
  ui.onlineCount.textContent = String(directory.clients);
  ui.loginOnline.textContent =
    directory.clients <= 1 ? "You are the first one here." : `${plural(directory.clients - 1, "other person", "other people")} online.`;
  renderRooms();
}

function renderRooms() {
  const rooms = state.directory.rooms.slice();
  if (state.room !== null && !rooms.some((r) => r.name === state.room)) rooms.push({ name: state.room, count: 1 });
  const focused = document.activeElement?.closest?.(".room")?.dataset.room;
  const items = rooms.map((room) => {
    const button = el("button", "room");
    button.type = "button";
    button.dataset.room = room.name;
    button.disabled = !state.joined;
    if (room.name === state.room) button.setAttribute("aria-current", "true");
    const count = el("span", "room-count", String(room.count));
    count.setAttribute("aria-label", plural(room.count, "person", "people"));
    button.append(el("span", "room-hash", "#"), el("span", "room-name", room.name), count);
    const item = el("li");
    item.append(button);
    return item;
  });
  ui.rooms.replaceChildren(...items);
  if (focused !== undefined) ui.rooms.querySelector(`[data-room="${CSS.escape(focused)}"]`)?.focus();
}

ui.rooms.addEventListener("click", (event) => {
  const button = event.target.closest(".room");
  if (!button || button.disabled) return;
  closeDrawer();
  if (button.dataset.room !== state.room) join(button.dataset.room, false);
  else ui.input.focus();
});

ui.roomForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const room = normalizeRoom(ui.roomInput.value);
  if (room.length === 0) return showError(ui.roomError, "Type a room name.");
  if (room.length > state.limits.room || !/^[\p{Ll}\p{Lo}\p{Nd}][\p{Ll}\p{Lo}\p{Nd}_-]*$/u.test(room)) {
    return showError(ui.roomError, `Room names are 1 to ${state.limits.room} lower-case letters, digits, "-" or "_".`);
  }
  if (!state.joined) return showError(ui.roomError, "You are offline; try again once reconnected.");
  showError(ui.roomError, null);
  ui.roomInput.value = "";
  closeDrawer();
  if (room !== state.room) join(room, false);
});

// ── people ───────────────────────────────────────────────────────────────────────────────

function setMembers(members) {
  state.members = members.slice().sort((a, b) => a.localeCompare(b, undefined, { sensitivity: "base" }));
  const items = state.members.map((nickname) => {
    const item = el("li", "person");
    item.append(avatar(nickname), el("bdi", "person-name", nickname));
    if (nickname === state.nickname) item.append(el("span", "you", "you"));
    return item;
  });
  ui.people.replaceChildren(...items);
  ui.peopleCount.textContent = String(state.members.length);
  ui.roomMeta.textContent = `${plural(state.members.length, "person", "people")} here`;
}

socket.on("member:joined", (event) => {
  if (event.room !== state.room || !state.joined) return;
  if (!state.members.includes(event.nickname)) setMembers([...state.members, event.nickname]);
  if (!event.quiet) addNotice(event.nickname, " joined", event.ts);
});

socket.on("member:left", (event) => {
  if (event.room !== state.room || !state.joined) return;
  setMembers(state.members.filter((nickname) => nickname !== event.nickname));
  stopTypingOf(event.nickname);
  addNotice(event.nickname, event.to ? ` went to #${event.to}` : " left", event.ts);
});

function addNotice(nickname, what, ts) {
  const item = el("li", "notice");
  item.append(el("bdi", "notice-name", nickname), what, " · ", timeElement(ts));
  insertMessage(item, null);
}

// ── messages ─────────────────────────────────────────────────────────────────────────────

socket.on("message", (message) => {
  if (state.joining === message.room) state.early.push(message);
  if (message.room !== state.room || !state.joined) return;
  stopTypingOf(message.nickname);
  if (state.shown.has(message.id)) return;
  insertMessage(renderMessage(message, message.nickname === state.nickname), null);
  if (document.hidden) {
    state.unread++;
    document.title = `(${state.unread}) #${state.room} · Courant Chat`;
  }
});

document.addEventListener("visibilitychange", () => {
  if (!document.hidden && state.room !== null) {
    state.unread = 0;
    document.title = `#${state.room} · Courant Chat`;
  }
});

function renderMessage(message, mine) {
  const item = el("li", mine ? "msg mine" : "msg");
  item.dataset.nickname = message.nickname;
  item.dataset.ts = String(message.ts);
  if (message.id) {
    item.dataset.id = message.id;
    if (mine) item.dataset.status = "sent";
    state.shown.add(message.id);
  }
  const meta = el("div", "meta");
  if (mine) {
    meta.append(el("span", "author visually-hidden", "You"), timeElement(message.ts), el("span", "state"));
  } else {
    meta.append(el("bdi", "author", message.nickname), timeElement(message.ts));
  }
  const body = el("div", "msg-body");
  body.append(meta, el("p", "text", message.text));
  if (!mine) item.append(avatar(message.nickname));
  item.append(body);
  return item;
}

// Inserts before `before` (or at the end), groups it with the previous message of the same
// author, and keeps the list scrolled to the bottom if it was there.
function insertMessage(item, before) {
  const list = ui.messages;
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
  list.querySelector(".notice.empty")?.remove();
  list.insertBefore(item, before);
  const previous = item.previousElementSibling;
  if (
    item.classList.contains("msg") &&
    previous?.classList.contains("msg") &&
    previous.dataset.nickname === item.dataset.nickname &&
    previous.classList.contains("mine") === item.classList.contains("mine") &&
    Number(item.dataset.ts) - Number(previous.dataset.ts) < GROUP_WINDOW_MS
  ) {
    item.classList.add("follow");
  }
  if (atBottom || item.classList.contains("mine")) scrollToBottom();
}

function scrollToBottom() {
  ui.messages.scrollTop = ui.messages.scrollHeight;
}

// A list that was at the bottom stays there when the window (or a phone keyboard) resizes it.
let pinnedToBottom = true;
ui.messages.addEventListener("scroll", () => {
  const list = ui.messages;
  pinnedToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
});
new ResizeObserver(() => {
  if (pinnedToBottom) scrollToBottom();
}).observe(ui.messages);

// ── sending ──────────────────────────────────────────────────────────────────────────────

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = normalizeMessage(ui.input.value);
  if (text.length === 0) return;
  if (text.length > state.limits.message) {
    showError(
      ui.composerError,
      `Messages are limited to ${state.limits.message} characters (this one has ${text.length}).`,
      "length",
    );
    return ui.input.focus();
  }
  showError(ui.composerError, null);
  send(text);
  ui.input.value = "";
  onComposerInput();
  ui.input.focus();
});

ui.input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

ui.input.addEventListener("input", onComposerInput);

function send(text) {
  const entry = { clientId: randomId(), room: state.room, text, el: null };
  entry.el = renderMessage({ nickname: state.nickname, text, ts: Date.now() }, true);
  entry.el.dataset.status = "pending";
  entry.el.dataset.clientId = entry.clientId;
  state.outbox.set(entry.clientId, entry);
  insertMessage(entry.el, null);
  updateOutboxStatus();
  stopTyping();
  if (state.joined && socket.connected) emitMessage(entry);
}

function emitMessage(entry) {
  const request = { room: entry.room, clientId: entry.clientId, text: entry.text };
  socket.emit("message", request, (reply) => {
    if (state.outbox.get(entry.clientId) !== entry) return; // settled already
    state.outbox.delete(entry.clientId);
    if (reply && reply.ok) return markSent(entry, reply.message);
    const message = reply?.error?.message ?? "The message was not sent.";
    markFailed(entry, message);
    showError(ui.composerError, message);
  });
}

// After a (re)join: everything still waiting goes out, in order. The server recognises a
// message it already has (same clientId), so a resend never shows twice. A message for the room
// just left is still on its way when switching; after a reconnection it is lost.
function flushOutbox(resume) {
  for (const entry of state.outbox.values()) {
    if (entry.room === state.room) {
      emitMessage(entry);
    } else if (resume) {
      state.outbox.delete(entry.clientId);
      markFailed(entry, `Not sent: you left #${entry.room}.`);
    }
  }
  updateOutboxStatus();
}

function markSent(entry, message) {
  const node = entry.el;
  node.dataset.status = "sent";
  node.dataset.id = message.id;
  node.dataset.ts = String(message.ts);
  state.shown.add(message.id);
  node.querySelector(".time")?.replaceWith(timeElement(message.ts));
  const label = node.querySelector(".state");
  label.textContent = "Sent";
  label.title = "Delivered to the room";
}

function markFailed(entry, message) {
  entry.el.dataset.status = "failed";
  entry.el.querySelector(".state").textContent = message;
  if (entry.room !== state.room) return;
  state.failed.set(entry.clientId, entry);
  const retry = el("button", "retry", "Retry");
  retry.type = "button";
  retry.dataset.clientId = entry.clientId;
  entry.el.querySelector(".meta").append(retry);
}

ui.messages.addEventListener("click", (event) => {
  const button = event.target.closest(".retry");
  const entry = button && state.failed.get(button.dataset.clientId);
  if (!entry) return;
  state.failed.delete(entry.clientId);
  button.remove();
  entry.el.dataset.status = "pending";
  state.outbox.set(entry.clientId, entry);
  showError(ui.composerError, null);
  updateOutboxStatus();
  if (state.joined && socket.connected) emitMessage(entry);
  ui.input.focus();
});

function updateOutboxStatus() {
  const text = state.joined ? "Sending…" : "Waiting for connection…";
  for (const entry of state.outbox.values()) entry.el.querySelector(".state").textContent = text;
}

// ── typing ───────────────────────────────────────────────────────────────────────────────

function onComposerInput() {
  const input = ui.input;
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;

  const length = normalizeMessage(input.value).length;
  const limit = state.limits.message;
  ui.count.textContent = length >= limit * 0.8 ? `${length} / ${limit}` : "";
  ui.count.classList.toggle("over", length > limit);
  ui.composer.classList.toggle("over", length > limit);
  if (length <= limit && ui.composerError.dataset.kind === "length") showError(ui.composerError, null);

  if (length === 0) return stopTyping();
  const now = Date.now();
  if (now - state.typingSentAt >= TYPING_SEND_EVERY_MS) {
    state.typingSentAt = now;
    emitTyping(true);
  }
  clearTimeout(state.typingIdleTimer);
  state.typingIdleTimer = setTimeout(stopTyping, TYPING_IDLE_MS);
}

function stopTyping() {
  clearTimeout(state.typingIdleTimer);
  if (state.typingSentAt === 0) return;
  state.typingSentAt = 0;
  emitTyping(false);
}

function emitTyping(typing) {
  // Only while connected: a stale "typing" must not be queued and delivered after a reconnection.
  if (state.joined && socket.connected) socket.emit("typing", { typing });
}

socket.on("typing", (event) => {
  if (event.room !== state.room || event.nickname === state.nickname) return;
  if (!event.typing) return stopTypingOf(event.nickname);
  clearTimeout(state.typing.get(event.nickname));
  state.typing.set(event.nickname, setTimeout(() => stopTypingOf(event.nickname), TYPING_EXPIRE_MS));
  renderTyping();
});

function stopTypingOf(nickname) {
  if (!state.typing.has(nickname)) return;
  clearTimeout(state.typing.get(nickname));
  state.typing.delete(nickname);
  renderTyping();
}

function clearTyping() {
  for (const timer of state.typing.values()) clearTimeout(timer);
  state.typing.clear();
  renderTyping();
}

function renderTyping() {
  const names = [...state.typing.keys()];
  if (names.length === 0) {
    ui.typing.replaceChildren();
    return;
  }
  const dots = el("span", "dots");
  dots.setAttribute("aria-hidden", "true");
  dots.append(el("span"), el("span"), el("span"));
  const parts = [dots];
  if (names.length === 1) parts.push(el("bdi", "typing-name", names[0]), " is typing…");
  else if (names.length === 2) {
    parts.push(el("bdi", "typing-name", names[0]), " and ", el("bdi", "typing-name", names[1]), " are typing…");
  } else parts.push("Several people are typing…");
  ui.typing.replaceChildren(...parts);
}

// ── narrow screens: the sidebar is a drawer ──────────────────────────────────────────────

function openDrawer() {
  document.body.classList.add("drawer-open");
  ui.menuButton.setAttribute("aria-expanded", "true");
  ui.scrim.hidden = false;
  ui.rooms.querySelector('[aria-current="true"]')?.focus();
}

function closeDrawer() {
  if (!document.body.classList.contains("drawer-open")) return;
  document.body.classList.remove("drawer-open");
  ui.menuButton.setAttribute("aria-expanded", "false");
  ui.scrim.hidden = true;
}

ui.menuButton.addEventListener("click", () => {
  if (document.body.classList.contains("drawer-open")) closeDrawer();
  else openDrawer();
});
ui.scrim.addEventListener("click", closeDrawer);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && document.body.classList.contains("drawer-open")) {
    closeDrawer();
    ui.menuButton.focus();
  }
});
