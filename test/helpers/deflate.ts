/**
 * permessage-deflate (RFC 7692) for raw test peers, built on node:zlib: compress a message the
 * way a peer would put it in a frame, and decompress what the other side sent.
 */
import zlib from "node:zlib";
import type { MessageInflater } from "./raw-peer.js";

/** The 4 bytes RFC 7692 §7.2.1 removes from the end of each compressed message. */
export const DEFLATE_TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * Compresses one message with no shared context (as with `*_no_context_takeover`), tail removed.
 *
 * @example
 * peer.send({ opcode: Opcode.TEXT, rsv1: true, payload: deflateMessage("hello") });
 */
export function deflateMessage(data: Buffer | string, windowBits = 15): Buffer {
  const out = zlib.deflateRawSync(typeof data === "string" ? Buffer.from(data) : data, {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
    windowBits,
  });
  return stripTail(out);
}

/**
 * Decompresses one message compressed with no shared context, refusing to produce more than
 * `maxOutput` bytes.
 *
 * @example
 * const text = inflateMessage(frame.payload).toString();
 */
export function inflateMessage(data: Buffer, maxOutput = 64 * 1024 * 1024): Buffer {
  return zlib.inflateRawSync(Buffer.concat([data, DEFLATE_TAIL]), {
    finishFlush: zlib.constants.Z_SYNC_FLUSH,
    maxOutputLength: maxOutput,
  });
}

/**
 * Compresses messages one after another sharing the LZ77 window (context takeover), as a peer
 * without `*_no_context_takeover` does.
 *
 * @example
 * const d = new StreamDeflater();
 * const first = await d.deflate("hello"), second = await d.deflate("hello"); // second is shorter
 * d.close();
 */
export class StreamDeflater {
  #stream: zlib.DeflateRaw;
  constructor(windowBits = 15) {
    this.#stream = zlib.createDeflateRaw({ windowBits });
  }

  deflate(data: Buffer | string): Promise<Buffer> {
    return flushThrough(this.#stream, typeof data === "string" ? Buffer.from(data) : data).then(stripTail);
  }

  close(): void {
    this.#stream.close();
  }
}

/**
 * Decompresses a peer's messages in order, keeping the window between them (works for both
 * context takeover and no context takeover senders).
 *
 * @example
 * const inflater = new StreamInflater();
 * const msg = await peer.nextMessage(2000, inflater);
 * inflater.close();
 */
export class StreamInflater implements MessageInflater {
  #stream: zlib.InflateRaw;
  constructor(windowBits = 15) {
    this.#stream = zlib.createInflateRaw({ windowBits });
  }

  inflate(data: Buffer): Promise<Buffer> {
    return flushThrough(this.#stream, Buffer.concat([data, DEFLATE_TAIL]));
  }

  close(): void {
    this.#stream.close();
  }
}

function stripTail(out: Buffer): Buffer {
  return out.length >= 4 && out.subarray(out.length - 4).equals(DEFLATE_TAIL) ? out.subarray(0, out.length - 4) : out;
}

function flushThrough(stream: zlib.DeflateRaw | zlib.InflateRaw, input: Buffer): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
    };
    const onError = (err: Error): void => {
      stream.off("data", onData);
      reject(err);
    };
    stream.on("data", onData);
    stream.once("error", onError);
    stream.write(input);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      stream.off("data", onData);
      stream.off("error", onError);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** One extension from a `Sec-WebSocket-Extensions` header: its name and parameters in order. */
export interface ExtensionOffer {
  name: string;
  /** Parameter name to value; `true` for a parameter without a value. Quotes are removed. */
  params: [string, string | true][];
}

/**
 * Splits a `Sec-WebSocket-Extensions` value into extensions and parameters (RFC 6455 §9.1),
 * leniently: it is for reading what an implementation under test sent, not for validating.
 *
 * @example
 * parseExtensions("permessage-deflate; server_max_window_bits=10");
 * // [{ name: "permessage-deflate", params: [["server_max_window_bits", "10"]] }]
 */
export function parseExtensions(value: string | undefined): ExtensionOffer[] {
  if (value === undefined || value.trim() === "") return [];
  return value.split(",").map((part) => {
    const [name = "", ...rawParams] = part.split(";").map((s) => s.trim());
    const params = rawParams
      .filter((p) => p !== "")
      .map((p): [string, string | true] => {
        const eq = p.indexOf("=");
        if (eq === -1) return [p, true];
        return [p.slice(0, eq).trim(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1")];
      });
    return { name, params };
  });
}
