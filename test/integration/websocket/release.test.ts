// A closed WebSocket is garbage on both ends: nothing in the server (client tracking, the tick's
// write batch, timers) or in the client keeps it, or its socket, once the close is done.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { WebSocket as ServerSide } from "../../../src/websocket/index.js";
import { WebSocket } from "../../../src/websocket/index.js";
import { collected } from "../../helpers/gc.js";
import { next, startServer, stopServer } from "./helpers.js";

for (const how of ["client closes", "server closes", "server terminates"] as const) {
  test(`${how}: both WebSocket objects can be collected`, async () => {
    const { wss, url } = await startServer({ perMessageDeflate: false });
    try {
      const refs = await (async () => {
        const accepted = next<[ServerSide]>(wss, "connection");
        const client = new WebSocket(url, { perMessageDeflate: false });
        await next(client, "open");
        const [server] = await accepted;
        // Traffic both ways first, so the write batch and the receiver have been used.
        server.send("hello");
        await next(client, "message");
        const closed = Promise.all([next(client, "close"), next(server, "close")]);
        if (how === "client closes") client.close(1000);
        else if (how === "server closes") server.close(1000);
        else server.terminate();
        await closed;
        return [new WeakRef(server), new WeakRef(client)];
      })();
      assert.equal(wss.clients.size, 0);
      assert.ok(await collected(refs), `still reachable: ${["server side", "client side"].filter((_, i) => refs[i]?.deref() !== undefined).join(", ")}`);
    } finally {
      await stopServer(wss);
    }
  });
}
