/**
 * The server side of an end-to-end benchmark, run as its own process (pinned to its own core):
 * `node --expose-gc --import tsx bench/e2e/server-process.ts <target> <mode> <batch> <size>`.
 * It starts the target, reports `{ type: "ready", port }` over IPC and answers the parent's
 * requests (`memory`, `connections`, `stop`).
 */
import { loadTarget } from "../targets/index.js";
import { serveControlRequests } from "./server-control.js";
import type { TargetMode, TargetServer } from "../targets/target.js";

const [targetName = "", mode = "echo", batchArg = "1", sizeArg = "100"] = process.argv.slice(2);
const batch = Number(batchArg);
const size = Number(sizeArg);

async function main(): Promise<void> {
  const target = await loadTarget(targetName);
  const box: { server: TargetServer | undefined } = { server: undefined };
  let sequence = 0;
  const payload = Buffer.alloc(size, 0x62);
  const onRequest = (): void => {
    for (let i = 0; i < batch; i++) {
      // A fresh message each time, as a real broadcast would be: the target frames it once (or per client).
      const message = Buffer.from(payload);
      message.writeUInt32BE(sequence++ >>> 0, 0);
      box.server?.broadcast(message);
    }
  };
  const running = await target.start({ mode: mode as TargetMode, onRequest });
  box.server = running;
  serveControlRequests(running);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
