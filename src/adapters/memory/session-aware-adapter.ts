// Connection state recovery in one process: the sessions of disconnected sockets, and a bounded
// log of the EVENT packets broadcast meanwhile. Each logged packet's data gets its offset as a
// last argument, so the client knows (and sends back on reconnection) the last one it handled.

import { randomBytes } from "node:crypto";
import { PacketType } from "../../protocol/index.js";
import type { SocketPacket } from "../../protocol/index.js";
import type {
  AdapterNamespace,
  BroadcastOptions,
  PersistedSession,
  PrivateSessionId,
  RestoredSession,
  Room,
} from "../adapter.js";
import { MemoryAdapter } from "./memory-adapter.js";

interface LoggedPacket {
  seq: number;
  offset: string;
  time: number;
  opts: BroadcastOptions;
  data: unknown[];
}

interface KeptSession {
  session: PersistedSession;
  disconnectedAt: number;
}

/** Defaults of `connectionStateRecovery`. */
const DEFAULT_MAX_DISCONNECTION_DURATION = 2 * 60 * 1000;
const DEFAULT_MAX_LOGGED_PACKETS = 100_000;
/** How often expired sessions and packets are dropped when nothing else happens. */
const SWEEP_INTERVAL = 60_000;

/**
 * The memory adapter plus connection state recovery: `persistSession` keeps a disconnected
 * socket's id, rooms and data for `maxDisconnectionDuration`, and `restoreSession` gives them
 * back with every packet the socket missed, in order. The packet log holds at most
 * `maxLoggedPackets` packets, none older than `maxDisconnectionDuration`; a client whose
 * offset fell out of the log gets a new session instead.
 * The server uses it by default when `connectionStateRecovery` is set.
 *
 * @example
 * ```ts
 * const io = new Server(httpServer, {
 *   connectionStateRecovery: { maxDisconnectionDuration: 60_000 },
 *   adapter: SessionAwareAdapter, // the default with recovery on
 * });
 * ```
 */
export class SessionAwareAdapter extends MemoryAdapter {
  readonly #maxDuration: number;
  readonly #maxPackets: number;
  /** Distinguishes this adapter's offsets from those of an earlier process or namespace. */
  readonly #prefix = randomBytes(6).toString("base64url") + ".";
  #log: LoggedPacket[] = [];
  /** Index of the oldest live entry of #log (entries before it are dropped, compacted later). */
  #head = 0;
  #seq = 0;
  readonly #sessions = new Map<PrivateSessionId, KeptSession>();
  #timer: NodeJS.Timeout | undefined;

  constructor(nsp: AdapterNamespace) {
    super(nsp);
    const recovery = nsp.server.opts.connectionStateRecovery;
    this.#maxDuration = recovery?.maxDisconnectionDuration ?? DEFAULT_MAX_DISCONNECTION_DURATION;
    this.#maxPackets = recovery?.maxLoggedPackets ?? DEFAULT_MAX_LOGGED_PACKETS;
  }

  /** Logs EVENT packets without ack that are not volatile (appending their offset), then broadcasts. */
  override broadcast(packet: SocketPacket, opts: BroadcastOptions): void {
    if (packet.type === PacketType.EVENT && packet.id === undefined && opts.flags?.volatile !== true && Array.isArray(packet.data)) {
      const seq = this.#seq++;
      const offset = this.#prefix + seq.toString(36);
      const data = packet.data as unknown[];
      data.push(offset);
      const now = Date.now();
      this.#log.push({ seq, offset, time: now, opts, data });
      this.#prune(now);
      this.#startTimer();
    }
    super.broadcast(packet, opts);
  }

  /** Keeps the session of a socket that lost its connection. */
  override persistSession(session: PersistedSession): void {
    const now = Date.now();
    this.#sessions.delete(session.pid);
    this.#sessions.set(session.pid, { session, disconnectedAt: now });
    this.#prune(now);
    this.#startTimer();
  }

  /**
   * The session of `pid` with the packets sent after `offset`, or `null` when the session
   * expired, is unknown, or `offset` is no longer in the log. A session is restored once.
   */
  override restoreSession(pid: PrivateSessionId, offset: string): Promise<RestoredSession | null> {
    const kept = this.#sessions.get(pid);
    if (kept === undefined) return Promise.resolve(null);
    this.#sessions.delete(pid);
    const now = Date.now();
    if (now - kept.disconnectedAt > this.#maxDuration) return Promise.resolve(null);
    const index = this.#indexOf(offset);
    if (index === -1) return Promise.resolve(null);
    const rooms = kept.session.rooms;
    const missedPackets: unknown[][] = [];
    const log = this.#log;
    for (let i = index + 1; i < log.length; i++) {
      const entry = log[i] as LoggedPacket;
      if (shouldDeliver(rooms, entry.opts)) missedPackets.push(entry.data);
    }
    return Promise.resolve({ ...kept.session, missedPackets });
  }

  /** Stops the sweep timer and forgets every session and packet. */
  override close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sessions.clear();
    this.#log = [];
    this.#head = 0;
  }

  /** Position of `offset` in #log, or -1. Offsets are the prefix plus a base-36 sequence number. */
  #indexOf(offset: string): number {
    if (typeof offset !== "string" || !offset.startsWith(this.#prefix)) return -1;
    const digits = offset.slice(this.#prefix.length);
    if (!/^[0-9a-z]{1,11}$/.test(digits)) return -1;
    const head = this.#log[this.#head];
    if (head === undefined) return -1;
    const index = this.#head + (parseInt(digits, 36) - head.seq);
    if (index < this.#head || index >= this.#log.length) return -1;
    return (this.#log[index] as LoggedPacket).offset === offset ? index : -1;
  }

  #prune(now: number): void {
    const log = this.#log;
    const oldest = now - this.#maxDuration;
    let head = this.#head;
    while (head < log.length && (log.length - head > this.#maxPackets || (log[head] as LoggedPacket).time < oldest)) head++;
    // Compact once the dropped prefix is half the array: amortized O(1) per packet.
    if (head > 1024 && head * 2 > log.length) {
      this.#log = log.slice(head);
      head = 0;
    } else if (head === log.length && head > 0) {
      this.#log = [];
      head = 0;
    }
    this.#head = head;
    // Sessions are kept in disconnection order: the expired ones are at the front.
    for (const [pid, kept] of this.#sessions) {
      if (kept.disconnectedAt >= oldest) break;
      this.#sessions.delete(pid);
    }
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(sweep, Math.min(SWEEP_INTERVAL, this.#maxDuration), this);
    this.#timer.unref();
  }

  /** Called by the sweep timer. */
  sweep(): void {
    this.#prune(Date.now());
    if (this.#sessions.size === 0 && this.#head === this.#log.length && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}

function sweep(adapter: SessionAwareAdapter): void {
  adapter.sweep();
}

/** Whether a socket in `rooms` (its own id included) was a recipient of a broadcast with `opts`. */
function shouldDeliver(rooms: readonly Room[], opts: BroadcastOptions): boolean {
  const except = opts.except;
  if (except !== undefined && except.size > 0) {
    for (const room of rooms) if (except.has(room)) return false;
  }
  if (opts.rooms.size === 0) return true;
  for (const room of rooms) if (opts.rooms.has(room)) return true;
  return false;
}
