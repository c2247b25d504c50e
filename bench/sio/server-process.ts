/**
 * The server side of the Socket.IO benchmark, run as its own pinned process:
 * `node --expose-gc --import tsx bench/sio/server-process.ts <target> <workload JSON>`.
 * It speaks the same IPC protocol as bench/e2e/server-process.ts (`ready`, then `memory`,
 * `connections`, `cpu`, `stop` requests), so bench/e2e/processes.ts drives both.
 */
import { serveControlRequests } from "../e2e/server-control.js";
import { loadSioTarget } from "./targets/index.js";
import type { Workload } from "./workload.js";

const [targetName = "", workloadJson = "{}"] = process.argv.slice(2);

async function main(): Promise<void> {
  const target = await loadSioTarget(targetName);
  const running = await target.start(JSON.parse(workloadJson) as Workload);
  serveControlRequests(running);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
