/**
 * Where idle connections' heap goes: `node --expose-gc --import tsx bench/sio/heap-summary.ts
 * <target> [connections]` starts the target in this process, takes a heap snapshot before and after
 * a generator process opened `connections` idle clients, and prints the self size per connection
 * of each kind of object that grew, named with what holds it: `object:Receiver <-
 * object:WebSocket.#receiver`. Strings are named after the first non-string holder; tables and
 * element stores (a Map's table, an object's properties, an array's elements) after their owner's
 * holder, so that `Client.#sockets` shows up rather than "some Map". `ROWS=n` prints n rows (40).
 * The total is rough (the snapshots themselves leave strings behind); `process.memoryUsage()` in
 * the idle-memory scenario is the measure.
 */
import { getHeapSnapshot } from "node:v8";
import { BASE_WORKLOAD, SioGenerator, job } from "./harness.js";
import { loadSioTarget } from "./targets/index.js";

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const STRING_TYPES = new Set(["string", "concatenated string", "sliced string"]);
const STORES = ["object:Map.table", "object:Set.table", "object:Object.properties", "object:Array.elements"];

/** Bytes and counts per "kind <- holder" label in a fresh snapshot (after forced GCs). */
async function summary(): Promise<Map<string, { size: number; count: number }>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) gc?.();
  const chunks: Buffer[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer);
  const snap = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Snapshot;
  const { node_fields: nodeFields, node_types: nodeTypes, edge_fields: edgeFields, edge_types: edgeTypes } = snap.snapshot.meta;
  const width = nodeFields.length;
  const edgeWidth = edgeFields.length;
  const [iType, iName, iSize, iEdges] = ["type", "name", "self_size", "edge_count"].map((f) => nodeFields.indexOf(f)) as [number, number, number, number];
  const [eType, eName, eTo] = ["type", "name_or_index", "to_node"].map((f) => edgeFields.indexOf(f)) as [number, number, number];
  const count = snap.nodes.length / width;
  const typeOf = (n: number): string => nodeTypes[0][snap.nodes[n * width + iType] as number] ?? "?";
  const kindOf = (n: number): string => {
    const type = typeOf(n);
    return type === "object" || type === "closure" ? `${type}:${snap.strings[snap.nodes[n * width + iName] as number] ?? "?"}` : `(${type})`;
  };
  // The first strong retainer of each node, and the edge it holds it by.
  const holder = new Int32Array(count).fill(-1);
  const via = new Array<string>(count);
  for (let n = 0, e = 0; n < count; n++) {
    const edges = snap.nodes[n * width + iEdges] as number;
    for (let k = 0; k < edges; k++, e += edgeWidth) {
      const type = edgeTypes[0][snap.edges[e + eType] as number];
      if (type === "weak") continue;
      const to = (snap.edges[e + eTo] as number) / width;
      if (holder[to] !== -1) continue;
      holder[to] = n;
      via[to] = type === "element" || type === "hidden" ? `[${type}]` : String(snap.strings[snap.edges[e + eName] as number]);
    }
  }
  const held = (n: number): string => (holder[n] === -1 ? "?" : `${kindOf(holder[n] as number)}.${via[n]}`);
  const out = new Map<string, { size: number; count: number }>();
  for (let n = 0; n < count; n++) {
    let by = held(n);
    if (STRING_TYPES.has(typeOf(n))) {
      let h = n;
      while (holder[h] !== -1 && STRING_TYPES.has(typeOf(holder[h] as number))) h = holder[h] as number;
      by = held(h);
    } else if (STORES.some((s) => by.startsWith(s)) && holder[n] !== -1) {
      by = `${by} of ${held(holder[n] as number)}`;
    }
    const key = `${kindOf(n)} <- ${by}`;
    const entry = out.get(key) ?? { size: 0, count: 0 };
    entry.size += snap.nodes[n * width + iSize] as number;
    entry.count++;
    out.set(key, entry);
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
const deltas = [...after].map(([name, a]) => ({ name, size: a.size - (before.get(name)?.size ?? 0), count: a.count - (before.get(name)?.count ?? 0) }));
const rows = deltas
  // Compiled code, snapshot bookkeeping and this script's own snapshot maps are not per-connection state.
  .filter((r) => r.size > 0 && !r.name.startsWith("(code)") && !r.name.startsWith("(synthetic)") && !r.name.includes("Context.before"))
  .sort((a, b) => b.size - a.size);
// Kinds that shrank count too: the total is the heap's net growth.
const total = deltas.filter((r) => !r.name.startsWith("(code)") && !r.name.startsWith("(synthetic)")).reduce((sum, r) => sum + r.size, 0);
console.log(`${targetName}: ${(total / connections).toFixed(0)} B of heap objects per connection (self sizes)`);
for (const r of rows.slice(0, Number(process.env["ROWS"] ?? 40))) console.log(`${(r.size / connections).toFixed(0).padStart(6)} B  ${(r.count / connections).toFixed(2).padStart(6)}/conn  ${r.name}`);
generator.release();
await generator.exit();
await server.close();
process.exit(0);
