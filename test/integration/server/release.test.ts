// Nothing of a connection outlives it: once a client has gone, its server socket, engine session
// and HTTP request can be garbage-collected, whoever closed, on every transport. The heartbeat
// wheel once kept a closed session (and all it held) until its next heartbeat slot came round,
// up to pingInterval later: at a few thousand connections a second, hundreds of MB.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Socket } from "../../../src/index.js";
import { collected } from "../../helpers/gc.js";
import { TRANSPORT_SETTINGS, startServer, waitFor } from "./helpers.js";

for (const { name, transports } of TRANSPORT_SETTINGS) {
  describe(`released after disconnect, ${name}`, () => {
    for (const closer of ["client", "server"] as const) {
      it(`${closer} disconnects: the socket, its session and its request can be collected`, async () => {
        // The default pingInterval (25 s): a closed session must not wait for its slot.
        const f = await startServer({}, transports);
        try {
          const refs = await (async () => {
            const serverSide = waitFor<[Socket]>(f.io, "connection");
            const client = await f.connect();
            const [socket] = await serverSide;
            if (transports.length > 1) await waitFor(socket.conn, "upgrade");
            const gone = Promise.all([waitFor(socket, "disconnect"), waitFor(socket.conn, "close")]);
            if (closer === "client") client.disconnect();
            else socket.disconnect(true);
            await gone;
            return [new WeakRef(socket), new WeakRef(socket.conn), new WeakRef(socket.request)];
          })();
          assert.equal(f.io.engine.clientsCount, 0);
          assert.ok(await collected(refs), `still reachable: ${["socket", "session", "request"].filter((_, i) => refs[i]?.deref() !== undefined).join(", ")}`);
        } finally {
          await f.close();
        }
      });
    }
  });
}
