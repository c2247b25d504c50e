// Exponential backoff with jitter for reconnection delays.

/**
 * Reconnection delays: `min * 2^attempt`, capped at `max`, then moved up or down by at most
 * `jitter` of itself at random (so clients that lost the same server do not all come back at
 * once), and kept within `[min, max]`.
 *
 * @example
 * ```ts
 * const backoff = new Backoff(1000, 5000, 0.5);
 * backoff.duration(); // 1000..1500 (first attempt)
 * backoff.duration(); // 1000..3000
 * backoff.attempts;   // 2
 * backoff.reset();
 * ```
 */
export class Backoff {
  /** Delays handed out since the last `reset()`. */
  attempts = 0;
  min: number;
  max: number;
  jitter: number;

  constructor(min: number, max: number, jitter: number) {
    this.min = min;
    this.max = max;
    this.jitter = jitter;
  }

  /**
   * The next delay in milliseconds; counts one attempt.
   *
   * @example
   * ```ts
   * setTimeout(reconnect, backoff.duration());
   * ```
   */
  duration(): number {
    // 2 ** attempts overflows to Infinity after ~1000 attempts; Math.min keeps the cap.
    const base = Math.min(this.min * 2 ** this.attempts++, this.max);
    const ms = base * (1 + this.jitter * (Math.random() * 2 - 1));
    return Math.floor(Math.max(this.min, Math.min(ms, this.max)));
  }

  /**
   * Starts over from `min` (after a successful connection).
   *
   * @example
   * ```ts
   * manager.on("open", () => backoff.reset());
   * ```
   */
  reset(): void {
    this.attempts = 0;
  }
}
