/**
 * A benchmark target: one server implementation, started inside the server process
 * (bench/e2e/server-process.ts). Each target uses its implementation's own idiomatic API; the
 * scenarios and the load generator are the same for all.
 */

/** How the server treats incoming messages. */
export type TargetMode =
  /** Echo every message back to its sender. */
  | "echo"
  /** Call `onRequest` for every message (the fan-out scenario broadcasts from there). */
  | "request";

export interface TargetOptions {
  mode: TargetMode;
  onRequest(): void;
}

/** A running server. */
export interface TargetServer {
  readonly port: number;
  /** Connected clients right now. */
  connectionCount(): number;
  /** Sends one message to every connected client, the way this target broadcasts. */
  broadcast(payload: Buffer): void;
  close(): Promise<void>;
}

export interface Target {
  /** Short id used on the command line and in results (e.g. "courant-ws"). */
  readonly name: string;
  /** What exactly is measured, for the report. */
  readonly label: string;
  /** Which implementation this target's numbers are compared against (ratios), if any. */
  readonly baseline?: string;
  start(options: TargetOptions): Promise<TargetServer>;
}
