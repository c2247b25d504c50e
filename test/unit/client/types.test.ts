// Typed events: the client Socket takes the same generics as the server (listen map, emit map).
// The @ts-expect-error lines are checked by `tsc --noEmit`; the runtime asserts run offline
// (autoConnect: false, so emits are only buffered).
import { test } from "node:test";
import assert from "node:assert/strict";
import { io, Manager } from "../../../src/client/index.js";
import type { Socket } from "../../../src/client/index.js";

interface ServerToClientEvents {
  news: (title: string, id: number) => void;
  ask: (question: string, ack: (answer: boolean) => void) => void;
}

interface ClientToServerEvents {
  chat: (text: string) => void;
  sum: (a: number, b: number, ack: (total: number) => void) => void;
}

test("typed sockets accept the declared events and refuse others", () => {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io("http://typed.test", { autoConnect: false, forceNew: true });
  socket.on("news", (title, id) => {
    const t: string = title;
    const n: number = id;
    void [t, n];
  });
  socket.on("ask", (_question, ack) => ack(true));
  socket.on("connect_error", (err) => void err.data);
  socket.on("disconnect", (reason) => {
    const r: "io server disconnect" | "io client disconnect" | "ping timeout" | "transport close" | "transport error" | "parse error" = reason;
    void r;
  });
  socket.emit("chat", "hello");
  socket.emit("sum", 1, 2, (total) => void (total satisfies number));
  socket.timeout(100).emit("sum", 1, 2, (err, total) => void [err satisfies Error | null, total satisfies number]);
  const answer: Promise<number> = socket.emitWithAck("sum", 1, 2);
  answer.catch(() => {});

  // @ts-expect-error unknown event
  socket.emit("nope");
  // @ts-expect-error wrong argument type
  socket.emit("chat", 42);
  // @ts-expect-error listener of the wrong shape
  socket.on("news", (title: number) => void title);

  // The refused calls still run (types are erased): six packets buffered, in order.
  assert.deepEqual(
    socket.sendBuffer.map((packet) => (packet.data as unknown[])[0]),
    ["chat", "sum", "sum", "sum", "nope", "chat"],
  );
  assert.deepEqual(socket.sendBuffer[0]?.data, ["chat", "hello"]);
  socket.io.close();
});

test("untyped sockets take anything; Manager events are typed", () => {
  const manager = new Manager("http://untyped.test", { autoConnect: false });
  const socket = manager.socket("/");
  socket.emit("anything", 1, { a: [2] }, () => {});
  socket.on("whatever", (...args: unknown[]) => void args);
  manager.on("reconnect_attempt", (attempt) => void (attempt satisfies number));
  // @ts-expect-error not a Manager event
  manager.on("connect", () => {});
  assert.equal(socket.sendBuffer.length, 1);
  assert.equal(socket.sendBuffer[0]?.id, 0);
  manager.close();
});
