// Binary attachments of Socket.IO v5 packets: binary values inside the data are replaced by
// `{ "_placeholder": true, "num": n }` and sent as separate messages after the text header.
// Browser-safe; works with Buffer, ArrayBuffer and every ArrayBufferView.

import { DEFAULT_BINARY_TYPE, toBinaryType, toUint8Array } from "./bytes.js";
import type { BinaryType } from "./bytes.js";
import { SocketProtocolError } from "./socket-protocol-error.js";

/**
 * How many nested arrays/objects the encoding side walks before deciding the data is circular.
 * JSON.stringify would overflow the stack or throw on such data anyway.
 *
 * @example
 * ```ts
 * hasBinary(data, DEFAULT_ENCODE_MAX_DEPTH);
 * ```
 */
export const DEFAULT_ENCODE_MAX_DEPTH = 1000;

/**
 * What stands for the n-th attachment inside the JSON.
 *
 * @example
 * ```ts
 * const p: Placeholder = { _placeholder: true, num: 0 };
 * ```
 */
export interface Placeholder {
  _placeholder: true;
  num: number;
}

/**
 * True for the values sent as attachments: `ArrayBuffer` and any `ArrayBufferView`
 * (`Buffer`, `Uint8Array`, `Float32Array`, `DataView`, …). Blobs are not supported.
 *
 * @example
 * ```ts
 * isBinary(new Float32Array(2)); // true
 * isBinary("abc");               // false
 * ```
 */
export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

type AnyRecord = Record<string, unknown>;
type ToJSON = (key: string) => unknown;

function tooDeep(): never {
  throw new RangeError(`Socket.IO: data nested deeper than the limit (or circular)`);
}

/**
 * Whether binary data appears anywhere in `value`, looking where JSON.stringify would: array
 * items, own enumerable properties, and the result of `toJSON()`. Strings are never scanned.
 *
 * @throws RangeError when containers nest deeper than `maxDepth` (circular data ends here).
 * @example
 * ```ts
 * hasBinary(["file", { body: Buffer.from("x") }]); // true
 * hasBinary(["text", { body: "x" }]);              // false
 * ```
 */
export function hasBinary(value: unknown, maxDepth: number = DEFAULT_ENCODE_MAX_DEPTH): boolean {
  return hasBinaryAt(value, maxDepth, "");
}

function hasBinaryAt(value: unknown, remaining: number, key: string | number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (isBinary(value)) return true;
  if (remaining === 0) tooDeep();
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return hasBinaryInside((value as { toJSON: ToJSON }).toJSON(String(key)), remaining - 1);
  }
  return hasBinaryInside(value, remaining);
}

/** Like hasBinaryAt, without calling toJSON again (JSON.stringify calls it once per value). */
function hasBinaryInside(value: unknown, remaining: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (isBinary(value)) return true;
  if (remaining === 0) tooDeep();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "object" && item !== null && hasBinaryAt(item, remaining - 1, i)) return true;
    }
    return false;
  }
  // for-in is the fast path; the own-property check (JSON.stringify's rule) runs only for objects.
  for (const key in value) {
    const item = (value as AnyRecord)[key];
    if (typeof item === "object" && item !== null && Object.hasOwn(value, key) && hasBinaryAt(item, remaining - 1, key)) return true;
  }
  return false;
}

/** Sets an own data property; `obj[key] = v` would change the prototype when key is "__proto__". */
function setOwn(obj: AnyRecord, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * Replaces every binary value in `data` by a placeholder and lists the bytes in order. The input
 * is not modified; containers on the way are copied (plain objects, arrays), other values kept.
 * The buffers are `Uint8Array` views over the caller's memory (no copy).
 *
 * @throws RangeError when containers nest deeper than `maxDepth`.
 * @example
 * ```ts
 * const { data, buffers } = deconstructPacket(["upload", { file: Buffer.from("hi") }]);
 * // data: ["upload", { file: { _placeholder: true, num: 0 } }], buffers: [<Buffer 68 69>]
 * ```
 */
export function deconstructPacket(data: unknown, maxDepth: number = DEFAULT_ENCODE_MAX_DEPTH): { data: unknown; buffers: Uint8Array[] } {
  const buffers: Uint8Array[] = [];
  return { data: deconstructAt(data, buffers, maxDepth, ""), buffers };
}

function deconstructAt(value: unknown, buffers: Uint8Array[], remaining: number, key: string | number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (isBinary(value)) return placeholderFor(value, buffers);
  if (remaining === 0) tooDeep();
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return deconstructInside((value as { toJSON: ToJSON }).toJSON(String(key)), buffers, remaining - 1);
  }
  return deconstructInside(value, buffers, remaining);
}

function deconstructInside(value: unknown, buffers: Uint8Array[], remaining: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (isBinary(value)) return placeholderFor(value, buffers);
  if (remaining === 0) tooDeep();
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = deconstructAt(value[i], buffers, remaining - 1, i);
    return out;
  }
  const out: AnyRecord = {};
  for (const key of Object.keys(value)) setOwn(out, key, deconstructAt((value as AnyRecord)[key], buffers, remaining - 1, key));
  return out;
}

function placeholderFor(value: ArrayBuffer | ArrayBufferView, buffers: Uint8Array[]): Placeholder {
  const placeholder: Placeholder = { _placeholder: true, num: buffers.length };
  buffers.push(toUint8Array(value));
  return placeholder;
}

/**
 * Where each placeholder of a decoded packet sits, indexed by `num`; filled once all attachments
 * arrived. Built by {@link findPlaceholders}.
 *
 * @example
 * ```ts
 * const slots: PlaceholderSlots = findPlaceholders(parsed, 2, 64);
 * slots.keys[0]; // where attachment 0 goes in slots.parents[0]
 * ```
 */
export interface PlaceholderSlots {
  /** The array or object holding placeholder `num` (or undefined when the placeholder is the root). */
  readonly parents: (unknown[] | AnyRecord | undefined)[];
  readonly keys: (string | number)[];
}

/**
 * Validates the placeholders of a parsed binary packet and records where they are: each must be
 * `{ _placeholder: true, num }` with `num` an integer in `[0, attachments)`, each `num` used once,
 * and exactly `attachments` of them. Walks own enumerable properties only, at most `maxDepth`
 * nested containers (the root counts as 1).
 *
 * @throws SocketProtocolError `SIO_ERR_INVALID_PLACEHOLDER`, `SIO_ERR_ATTACHMENT_MISMATCH`, `SIO_ERR_TOO_DEEP`.
 * @example
 * ```ts
 * const slots = findPlaceholders(JSON.parse('["a",{"_placeholder":true,"num":0}]'), 1, 32);
 * ```
 */
export function findPlaceholders(data: unknown, attachments: number, maxDepth: number): PlaceholderSlots {
  const slots: PlaceholderSlots = { parents: new Array(attachments).fill(undefined), keys: new Array(attachments).fill(-1) };
  const found = walkPlaceholders(data, attachments, maxDepth, undefined, -1, slots, 0);
  if (found !== attachments) {
    throw new SocketProtocolError("SIO_ERR_ATTACHMENT_MISMATCH", `Socket.IO: ${attachments} attachments announced, ${found} placeholders found`);
  }
  return slots;
}

function walkPlaceholders(
  value: unknown,
  attachments: number,
  remaining: number,
  parent: unknown[] | AnyRecord | undefined,
  key: string | number,
  slots: PlaceholderSlots,
  found: number,
): number {
  if (remaining === 0) throw new SocketProtocolError("SIO_ERR_TOO_DEEP", "Socket.IO: JSON nested too deep");
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "object" && item !== null) found = walkPlaceholders(item, attachments, remaining - 1, value, i, slots, found);
    }
    return found;
  }
  const record = value as AnyRecord;
  if (Object.hasOwn(record, "_placeholder") && record._placeholder === true) {
    const num = Object.hasOwn(record, "num") ? record.num : undefined;
    if (typeof num !== "number" || !Number.isInteger(num) || num < 0 || num >= attachments || slots.keys[num] !== -1) {
      throw new SocketProtocolError("SIO_ERR_INVALID_PLACEHOLDER", "Socket.IO: invalid attachment placeholder");
    }
    slots.parents[num] = parent;
    slots.keys[num] = key;
    return found + 1;
  }
  for (const k in record) {
    const item = record[k];
    if (typeof item === "object" && item !== null && Object.hasOwn(record, k)) {
      found = walkPlaceholders(item, attachments, remaining - 1, record, k, slots, found);
    }
  }
  return found;
}

/**
 * Puts the attachments in the places recorded by {@link findPlaceholders}, converted to
 * `binaryType`. Returns the data (the attachment itself when the root was a placeholder).
 *
 * @example
 * ```ts
 * const data = fillPlaceholders(parsed, slots, [buffer0], "nodebuffer");
 * ```
 */
export function fillPlaceholders(
  data: unknown,
  slots: PlaceholderSlots,
  buffers: readonly (Uint8Array | ArrayBuffer)[],
  binaryType: BinaryType,
): unknown {
  for (let num = 0; num < slots.keys.length; num++) {
    const bytes = buffers[num];
    if (bytes === undefined) throw new SocketProtocolError("SIO_ERR_ATTACHMENT_MISMATCH", "Socket.IO: missing attachment");
    const value = toBinaryType(bytes, binaryType);
    const parent = slots.parents[num];
    const key = slots.keys[num] as string | number;
    if (parent === undefined) data = value;
    else if (Array.isArray(parent)) parent[key as number] = value;
    else setOwn(parent, key as string, value);
  }
  return data;
}

/**
 * Puts binary attachments back in place of their placeholders, in place (the parsed JSON is
 * modified, never its prototypes). Validates as {@link findPlaceholders} does, with
 * `buffers.length` as the attachment count.
 *
 * @throws SocketProtocolError on a bad or missing placeholder, or nesting beyond `maxDepth`.
 * @example
 * ```ts
 * reconstructPacket(["upload", { file: { _placeholder: true, num: 0 } }], [bytes]);
 * // ["upload", { file: <Buffer ...> }]
 * ```
 */
export function reconstructPacket(
  data: unknown,
  buffers: readonly (Uint8Array | ArrayBuffer)[],
  options?: { maxDepth?: number; binaryType?: BinaryType },
): unknown {
  if (typeof data !== "object" || data === null) {
    if (buffers.length === 0) return data;
    throw new SocketProtocolError("SIO_ERR_ATTACHMENT_MISMATCH", `Socket.IO: ${buffers.length} attachments, no placeholder`);
  }
  const slots = findPlaceholders(data, buffers.length, options?.maxDepth ?? DEFAULT_ENCODE_MAX_DEPTH);
  return fillPlaceholders(data, slots, buffers, options?.binaryType ?? DEFAULT_BINARY_TYPE);
}
