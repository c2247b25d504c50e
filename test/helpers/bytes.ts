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
