/**
 * The logical work every Socket.IO benchmark server does, whatever the implementation: the same
 * events, the same payloads, the same answers. Each target (bench/sio/targets/) wires these to its
 * own idiomatic API.
 *
 * Events the load generator sends:
 * - `go`: broadcast `batch` events in this tick: `m` with a ~100-byte string to everybody
 *   (`all`), to `batch` random rooms (`rooms`), or `b` with a binary attachment (`binary`).
 * - `join` (room name): join that room.
 * - `echo` (data, ack): answer with the data.
 */
import type { Server as HttpServer } from "node:http";

/** How `go` broadcasts. */
export type BroadcastKind = "all" | "rooms" | "binary";

export interface Workload {
  kind: BroadcastKind;
  /** Broadcasts per `go`. */
  batch: number;
  /** Rooms named `r0` … `r<rooms-1>` (kind `rooms`). */
  rooms: number;
  /** Size of the binary attachment (kind `binary`). */
  binarySize: number;
  /** Ping interval (ms) every server uses, so heartbeats cost the same everywhere. */
  pingInterval: number;
  /** Scale-out: join the servers sharing this Redis link through the target's Redis adapter. */
  redis?: RedisLink;
}

/** Where the servers of one scale-out run meet: a Redis URL and a key no other run uses. */
export interface RedisLink {
  url: string;
  key: string;
}

/**
 * The string each small event carries: with `42["m","…"]` around it, the packet is 100 bytes.
 *
 * @example
 * SMALL_PAYLOAD.length; // 91
 */
export const SMALL_PAYLOAD = "x".repeat(100 - '42["m",""]'.length);

/**
 * What every echo request carries: the generator sends `421["echo",ECHO_DATA]` and the answer is
 * `431[ECHO_DATA]`.
 *
 * @example
 * JSON.stringify(["echo", ECHO_DATA]).length; // 91
 */
export const ECHO_DATA = "y".repeat(80);

/** A deterministic pseudo-random room index (xorshift), the same sequence in every target. */
export class RoomPicker {
  #state = 0x9e3779b9;
  readonly #rooms: number;

  constructor(rooms: number) {
    this.#rooms = Math.max(1, rooms);
  }

  /**
   * The next room name.
   *
   * @example
   * new RoomPicker(1000).next(); // "r…"
   */
  next(): string {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return `r${this.#state % this.#rooms}`;
  }
}

/** A running Socket.IO benchmark server. */
export interface SioServer {
  readonly port: number;
  /** The HTTP server it listens with (bench/sio/protocol-cost.ts hands it upgrades over in-memory sockets). */
  readonly http: HttpServer;
  /** Clients connected to the main namespace. */
  connectionCount(): number;
  close(): Promise<void>;
}

export interface SioTarget {
  /** Short id used on the command line and in results. */
  readonly name: string;
  /** What exactly runs, for the report. */
  readonly label: string;
  /** Whether the server accepts HTTP long-polling (scenario 7 runs only on those). */
  readonly polling: boolean;
  /** Whether the server can join others through Redis (`workload.redis`, scenario 8). */
  readonly scaleOut: boolean;
  /** Whether `BENCH_DISCARD_REQUEST=1` lets each session's first request go (the Socket.IO API targets). */
  readonly discardsRequest?: boolean;
  start(workload: Workload): Promise<SioServer>;
}
