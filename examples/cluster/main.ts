// Three chat processes behind one port: node:cluster, sticky sessions for long-polling, and
// rooms and broadcasts shared through Redis (courant/redis).
//
//   REDIS_URL=redis://127.0.0.1:6379 PORT=3000 WORKERS=3 node --import tsx examples/cluster/main.ts
//
// The primary only routes connections (./sticky.ts); each worker runs the chat of
// examples/chat with REDIS_URL, so that it uses the Redis adapter of courant/redis and a message
// sent to one process reaches the people connected to the others.

import cluster from "node:cluster";
import type { Worker } from "node:cluster";
import { once } from "node:events";
import { createChatServer } from "../chat/app.js";
import type { ChatServer } from "../chat/app.js";
import { acceptStickyConnections, startStickyBalancer, stickySessionId } from "./sticky.js";

const PORT = Number(process.env.PORT ?? 3000);
const WORKERS = Number(process.env.WORKERS ?? 3);
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

if (cluster.isPrimary) {
  await primary();
} else {
  await worker(Number(process.env.WORKER_INDEX));
}

async function primary(): Promise<void> {
  let stopping = false;
  const workers: Worker[] = [];
  const start = (index: number): Worker => {
    const child = cluster.fork({ WORKER_INDEX: String(index) });
    workers[index] = child;
    child.on("exit", (code, signal) => {
      if (stopping) return;
      // A worker that dies is replaced at the same index: its sessions' ids still route there.
      console.error(`worker ${index} exited (${signal ?? code}); starting a new one`);
      start(index);
    });
    return child;
  };
  const ready = Array.from({ length: WORKERS }, (_, index) => {
    const child = start(index);
    return new Promise<void>((resolve, reject) => {
      child.on("message", (message: { type?: string; error?: string }) => {
        if (message.type === "ready") resolve();
        if (message.type === "failed") reject(new Error(`worker ${index}: ${message.error}`));
      });
    });
  });
  try {
    await Promise.all(ready);
  } catch (err) {
    stopping = true;
    console.error(err instanceof Error ? err.message : err);
    for (const child of workers) child.kill();
    process.exit(1);
  }
  const balancer = startStickyBalancer(workers, PORT);
  await once(balancer, "listening");
  const address = balancer.address();
  const port = typeof address === "object" && address !== null ? address.port : PORT;
  console.log(`Courant chat on http://localhost:${port}: ${WORKERS} processes sharing Redis at ${REDIS_URL}`);
  process.send?.({ type: "listening", port });

  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    balancer.close();
    for (const child of workers) child.kill("SIGTERM");
    void Promise.all(workers.map((child) => (child.isDead() ? undefined : once(child, "exit")))).then(() => process.exit(0));
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

async function worker(index: number): Promise<void> {
  let chat: ChatServer;
  try {
    // The chat shares its rooms and broadcasts through Redis when given a Redis URL.
    chat = await createChatServer({ port: 0, host: "127.0.0.1", redisUrl: REDIS_URL });
  } catch (err) {
    process.send?.({ type: "failed", error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  // Session ids carry the worker's index: the primary routes every later request of a session here.
  chat.io.engine.generateId = () => stickySessionId(index);
  acceptStickyConnections(chat.httpServer);
  process.send?.({ type: "ready" });
  process.once("SIGTERM", () => {
    void chat.close().then(() => process.exit(0));
  });
}
