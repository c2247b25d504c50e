/**
 * Courant and socket.io 4 behind the same Socket.IO 4 server API: both targets run this very code,
 * so any difference comes from the implementation, not from the handlers.
 */
import { createServer } from "node:http";
import { RoomPicker, SMALL_PAYLOAD } from "../workload.js";
import type { RedisLink, SioServer, Workload } from "../workload.js";
import { listenOnLoopback } from "./listen.js";

/** The part of the Socket.IO 4 server API the benchmark uses (structural, so both servers fit). */
interface ApiSocket {
  on(event: string, listener: (...args: never[]) => void): unknown;
  join(room: string): unknown;
}
interface ApiServer {
  on(event: "connection", listener: (socket: ApiSocket) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
  close(fn?: (err?: Error) => void): unknown;
  readonly sockets: { readonly sockets: { readonly size: number } };
  readonly engine: { on(event: "connection", listener: (rawSocket: { request: unknown }) => void): unknown };
}

function discardRequest(rawSocket: { request: unknown }): void {
  rawSocket.request = null;
}

export type ServerFactory = (httpServer: ReturnType<typeof createServer>, options: Record<string, unknown>) => ApiServer;

/** A target's Redis adapter for one scale-out run: the `adapter` option and how to drop its clients. */
export interface ClusterAdapter {
  readonly adapter: unknown;
  close(): void;
}

/** Builds a target's Redis adapter (scale-out). */
export type AdapterFactory = (link: RedisLink) => Promise<ClusterAdapter>;

/**
 * Starts `factory`'s server on an ephemeral loopback port with the benchmark's handlers; with
 * `workload.redis`, joined to the other servers of the run through `adapterFactory`'s adapter.
 *
 * @example
 * const server = await startSocketIoApi((http, opts) => new Server(http, opts), workload, true);
 */
export async function startSocketIoApi(factory: ServerFactory, workload: Workload, websocketOnly: boolean, adapterFactory?: AdapterFactory): Promise<SioServer> {
  const http = createServer();
  const options: Record<string, unknown> = {
    pingInterval: workload.pingInterval,
    pingTimeout: 20_000,
    perMessageDeflate: false,
    httpCompression: false,
    serveClient: false,
    maxHttpBufferSize: 1e7,
  };
  if (websocketOnly) options["transports"] = ["websocket"];
  let cluster: ClusterAdapter | undefined;
  if (workload.redis !== undefined) {
    if (adapterFactory === undefined) throw new Error("this target has no Redis adapter");
    cluster = await adapterFactory(workload.redis);
    options["adapter"] = cluster.adapter;
  }
  const io = factory(http, options);
  // The memory guide's advice, for both servers alike: let each session's first request go.
  if (process.env["BENCH_DISCARD_REQUEST"] === "1") io.engine.on("connection", discardRequest);
  const picker = new RoomPicker(workload.rooms);
  const binary = Buffer.alloc(workload.binarySize, 0x62);
  const { kind, batch } = workload;
  const go = (): void => {
    if (kind === "all") for (let i = 0; i < batch; i++) io.emit("m", SMALL_PAYLOAD);
    else if (kind === "rooms") for (let i = 0; i < batch; i++) io.to(picker.next()).emit("m", SMALL_PAYLOAD);
    else for (let i = 0; i < batch; i++) io.emit("b", binary);
  };
  io.on("connection", (socket) => {
    socket.on("go", go);
    socket.on("join", (room: string) => socket.join(room));
    socket.on("echo", (data: unknown, ack: (answer: unknown) => void) => ack(data));
  });
  const port = await listenOnLoopback(http);
  return {
    port,
    http,
    connectionCount: () => io.sockets.sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        io.close(() => resolve());
        http.closeAllConnections();
        setTimeout(resolve, 2_000).unref();
      }).then(() => cluster?.close()),
  };
}
