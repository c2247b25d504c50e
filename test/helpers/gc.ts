import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Whether every ref's target is garbage within a few rounds of full GCs, each run from a later
 * macrotask (a WeakRef's target survives the job that last dereferenced it). Tells whether an
 * object is still reachable from somewhere, without a heap snapshot.
 *
 * @example
 * ```ts
 * const ref = new WeakRef(socket);
 * socket.disconnect(true);
 * assert.ok(await collected([ref]));
 * ```
 */
export async function collected(refs: readonly WeakRef<object>[]): Promise<boolean> {
  for (let round = 0; round < 10; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    if (refs.every((ref) => ref.deref() === undefined)) return true;
  }
  return false;
}
