// Typed event maps, as Socket.IO 4 types them: the type-check (`tsc --noEmit`) fails if a line
// marked @ts-expect-error stops being an error; at runtime the same code talks to a real client.

import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io as connect } from "socket.io-client";
import { Server } from "../../src/index.js";
import type { DisconnectReason, Namespace, RemoteSocket, Socket } from "../../src/index.js";
import type { AckResult, AckResults, DecorateAcknowledgements, EventNames, EventParams } from "../../src/index.js";

interface ClientToServerEvents {
  hello: (name: string, ack: (greeting: string) => void) => void;
  move: (x: number, y: number) => void;
}

interface ServerToClientEvents {
  news: (title: string, priority?: number) => void;
  ask: (question: string, cb: (answer: number) => void) => void;
  ping: () => void;
}

interface InterServerEvents {
  sync: (version: number) => void;
}

interface SocketData {
  name: string;
  age: number;
}

type TypedServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type TypedSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Compile-time equality: `Equal<A, B>` is `true` only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_check?: T): void {}

test("helper types resolve as Socket.IO's do", () => {
  expectType<Equal<EventNames<ServerToClientEvents>, "news" | "ask" | "ping">>();
  expectType<Equal<EventParams<ServerToClientEvents, "news">, [title: string, priority?: number]>>();
  expectType<Equal<AckResult<ServerToClientEvents, "ask">, number>>();
  expectType<Equal<AckResult<DecorateAcknowledgements<ServerToClientEvents>, "ask">, number>>();
  expectType<Equal<AckResults<ServerToClientEvents, "ask">, number[]>>();
  type Decorated = DecorateAcknowledgements<ServerToClientEvents>["ask"];
  expectType<Equal<Parameters<Parameters<Decorated>[1]>, [err: Error | null, answer: number]>>();
  // @ts-expect-error "news" has no ack: its result is not a number
  expectType<Equal<AckResult<ServerToClientEvents, "news">, number>>();
  assert.ok(true);
});

/** Typed usage that must compile; run against a real client below. */
function serverCode(io: TypedServer, results: string[]): void {
  io.use((socket, next) => {
    const name: string = socket.handshake.auth["name"] as string;
    socket.data.name = name;
    socket.data.age = 42;
    // @ts-expect-error age is a number
    socket.data.age = "old";
    next();
  });

  io.on("connection", (socket) => {
    const typed: TypedSocket = socket;
    typed.emit("news", "welcome");
    socket.emit("news", "urgent", 1);
    socket.emit("ping");
    // @ts-expect-error title is a string
    socket.emit("news", 1);
    // @ts-expect-error not an event of ServerToClientEvents
    socket.emit("unknown-event");
    // @ts-expect-error ping takes no argument
    socket.emit("ping", "extra");

    socket.on("hello", (name, ack) => {
      const upper: string = name.toUpperCase();
      ack(`hello ${upper}`);
      // @ts-expect-error the ack takes a string
      if (upper === "") ack(1);
    });
    socket.on("move", (x, y) => results.push(`move ${x + y}`));
    // @ts-expect-error x is a number, not a string
    socket.on("move", (x: string) => void x);
    // @ts-expect-error not an event of ClientToServerEvents
    socket.on("unknown-event", () => {});
    socket.on("disconnect", (reason) => {
      const r: DisconnectReason = reason;
      results.push(`disconnect ${r}`);
    });

    socket.emit("ask", "2+2?", (answer) => {
      const n: number = answer;
      results.push(`ask ${n}`);
    });
    socket.timeout(1000).emit("ask", "3+3?", (err, answer) => {
      const e: Error | null = err;
      const n: number = answer;
      results.push(`timeout ask ${e === null ? n : "error"}`);
    });
    // @ts-expect-error with timeout(), the ack gets the error first
    socket.timeout(1000).emit("ask", "q", (answer: string) => void answer);
    const single: Promise<number> = socket.emitWithAck("ask", "4+4?");
    void single.then((n) => results.push(`emitWithAck ${n}`));

    io.to("room").emit("news", "to a room");
    io.except("room").emit("news", "to the others");
    socket.broadcast.emit("ping");
    socket.to("room").volatile.compress(false).emit("news", "x");
    // @ts-expect-error title is a string
    io.to("room").emit("news", 2);
    io.timeout(1000).emit("ask", "poll", (err, answers) => {
      const list: number[] = answers;
      results.push(`poll ${err === null ? list.length : "error"}`);
    });
    const many: Promise<number[]> = io.timeout(1000).emitWithAck("ask", "poll again");
    void many.then((answers) => results.push(`pollWithAck ${answers.length}`));

    io.serverSideEmit("sync", 1);
    // @ts-expect-error version is a number
    io.serverSideEmit("sync", "1");
    // @ts-expect-error not an inter-server event
    io.serverSideEmit("other");

    void io.fetchSockets().then((sockets) => {
      const remote: RemoteSocket<ServerToClientEvents, SocketData> | undefined = sockets[0];
      const name: string | undefined = remote?.data.name;
      results.push(`fetched ${name ?? "?"}`);
      remote?.emit("news", "fetched");
      // @ts-expect-error title is a string
      remote?.emit("news", false);
    });
  });

  const admin: Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData> = io.of("/admin");
  admin.on("connection", (socket) => socket.emit("news", "admin"));
  admin.on("sync", (version) => {
    const v: number = version;
    results.push(`sync ${v}`);
  });
  // @ts-expect-error new_namespace gets a namespace, not a string
  io.on("new_namespace", (nsp: string) => results.push(nsp));
}

test("a typed server compiles as Socket.IO's and works with the official client", async () => {
  const http = createServer();
  const io: TypedServer = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(http);
  const results: string[] = [];
  serverCode(io, results);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, {
    transports: ["websocket"],
    auth: { name: "ada" },
    reconnection: false,
  });
  try {
    client.on("ask", (_question: string, cb: (answer: number) => void) => cb(4));
    await new Promise((resolve) => client.once("connect", () => resolve(undefined)));
    const greeting = await client.timeout(5000).emitWithAck("hello", "ada");
    assert.equal(greeting, "hello ADA");
    client.emit("move", 1, 2);
    const deadline = Date.now() + 5000;
    while (results.length < 7 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(results.sort(), ["ask 4", "emitWithAck 4", "fetched ada", "move 3", "poll 1", "pollWithAck 1", "timeout ask 4"]);
  } finally {
    client.disconnect();
    await new Promise<void>((resolve) => void io.close(() => resolve()));
  }
});
