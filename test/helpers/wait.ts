/**
 * Bounded waits for tests: every wait on the network has a deadline, so a broken peer fails the
 * test with a message instead of hanging the runner.
 */
import type { EventEmitter } from "node:events";

/** Default deadline for one network wait in tests, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * Resolves or rejects like `promise`, but rejects with `Error("timeout after Nms: <what>")` when
 * it has not settled within `ms`. The timer is cleared either way.
 *
 * @example
 * const res = await withTimeout(fetch(url), 1000, "GET /health");
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout after ${ms}ms: ${what}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * Waits for one `event` on `emitter` and resolves with its arguments; rejects if `error` is
 * emitted first (unless `event` is `"error"`) or after `ms`.
 *
 * @example
 * const [ws] = await onceWithin(wss, "connection", 1000);
 */
export function onceWithin(emitter: EventEmitter, event: string, ms = DEFAULT_TIMEOUT_MS): Promise<unknown[]> {
  return new Promise<unknown[]>((resolve, reject) => {
    const onEvent = (...args: unknown[]): void => {
      cleanup();
      resolve(args);
    };
    const onError = (err: unknown): void => {
      cleanup();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timeout after ${ms}ms waiting for "${event}"`));
    }, ms);
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off(event, onEvent);
      if (event !== "error") emitter.off("error", onError);
    };
    emitter.on(event, onEvent);
    if (event !== "error") emitter.on("error", onError);
  });
}

/**
 * Resolves after `ms` milliseconds. Use only to let the event loop run a little, never as a way
 * to wait for a result (wait for the result itself with a timeout instead).
 *
 * @example
 * await delay(10);
 */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
