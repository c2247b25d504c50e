// A server restart under 1 000 connected official clients (issue 9): the process is killed, a new
// one listens on the same port, and every client reconnects within its backoff bounds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { io as ioc, type Socket as ClientSocket } from "socket.io-client";
import { startChildServer, until, type ChildServer } from "./helpers.js";

const CLIENTS = 1000;
const DELAY = 200;
const DELAY_MAX = 2000;
const RANDOMIZATION = 0.5;

test(`a server restart under ${CLIENTS} clients: all reconnect within the backoff bounds`, { timeout: 120_000 }, async (t) => {
  let server: ChildServer | null = await startChildServer();
  const port = server.port;
  const clients: ClientSocket[] = [];
  const connects = new Map<ClientSocket, number>();
  const reconnectedAt = new Map<ClientSocket, number>();
  let errors = 0;
  try {
    for (let i = 0; i < CLIENTS; i++) {
      const client = ioc(`http://127.0.0.1:${port}`, {
        transports: ["websocket"],
        forceNew: true,
        reconnectionDelay: DELAY,
        reconnectionDelayMax: DELAY_MAX,
        randomizationFactor: RANDOMIZATION,
        timeout: 5000,
      });
      client.on("connect", () => {
        const n = (connects.get(client) ?? 0) + 1;
        connects.set(client, n);
        if (n === 2) reconnectedAt.set(client, Date.now());
      });
      client.on("connect_error", () => errors++);
      clients.push(client);
    }
    await until(() => connects.size === CLIENTS, 30_000, `${CLIENTS} clients connected`);
    assert.equal((await server.stats()).clientsCount, CLIENTS);

    const disconnected = new Set<ClientSocket>();
    for (const c of clients) c.once("disconnect", () => disconnected.add(c));
    await server.kill();
    server = null;
    await until(() => disconnected.size === CLIENTS, 10_000, "every client to notice the crash");
    const down = 1000;
    await new Promise((resolve) => setTimeout(resolve, down));
    const errorsWhileDown = errors;

    server = await startChildServer(port);
    const backAt = Date.now();
    // Worst case: a client tried just before the server came back, then waits at most
    // reconnectionDelayMax * (1 + randomizationFactor); the handshake itself adds a little.
    const bound = DELAY_MAX * (1 + RANDOMIZATION) + 3000;
    await until(() => reconnectedAt.size === CLIENTS, bound + 10_000, "every client to reconnect");
    const times = [...reconnectedAt.values()].map((at) => at - backAt).sort((a, b) => a - b);
    const last = times.at(-1) ?? 0;
    const median = times[times.length >> 1] ?? 0;
    t.diagnostic(`${CLIENTS} clients: all reconnected ${last} ms after the new server listened (median ${median} ms); server down ${down} ms; connect_errors while down ${errorsWhileDown}`);
    assert.ok(last <= bound, `last reconnect after ${last} ms, bound ${bound} ms`);
    await until(async () => server !== null && (await server.stats()).clientsCount === CLIENTS, 10_000, "the new server to hold every client");
    for (const c of clients) assert.equal(connects.get(c), 2, "each client connected exactly twice");
  } finally {
    for (const c of clients) c.disconnect();
    if (server !== null) await server.close();
  }
});
