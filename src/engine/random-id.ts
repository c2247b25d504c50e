import { randomFillSync } from "node:crypto";

/** Bytes per id: 15 random bytes make 20 base64url characters (120 bits). */
const ID_BYTES = 15;
/** Ids drawn per refill: one call into the CSPRNG for many ids instead of one call each. */
const IDS_PER_POOL = 256;

const pool = Buffer.allocUnsafe(ID_BYTES * IDS_PER_POOL);
let offset = pool.length;

/**
 * A fresh id: 20 base64url characters from 15 bytes of the CSPRNG. Used for session ids and
 * socket ids. The bytes come from a pool refilled by one `randomFillSync` every 256 ids, which
 * halves the cost of a handshake's ids; every byte is used once.
 *
 * @example
 * ```ts
 * randomId(); // "wA2d9F0a3nQ7sxYtB8vK"
 * ```
 */
export function randomId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString("base64url", offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
