// The chat example in real Chromium: three people (three browser contexts) on a chat server
// started on port 0, plus short-lived extra visitors. Everything goes over loopback sockets.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { io as connectClient, type Socket as ClientSocket } from "socket.io-client";
import { createChatServer, type ChatServer, type ChatServerOptions } from "../../../examples/chat/app.js";
import { launchChromium } from "../../helpers/chromium.js";

const ARTIFACTS = new URL("../../artifacts/", import.meta.url);
const WAIT_MS = 10_000;
// The late-joiner test posts 55 messages from one socket; the default limit (20 per 10 s) would refuse them.
const SERVER_OPTIONS: ChatServerOptions = { port: 0, historySize: 50, rateLimit: { messages: 200, windowMs: 10_000 } };

interface Visitor {
  nickname: string;
  context: BrowserContext;
  page: Page;
  dialogs: string[];
  pageErrors: string[];
}

let browser: Browser;
let chat: ChatServer;
let alice: Visitor;
let bob: Visitor;
let carol: Visitor;
const visitors: Visitor[] = [];

async function openPage(nickname: string): Promise<Visitor> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "light" });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const visitor: Visitor = { nickname, context, page, dialogs: [], pageErrors: [] };
  page.on("dialog", (dialog) => {
    visitor.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (err) => visitor.pageErrors.push(err.message));
  visitors.push(visitor);
  await page.goto(chat.url);
  return visitor;
}

async function signIn(visitor: Visitor): Promise<void> {
  await visitor.page.fill("#nickname", visitor.nickname);
  await visitor.page.press("#nickname", "Enter");
  await visitor.page.locator("#chat").waitFor({ state: "visible" });
}

async function join(nickname: string): Promise<Visitor> {
  const visitor = await openPage(nickname);
  await signIn(visitor);
  return visitor;
}

async function leave(visitor: Visitor): Promise<void> {
  visitors.splice(visitors.indexOf(visitor), 1);
  await visitor.context.close();
}

/** Waits until `selector` matches an element whose text includes `text`. */
async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([sel, expected]) => Array.from(document.querySelectorAll(sel)).some((e) => e.textContent?.includes(expected)),
    [selector, text] as const,
    { timeout: WAIT_MS },
  );
}

/** Waits until the text of the first element matching `selector` is exactly `text`. */
async function waitForExactText(page: Page, selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([sel, expected]) => document.querySelector(sel)?.textContent === expected,
    [selector, text] as const,
    { timeout: WAIT_MS },
  );
}

interface ShownMessage {
  author: string;
  text: string;
  mine: boolean;
  status: string;
}

function messages(page: Page): Promise<ShownMessage[]> {
  return page.$$eval("#messages .msg", (items) =>
    items.map((item) => ({
      author: (item as HTMLElement).dataset.nickname ?? "",
      text: item.querySelector(".text")?.textContent ?? "",
      mine: item.classList.contains("mine"),
      status: (item as HTMLElement).dataset.status ?? "",
    })),
  );
}

function people(page: Page): Promise<string[]> {
  return page.$$eval("#people .person-name", (items) => items.map((item) => item.textContent ?? ""));
}

async function send(visitor: Visitor, text: string): Promise<void> {
  await visitor.page.fill("#composer-input", text);
  await visitor.page.press("#composer-input", "Enter");
}

/** Sends and waits for the server's acknowledgement to mark the message as sent. */
async function sendConfirmed(visitor: Visitor, text: string): Promise<void> {
  await send(visitor, text);
  await visitor.page.waitForFunction(
    (expected) =>
      Array.from(document.querySelectorAll("#messages .msg.mine")).some(
        (e) => e.querySelector(".text")?.textContent === expected && (e as HTMLElement).dataset.status === "sent",
      ),
    text,
    { timeout: WAIT_MS },
  );
}

async function switchRoom(visitor: Visitor, room: string): Promise<void> {
  await visitor.page.click(`#rooms [data-room="${room}"]`);
  await waitForExactText(visitor.page, "#room-name", room);
}

async function clientJoin(nickname: string, room: string): Promise<ClientSocket> {
  const socket = connectClient(chat.url, { transports: ["websocket"], forceNew: true, reconnection: false });
  const reply = await socket.timeout(WAIT_MS).emitWithAck("join", { nickname, room, sessionId: `node-${nickname}-session` });
  assert.equal(reply.ok, true, JSON.stringify(reply));
  return socket;
}

describe("chat example in Chromium", { timeout: 90_000 }, () => {
  // Hooks are bounded too, so a close that never finishes fails the file instead of hanging it.
  before(
    async () => {
      [browser, chat] = await Promise.all([launchChromium(), createChatServer(SERVER_OPTIONS)]);
    },
    { timeout: 30_000 },
  );

  after(
    async () => {
      await browser?.close();
      await chat?.close();
    },
    { timeout: 20_000 },
  );

  test("three people join with their nicknames; join notices, people and client counts update live", async () => {
    alice = await join("alice");
    assert.deepEqual(await people(alice.page), ["alice"]);
    await waitForExactText(alice.page, "#room-name", "general");
    await waitForExactText(alice.page, "#me-name", "alice");

    bob = await join("bob");
    await waitForText(alice.page, "#messages .notice", "bob joined");
    await waitForExactText(alice.page, "#people-count", "2");

    carol = await join("carol");
    for (const visitor of [alice, bob, carol]) {
      await waitForExactText(visitor.page, "#people-count", "3");
      await waitForExactText(visitor.page, "#online-count", "3");
      await waitForExactText(visitor.page, '#rooms [data-room="general"] .room-count', "3");
      await waitForExactText(visitor.page, "#status", "Connected");
      assert.deepEqual(await people(visitor.page), ["alice", "bob", "carol"]);
    }
    assert.equal(chat.io.engine.clientsCount, 3);
    await waitForText(bob.page, "#messages .notice", "carol joined");
    // A newcomer is not told about the people who were already there.
    assert.equal(await carol.page.locator("#messages .notice", { hasText: "joined" }).count(), 0);
  });

  test("a message reaches the other two with its author; the sender sees it once, pending then sent", async () => {
    const text = "Hi both! Did the Courant build go green?";
    await send(alice, text);
    // Shown at once, before any answer from the server could have arrived.
    const own = alice.page.locator("#messages .msg.mine", { hasText: text });
    await own.waitFor();
    await alice.page.waitForFunction(
      (expected) =>
        Array.from(document.querySelectorAll("#messages .msg.mine")).some(
          (e) => e.querySelector(".text")?.textContent === expected && (e as HTMLElement).dataset.status === "sent",
        ),
      text,
    );
    for (const visitor of [bob, carol]) {
      await waitForText(visitor.page, "#messages .msg .text", text);
      const got = (await messages(visitor.page)).filter((m) => m.text === text);
      assert.deepEqual(got, [{ author: "alice", text, mine: false, status: "" }]);
      const author = await visitor.page.locator("#messages .msg", { hasText: text }).locator(".author").textContent();
      assert.equal(author, "alice");
      const time = await visitor.page.locator("#messages .msg", { hasText: text }).locator("time").getAttribute("datetime");
      assert.ok(time !== null && Math.abs(Date.parse(time) - Date.now()) < 60_000, `time ${time}`);
    }
    // bob answers; once alice has bob's answer, any echo of her own message would have come before it.
    await sendConfirmed(bob, "Yes, every conformance suite passes.");
    await waitForText(alice.page, "#messages .msg .text", "every conformance suite passes");
    const mine = (await messages(alice.page)).filter((m) => m.text === text);
    assert.deepEqual(mine, [{ author: "alice", text, mine: true, status: "sent" }]);
  });

  test("the typing indicator appears, goes away by itself, and at once when the message is sent", async () => {
    await bob.page.locator("#composer-input").pressSequentially("I am wri", { delay: 20 });
    await waitForText(alice.page, "#typing", "bob is typing");
    await waitForText(carol.page, "#typing", "bob is typing");
    const lastKey = Date.now();
    assert.equal(await bob.page.locator("#typing").textContent(), "", "nobody sees themselves typing");

    await alice.page.waitForFunction(() => document.querySelector("#typing")?.textContent === "", undefined, {
      timeout: 6000,
    });
    const expiredAfter = Date.now() - lastKey;
    assert.ok(expiredAfter >= 1500 && expiredAfter <= 4500, `expired after ${expiredAfter} ms`);

    await bob.page.locator("#composer-input").pressSequentially("ting", { delay: 20 });
    await waitForText(alice.page, "#typing", "bob is typing");
    const sentAt = Date.now();
    await bob.page.press("#composer-input", "Enter");
    await waitForText(alice.page, "#messages .msg .text", "I am writing");
    await alice.page.waitForFunction(() => document.querySelector("#typing")?.textContent === "", undefined, {
      timeout: 1000,
    });
    assert.ok(Date.now() - sentAt < 1000);
  });

  test("rooms keep messages apart; the room list and counts update live", async () => {
    await carol.page.fill("#room-input", "Random");
    await carol.page.press("#room-input", "Enter");
    await waitForExactText(carol.page, "#room-name", "random");
    await waitForText(carol.page, "#messages .notice", "This is the start of #random");
    assert.deepEqual(await people(carol.page), ["carol"]);
    for (const visitor of [alice, bob]) {
      await waitForExactText(visitor.page, '#rooms [data-room="random"] .room-count', "1");
      await waitForExactText(visitor.page, '#rooms [data-room="general"] .room-count', "2");
      await waitForText(visitor.page, "#messages .notice", "carol went to #random");
      await waitForExactText(visitor.page, "#people-count", "2");
    }

    await sendConfirmed(carol, "Only in random");
    await sendConfirmed(bob, "Only in general");
    // Server order is carol's message, then bob's: once alice has bob's, she would have had carol's.
    await waitForText(alice.page, "#messages .msg .text", "Only in general");
    assert.equal((await messages(alice.page)).some((m) => m.text === "Only in random"), false);
    assert.equal((await messages(bob.page)).some((m) => m.text === "Only in random"), false);
    assert.equal((await messages(carol.page)).some((m) => m.text === "Only in general"), false);

    // alice visits #random: its history, its people, and nothing from #general.
    await switchRoom(alice, "random");
    await waitForText(alice.page, "#messages .msg .text", "Only in random");
    assert.deepEqual(
      (await messages(alice.page)).map((m) => [m.author, m.text]),
      [["carol", "Only in random"]],
    );
    assert.deepEqual(await people(alice.page), ["alice", "carol"]);
    await waitForText(carol.page, "#messages .notice", "alice joined");
    await waitForExactText(bob.page, '#rooms [data-room="random"] .room-count', "2");
    await waitForExactText(bob.page, '#rooms [data-room="general"] .room-count', "1");

    // Everyone back in #general, which still has its history.
    await switchRoom(alice, "general");
    await switchRoom(carol, "general");
    await waitForText(alice.page, "#messages .msg .text", "Only in general");
    for (const visitor of [alice, bob, carol]) {
      await waitForExactText(visitor.page, '#rooms [data-room="general"] .room-count', "3");
      await waitForExactText(visitor.page, '#rooms [data-room="random"] .room-count', "0");
    }
  });

  test("screenshot of the chat with three people in it", async () => {
    await sendConfirmed(carol, "Nice. I'm putting the load-test numbers in #random.");
    await sendConfirmed(alice, "Perfect, thanks!\nI'll post the release notes after lunch.");
    await waitForText(bob.page, "#messages .msg .text", "release notes");
    await carol.page.locator("#composer-input").pressSequentially("Sounds", { delay: 20 });
    await waitForText(bob.page, "#typing", "carol is typing");
    await mkdir(ARTIFACTS, { recursive: true });
    await bob.page.screenshot({ path: new URL("chat.png", ARTIFACTS).pathname });
    await bob.page.setViewportSize({ width: 390, height: 780 });
    await bob.page.screenshot({ path: new URL("chat-phone.png", ARTIFACTS).pathname });
    // On a phone the sidebar is a drawer behind the menu button.
    assert.equal(await bob.page.locator("#sidebar").isVisible(), false);
    await bob.page.click("#menu-button");
    await bob.page.locator('#rooms [data-room="general"]').waitFor({ state: "visible" });
    assert.equal(await bob.page.getAttribute("#menu-button", "aria-expanded"), "true");
    await bob.page.waitForTimeout(300); // let the drawer finish sliding in
    await bob.page.screenshot({ path: new URL("chat-phone-drawer.png", ARTIFACTS).pathname });
    await bob.page.keyboard.press("Escape");
    await bob.page.locator("#sidebar").waitFor({ state: "hidden" });
    await bob.page.setViewportSize({ width: 1280, height: 800 });
    await carol.page.fill("#composer-input", "");
    await carol.page.locator("#composer-input").dispatchEvent("input");
  });

  test("a newcomer to a room sees its last 50 messages", async () => {
    const poster = await clientJoin("poster", "history");
    try {
      for (let i = 1; i <= 55; i++) {
        const reply = await poster
          .timeout(WAIT_MS)
          .emitWithAck("message", { room: "history", clientId: `history-${String(i).padStart(4, "0")}`, text: `message ${i}` });
        assert.equal(reply.ok, true, JSON.stringify(reply));
      }
      const dave = await join("dave");
      // dave also sees what #general said before he came.
      await waitForText(dave.page, "#messages .msg .text", "I am writing");
      const general = (await messages(dave.page)).map((m) => m.text);
      assert.ok(general.indexOf("Hi both! Did the Courant build go green?") < general.indexOf("I am writing"));
      await waitForExactText(dave.page, '#rooms [data-room="history"] .room-count', "1");
      await switchRoom(dave, "history");
      await waitForText(dave.page, "#messages .msg .text", "message 55");
      const shown = await messages(dave.page);
      assert.equal(shown.length, 50);
      assert.deepEqual(
        shown.map((m) => m.text),
        Array.from({ length: 50 }, (_, i) => `message ${i + 6}`),
      );
      assert.ok(shown.every((m) => m.author === "poster" && !m.mine));
      await leave(dave);
    } finally {
      poster.disconnect();
    }
    await waitForText(alice.page, "#messages .notice", "dave went to #history");
    await waitForExactText(alice.page, "#people-count", "3");
  });

  test("markup in a nickname or a message is shown as text, never run", async () => {
    const nickname = "<img src=x onerror=alert(1)>";
    const mallory = await openPage(nickname);
    // Client-side hints first: too long, then taken (case-insensitively).
    await mallory.page.fill("#nickname", "x".repeat(40));
    await mallory.page.press("#nickname", "Enter");
    await waitForText(mallory.page, "#nickname-error", "limited to 32 characters");
    await mallory.page.fill("#nickname", "ALICE");
    await mallory.page.press("#nickname", "Enter");
    await waitForText(mallory.page, "#nickname-error", "already taken");
    await signIn(mallory);

    const text = '<script>alert(2)</script><img src=y onerror="alert(3)"><b>bold?</b>';
    await sendConfirmed(mallory, text);
    for (const visitor of [alice, bob, carol, mallory]) {
      await waitForText(visitor.page, "#messages .msg .text", "<script>alert(2)</script>");
      assert.ok((await people(visitor.page)).includes(nickname));
      const shown = (await messages(visitor.page)).filter((m) => m.author === nickname);
      assert.deepEqual(
        shown.map((m) => m.text),
        [text],
      );
      const dom = await visitor.page.evaluate(() => ({
        images: document.querySelectorAll("img").length,
        bold: document.querySelectorAll("#messages b").length,
        scripts: Array.from(document.scripts).map((s) => new URL(s.src, location.href).pathname),
      }));
      assert.deepEqual(dom, { images: 0, bold: 0, scripts: ["/socket.io/socket.io.js", "/app.js"] });
    }
    await waitForExactText(mallory.page, "#me-name", nickname);
    await waitForText(alice.page, "#messages .notice", `${nickname} joined`);
    // Give a dialog every chance to open before counting none.
    await alice.page.waitForTimeout(300);
    for (const visitor of [alice, bob, carol, mallory]) assert.deepEqual(visitor.dialogs, []);

    await leave(mallory);
    await waitForText(alice.page, "#messages .notice", `${nickname} left`);
    for (const visitor of [alice, bob, carol]) {
      await waitForExactText(visitor.page, "#people-count", "3");
      await waitForExactText(visitor.page, "#online-count", "3");
    }
  });

  test("a too-long message is refused with a visible error, by the page and by the server", async () => {
    const long = "x".repeat(501);
    await alice.page.fill("#composer-input", long);
    await waitForExactText(alice.page, "#composer-count", "501 / 500");
    assert.equal(await alice.page.locator("#composer-count").getAttribute("class"), "count over");
    await alice.page.press("#composer-input", "Enter");
    const error = alice.page.locator("#composer-error");
    await error.waitFor({ state: "visible" });
    assert.match((await error.textContent()) ?? "", /limited to 500 characters \(this one has 501\)/);
    assert.equal(await alice.page.inputValue("#composer-input"), long, "the text stays for editing");
    assert.equal((await messages(alice.page)).some((m) => m.text === long), false);

    // Shortening it clears the error; the message then goes through.
    await alice.page.fill("#composer-input", "x".repeat(500));
    await error.waitFor({ state: "hidden" });
    await alice.page.fill("#composer-input", "");

    // The server refuses it too, whatever the page does.
    const raw = await clientJoin("raw", "general");
    try {
      const reply = await raw.timeout(WAIT_MS).emitWithAck("message", { room: "general", clientId: "too-long-0001", text: long });
      assert.equal(reply.ok, false);
      assert.equal(reply.error.code, "CHAT_ERR_MESSAGE_TOO_LONG");
    } finally {
      raw.disconnect();
    }
    await sendConfirmed(alice, "Short again");
    await waitForText(bob.page, "#messages .msg .text", "Short again");
    assert.equal((await messages(bob.page)).some((m) => m.text.length > 500), false);
  });

  test("after a server restart the pages reconnect, rejoin, and deliver what was typed offline", async () => {
    const port = chat.port;
    await chat.close();
    for (const visitor of [alice, bob, carol]) {
      await waitForExactText(visitor.page, "#status", "Reconnecting…");
      await visitor.page.locator("#offline-banner").waitFor({ state: "visible" });
    }
    const text = "Typed while the server was down";
    await send(alice, text);
    const pending = alice.page.locator("#messages .msg.mine", { hasText: text });
    await pending.waitFor();
    assert.equal(await pending.getAttribute("data-status"), "pending");
    await waitForText(alice.page, "#messages .msg.mine .state", "Waiting for connection");

    chat = await createChatServer({ ...SERVER_OPTIONS, port });
    for (const visitor of [alice, bob, carol]) {
      await waitForExactText(visitor.page, "#status", "Connected");
      await visitor.page.locator("#offline-banner").waitFor({ state: "hidden" });
    }
    await alice.page.waitForFunction(
      (expected) =>
        Array.from(document.querySelectorAll("#messages .msg.mine")).some(
          (e) => e.querySelector(".text")?.textContent === expected && (e as HTMLElement).dataset.status === "sent",
        ),
      text,
      { timeout: WAIT_MS },
    );
    for (const visitor of [bob, carol]) {
      await waitForText(visitor.page, "#messages .msg .text", text);
      const got = (await messages(visitor.page)).filter((m) => m.text === text);
      assert.deepEqual(got, [{ author: "alice", text, mine: false, status: "" }]);
    }
    assert.equal((await messages(alice.page)).filter((m) => m.text === text).length, 1);
    // Everyone is back under the same nickname, in the same room, and the conversation stayed on screen.
    for (const visitor of [alice, bob, carol]) {
      await waitForExactText(visitor.page, "#people-count", "3");
      assert.deepEqual(await people(visitor.page), ["alice", "bob", "carol"]);
      await waitForExactText(visitor.page, "#room-name", "general");
      await waitForText(visitor.page, "#messages .msg .text", "Hi both!");
    }
    assert.equal(chat.io.engine.clientsCount, 3);

    for (const visitor of visitors) assert.deepEqual(visitor.pageErrors, [], `${visitor.nickname}: page errors`);
  });

  test("a message the server refuses shows the server's error, and Retry sends it once allowed", async () => {
    const strict = await createChatServer({ port: 0, rateLimit: { messages: 1, windowMs: 2000 } });
    const context = await browser.newContext();
    try {
      context.setDefaultTimeout(WAIT_MS);
      const page = await context.newPage();
      await page.goto(strict.url);
      await page.fill("#nickname", "eve");
      await page.press("#nickname", "Enter");
      await page.locator("#chat").waitFor();

      // Shift+Enter makes a new line and sends nothing.
      await page.locator("#composer-input").pressSequentially("first");
      await page.keyboard.press("Shift+Enter");
      await page.locator("#composer-input").pressSequentially("line");
      assert.equal(await page.inputValue("#composer-input"), "first\nline");
      assert.equal(await page.locator("#messages .msg").count(), 0);
      await page.press("#composer-input", "Enter");
      await page.locator('#messages .msg[data-status="sent"]').waitFor();

      await page.fill("#composer-input", "second");
      await page.press("#composer-input", "Enter");
      const refused = page.locator('#messages .msg[data-status="failed"]', { hasText: "second" });
      await refused.waitFor();
      assert.match((await refused.locator(".state").textContent()) ?? "", /too fast/);
      await waitForText(page, "#composer-error", "too fast");

      await page.waitForTimeout(2100);
      await refused.locator(".retry").click();
      await page.locator('#messages .msg[data-status="sent"]', { hasText: "second" }).waitFor();
      assert.equal(await page.locator("#composer-error").isHidden(), true);
      assert.deepEqual(
        (await messages(page)).map((m) => [m.text, m.status]),
        [
          ["first\nline", "sent"],
          ["second", "sent"],
        ],
      );
    } finally {
      await context.close();
      await strict.close();
    }
  });

  test("without its client script the page says why it cannot connect", async () => {
    const context = await browser.newContext();
    try {
      await context.route("**/socket.io/socket.io.js", (route) => route.fulfill({ status: 404, body: "" }));
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (err) => errors.push(err.message));
      await page.goto(chat.url);
      await waitForText(page, "#nickname-error", "did not load");
      assert.equal(await page.isDisabled("#login-button"), true);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
