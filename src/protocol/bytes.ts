// Byte helpers shared by the codecs: views, binaryType conversion, strict base64.
// Browser-safe: `Buffer` is used only when the global exists (Node), for speed.

/**
 * What binary data becomes after decoding:
 * - `"nodebuffer"`: a Node `Buffer` (the default where `Buffer` exists; falls back to `Uint8Array` elsewhere),
 * - `"arraybuffer"`: an `ArrayBuffer` holding exactly the bytes (the default in browsers),
 * - `"uint8array"`: a plain `Uint8Array` view.
 *
 * @example
 * ```ts
 * decodeEnginePacket(bytes, "arraybuffer").data instanceof ArrayBuffer; // true
 * ```
 */
export type BinaryType = "nodebuffer" | "arraybuffer" | "uint8array";

interface NodeBufferInstance extends Uint8Array {
  toString(encoding?: string): string;
}

interface NodeBufferStatic {
  from(data: ArrayBufferLike, byteOffset?: number, length?: number): NodeBufferInstance;
  from(data: string, encoding: "base64"): NodeBufferInstance;
  isBuffer(value: unknown): boolean;
}

/** Node's `Buffer` when present, read once; `undefined` in browsers. */
const NodeBuffer: NodeBufferStatic | undefined = (globalThis as { Buffer?: NodeBufferStatic }).Buffer;

/**
 * The `binaryType` used when the caller gives none: `"nodebuffer"` on Node, `"arraybuffer"` in browsers.
 *
 * @example
 * ```ts
 * new SocketPacketDecoder({ binaryType: DEFAULT_BINARY_TYPE });
 * ```
 */
export const DEFAULT_BINARY_TYPE: BinaryType = NodeBuffer === undefined ? "arraybuffer" : "nodebuffer";

/**
 * A `Uint8Array` view (no copy) over an `ArrayBuffer` or any `ArrayBufferView`.
 *
 * @example
 * ```ts
 * toUint8Array(new Float32Array([1])).byteLength; // 4
 * ```
 */
export function toUint8Array(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/**
 * Converts received bytes to the representation `binaryType` asks for, copying only when an
 * `ArrayBuffer` is wanted and the view does not cover its whole buffer.
 *
 * @example
 * ```ts
 * const ab = toBinaryType(new Uint8Array([1, 2]), "arraybuffer"); // ArrayBuffer of 2 bytes
 * ```
 */
export function toBinaryType(data: Uint8Array | ArrayBuffer, binaryType: BinaryType): Uint8Array | ArrayBuffer {
  if (binaryType === "arraybuffer") {
    if (data instanceof ArrayBuffer) return data;
    const buffer = data.buffer;
    if (buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength) return buffer;
    // Pooled Buffers share a larger slab: copy out only our bytes (Buffer#slice would not copy).
    return new Uint8Array(data).buffer;
  }
  if (binaryType === "nodebuffer" && NodeBuffer !== undefined) {
    if (NodeBuffer.isBuffer(data)) return data as Uint8Array;
    if (data instanceof ArrayBuffer) return NodeBuffer.from(data);
    return NodeBuffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (binaryType === "uint8array" && data.constructor !== Uint8Array) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return data;
}

/**
 * Standard base64 (RFC 4648 §4, with padding) of some bytes.
 *
 * @example
 * ```ts
 * encodeBase64(new Uint8Array([1, 2, 3])); // "AQID"
 * ```
 */
export function encodeBase64(bytes: Uint8Array): string {
  if (NodeBuffer !== undefined) {
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  }
  let binary = "";
  // Chunked so String.fromCharCode never gets more arguments than the engine allows.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  }
  return btoa(binary);
}

/**
 * Decodes strict base64 from `text[start, end)`: only `A-Z a-z 0-9 + /`, at most two `=`
 * at the end and only where padding belongs. Returns `undefined` on anything else (both Buffer
 * and atob would silently skip bad characters).
 *
 * @example
 * ```ts
 * decodeBase64("bAQID", 1); // Uint8Array [1, 2, 3]
 * decodeBase64("A?==", 0);  // undefined
 * ```
 */
export function decodeBase64(text: string, start = 0, end = text.length): Uint8Array | undefined {
  let pad = 0;
  if (end > start && text.charCodeAt(end - 1) === 0x3d) pad = end - 1 > start && text.charCodeAt(end - 2) === 0x3d ? 2 : 1;
  const bodyEnd = end - pad;
  for (let i = start; i < bodyEnd; i++) {
    const c = text.charCodeAt(i);
    if (
      !(
        (c >= 0x41 && c <= 0x5a) || // A-Z
        (c >= 0x61 && c <= 0x7a) || // a-z
        (c >= 0x30 && c <= 0x39) || // 0-9
        c === 0x2b || // +
        c === 0x2f // /
      )
    ) {
      return undefined;
    }
  }
  const total = end - start;
  const body = bodyEnd - start;
  if (pad > 0 ? total % 4 !== 0 : body % 4 === 1) return undefined;
  const encoded = start === 0 && end === text.length ? text : text.slice(start, end);
  if (NodeBuffer !== undefined) return NodeBuffer.from(encoded, "base64");
  const binary = atob(encoded);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
