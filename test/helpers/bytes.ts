/**
 * The bytes of any binary value (ArrayBuffer, Buffer, typed array, DataView) as a plain array, so
 * `deepEqual` compares contents whatever the container type. Throws on anything not binary.
 *
 * @example
 * ```ts
 * assert.deepEqual(bytesOf(decoded.data), [1, 2, 3]);
 * ```
 */
export function bytesOf(value: unknown): number[] {
  if (value instanceof ArrayBuffer) return Array.from(new Uint8Array(value));
  if (ArrayBuffer.isView(value)) return Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  throw new TypeError(`not binary: ${String(value)}`);
}

/**
 * A value as JSON would carry it, with every binary value (at any depth) replaced by
 * `{ bytes: number[] }`, so two packets compare equal under `deepEqual` whatever binary class
 * each side used. `undefined` stays `undefined`.
 *
 * @example
 * ```ts
 * assert.deepEqual(jsonWithBytes(ours.data), jsonWithBytes(theirs.data));
 * ```
 */
export function jsonWithBytes(value: unknown): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(
    JSON.stringify(value, function (this: Record<string, unknown>, key) {
      const raw = this[key];
      if (ArrayBuffer.isView(raw)) return { bytes: Array.from(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)) };
      if (raw instanceof ArrayBuffer) return { bytes: Array.from(new Uint8Array(raw)) };
      return raw;
    }),
  ) as unknown;
}
