/** Where the benchmark's servers listen: an ephemeral port on the loopback interface. */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Listens on 127.0.0.1 at a port the kernel picks; resolves with that port.
 *
 * @example
 * const port = await listenOnLoopback(createServer());
 */
export function listenOnLoopback(http: Server): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    http.once("error", reject);
    http.listen(0, "127.0.0.1", () => resolve((http.address() as AddressInfo).port));
  });
}
