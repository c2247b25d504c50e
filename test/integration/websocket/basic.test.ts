// Our server and our client over loopback: messages, fragments, control frames, closing, browser-style API.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { WebSocket, type WebSocketServer, WebSocketError, type RawData } from "../../../src/websocket/index.js";
import { next, startServer, stopServer, within } from "./helpers.js";

let wss: WebSocketServer;
let url: string;

before(async () => {
  ({ wss, url } = await startServer({ perMessageDeflate: false }));
  wss.on("connection", (ws, req) => {
    if (req.url === "/echo") {
      ws.on("message", (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
      ws.on("ping", () => {});
    }
  });
});

after(async () => {
  await stopServer(wss);
});

async function open(path = "/echo", protocols?: string | string[]): Promise<WebSocket> {
  const ws = new WebSocket(url + path, protocols, { perMessageDeflate: false });
  await next(ws, "open");
  return ws;
}

async function closeAndWait(ws: WebSocket): Promise<void> {
  const closed = next(ws, "close");
  ws.close();
  await closed;
}

function collect(ws: WebSocket, count: number): Promise<Array<[RawData, boolean]>> {
  return within(
    new Promise((resolve) => {
      const got: Array<[RawData, boolean]> = [];
      const onMessage = (data: RawData, isBinary: boolean): void => {
        got.push([data, isBinary]);
        if (got.length === count) {
          ws.off("message", onMessage);
          resolve(got);
        }
      };
      ws.on("message", onMessage);
    }),
    10_000,
    `${count} messages`,
  );
}

describe("messages", () => {
  test("text, binary, empty, typed arrays, in order", async () => {
    const ws = await open();
    assert.equal(ws.readyState, WebSocket.OPEN);
    assert.equal(ws.url, url + "/echo");
    const got = collect(ws, 6);
    ws.send("héllo");
    ws.send(Buffer.from([1, 2, 3]));
    ws.send("");
    ws.send(new Uint8Array([4, 5]));
    ws.send(new Uint16Array([0x0102]).buffer);
    ws.send(Buffer.from("as text"), { binary: false });
    const messages = await got;
    assert.deepEqual(
      messages.map(([d, b]) => [b ? (d as Buffer).toString("hex") : (d as Buffer).toString(), b]),
      [["héllo", false], ["010203", true], ["", false], ["0405", true], ["0201", true], ["as text", false]],
    );
    await closeAndWait(ws);
  });

  test("several megabytes each way", async () => {
    const ws = await open();
    const big = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    const text = "z".repeat(3 * 1024 * 1024) + "€";
    const got = collect(ws, 2);
    ws.send(big);
    ws.send(text);
    const [first, second] = await got;
    const [b, isBinary] = first!;
    const [t] = second!;
    assert.equal(isBinary, true);
    assert.ok(big.equals(b as Buffer));
    assert.equal((t as Buffer).toString(), text);
    await closeAndWait(ws);
  });

  test("fragmented sends (fin: false) arrive as one message", async () => {
    const ws = await open();
    const got = collect(ws, 2);
    ws.send("frag", { fin: false });
    ws.send("men", { fin: false });
    ws.send("ted", { fin: true });
    ws.send(Buffer.from([1]), { fin: false });
    ws.send(Buffer.from([2]), { fin: true });
    const messages = await got;
    assert.equal((messages[0]![0] as Buffer).toString(), "fragmented");
    assert.equal(messages[0]![1], false);
    assert.deepEqual([...(messages[1]![0] as Buffer)], [1, 2]);
    await closeAndWait(ws);
  });

  test("send callbacks, and send while CONNECTING/after close", async () => {
    const ws = new WebSocket(url + "/echo", { perMessageDeflate: false });
    assert.throws(() => ws.send("too early"), /CONNECTING/);
    await next(ws, "open");
    await within(new Promise<void>((resolve, reject) => ws.send("x", (err) => (err ? reject(err) : resolve()))));
    await closeAndWait(ws);
    const err = await within(new Promise<Error | null | undefined>((resolve) => ws.send("late", resolve)));
    assert.ok(err instanceof WebSocketError);
    assert.equal(err.code, "WS_ERR_NOT_OPEN");
    assert.doesNotThrow(() => ws.send("late, no callback"));
  });

  test("pause() holds messages until resume()", async () => {
    const ws = await open();
    ws.pause();
    assert.equal(ws.isPaused, true);
    const received: string[] = [];
    ws.on("message", (d) => received.push((d as Buffer).toString()));
    ws.send("a");
    ws.send("b");
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(received, []);
    ws.resume();
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => (received.length === 2 ? resolve() : void setTimeout(check, 5));
        check();
      }),
    );
    assert.deepEqual(received, ["a", "b"]);
    await closeAndWait(ws);
  });
});

describe("control frames", () => {
  test("ping gets an automatic pong with the same data; pong events", async () => {
    const ws = await open();
    const pong = next<[Buffer]>(ws, "pong");
    ws.ping("are you there");
    const [data] = await pong;
    assert.equal(data.toString(), "are you there");
    assert.throws(() => ws.ping(Buffer.alloc(126)), RangeError);
    assert.throws(() => ws.pong(Buffer.alloc(126)), RangeError);
    await closeAndWait(ws);
  });

  test("the server's ping reaches the client as an event, and is answered", async () => {
    const serverSide = next<[WebSocket]>(wss, "connection");
    const ws = await open("/ping");
    const [server] = await serverSide;
    const ping = next<[Buffer]>(ws, "ping");
    const pong = next<[Buffer]>(server, "pong");
    server.ping(Buffer.from([7, 7]));
    assert.deepEqual([...(await ping)[0]], [7, 7]);
    assert.deepEqual([...(await pong)[0]], [7, 7]);
    await closeAndWait(ws);
  });
});

describe("closing", () => {
  test("client-initiated close: both sides see the code and reason", async () => {
    const serverSide = next<[WebSocket]>(wss, "connection");
    const ws = await open("/quiet");
    const [server] = await serverSide;
    const serverClosed = next<[number, Buffer]>(server, "close");
    const clientClosed = next<[number, Buffer]>(ws, "close");
    ws.close(4001, "done here");
    assert.equal(ws.readyState, WebSocket.CLOSING);
    const [sc, sr] = await serverClosed;
    const [cc, cr] = await clientClosed;
    assert.deepEqual([sc, sr.toString()], [4001, "done here"]);
    assert.deepEqual([cc, cr.toString()], [4001, "done here"]);
    assert.equal(ws.readyState, WebSocket.CLOSED);
  });

  test("server-initiated close with a reason; no code is reported as 1005", async () => {
    const serverSide = next<[WebSocket]>(wss, "connection");
    const ws = await open("/quiet");
    const [server] = await serverSide;
    const clientClosed = next<[number, Buffer]>(ws, "close");
    server.close(1001, "going away");
    const [code, reason] = await clientClosed;
    assert.deepEqual([code, reason.toString()], [1001, "going away"]);

    const serverSide2 = next<[WebSocket]>(wss, "connection");
    const ws2 = await open("/quiet");
    const [server2] = await serverSide2;
    const closed2 = next<[number, Buffer]>(ws2, "close");
    server2.close();
    assert.equal((await closed2)[0], 1005);
  });

  test("terminate() gives 1006 on both sides", async () => {
    const serverSide = next<[WebSocket]>(wss, "connection");
    const ws = await open("/quiet");
    const [server] = await serverSide;
    const serverClosed = next<[number]>(server, "close");
    const clientClosed = next<[number]>(ws, "close");
    ws.terminate();
    assert.equal((await clientClosed)[0], 1006);
    assert.equal((await serverClosed)[0], 1006);
  });

  test("close() checks its arguments", async () => {
    const ws = await open();
    assert.throws(() => ws.close(1005), TypeError);
    assert.throws(() => ws.close(999), TypeError);
    assert.throws(() => ws.close(2000), TypeError);
    assert.throws(() => ws.close(1000, "x".repeat(124)), RangeError);
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.close(1000, "é".repeat(61)); // 122 bytes
    await next(ws, "close");
  });

  test("close() while CONNECTING fails the handshake with an error and 1006", async () => {
    const ws = new WebSocket(url + "/echo", undefined, { perMessageDeflate: false });
    const errored = next<[WebSocketError]>(ws, "error");
    const closed = next<[number]>(ws, "close");
    ws.close();
    assert.equal((await errored)[0].code, "WS_ERR_CLOSED_BEFORE_OPEN");
    assert.equal((await closed)[0], 1006);
    assert.equal(ws.readyState, WebSocket.CLOSED);
  });

  test("the closing timeout destroys a socket whose peer never answers", async () => {
    const serverSide = next<[WebSocket]>(wss, "connection");
    const ws = new WebSocket(url + "/quiet", undefined, { perMessageDeflate: false, closeTimeout: 200 });
    await next(ws, "open");
    const [server] = await serverSide;
    // The server stops reading: the client's close frame is never answered.
    server.pause();
    const started = Date.now();
    ws.close(1000);
    const [code] = await next<[number]>(ws, "close", 3000);
    assert.equal(code, 1006);
    assert.ok(Date.now() - started >= 150);
  });
});

describe("subprotocols", () => {
  test("the first offered protocol is selected by default", async () => {
    const ws = await open("/echo", ["chat.v2", "chat.v1"]);
    assert.equal(ws.protocol, "chat.v2");
    await closeAndWait(ws);
  });

  test("invalid subprotocol lists throw SyntaxError", () => {
    assert.throws(() => new WebSocket(url, ["a", "a"]), SyntaxError);
    assert.throws(() => new WebSocket(url, "a b"), SyntaxError);
    assert.throws(() => new WebSocket("ftp://127.0.0.1/"), SyntaxError);
    assert.throws(() => new WebSocket("not a url"), SyntaxError);
    assert.throws(() => new WebSocket(url + "#frag"), SyntaxError);
  });
});

describe("browser-style API", () => {
  test("onopen/onmessage/onclose with event objects, binaryType arraybuffer", async () => {
    const ws = new WebSocket(url + "/echo", [], { perMessageDeflate: false });
    ws.binaryType = "arraybuffer";
    const events: unknown[] = [];
    await within(
      new Promise<void>((resolve) => {
        ws.onopen = (event) => {
          events.push(["open", event.type, event.target === ws]);
          ws.send("text");
          ws.send(Buffer.from([9, 8]));
        };
        let n = 0;
        ws.onmessage = (event) => {
          events.push(["message", event.data instanceof ArrayBuffer ? [...new Uint8Array(event.data)] : event.data]);
          if (++n === 2) ws.close(1000, "bye");
        };
        ws.onclose = (event) => {
          events.push(["close", event.code, event.reason, event.wasClean]);
          resolve();
        };
      }),
    );
    assert.deepEqual(events, [
      ["open", "open", true],
      ["message", "text"],
      ["message", [9, 8]],
      ["close", 1000, "bye", true],
    ]);
    assert.equal(typeof ws.onmessage, "function");
    ws.onmessage = null;
    assert.equal(ws.onmessage, null);
  });

  test("addEventListener with once, handleEvent objects, removeEventListener, onerror", async () => {
    const ws = new WebSocket(url + "/echo", [], { perMessageDeflate: false });
    const seen: string[] = [];
    const listener = (event: { data: unknown }): void => {
      seen.push(`fn:${String(event.data)}`);
    };
    ws.addEventListener("message", listener, { once: true });
    ws.addEventListener("message", listener, { once: true }); // the same listener is added once
    const handler = { handleEvent: (event: { data: unknown }) => seen.push(`obj:${String(event.data)}`) };
    ws.addEventListener("message", handler);
    await next(ws, "open");
    const two = collect(ws, 2);
    ws.send("1");
    ws.send("2");
    await two;
    ws.removeEventListener("message", handler);
    const three = collect(ws, 1);
    ws.send("3");
    await three;
    assert.deepEqual(seen, ["fn:1", "obj:1", "obj:2"]);
    await closeAndWait(ws);

    const failing = new WebSocket("ws://127.0.0.1:1/", [], { perMessageDeflate: false });
    const failingClosed = next(failing, "close");
    const errorEvent = await within(new Promise<{ type: string; message: string; error: unknown }>((resolve) => (failing.onerror = resolve)));
    assert.equal(errorEvent.type, "error");
    assert.match(errorEvent.message, /ECONNREFUSED/);
    await failingClosed;
  });

  test("constants on the class and on instances", () => {
    assert.deepEqual([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED], [0, 1, 2, 3]);
    const ws = new WebSocket(url + "/quiet", [], { perMessageDeflate: false });
    assert.deepEqual([ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED], [0, 1, 2, 3]);
    ws.terminate();
  });
});
