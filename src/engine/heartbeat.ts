// One shared timer for every session of an engine: heartbeats, upgrade timeouts, close timeouts.
// Deadlines are numbers bucketed into fixed-width slots (a hashed timing wheel); one interval
// runs while anything is scheduled and fires the slots that came due. Scheduling, moving and
// cancelling are O(1): a timer knows its place in its slot's bucket and leaves it at once (the
// last entry takes its place), so a bucket holds exactly the timers due in it, and a cancelled
// timer's target (a closed session, with its request and socket) is not kept alive by the wheel.

/**
 * The origin of stored deadlines and slots: a day before this module loaded, so that any real
 * deadline (now or later, or a little in the past) maps to a positive slot, never the -1 of
 * "not scheduled", and stays a small integer for about 11 days of uptime.
 */
const EPOCH = Date.now() - 86_400_000;

/**
 * Something a {@link Timer} calls back when its deadline passes.
 *
 * @example
 * ```ts
 * class Probe implements TimerTarget { onTimer(now: number) { console.log("due at", now); } }
 * ```
 */
export interface TimerTarget {
  onTimer(now: number): void;
}

/**
 * One schedulable deadline, owned by one target (a session holds one for its whole life).
 *
 * @example
 * ```ts
 * const timer = new Timer(target);
 * wheel.schedule(timer, Date.now() + 1000);
 * ```
 */
export class Timer {
  /**
   * The deadline in ms since `EPOCH` (meaningful while scheduled). Relative, so that it stays a
   * small integer: no boxed number per connection.
   */
  due = 0;
  /** The wheel slot holding it (counted from `EPOCH`); -1 when not scheduled. */
  slot = -1;
  /** Its index in that slot's bucket (meaningful while scheduled). */
  index = -1;
  readonly target: TimerTarget;

  constructor(target: TimerTarget) {
    this.target = target;
  }

  /**
   * The deadline, ms since the Unix epoch (meaningful while scheduled).
   *
   * @example
   * ```ts
   * if (timer.scheduled) console.log(new Date(timer.deadline));
   * ```
   */
  get deadline(): number {
    return EPOCH + this.due;
  }

  /**
   * Whether the timer is waiting to fire.
   *
   * @example
   * ```ts
   * if (!timer.scheduled) wheel.schedule(timer, Date.now() + 50);
   * ```
   */
  get scheduled(): boolean {
    return this.slot !== -1;
  }
}

/**
 * A timing wheel: `resolution` ms per slot, one sweep every `resolution` ms; a timer fires in
 * the first sweep at or after its deadline: never early, at most `resolution` ms late (plus
 * event-loop delay).
 *
 * @example
 * ```ts
 * const wheel = new TimerWheel(10);
 * wheel.schedule(new Timer({ onTimer: () => console.log("ping") }), Date.now() + 25);
 * // later: wheel.stop();
 * ```
 */
export class TimerWheel {
  readonly resolution: number;
  readonly #buckets = new Map<number, Timer[]>();
  #interval: NodeJS.Timeout | null = null;
  /** The last slot swept; slots up to it have fired. */
  #swept = 0;
  #sweeping = false;

  constructor(resolution: number) {
    if (!(resolution >= 1)) throw new RangeError("TimerWheel: resolution must be at least 1 ms");
    this.resolution = Math.floor(resolution);
  }

  /**
   * How many slots hold timers (used by tests).
   *
   * @example
   * ```ts
   * wheel.pendingSlots; // 0 when idle
   * ```
   */
  get pendingSlots(): number {
    return this.#buckets.size;
  }

  /**
   * (Re)schedules `timer` to fire at `deadline`.
   *
   * @example
   * ```ts
   * wheel.schedule(session.timer, Date.now() + pingInterval);
   * ```
   */
  schedule(timer: Timer, deadline: number): void {
    const due = deadline - EPOCH;
    let slot = Math.floor(due / this.resolution);
    if (this.#interval === null) this.#start(slot);
    else if (slot <= this.#swept) slot = this.#swept + 1; // already past: the next sweep
    timer.due = due;
    if (timer.slot === slot) return;
    if (timer.slot !== -1) this.#remove(timer);
    this.#insert(timer, slot);
  }

  /**
   * Unschedules `timer`; the wheel no longer holds it.
   *
   * @example
   * ```ts
   * wheel.cancel(session.timer);
   * ```
   */
  cancel(timer: Timer): void {
    if (timer.slot === -1) return;
    this.#remove(timer);
    timer.slot = -1;
  }

  /**
   * Stops the interval and forgets every timer.
   *
   * @example
   * ```ts
   * engine.close(); // calls wheel.stop()
   * ```
   */
  stop(): void {
    for (const bucket of this.#buckets.values()) {
      for (let i = 0; i < bucket.length; i++) (bucket[i] as Timer).slot = -1;
    }
    this.#buckets.clear();
    if (this.#interval !== null) {
      clearInterval(this.#interval);
      this.#interval = null;
    }
  }

  #insert(timer: Timer, slot: number): void {
    timer.slot = slot;
    const bucket = this.#buckets.get(slot);
    if (bucket === undefined) {
      timer.index = 0;
      this.#buckets.set(slot, [timer]);
    } else {
      timer.index = bucket.push(timer) - 1;
    }
  }

  /** Takes `timer` out of its bucket: the bucket's last timer moves into its place. */
  #remove(timer: Timer): void {
    const bucket = this.#buckets.get(timer.slot);
    // Not found: its bucket is the one being swept, already out of the map.
    if (bucket === undefined || bucket[timer.index] !== timer) return;
    const last = bucket.pop() as Timer;
    if (last !== timer) {
      bucket[timer.index] = last;
      last.index = timer.index;
    } else if (bucket.length === 0) {
      this.#buckets.delete(timer.slot);
    }
  }

  #start(firstSlot: number): void {
    this.#swept = Math.min(firstSlot, Math.floor((Date.now() - EPOCH) / this.resolution)) - 1;
    this.#interval = setInterval(wheelOnInterval, this.resolution, this);
    // The sockets keep the process alive; a pending heartbeat alone should not.
    this.#interval.unref();
  }

  /**
   * Fires every slot that came due. Called by the interval; exposed for tests.
   *
   * @example
   * ```ts
   * wheel.sweep(Date.now());
   * ```
   */
  sweep(now: number): void {
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      const elapsed = now - EPOCH;
      const current = Math.floor(elapsed / this.resolution);
      const buckets = this.#buckets;
      while (this.#swept < current) {
        const slot = ++this.#swept;
        const bucket = buckets.get(slot);
        if (bucket === undefined) continue;
        buckets.delete(slot);
        // Slots before the current one are wholly due; in the current one, only what is due by now.
        const partial = slot === current;
        let kept: Timer[] | null = null;
        for (let i = 0; i < bucket.length; i++) {
          const timer = bucket[i] as Timer;
          // Moved or cancelled by an earlier callback of this sweep (this bucket is out of the map,
          // so leaving it was only a change of slot).
          if (timer.slot !== slot) continue;
          if (partial && timer.due > elapsed) {
            (kept ??= []).push(timer);
            continue;
          }
          timer.slot = -1;
          try {
            timer.target.onTimer(now);
          } catch (err) {
            // A throwing target must not stop the others; surface it like an uncaught exception would be.
            process.nextTick(rethrow, err);
          }
        }
        if (kept !== null) {
          // Revisit the current slot at the next sweep.
          for (let i = 0; i < kept.length; i++) this.#insert(kept[i] as Timer, slot);
          this.#swept = slot - 1;
          break; // the current slot is the last one this sweep looks at
        }
      }
      if (buckets.size === 0 && this.#interval !== null) {
        clearInterval(this.#interval);
        this.#interval = null;
      }
    } finally {
      this.#sweeping = false;
    }
  }
}

/**
 * The wheel for timers whose shortest delay is `shortestDelay` ms, so that they fire at most a
 * fiftieth of it late (between 1 ms and `maxResolution`): `current` if its resolution is that, or
 * if it still holds timers (they keep it); otherwise a new wheel.
 *
 * @example
 * ```ts
 * wheel = wheelFor(wheel, Math.min(pingInterval, pingTimeout), 50);
 * ```
 */
export function wheelFor(current: TimerWheel | null, shortestDelay: number, maxResolution: number): TimerWheel {
  const resolution = Math.max(1, Math.min(maxResolution, Math.floor(shortestDelay / 50)));
  if (current !== null && (current.resolution === resolution || current.pendingSlots > 0)) return current;
  return new TimerWheel(resolution);
}

function wheelOnInterval(wheel: TimerWheel): void {
  wheel.sweep(Date.now());
}

function rethrow(err: unknown): never {
  throw err;
}
