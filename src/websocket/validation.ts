import { isUtf8 } from "node:buffer";

/**
 * Whether `code` may travel in a close frame (RFC 6455 §7.4): 1000-1003, 1007-1014 and the
 * 3000-4999 range for libraries and applications. 1004, 1005, 1006 and 1015 are reserved and
 * never sent; 0-999, 1016-2999 and 5000+ are not used.
 *
 * @example
 * ```ts
 * isValidCloseCode(1000); // true
 * isValidCloseCode(1005); // false: "no status" is only reported locally
 * ```
 */
export function isValidCloseCode(code: number): boolean {
  return (
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999))
  );
}

/**
 * Close codes by name (RFC 6455 §7.4.1 and the IANA registry).
 *
 * @example
 * ```ts
 * ws.close(CloseCode.POLICY_VIOLATION, "not allowed");
 * ```
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
} as const;

/**
 * Whether a whole buffer is valid UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
 *
 * @example
 * ```ts
 * isValidUtf8(Buffer.from("héllo")); // true
 * isValidUtf8(Buffer.from([0xc0, 0xaf])); // false (overlong "/")
 * ```
 */
export function isValidUtf8(buf: Uint8Array): boolean {
  return isUtf8(buf);
}

/**
 * Incremental, fail-fast UTF-8 validation for text that arrives in pieces (fragments, TCP chunks,
 * inflated output). A code point split between pieces is carried over; `write` returns false on
 * the first byte that can never be part of valid UTF-8, even if the message is unfinished.
 * Complete runs are checked natively (`buffer.isUtf8`); only the bytes of a split code point go
 * through the byte-wise state machine.
 *
 * @example
 * ```ts
 * const v = new Utf8Validator();
 * v.write(Buffer.from([0xe2, 0x82])); // true: could still become "€"
 * v.write(Buffer.from([0xac]));       // true
 * v.end();                            // true: no code point left open
 * ```
 */
export class Utf8Validator {
  /** Continuation bytes still expected for the open code point. */
  #need = 0;
  /** Allowed range of the next continuation byte (narrowed after E0, ED, F0, F4). */
  #lower = 0x80;
  #upper = 0xbf;

  /** Validates `buf[start, end)`; false as soon as an invalid sequence is seen. */
  write(buf: Uint8Array, start = 0, end: number = buf.length): boolean {
    let i = start;
    while (this.#need > 0 && i < end) {
      if (!this.#step(buf[i]!)) return false;
      i++;
    }
    if (i >= end) return true;
    const cut = completeEnd(buf, i, end);
    if (cut > i && !isUtf8(buf.subarray(i, cut))) return false;
    for (let j = cut; j < end; j++) {
      if (!this.#step(buf[j]!)) return false;
    }
    return true;
  }

  /** True when no code point is left unfinished (call at the end of the message). */
  end(): boolean {
    return this.#need === 0;
  }

  /** Forgets any open code point, for the next message. */
  reset(): void {
    this.#need = 0;
    this.#lower = 0x80;
    this.#upper = 0xbf;
  }

  #step(byte: number): boolean {
    if (this.#need > 0) {
      if (byte < this.#lower || byte > this.#upper) return false;
      this.#need--;
      this.#lower = 0x80;
      this.#upper = 0xbf;
      return true;
    }
    if (byte < 0x80) return true;
    if (byte < 0xc2) return false; // stray continuation, or C0/C1 (always overlong)
    if (byte < 0xe0) {
      this.#need = 1;
    } else if (byte < 0xf0) {
      this.#need = 2;
      if (byte === 0xe0) this.#lower = 0xa0; // overlong 3-byte forms
      else if (byte === 0xed) this.#upper = 0x9f; // U+D800-DFFF surrogates
    } else if (byte < 0xf5) {
      this.#need = 3;
      if (byte === 0xf0) this.#lower = 0x90; // overlong 4-byte forms
      else if (byte === 0xf4) this.#upper = 0x8f; // past U+10FFFF
    } else {
      return false;
    }
    return true;
  }
}

/** The end of the last complete code point in `buf[start, end)` (a lead byte whose sequence runs past `end` is cut off). */
function completeEnd(buf: Uint8Array, start: number, end: number): number {
  let j = end - 1;
  const stop = Math.max(start, end - 4);
  while (j >= stop && (buf[j]! & 0xc0) === 0x80) j--;
  if (j < stop) return end; // no lead byte among the last 4: let the full check decide
  const lead = buf[j]!;
  const size = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return j + size > end ? j : end;
}
