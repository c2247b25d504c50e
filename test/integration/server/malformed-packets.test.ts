// Malformed Socket.IO packets over a real connection (a raw WebSocket from the `ws` package):
// the offending client is closed (or, for an unknown namespace, refused with connect_error),
// nothing reaches user listeners, and the server and its other clients go on.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import type { Socket as ClientSocket } from "socket.io-client";
import type { Socket } from "../../../src/index.js";
import { startServer, waitFor, withTimeout } from "./helpers.js";
import type { Fixture } from "./helpers.js";

interface RawClient {
  ws: WebSocket;
  /** The next message (text as a string, binary as a Buffer). */
  next(): Promise<string | Buffer>;
  closed: Promise<void>;
  isClosed(): boolean;
}

/** A raw Engine.IO v4 WebSocket client, connected to the main namespace ("40" sent and answered). */
async function rawClient(f: Fixture): Promise<RawClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${f.port}/socket.io/?EIO=4&transport=websocket`);
  const queue: (string | Buffer)[] = [];
  const waiters: ((m: string | Buffer) => void)[] = [];
  let closed = false;
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const message = isBinary ? data : data.toString();
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(message);
    else queue.push(message);
  });
  const closedPromise = new Promise<void>((resolve) =>
    ws.on("close", () => {
      closed = true;
      resolve();
    }),
  );
  ws.on("error", () => {});
  const next = (): Promise<string | Buffer> => {
    const queued = queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return withTimeout(new Promise((resolve) => waiters.push(resolve)), 3000, "a message");
  };
  const open = await next();
  assert.match(String(open), /^0\{"sid":/);
  ws.send("40");
  const connect = await next();
  assert.match(String(connect), /^40\{"sid":"[\w-]{20}"\}$/);
  return { ws, next, closed: closedPromise, isClosed: () => closed };
}

const placeholder = (num: unknown): string => `451-["hello",{"_placeholder":true,"num":${JSON.stringify(num)}}]`;

/** Each case: the Engine.IO messages sent after connecting (strings are text frames, Buffers binary frames). */
const CLOSING_CASES: [string, (string | Buffer)[]][] = [
  ['placeholder num "splice"', [placeholder("splice"), Buffer.from([1])]],
  ['placeholder num "__proto__"', [placeholder("__proto__"), Buffer.from([1])]],
  ["placeholder num -1", [placeholder(-1), Buffer.from([1])]],
  ["placeholder num 1e3", [placeholder(1e3), Buffer.from([1])]],
  ["placeholder num out of range", [placeholder(1), Buffer.from([1])]],
  ["placeholder num 0.5", [placeholder(0.5), Buffer.from([1])]],
  ["attachment count 1e9", ['451000000000-["hello",{"_placeholder":true,"num":0}]']],
  ["attachment count 0", ['450-["hello"]']],
  ["more placeholders than attachments", ['451-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]']],
  ["binary frame with no reconstruction pending", [Buffer.from([1, 2, 3])]],
  ["text mid-reconstruction", ['452-["hello",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', Buffer.from([1]), '42["x"]']],
  ['event name is an object: 2[{"toString":"foo"}]', ['42[{"toString":"foo"}]']],
  ["event name null: 2[null]", ["42[null]"]],
  ["no event name: 2[]", ["42[]"]],
  ["payload not an array: 2{}", ["42{}"]],
  ["payload a string", ['42"hello"']],
  ["event name a number", ["42[1]"]],
  ["reserved event name disconnect", ['42["disconnect"]']],
  ["reserved event name connect", ['42["connect"]']],
  ["reserved event name error", ['42["error",{"message":"x"}]']],
  ["reserved event name newListener", ['42["newListener","x"]']],
  ["reserved event name disconnecting", ['42["disconnecting"]']],
  ["reserved event name removeListener (with ack)", ['421["removeListener"]']],
  ["deep nesting", ['42["deep",' + "[".repeat(5000) + "]".repeat(5000) + "]"]],
  ["deep nesting of objects", ['42["deep",' + '{"a":'.repeat(500) + "1" + "}".repeat(500) + "]"]],
  ["invalid JSON", ['42["hello"']],
  ["trailing garbage", ['42["hello"]x']],
  ["unknown packet type 7", ['47["hello"]']],
  ["unknown packet type letter", ['4x["hello"]']],
  ["empty Socket.IO packet", ["4"]],
  ["huge ack id", ['4299999999999999999999999["hello"]']],
  ["ACK without an id", ['43["hello"]']],
  ["CONNECT_ERROR from a client", ['44{"message":"nope"}']],
  ["DISCONNECT with a payload", ['41{"a":1}']],
  ["CONNECT with an array payload", ['40/x,[1,2]']],
  ["invalid Engine.IO packet type", ["9hello"]],
];

describe("malformed packets over a raw WebSocket", () => {
  let f: Fixture;
  let watcher: ClientSocket;
  let listenerCalls = 0;
  const reasons = new Map<string, string>();

  before(async () => {
    f = await startServer({}, ["websocket"]);
    f.io.on("connection", (socket: Socket) => {
      socket.onAny(() => listenerCalls++);
      for (const name of ["hello", "deep", "x", "1", "toString"]) socket.on(name, () => listenerCalls++);
      socket.on("disconnect", (reason) => reasons.set(socket.id, reason));
    });
    watcher = await f.connect();
  });

  after(async () => {
    await f.close();
  });

  it("a well-formed binary event reaches its listener (control case)", async () => {
    const raw = await rawClient(f);
    const socket = [...f.io.sockets.sockets.values()].at(-1) as Socket;
    const got = waitFor(socket, "file");
    raw.ws.send('451-["file",{"_placeholder":true,"num":0}]');
    raw.ws.send(Buffer.from([7, 8]));
    const [data] = await got;
    assert.deepEqual([...data], [7, 8]);
    raw.ws.send('421["file",{"n":1}]');
    raw.ws.send("41");
    await withTimeout(new Promise((resolve) => socket.once("disconnect", resolve)), 3000, "namespace disconnect");
    raw.ws.close();
  });

  it("binary events of several clients interleaved attachment by attachment each reach their own listener", async () => {
    // Clients share one decoder until a binary header leaves state pending; this interleaving
    // checks that each pending packet stays with its client.
    const [a, b, c] = [await rawClient(f), await rawClient(f), await rawClient(f)];
    const sockets = [...f.io.sockets.sockets.values()].slice(-3) as [Socket, Socket, Socket];
    const gotA = waitFor(sockets[0], "file");
    const gotB = waitFor(sockets[1], "file");
    const gotC = waitFor(sockets[2], "x");
    a.ws.send('452-["file",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]');
    b.ws.send('451-["file",{"_placeholder":true,"num":0}]');
    c.ws.send('42["x","text between"]');
    a.ws.send(Buffer.from([1]));
    b.ws.send(Buffer.from([2]));
    a.ws.send(Buffer.from([3]));
    const [a0, a1] = await gotA;
    const [b0] = await gotB;
    const [text] = await gotC;
    assert.deepEqual([[...a0], [...a1], [...b0], text], [[1], [3], [2], "text between"]);
    // Each client is back on the shared decoder and goes on: a text event, then another binary one.
    const again = waitFor(sockets[0], "file");
    a.ws.send('42["file","plain"]');
    assert.deepEqual(await again, ["plain"]);
    const binaryAgain = waitFor(sockets[1], "file");
    b.ws.send('451-["file",{"_placeholder":true,"num":0}]');
    b.ws.send(Buffer.from([9]));
    assert.deepEqual([...(await binaryAgain)[0]], [9]);
    for (const raw of [a, b, c]) raw.ws.close();
  });

  for (const [label, messages] of CLOSING_CASES) {
    it(`closes the client on: ${label}`, async () => {
      const raw = await rawClient(f);
      const socket = [...f.io.sockets.sockets.values()].at(-1) as Socket;
      const callsBefore = listenerCalls;
      for (const message of messages) raw.ws.send(typeof message === "string" ? "4" + message : message);
      // "9hello" is an Engine.IO packet type, the others travel in "4" message packets.
      if (label === "invalid Engine.IO packet type") raw.ws.send("9hello");
      await withTimeout(raw.closed, 3000, "the server closing the connection");
      assert.equal(raw.isClosed(), true);
      assert.equal(listenerCalls, callsBefore, "no user listener ran");
      assert.equal(socket.connected, false);
      assert.equal(reasons.get(socket.id), "parse error");
      assert.equal(f.io.sockets.sockets.has(socket.id), false);
      // The server goes on: the watcher still gets broadcasts.
      const news = waitFor(watcher, "news");
      f.io.emit("news", label);
      assert.deepEqual(await news, [label]);
    });
  }

  it("answers an unknown namespace with connect_error and keeps the connection", async () => {
    const raw = await rawClient(f);
    raw.ws.send("40/nope,");
    assert.equal(await raw.next(), '44/nope,{"message":"Invalid namespace"}');
    raw.ws.send('40/nope,{"token":1}');
    assert.equal(await raw.next(), '44/nope,{"message":"Invalid namespace"}');
    raw.ws.send('42["hello"]');
    raw.ws.send("42/nope,[\"hello\"]"); // an event for a namespace it is not in: ignored
    const socket = [...f.io.sockets.sockets.values()].at(-1) as Socket;
    const got = waitFor(socket, "ping-me");
    raw.ws.send('42["ping-me",1]');
    assert.deepEqual(await got, [1]);
    assert.equal(raw.isClosed(), false);
    raw.ws.close();
    await withTimeout(raw.closed, 3000, "close");
  });

  it("ignores an ack for an unknown id, and a second CONNECT for a connected namespace", async () => {
    const raw = await rawClient(f);
    const socket = [...f.io.sockets.sockets.values()].at(-1) as Socket;
    let answers = 0;
    socket.emit("question", () => answers++);
    assert.match(String(await raw.next()), /^42\d+\["question"\]$/);
    raw.ws.send('43999["nobody asked"]');
    raw.ws.send("40");
    raw.ws.send('430["answer"]');
    raw.ws.send('430["answer again"]');
    const got = waitFor(socket, "after");
    raw.ws.send('42["after"]');
    await got;
    assert.equal(answers, 1, "the ack ran once");
    assert.equal(raw.isClosed(), false);
    assert.equal(f.io.sockets.sockets.get(socket.id), socket, "the same socket, not a second one");
    raw.ws.close();
    await withTimeout(raw.closed, 3000, "close");
  });
});
