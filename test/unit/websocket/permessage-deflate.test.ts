import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseExtensions } from "../../../src/websocket/extension.js";
import {
  PerMessageDeflate,
  acceptServerResponse,
  clientOffer,
  negotiateServer,
  resolveDeflateOptions,
  type PerMessageDeflateOptions,
} from "../../../src/websocket/permessage-deflate.js";
import { Limiter } from "../../../src/websocket/limiter.js";
import { WebSocketError } from "../../../src/websocket/errors.js";

function negotiate(header: string, options: PerMessageDeflateOptions = {}): string | null {
  const offers = parseExtensions(header).get("permessage-deflate") ?? [];
  const result = negotiateServer(offers, options);
  return result === null ? null : PerMessageDeflate.format(result.response);
}

function response(header: string): Map<string, Array<string | true>> {
  return parseExtensions(header).get("permessage-deflate")![0]!;
}

describe("permessage-deflate negotiation (RFC 7692 §7.1)", () => {
  test("server: plain offers and each parameter", () => {
    assert.equal(negotiate("permessage-deflate"), "permessage-deflate");
    assert.equal(negotiate("permessage-deflate; client_max_window_bits"), "permessage-deflate");
    assert.equal(negotiate("permessage-deflate; client_max_window_bits=10"), "permessage-deflate; client_max_window_bits=10");
    assert.equal(negotiate("permessage-deflate; server_max_window_bits=12"), "permessage-deflate; server_max_window_bits=12");
    assert.equal(negotiate("permessage-deflate; server_no_context_takeover"), "permessage-deflate; server_no_context_takeover");
    assert.equal(negotiate("permessage-deflate; client_no_context_takeover"), "permessage-deflate; client_no_context_takeover");
  });

  test("server: its own settings shape the answer", () => {
    assert.equal(negotiate("permessage-deflate", { serverNoContextTakeover: true }), "permessage-deflate; server_no_context_takeover");
    assert.equal(negotiate("permessage-deflate", { clientNoContextTakeover: true }), "permessage-deflate; client_no_context_takeover");
    assert.equal(negotiate("permessage-deflate", { serverMaxWindowBits: 11 }), "permessage-deflate; server_max_window_bits=11");
    assert.equal(negotiate("permessage-deflate; server_max_window_bits=13", { serverMaxWindowBits: 11 }), "permessage-deflate; server_max_window_bits=11");
    assert.equal(negotiate("permessage-deflate; server_max_window_bits=9", { serverMaxWindowBits: 11 }), "permessage-deflate; server_max_window_bits=9");
    assert.equal(negotiate("permessage-deflate; client_max_window_bits", { clientMaxWindowBits: 10 }), "permessage-deflate; client_max_window_bits=10");
    // client_max_window_bits is only answered when offered.
    assert.equal(negotiate("permessage-deflate", { clientMaxWindowBits: 10 }), "permessage-deflate");
  });

  test("server: invalid offers are declined, the next acceptable one is taken", () => {
    for (const bad of [
      "permessage-deflate; server_max_window_bits",
      "permessage-deflate; server_max_window_bits=7",
      "permessage-deflate; server_max_window_bits=16",
      "permessage-deflate; server_max_window_bits=010",
      "permessage-deflate; client_max_window_bits=abc",
      "permessage-deflate; server_no_context_takeover=1",
      "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
      "permessage-deflate; unknown_param",
      "permessage-deflate; __proto__",
    ]) {
      assert.equal(negotiate(bad), null, bad);
    }
    assert.equal(negotiate("permessage-deflate; foo, permessage-deflate; client_max_window_bits=9"), "permessage-deflate; client_max_window_bits=9");
  });

  test("client offer", () => {
    assert.equal(PerMessageDeflate.format(clientOffer({})), "permessage-deflate; client_max_window_bits");
    assert.equal(
      PerMessageDeflate.format(clientOffer({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 11 })),
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=11",
    );
  });

  test("client: accepts valid responses", () => {
    assert.deepEqual(acceptServerResponse(response("permessage-deflate"), {}), {
      serverNoContextTakeover: false,
      clientNoContextTakeover: false,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
    });
    const p = acceptServerResponse(response("permessage-deflate; server_no_context_takeover; client_max_window_bits=9; server_max_window_bits=10"), {});
    assert.equal(p.serverNoContextTakeover, true);
    assert.equal(p.clientMaxWindowBits, 9);
    assert.equal(p.serverMaxWindowBits, 10);
  });

  test("client: rejects invalid responses", () => {
    for (const [header, options] of [
      ["permessage-deflate; foo", {}],
      ["permessage-deflate; server_max_window_bits=20", {}],
      ["permessage-deflate; client_max_window_bits", {}],
      ["permessage-deflate; server_no_context_takeover=yes", {}],
      ["permessage-deflate; server_max_window_bits=12", { serverMaxWindowBits: 10 }],
      ["permessage-deflate", { serverMaxWindowBits: 10 }],
      ["permessage-deflate", { serverNoContextTakeover: true }],
      ["permessage-deflate; client_max_window_bits=12", { clientMaxWindowBits: 10 }],
    ] as Array<[string, PerMessageDeflateOptions]>) {
      assert.throws(() => acceptServerResponse(response(header), options), (e: unknown) => e instanceof WebSocketError && e.code === "WS_ERR_HANDSHAKE", header);
    }
  });
});

describe("permessage-deflate engine", () => {
  const params = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

  function roundTrip(pmd: PerMessageDeflate, peer: PerMessageDeflate, data: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      pmd.compress(data, true, (error, compressed) => {
        if (error !== null) return reject(error);
        peer.decompress(compressed, true, null, (error2, out) => (error2 !== null ? reject(error2) : resolve(out)));
      });
    });
  }

  test("compress/decompress round trips, with and without context takeover", async () => {
    for (const noContext of [false, true]) {
      const p = { ...params, serverNoContextTakeover: noContext, clientNoContextTakeover: noContext };
      const server = new PerMessageDeflate(resolveDeflateOptions({}, true), p, true, 0);
      const client = new PerMessageDeflate(resolveDeflateOptions({}, true), p, false, 0);
      const sizes: number[] = [];
      for (const text of ["hello world ".repeat(100), "hello world ".repeat(100), "", "x"]) {
        const out = await roundTrip(server, client, Buffer.from(text));
        assert.equal(out.toString(), text);
        const back = await roundTrip(client, server, Buffer.from(text));
        assert.equal(back.toString(), text);
        sizes.push(out.length);
      }
      server.close();
      client.close();
    }
  });

  test("a window of 8 bits cannot be produced by zlib: we then never compress", () => {
    const pmd = new PerMessageDeflate(resolveDeflateOptions({}, true), { ...params, serverMaxWindowBits: 8 }, true, 0);
    assert.equal(pmd.canCompress, false);
    const client = new PerMessageDeflate(resolveDeflateOptions({}, true), { ...params, serverMaxWindowBits: 8 }, false, 0);
    assert.equal(client.canCompress, true);
  });

  test("close() completes a job in flight with an error and frees its limiter slot", async () => {
    const resolved = resolveDeflateOptions({ concurrencyLimit: 1 }, true);
    const a = new PerMessageDeflate(resolved, params, true, 0);
    const b = new PerMessageDeflate(resolved, params, true, 0);
    const first = new Promise<WebSocketError | null>((resolve) => a.compress(Buffer.alloc(100_000, 7), true, (e) => resolve(e)));
    a.close();
    const error = await first;
    assert.equal(error?.code, "WS_ERR_NOT_OPEN");
    const second = await new Promise<Buffer>((resolve, reject) => b.compress(Buffer.from("abc"), true, (e, d) => (e ? reject(e) : resolve(d))));
    assert.ok(second.length > 0);
    b.close();
  });

  test("the limiter runs at most `concurrency` jobs, in order", async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await new Promise<void>((resolve) => {
      let done = 0;
      for (let i = 0; i < 10; i++) {
        limiter.add((finish) => {
          running++;
          peak = Math.max(peak, running);
          order.push(i);
          setTimeout(() => {
            running--;
            finish();
            if (++done === 10) resolve();
          }, 1);
        });
      }
      assert.equal(limiter.pending, 8);
    });
    assert.equal(peak, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
