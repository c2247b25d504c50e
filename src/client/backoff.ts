// Exponential backoff with jitter for reconnection delays.

/**
 * The delay before reconnection attempt number `attempt` (0 for the first): `min * 2^attempt`
 * capped at `max`, moved up or down by at most `jitter` of itself at random (so clients that
 * lost the same server do not all come back at once), and kept within `[min, max]`.
 *
 * @example
 * ```ts
 * backoffDelay(0, 1000, 5000, 0.5); // 1000..1500
 * backoffDelay(1, 1000, 5000, 0.5); // 1000..3000
 * backoffDelay(9, 1000, 5000, 0.5); // 2500..5000
 * ```
 */
export function backoffDelay(attempt: number, min: number, max: number, jitter: number): number {
  // 2 ** attempt overflows to Infinity after ~1000 attempts; Math.min keeps the cap.
  const ms = Math.min(min * 2 ** attempt, max) * (1 + jitter * (Math.random() * 2 - 1));
  return Math.floor(Math.max(min, Math.min(ms, max)));
}
