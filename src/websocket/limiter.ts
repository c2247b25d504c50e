/** A job run by {@link Limiter}: it must call `done` exactly once when finished. */
export type LimiterJob = (done: () => void) => void;

/**
 * Runs at most `concurrency` jobs at a time and queues the rest in order. Used to cap concurrent
 * zlib work across all the sockets of a server, so a burst of compressed traffic cannot occupy
 * the whole libuv thread pool.
 *
 * @example
 * ```ts
 * const limiter = new Limiter(2);
 * limiter.add((done) => setTimeout(done, 10));
 * ```
 */
export class Limiter {
  readonly concurrency: number;
  #running = 0;
  #queue: LimiterJob[] = [];
  #head = 0;
  readonly #done = (): void => {
    this.#running--;
    this.#next();
  };

  constructor(concurrency: number) {
    this.concurrency = concurrency > 0 && Number.isFinite(concurrency) ? Math.floor(concurrency) : Infinity;
  }

  /** Jobs waiting for a slot. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** Queues a job; it starts at once if a slot is free. */
  add(job: LimiterJob): void {
    this.#queue.push(job);
    this.#next();
  }

  #next(): void {
    while (this.#running < this.concurrency && this.#head < this.#queue.length) {
      const job = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as LimiterJob;
      if (this.#head === this.#queue.length) {
        this.#queue.length = 0;
        this.#head = 0;
      }
      this.#running++;
      job(this.#done);
    }
  }
}
