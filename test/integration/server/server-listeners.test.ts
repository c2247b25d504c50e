// The server's EventEmitter surface acts on the main namespace, as in Socket.IO: on, once, off,
// prepend*, listeners, rawListeners, eventNames, listenerCount and the max-listeners threshold,
// checked with real connections of the official client.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../../src/index.js";
import { startServer, until } from "./helpers.js";

test("io's listener methods are the main namespace's, in the order they were added", async () => {
  const f = await startServer();
  try {
    const { io } = f;
    const order: string[] = [];
    const onConnection = (_socket: Socket): void => void order.push("on");
    io.on("connection", onConnection);
    io.once("connection", () => order.push("once"));
    io.prependListener("connection", () => order.push("prepended"));
    io.prependOnceListener("connection", () => order.push("prepended once"));
    assert.equal(io.listenerCount("connection"), 4);
    assert.equal(io.sockets.listenerCount("connection"), 4);
    assert.deepEqual(io.eventNames(), io.sockets.eventNames());
    assert.ok(io.eventNames().includes("connection"));
    assert.equal(io.rawListeners("connection").length, 4);
    assert.equal(io.listeners("connection")[2], onConnection);

    await f.connect();
    await until(() => order.length === 4, 5000, "the first connection's listeners");
    assert.deepEqual(order, ["prepended once", "prepended", "on", "once"]);

    await f.connect();
    await until(() => order.length === 6, 5000, "the second connection's listeners");
    assert.deepEqual(order.slice(4), ["prepended", "on"], "the once listeners ran once");

    io.off("connection", onConnection);
    assert.equal(io.listenerCount("connection"), 1);
    io.removeAllListeners("connection");
    assert.equal(io.listenerCount("connection"), 0);
  } finally {
    await f.close();
  }
});

test("io.setMaxListeners raises the main namespace's leak-warning threshold", async () => {
  const f = await startServer();
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => void (warning.name === "MaxListenersExceededWarning" && warnings.push(warning));
  process.on("warning", onWarning);
  try {
    const { io } = f;
    assert.equal(io.getMaxListeners(), 10);
    assert.equal(io.setMaxListeners(30), io);
    assert.equal(io.getMaxListeners(), 30);
    assert.equal(io.sockets.getMaxListeners(), 30);
    for (let i = 0; i < 25; i++) io.on("connection", () => {});
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(warnings.length, 0, "25 listeners stay under the raised threshold");
  } finally {
    process.off("warning", onWarning);
    await f.close();
  }
});
