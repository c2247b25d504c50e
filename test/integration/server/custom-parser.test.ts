// The `parser` option: a server and its clients agreeing on another codec (socket.io-msgpack-parser,
// the one socket.io's docs show) get every feature over it, on every transport: acks both ways,
// binary, rooms and broadcasts (encoded once for all), namespaces with auth. A client that speaks
// another codec, or a packet of the wrong shape, closes that one client with "parse error".

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import msgpackParser from "socket.io-msgpack-parser";
import { io as courantIo } from "../../../src/client/index.js";
import type { Socket } from "../../../src/index.js";
import { SocketProtocolError } from "../../../src/protocol/index.js";
import { TRANSPORT_SETTINGS, startServer, waitFor, withTimeout } from "./helpers.js";

for (const { name, transports } of TRANSPORT_SETTINGS) {
  describe(`parser: socket.io-msgpack-parser, ${name}`, () => {
    it("events, acks both ways, binary, rooms and broadcasts with the official client", async () => {
      const f = await startServer({ parser: msgpackParser }, transports);
      try {
        f.io.on("connection", (socket) => {
          socket.on("echo", (data: unknown, ack: (answer: unknown) => void) => ack(data));
          socket.on("join", (room: string, ack: () => void) => {
            void socket.join(room);
            ack();
          });
        });
        const serverSide = waitFor<[Socket]>(f.io, "connection");
        const a = await f.connect("/", { parser: msgpackParser });
        const [socketA] = await serverSide;
        const b = await f.connect("/", { parser: msgpackParser });
        const payload = { text: "héllo", n: 1.5, bytes: Buffer.from([0, 1, 255]), list: [null, true] };
        const echoed = (await a.emitWithAck("echo", payload)) as typeof payload;
        assert.equal(echoed.text, payload.text);
        assert.equal(echoed.n, payload.n);
        assert.deepEqual([...echoed.bytes], [0, 1, 255]);
        assert.deepEqual(echoed.list, [null, true]);

        // The server asks, the client answers.
        a.on("ask", (question: string, ack: (answer: string) => void) => ack(question.toUpperCase()));
        assert.equal(await socketA.timeout(2000).emitWithAck("ask", "why"), "WHY");

        // A room broadcast (one encoding for all its members) and one to everyone.
        await a.emitWithAck("join", "r");
        await b.emitWithAck("join", "r");
        const inRoom = Promise.all([waitFor<[string, Buffer]>(a, "room"), waitFor<[string, Buffer]>(b, "room")]);
        f.io.to("r").emit("room", "news", Buffer.from([7]));
        for (const [text, bytes] of await inRoom) {
          assert.equal(text, "news");
          assert.deepEqual([...bytes], [7]);
        }
        const toAll = Promise.all([waitFor<[number]>(a, "all"), waitFor<[number]>(b, "all")]);
        f.io.emit("all", 42);
        assert.deepEqual(await toAll, [[42], [42]]);
      } finally {
        await f.close();
      }
    });

    it("a namespace with auth and a middleware refusal", async () => {
      const f = await startServer({ parser: msgpackParser }, transports);
      try {
        const admin = f.io.of("/admin");
        admin.use((socket, next) => next(socket.handshake.auth["token"] === "ok" ? undefined : new Error("bad token")));
        const joined = waitFor<[Socket]>(admin, "connection");
        await f.connect("/admin", { parser: msgpackParser, auth: { token: "ok" } });
        const [socket] = await joined;
        assert.deepEqual(socket.handshake.auth, { token: "ok" });
        const refused = f.client("/admin", { parser: msgpackParser, auth: { token: "no" } });
        const [err] = await waitFor<[Error]>(refused, "connect_error");
        assert.equal(err.message, "bad token");
      } finally {
        await f.close();
      }
    });
  });
}

describe("parser: other clients and bad packets", () => {
  it("courant/client with the same parser", async () => {
    const f = await startServer({ parser: msgpackParser }, ["websocket"]);
    const client = courantIo(f.url, { parser: msgpackParser, transports: ["websocket"], forceNew: true, reconnection: false });
    try {
      f.io.on("connection", (socket) => socket.on("echo", (data: unknown, ack: (answer: unknown) => void) => ack(data)));
      await waitFor(client, "connect");
      const echoed = (await client.emitWithAck("echo", { bytes: Buffer.from([1, 2]) })) as { bytes: Uint8Array };
      assert.deepEqual([...echoed.bytes], [1, 2]);
    } finally {
      client.disconnect();
      await f.close();
    }
  });

  it("a client speaking the built-in codec to a msgpack server gets parse error; a msgpack client goes on", async () => {
    const f = await startServer({ parser: msgpackParser }, ["websocket"]);
    try {
      f.io.on("connection", (socket) => socket.on("echo", (data: unknown, ack: (answer: unknown) => void) => ack(data)));
      const good = await f.connect("/", { parser: msgpackParser });
      const engineSide = waitFor<[Socket["conn"]]>(f.io.engine, "connection");
      const wrong = f.client("/");
      const [session] = await engineSide;
      const [reason] = await waitFor<[string]>(session, "close");
      assert.equal(reason, "forced close");
      assert.equal(wrong.connected, false);
      assert.equal(await good.emitWithAck("echo", "still here"), "still here");
    } finally {
      await f.close();
    }
  });

  it("a packet the codec decodes to the wrong shape closes that client with parse error (SIO_ERR_INVALID_PAYLOAD)", async () => {
    // A codec that passes through whatever it is given: JSON text, any shape.
    class Encoder {
      encode(packet: unknown): string[] {
        return [JSON.stringify(packet)];
      }
    }
    class Decoder extends EventEmitter {
      add(chunk: string): void {
        this.emit("decoded", JSON.parse(chunk));
      }
      destroy(): void {}
    }
    const parser = { Encoder, Decoder };
    const f = await startServer({ parser }, ["websocket"]);
    try {
      const serverSide = waitFor<[Socket]>(f.io, "connection");
      const client = await f.connect("/", { parser });
      const [socket] = await serverSide;
      let reached = false;
      socket.onAny(() => (reached = true));
      const gone = waitFor<[string, unknown]>(socket, "disconnect");
      // An event whose name is a number: the built-in decoder refuses it, and so does the check.
      client.io.engine.send(JSON.stringify({ type: 2, nsp: "/", data: [1, "x"] }));
      const [reason, description] = await withTimeout(gone, 2000, "disconnect");
      assert.equal(reason, "parse error");
      assert.ok(description instanceof SocketProtocolError);
      assert.equal(description.code, "SIO_ERR_INVALID_PAYLOAD");
      assert.equal(reached, false);
    } finally {
      await f.close();
    }
  });
});
