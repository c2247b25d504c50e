/**
 * Where idle connections' heap goes: `node --expose-gc --import tsx bench/sio/heap-summary.ts
 * <target> [connections]` starts the target in this process, takes a heap snapshot before and after
 * a generator process opened `connections` idle clients, and prints the self size per
 * connection of each object kind (constructor name) that grew.
 */
import { getHeapSnapshot } from "node:v8";
import { BASE_WORKLOAD, SioGenerator, job } from "./harness.js";
import { loadSioTarget } from "./targets/index.js";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

async function summary(): Promise<Map<string, { size: number; count: number }>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  const snap = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const iType = fields.indexOf("type");
  const iName = fields.indexOf("name");
  const iSize = fields.indexOf("self_size");
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType] as number] ?? "?";
    const name = type === "object" || type === "closure" ? `${type}:${snap.strings[snap.nodes[i + iName] as number] ?? "?"}` : `(${type})`;
    const entry = out.get(name) ?? { size: 0, count: 0 };
    entry.size += snap.nodes[i + iSize] as number;
    entry.count++;
    out.set(name, entry);
  }
  return out;
}

const [targetName = "courant-ws", countArg = "2000"] = process.argv.slice(2);
const connections = Number(countArg);
const target = await loadSioTarget(targetName);
const server = await target.start(BASE_WORKLOAD);
const before = await summary();
const generator = SioGenerator.start(job({ mode: "idle", port: server.port, connections }));
await generator.next("connected", 120_000);
while (server.connectionCount() < connections) await new Promise((resolve) => setTimeout(resolve, 50));
const after = await summary();
const rows = [...after]
  .map(([name, a]) => ({ name, size: a.size - (before.get(name)?.size ?? 0), count: a.count - (before.get(name)?.count ?? 0) }))
  .filter((r) => r.size > 0)
  .sort((a, b) => b.size - a.size);
const total = rows.reduce((sum, r) => sum + r.size, 0);
console.log(`${targetName}: ${(total / connections).toFixed(0)} B of heap objects per connection (self sizes)`);
for (const r of rows.slice(0, 25)) console.log(`${(r.size / connections).toFixed(0).padStart(6)} B  ${(r.count / connections).toFixed(2).padStart(6)}/conn  ${r.name}`);
generator.release();
await generator.exit();
await server.close();
process.exit(0);
