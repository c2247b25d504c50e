// A namespace and sockets with no I/O, for adapter unit tests: what the adapter prepares and
// delivers is recorded.

import type { PreparedPackets } from "../../../src/engine/index.js";
import type { Adapter, AdapterNamespace, AdapterSocket, Handshake, ResolvedRecoveryOptions, Room } from "../../../src/adapters/adapter.js";
import { encodeSocketPacket } from "../../../src/protocol/index.js";
import type { SocketPacket } from "../../../src/protocol/index.js";

export class FakeSocket implements AdapterSocket {
  readonly id: string;
  readonly handshake = { address: "test" } as Handshake;
  data: unknown = {};
  readonly conn = { writable: true };
  readonly delivered: { prepared: PreparedPackets; packet: SocketPacket }[] = [];
  readonly acks = new Map<number, (...args: unknown[]) => void>();
  disconnectedWith: boolean | undefined;
  readonly #nsp: FakeNamespace;

  constructor(nsp: FakeNamespace, id: string) {
    this.#nsp = nsp;
    this.id = id;
  }

  get rooms(): Set<Room> {
    return this.#nsp.adapter.socketRooms(this.id) ?? new Set();
  }

  deliver(prepared: PreparedPackets, packet: SocketPacket): void {
    this.delivered.push({ prepared, packet });
  }

  expectAck(id: number, ack: (...args: unknown[]) => void): void {
    this.acks.set(id, ack);
  }

  join(rooms: Room | readonly Room[]): void {
    void this.#nsp.adapter.addAll(this.id, typeof rooms === "string" ? [rooms] : rooms);
  }

  leave(rooms: Room | readonly Room[]): void {
    for (const room of typeof rooms === "string" ? [rooms] : rooms) void this.#nsp.adapter.del(this.id, room);
  }

  disconnect(close = false): void {
    this.disconnectedWith = close;
    this.#nsp.sockets.delete(this.id);
    this.#nsp.adapter.delAll(this.id);
  }

  /** The event names delivered to this socket, in order. */
  events(): unknown[] {
    return this.delivered.map(({ packet }) => (packet.data as unknown[])[0]);
  }
}

export class FakeNamespace implements AdapterNamespace {
  readonly name: string;
  readonly sockets = new Map<string, FakeSocket>();
  /** The messages of every engine.prepare() call. */
  readonly prepared: (readonly (string | Uint8Array)[])[] = [];
  readonly serverSideEmits: unknown[][] = [];
  readonly server: AdapterNamespace["server"];
  adapter!: Adapter;
  #ids = 0;

  constructor(name = "/", recovery?: ResolvedRecoveryOptions) {
    this.name = name;
    const prepared = this.prepared;
    this.server = {
      engine: {
        prepare(messages: readonly (string | Uint8Array)[]): PreparedPackets {
          prepared.push(messages);
          return { messages } as unknown as PreparedPackets;
        },
      },
      opts: { connectionStateRecovery: recovery },
      encodePacket: encodeSocketPacket,
    };
  }

  nextAckId(): number {
    return this.#ids++;
  }

  onServerSideEmit(args: unknown[]): void {
    this.serverSideEmits.push(args);
  }

  /** Adds connected sockets with the given ids. */
  connect(...ids: string[]): FakeSocket[] {
    return ids.map((id) => {
      const socket = new FakeSocket(this, id);
      this.sockets.set(id, socket);
      return socket;
    });
  }
}
