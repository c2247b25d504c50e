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

for (const { name, transports } of TRANSPORT_SETTINGS) {
  it(`a request set to null at the engine's connection is collected while the connection stays open, ${name}`, async () => {
    const f = await startServer({}, transports);
    try {
      f.io.engine.on("connection", (rawSocket) => {
        rawSocket.request = null;
      });
      const refs = await (async () => {
        const engineSide = waitFor<[Socket["conn"]]>(f.io.engine, "connection");
        // Taken ahead of the listener above, which lets it go (a WeakRef: the listener stays registered).
        let request: WeakRef<object> | undefined;
        f.io.engine.prependListener("connection", (rawSocket: Socket["conn"]) => (request = new WeakRef(rawSocket.request)));
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        await f.connect();
        const [session] = await engineSide;
        const [socket] = await serverSide;
        if (transports.length > 1) await waitFor(session, "upgrade");
        assert.ok(request?.deref() !== undefined);
        assert.equal(socket.request, null);
        return [request];
      })();
      assert.equal(f.io.engine.clientsCount, 1);
      assert.ok(await collected(refs), "the request is still reachable");
    } finally {
      await f.close();
    }
  });
}

describe("released after disconnect, other paths (websocket only)", () => {
  it("a socket in rooms of a custom namespace, with an unanswered emitWithAck pending", async () => {
    const f = await startServer({}, ["websocket"]);
    try {
      const nsp = f.io.of("/chat");
      const refs = await (async () => {
        const serverSide = waitFor<[Socket]>(nsp, "connection");
        const client = await f.connect("/chat");
        const [socket] = await serverSide;
        void socket.join(["a", "b"]);
        // The client never answers: the pending ack fails at the disconnect.
        client.on("ask", () => {});
        const asked = socket.timeout(60_000).emitWithAck("ask").catch((err: unknown) => err);
        const gone = Promise.all([waitFor(socket, "disconnect"), waitFor(socket.conn, "close")]);
        client.disconnect();
        await gone;
        await asked;
        return [new WeakRef(socket), new WeakRef(socket.conn)];
      })();
      assert.equal(nsp.adapter.rooms.size, 0);
      assert.ok(await collected(refs), "the socket or its session is still reachable");
    } finally {
      await f.close();
    }
  });

  it("a client refused by a middleware, then gone", async () => {
    const f = await startServer({}, ["websocket"]);
    try {
      f.io.use((_socket, next) => next(new Error("no")));
      const refs = await (async () => {
        const engineSide = waitFor<[Socket["conn"]]>(f.io.engine, "connection");
        const client = f.client();
        const [session] = await engineSide;
        await waitFor(client, "connect_error");
        const closed = waitFor(session, "close");
        client.disconnect();
        await closed;
        return [new WeakRef(session)];
      })();
      assert.ok(await collected(refs), "the session is still reachable");
    } finally {
      await f.close();
    }
  });

  it("a client that opens the engine session but never joins a namespace (connectTimeout)", async () => {
    const f = await startServer({ connectTimeout: 100 }, ["websocket"]);
    try {
      const refs = await (async () => {
        const engineSide = waitFor<[Socket["conn"]]>(f.io.engine, "connection");
        // autoConnect off and no namespace join: only the manager opens the engine session.
        const client = f.client("/", { autoConnect: false });
        client.io.open();
        const [session] = await engineSide;
        await waitFor(session, "close", 2_000);
        return [new WeakRef(session)];
      })();
      assert.ok(await collected(refs), "the session is still reachable");
    } finally {
      await f.close();
    }
  });
});
