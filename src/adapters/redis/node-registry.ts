// Which other servers are alive. Courant servers say so with heartbeats on the presence channel;
// servers that send none (Socket.IO's adapter) are only counted, through Redis's subscriber counts:
//
//   all      = subscribers of the channel every server subscribes to
//   courant  = subscribers of the presence channel (Courant servers, this one included)
//   foreign  = all - courant                      servers we can count but not name
//   unknown  = courant - 1 - live - hung          Courant servers not heard from yet (just started)
//
// A live server whose own channel has no subscriber left lost its Redis connection (killed):
// it is gone at once. A server silent past the heartbeat timeout is gone too, but may still hold
// its connection (hung, stopped): it is remembered as "hung" so that it is not counted as unknown.

/**
 * Who a request to the other servers waits for.
 *
 * @example
 * ```ts
 * const peers: Peers = { named: ["5f3a..."], anonymous: 1 }; // one Courant server, one Socket.IO server
 * ```
 */
export interface Peers {
  /** Courant servers known by heartbeat, which will answer with their uid. */
  named: string[];
  /** How many more answers to expect from servers that cannot be named. */
  anonymous: number;
}

/** How long a hung server is remembered when Redis cannot be asked about it. */
const HUNG_MEMORY = 60 * 60 * 1000;

/**
 * The servers this one heard from, with the time of their last message.
 *
 * @example
 * ```ts
 * const nodes = new NodeRegistry();
 * nodes.heard("a1b2", Date.now()); // true: a new server
 * nodes.expire(Date.now() + 20_000, 10_000); // ["a1b2"]
 * ```
 */
export class NodeRegistry {
  readonly #live = new Map<string, number>();
  readonly #hung = new Map<string, number>();

  /** The uids of the servers alive now. */
  get live(): string[] {
    return [...this.#live.keys()];
  }

  /** The uids of servers given up for silence whose connection may still be open. */
  get hung(): string[] {
    return [...this.#hung.keys()];
  }

  has(uid: string): boolean {
    return this.#live.has(uid);
  }

  isHung(uid: string): boolean {
    return this.#hung.has(uid);
  }

  /** A heartbeat from `uid`; true when the server was not known alive before. */
  heard(uid: string, now: number): boolean {
    this.#hung.delete(uid);
    const known = this.#live.has(uid);
    this.#live.set(uid, now);
    return !known;
  }

  /** Any other message from `uid` also shows it alive (only servers known by heartbeat are tracked). */
  touch(uid: string, now: number): void {
    if (this.#live.has(uid)) this.#live.set(uid, now);
  }

  /** Forgets `uid`; `hung` keeps it in mind as a server that may still be connected. True when it was alive. */
  remove(uid: string, hung: boolean, now: number): boolean {
    const known = this.#live.delete(uid);
    if (hung) this.#hung.set(uid, now);
    else this.#hung.delete(uid);
    return known;
  }

  /** The servers silent for more than `timeout` ms, moved to the hung list. */
  expire(now: number, timeout: number): string[] {
    const silent: string[] = [];
    for (const [uid, last] of this.#live) if (now - last > timeout) silent.push(uid);
    for (const uid of silent) this.remove(uid, true, now);
    for (const [uid, since] of this.#hung) if (now - since > HUNG_MEMORY) this.#hung.delete(uid);
    return silent;
  }

  /** Forgets everything (on close). */
  clear(): void {
    this.#live.clear();
    this.#hung.clear();
  }

  /**
   * Works out who to wait for from the subscriber counts of, in order: the all-servers channel,
   * the presence channel, the own channel of each of `live`, then of each of `hung` (both as
   * snapshotted when the counts were asked for). Live servers without a subscriber are returned
   * in `disconnected` (the caller removes them); hung ones without a subscriber are forgotten.
   */
  settle(live: readonly string[], hung: readonly string[], counts: readonly number[]): Peers & { disconnected: string[] } {
    const all = counts[0] ?? 0;
    const courant = counts[1] ?? 0;
    const named: string[] = [];
    const disconnected: string[] = [];
    for (let i = 0; i < live.length; i++) {
      const uid = live[i] as string;
      if ((counts[2 + i] ?? 0) > 0) {
        if (this.#live.has(uid)) named.push(uid);
      } else {
        disconnected.push(uid);
      }
    }
    let hungConnected = 0;
    for (let i = 0; i < hung.length; i++) {
      const uid = hung[i] as string;
      if ((counts[2 + live.length + i] ?? 0) > 0) hungConnected++;
      else this.#hung.delete(uid);
    }
    const unknown = Math.max(0, courant - 1 - named.length - hungConnected);
    const foreign = Math.max(0, all - courant);
    return { named, anonymous: unknown + foreign, disconnected };
  }
}
