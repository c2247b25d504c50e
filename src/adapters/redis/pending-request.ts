// A request to the other servers waiting for their answers: complete when every named server
// answered and as many anonymous answers arrived as expected, failed when its time is up.

import { RedisAdapterError } from "./errors.js";
import type { Peers } from "./node-registry.js";

/**
 * The answers to one request, and who has not answered yet.
 *
 * @example
 * ```ts
 * const request = new PendingRequest("fetchSockets", { named: ["a"], anonymous: 1 }, [], 5000, (err, responses) => {});
 * request.answer("a", [socketA]);
 * request.answer(undefined, [socketB]); // complete: the callback gets (null, [socketA, socketB])
 * ```
 */
export class PendingRequest {
  readonly name: string;
  /** Named servers yet to answer. */
  readonly missing: Set<string>;
  /** Anonymous answers still expected. */
  #anonymous: number;
  readonly #expected: number;
  #received = 0;
  readonly #answered = new Set<string>();
  readonly responses: unknown[];
  readonly #timeout: number;
  readonly #timer: NodeJS.Timeout;
  #done: ((err: RedisAdapterError | null, responses: unknown[]) => void) | null;

  constructor(
    name: string,
    peers: Peers,
    responses: unknown[],
    timeout: number,
    done: (err: RedisAdapterError | null, responses: unknown[]) => void,
  ) {
    this.name = name;
    this.missing = new Set(peers.named);
    this.#anonymous = peers.anonymous;
    this.#expected = peers.named.length + peers.anonymous;
    this.responses = responses;
    this.#timeout = timeout;
    this.#done = done;
    this.#timer = setTimeout(onTimeout, timeout, this);
    this.#timer.unref();
  }

  get settled(): boolean {
    return this.#done === null;
  }

  /**
   * An answer from `uid` (undefined when the sender did not say) carrying `items`, each appended
   * to the responses. A second answer from one server is ignored; so is the count of an answer
   * from a server given up on (`countable` false), though its items are kept.
   */
  answer(uid: string | undefined, items: readonly unknown[], countable = true): void {
    if (this.#done === null) return;
    if (uid !== undefined) {
      if (this.#answered.has(uid)) return;
      this.#answered.add(uid);
    }
    for (const item of items) this.responses.push(item);
    if (uid !== undefined && this.missing.delete(uid)) this.#received++;
    else if (countable) {
      this.#received++;
      this.#anonymous--;
    }
    this.#check();
  }

  /** Server `uid` is gone: stop waiting for it. */
  drop(uid: string): void {
    if (this.#done === null || !this.missing.delete(uid)) return;
    this.#check();
  }

  /** Ends the request now with `err` (on close). */
  fail(err: RedisAdapterError): void {
    this.#finish(err);
  }

  #check(): void {
    if (this.missing.size === 0 && this.#anonymous <= 0) this.#finish(null);
  }

  /** Called by the timer. */
  expire(): void {
    if (this.#done === null) return;
    const err = new RedisAdapterError(
      "REDIS_ERR_REQUEST_TIMEOUT",
      `${this.name}: timeout reached after ${this.#timeout} ms, ${this.#received} of ${this.#expected} servers answered`,
      { responses: this.responses },
    );
    this.#finish(err);
  }

  #finish(err: RedisAdapterError | null): void {
    const done = this.#done;
    if (done === null) return;
    this.#done = null;
    clearTimeout(this.#timer);
    done(err, this.responses);
  }
}

function onTimeout(request: PendingRequest): void {
  request.expire();
}
