// The Redis adapter: the memory adapter for the sockets of this process, plus Redis pub/sub to
// reach the sockets of every other server of the namespace (Courant or Socket.IO with
// @socket.io/redis-adapter). A broadcast is delivered here at once and published once; each
// other server decodes it once and delivers it to its own sockets. Requests (fetchSockets,
// serverSideEmit with acks) wait for the servers known alive (heartbeats) and counted (Redis).

import { randomBytes } from "node:crypto";
import type { SocketPacket } from "../../protocol/index.js";
import type { AdapterNamespace, BroadcastOptions, Room, SocketDetails } from "../adapter.js";
import { MemoryAdapter } from "../memory/index.js";
import { resolveOptions } from "./adapter-options.js";
import type { RedisAdapterOptions, ResolvedOptions } from "./adapter-options.js";
import { ClassicWire } from "./classic-wire.js";
import { RedisAdapterError } from "./errors.js";
import { NodeRegistry } from "./node-registry.js";
import type { Peers } from "./node-registry.js";
import { PendingRequest } from "./pending-request.js";
import { createRedisBus, isClientReady } from "./redis-client.js";
import type { MessageListener, RedisBus, RedisClient } from "./redis-client.js";
import { ShardedWire } from "./sharded-wire.js";
import { EMITTER_UID, toWireOptions } from "./wire.js";
import type { Inbound, Outgoing, RoomFilter, Wire, WireRequest, WireResponse } from "./wire.js";

interface AckRequest {
  clientCountCallback: (clientCount: number) => void;
  ack: (...args: unknown[]) => void;
  timer: NodeJS.Timeout;
}

function randomId(): string {
  return randomBytes(8).toString("hex");
}

/**
 * The adapter of one namespace on one server. Events, besides the memory adapter's:
 * `error`(RedisAdapterError) for every Redis failure (nothing is thrown; without a listener a
 * warning is printed once per code), `node-alive`(uid) when another Courant server shows up,
 * `node-gone`(uid, reason) when one leaves (`"closed"`), loses its Redis connection
 * (`"disconnected"`) or stops sending heartbeats (`"heartbeat timeout"`).
 *
 * @example
 * ```ts
 * const adapter = io.of("/").adapter as RedisAdapter;
 * adapter.on("node-gone", (uid, reason) => console.log("server", uid, "gone:", reason));
 * console.log(await adapter.serverCount(), "servers,", adapter.liveNodes.length, "other Courant servers");
 * ```
 */
export class RedisAdapter extends MemoryAdapter implements MessageListener, RoomFilter {
  /** This server's id on the wire. */
  readonly uid = randomId();
  readonly #opts: ResolvedOptions;
  readonly #bus: RedisBus;
  readonly #wire: Wire;
  readonly #pubClient: RedisClient;
  readonly #subClient: RedisClient;
  readonly #nodes = new NodeRegistry();
  readonly #requests = new Map<string, PendingRequest>();
  readonly #ackRequests = new Map<string, AckRequest>();
  readonly #roomChannels = new Set<string>();
  readonly #warned = new Set<string>();
  #ready: Promise<void>;
  #subscribed = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #lastHeartbeat = 0;
  /** Whether a publish was dropped since the client was last ready (reported once per outage). */
  #droppedReported = false;

  constructor(nsp: AdapterNamespace, pubClient: RedisClient, subClient: RedisClient, options: RedisAdapterOptions = {}) {
    super(nsp);
    this.#opts = resolveOptions(options);
    this.#bus = createRedisBus(pubClient, subClient);
    this.#pubClient = pubClient;
    this.#subClient = subClient;
    const { key, sharded, subscriptionMode } = this.#opts;
    this.#wire = sharded
      ? new ShardedWire(key, nsp.name, subscriptionMode)
      : new ClassicWire(key, nsp.name, { publishOnSpecificResponseChannel: this.#opts.publishOnSpecificResponseChannel });
    pubClient.on("error", this.#onClientError);
    subClient.on("error", this.#onClientError);
    pubClient.on("ready", this.#onPubReady);
    subClient.on("ready", this.#onSubReady);
    if (sharded && subscriptionMode === "dynamic") {
      this.on("create-room", this.#onCreateRoom);
      this.on("delete-room", this.#onDeleteRoom);
    }
    this.#ready = this.#subscribe();
    const tick = Math.min(this.#opts.heartbeatInterval, 1000);
    this.#timer = setInterval(heartbeatTick, tick, this);
    this.#timer.unref();
  }

  /** Resolves once the subscriptions are in place (subscription errors go to `error`). */
  override init(): Promise<void> {
    return this.#ready;
  }

  /** The uids of the other Courant servers of this namespace known alive by heartbeat. */
  get liveNodes(): string[] {
    return this.#nodes.live;
  }

  async #subscribe(): Promise<void> {
    try {
      await Promise.all(this.#wire.subscriptions(this.uid).map((s) => this.#bus.subscribe(s.mode, s.channels, this)));
      this.#subscribed = true;
    } catch (err) {
      this.#report("REDIS_ERR_SUBSCRIBE", "could not subscribe to the adapter's channels", err);
      return;
    }
    if (this.#closed) return;
    // Hello: the others answer with a heartbeat, so this server knows them at once.
    this.#publish(this.#wire.heartbeat(this.uid, "initial"));
    this.#lastHeartbeat = Date.now();
  }

  readonly #onClientError = (err: unknown): void => {
    this.#report("REDIS_ERR_CLIENT", `Redis client error: ${err instanceof Error ? err.message : String(err)}`, err);
  };

  readonly #onPubReady = (): void => {
    this.#droppedReported = false;
  };

  /** After a (re)connection: subscribe if that failed before (the client resubscribes itself otherwise), and say hello again. */
  readonly #onSubReady = (): void => {
    if (this.#closed) return;
    if (!this.#subscribed) {
      this.#ready = this.#subscribe();
      return;
    }
    this.#publish(this.#wire.heartbeat(this.uid, "initial"));
  };

  readonly #onCreateRoom = (room: Room): void => {
    const channel = this.#wire.roomChannel(room);
    if (channel === undefined || this.#closed) return;
    this.#roomChannels.add(channel);
    this.#bus.subscribe("shard", [channel], this).catch(this.#onSubscribeError);
  };

  readonly #onDeleteRoom = (room: Room): void => {
    const channel = this.#wire.roomChannel(room);
    if (channel === undefined || !this.#roomChannels.delete(channel)) return;
    this.#bus.unsubscribe("shard", [channel], this).catch(this.#onSubscribeError);
  };

  readonly #onSubscribeError = (err: unknown): void => {
    this.#report("REDIS_ERR_SUBSCRIBE", "a room channel (un)subscription failed", err);
  };

  readonly #onPublishError = (err: unknown): void => {
    this.#report("REDIS_ERR_PUBLISH", "a publish to Redis failed", err);
  };

  #report(code: string, message: string, cause?: unknown): void {
    const err = cause instanceof RedisAdapterError ? cause : new RedisAdapterError(code, message, { cause });
    if (this.listenerCount("error") > 0) {
      this.emit("error", err);
    } else if (!this.#warned.has(err.code)) {
      this.#warned.add(err.code);
      process.emitWarning(`${err.message} (namespace ${this.nsp.name}; add an "error" listener to the adapter to handle it)`, {
        type: "RedisAdapterWarning",
        code: err.code,
      });
    }
  }

  /** Publishes, unless the client is not connected (then the message reaches this server only: queuing it would deliver it late or never). */
  #publish(out: Outgoing): void {
    if (this.#closed) return;
    if (!isClientReady(this.#pubClient)) {
      if (!this.#droppedReported) {
        this.#droppedReported = true;
        this.#report("REDIS_ERR_NOT_CONNECTED", "Redis is not connected: messages reach this server's sockets only until it reconnects");
      }
      return;
    }
    this.#bus.publish(out.channel, out.payload, out.sharded).catch(this.#onPublishError);
  }

  #respond(requesterUid: string | undefined, response: WireResponse): void {
    this.#publish(this.#wire.response(this.uid, requesterUid, response));
  }

  #request(request: WireRequest): void {
    this.#publish(this.#wire.request(this.uid, request));
  }

  /** Whether this server holds `room` (a room, or a socket's own id). */
  hasRoom(room: Room): boolean {
    return this.rooms.has(room) || this.nsp.sockets.has(room);
  }

  // ---- Outgoing ----

  /** Delivers to the sockets here at once and publishes once for the other servers (unless `local`). */
  override broadcast(packet: SocketPacket, opts: BroadcastOptions): void {
    packet.nsp = this.nsp.name;
    if (opts.flags?.local !== true && !this.#closed) this.#publish(this.#wire.broadcast(this.uid, packet, toWireOptions(opts)));
    super.broadcast(packet, opts);
  }

  /**
   * Like {@link broadcast}; every other server answers with its client count, then with each
   * client's acknowledgement (forwarded to `clientCountCallback` and `ack`) until `flags.timeout`.
   */
  override broadcastWithAck(
    packet: SocketPacket,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void {
    packet.nsp = this.nsp.name;
    if (opts.flags?.local !== true && !this.#closed) {
      const requestId = randomId();
      // Published before the local part gives the packet this server's ack id.
      this.#publish(this.#wire.broadcast(this.uid, packet, toWireOptions(opts), requestId));
      const timer = setTimeout(forgetAckRequest, opts.flags?.timeout ?? this.#opts.requestsTimeout, this.#ackRequests, requestId);
      timer.unref();
      this.#ackRequests.set(requestId, { clientCountCallback, ack, timer });
    }
    super.broadcastWithAck(packet, opts, clientCountCallback, ack);
  }

  /** This server plus every other server of the namespace (known by heartbeat or counted by Redis). */
  override async serverCount(): Promise<number> {
    const peers = await this.#peers();
    return 1 + peers.named.length + peers.anonymous;
  }

  /**
   * The sockets `opts` selects on every server: this server's live sockets, and the details of
   * the others'. Rejects with `REDIS_ERR_REQUEST_TIMEOUT` when a server does not answer in time.
   */
  override async fetchSockets(opts: BroadcastOptions): Promise<SocketDetails[]> {
    const local = await super.fetchSockets(opts);
    if (opts.flags?.local === true) return local;
    const peers = await this.#peers();
    if (peers.named.length === 0 && peers.anonymous === 0) return local;
    return new Promise<SocketDetails[]>((resolve, reject) => {
      const requestId = randomId();
      const timeout = opts.flags?.timeout ?? this.#opts.requestsTimeout;
      const request = new PendingRequest("fetchSockets", peers, local, timeout, (err, responses) => {
        this.#requests.delete(requestId);
        if (err === null) resolve(responses as SocketDetails[]);
        else reject(err);
      });
      this.#requests.set(requestId, request);
      this.#request({ kind: "fetch", opts: toWireOptions(opts), requestId });
    });
  }

  /** Makes the sockets `opts` selects, here and on every other server (unless `local`), join `rooms`. */
  override addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    if (opts.flags?.local !== true) this.#request({ kind: "join", opts: toWireOptions(opts), rooms });
    super.addSockets(opts, rooms);
  }

  /** Makes the sockets `opts` selects, here and on every other server (unless `local`), leave `rooms`. */
  override delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    if (opts.flags?.local !== true) this.#request({ kind: "leave", opts: toWireOptions(opts), rooms });
    super.delSockets(opts, rooms);
  }

  /** Disconnects the sockets `opts` selects, here and on every other server (unless `local`). */
  override disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    if (opts.flags?.local !== true) this.#request({ kind: "disconnect", opts: toWireOptions(opts), close });
    super.disconnectSockets(opts, close);
  }

  /**
   * Sends `[event, ...args]` to the other servers. With an ack callback last, it gets
   * `(null, responses)` once every server answered, or `(RedisAdapterError, responses)`.
   */
  override serverSideEmit(packet: unknown[]): void {
    const last = packet[packet.length - 1];
    if (typeof last !== "function") {
      this.#request({ kind: "serverSideEmit", data: packet, requestId: undefined });
      return;
    }
    void this.#serverSideEmitWithAck(packet.slice(0, -1), last as (err: Error | null, responses: unknown[]) => void);
  }

  async #serverSideEmitWithAck(data: unknown[], ack: (err: Error | null, responses: unknown[]) => void): Promise<void> {
    let peers: Peers;
    try {
      peers = await this.#peers();
    } catch (err) {
      ack(err as Error, []);
      return;
    }
    if (peers.named.length === 0 && peers.anonymous === 0) {
      ack(null, []);
      return;
    }
    const requestId = randomId();
    const request = new PendingRequest("serverSideEmit", peers, [], this.#opts.requestsTimeout, (err, responses) => {
      this.#requests.delete(requestId);
      ack(err, responses);
    });
    this.#requests.set(requestId, request);
    this.#request({ kind: "serverSideEmit", data, requestId });
  }

  /** Who answers a request now: asks Redis for the subscriber counts (see NodeRegistry). */
  async #peers(): Promise<Peers> {
    if (this.#closed) throw new RedisAdapterError("REDIS_ERR_CLOSED", "the adapter is closed");
    // A client that is reconnecting would queue commands until it is back: fail now instead.
    if (!isClientReady(this.#pubClient) || !isClientReady(this.#subClient)) {
      throw new RedisAdapterError("REDIS_ERR_NOT_CONNECTED", "Redis is not connected: the other servers cannot be asked");
    }
    await this.#ready;
    const live = this.#nodes.live;
    const hung = this.#nodes.hung;
    const wire = this.#wire;
    const channels = [wire.serversChannel, wire.presenceChannel];
    for (const uid of live) channels.push(wire.nodeChannel(uid));
    for (const uid of hung) channels.push(wire.nodeChannel(uid));
    let counts: number[];
    try {
      counts = await withTimeout(this.#bus.numsub(channels, wire.sharded), this.#opts.requestsTimeout);
    } catch (err) {
      throw new RedisAdapterError("REDIS_ERR_COMMAND", "could not count the servers (PUBSUB NUMSUB failed)", { cause: err });
    }
    const peers = this.#nodes.settle(live, hung, counts);
    for (const uid of peers.disconnected) this.#removeNode(uid, "disconnected", false);
    return peers;
  }

  #removeNode(uid: string, reason: string, hung: boolean): void {
    if (!this.#nodes.remove(uid, hung, Date.now())) return;
    for (const request of this.#requests.values()) request.drop(uid);
    this.emit("node-gone", uid, reason);
  }

  // ---- Incoming ----

  /** @internal Called by the Redis client for every message on the adapter's channels. */
  onRedisMessage(channel: string, message: Buffer): void {
    if (this.#closed) return;
    let inbound: Inbound;
    try {
      inbound = this.#wire.decode(channel, message, this);
    } catch (err) {
      this.#report("REDIS_ERR_MALFORMED_MESSAGE", "malformed message", err);
      return;
    }
    if (inbound.kind === "ignored") return;
    if (inbound.kind === "heartbeat") {
      this.#onHeartbeat(inbound.uid, inbound.heartbeat);
      return;
    }
    const uid = inbound.uid;
    // Our own messages come back from Redis: this server has acted on them already.
    if (uid === this.uid) return;
    if (uid !== undefined) this.#nodes.touch(uid, Date.now());
    try {
      this.#dispatch(inbound);
    } catch (err) {
      // A listener threw (serverSideEmit): not the Redis client's business; thrown as an event listener's error would be.
      process.nextTick(rethrow, err);
    }
  }

  #onHeartbeat(uid: string, kind: "initial" | "heartbeat" | "closing"): void {
    if (uid === this.uid || uid === EMITTER_UID) return;
    if (kind === "closing") {
      this.#removeNode(uid, "closed", false);
      return;
    }
    if (this.#nodes.heard(uid, Date.now())) this.emit("node-alive", uid);
    if (kind === "initial") this.#publish(this.#wire.heartbeat(this.uid, "heartbeat"));
  }

  #dispatch(inbound: Inbound): void {
    switch (inbound.kind) {
      case "broadcast": {
        const requestId = inbound.requestId;
        if (requestId === undefined) {
          super.broadcast(inbound.packet, inbound.opts);
          return;
        }
        const requester = inbound.uid;
        super.broadcastWithAck(
          inbound.packet,
          inbound.opts,
          (clientCount) => this.#respond(requester, { kind: "clientCount", requestId, clientCount }),
          (...args) => this.#respond(requester, { kind: "ack", requestId, value: args[0] }),
        );
        return;
      }
      case "join":
        super.addSockets(inbound.opts, inbound.rooms);
        return;
      case "leave":
        super.delSockets(inbound.opts, inbound.rooms);
        return;
      case "disconnect":
        super.disconnectSockets(inbound.opts, inbound.close);
        return;
      case "fetch":
        this.#answerFetch(inbound.uid, inbound.requestId, inbound.opts);
        return;
      case "sockets":
        void super.sockets(inbound.rooms).then((ids) => this.#respond(inbound.uid, { kind: "sockets", requestId: inbound.requestId, sockets: [...ids] }));
        return;
      case "allRooms":
        this.#respond(inbound.uid, { kind: "allRooms", requestId: inbound.requestId, rooms: [...this.rooms.keys()] });
        return;
      case "socketJoin":
      case "socketLeave":
      case "socketDisconnect": {
        const socket = this.nsp.sockets.get(inbound.sid);
        if (socket === undefined) return;
        if (inbound.kind === "socketDisconnect") socket.disconnect(inbound.close);
        else if (inbound.kind === "socketJoin") socket.join(inbound.room);
        else socket.leave(inbound.room);
        if (inbound.requestId !== undefined) this.#respond(inbound.uid, { kind: "done", requestId: inbound.requestId });
        return;
      }
      case "serverSideEmit": {
        const requestId = inbound.requestId;
        if (requestId === undefined) {
          this.nsp.onServerSideEmit(inbound.data);
          return;
        }
        const requester = inbound.uid;
        let answered = false;
        const callback = (value: unknown): void => {
          // One answer per server, whatever the listener does.
          if (answered) return;
          answered = true;
          this.#respond(requester, { kind: "serverSideEmit", requestId, value });
        };
        this.nsp.onServerSideEmit([...inbound.data, callback]);
        return;
      }
      case "fetchResponse":
        this.#onAnswer(inbound.uid, inbound.requestId, inbound.sockets);
        return;
      case "serverSideEmitResponse":
        this.#onAnswer(inbound.uid, inbound.requestId, [inbound.value]);
        return;
      case "clientCount":
        this.#ackRequests.get(inbound.requestId)?.clientCountCallback(inbound.clientCount);
        return;
      case "ack":
        this.#ackRequests.get(inbound.requestId)?.ack(inbound.value);
        return;
    }
  }

  #answerFetch(requester: string | undefined, requestId: string, opts: BroadcastOptions): void {
    const sockets: SocketDetails[] = [];
    this.apply(opts, (socket) => {
      sockets.push({ id: socket.id, handshake: socket.handshake, rooms: [...(this.socketRooms(socket.id) ?? [socket.id])], data: socket.data });
    });
    this.#respond(requester, { kind: "fetch", requestId, sockets });
  }

  #onAnswer(uid: string | undefined, requestId: string, items: readonly unknown[]): void {
    const request = this.#requests.get(requestId);
    if (request === undefined) return;
    request.answer(uid, items, uid === undefined || !this.#nodes.isHung(uid));
  }

  /** @internal Called by the adapter's timer: heartbeat when due, and give up on silent servers. */
  tick(now: number): void {
    if (this.#closed) return;
    if (now - this.#lastHeartbeat >= this.#opts.heartbeatInterval && this.#subscribed) {
      this.#lastHeartbeat = now;
      this.#publish(this.#wire.heartbeat(this.uid, "heartbeat"));
    }
    for (const uid of this.#nodes.expire(now, this.#opts.heartbeatTimeout)) {
      for (const request of this.#requests.values()) request.drop(uid);
      this.emit("node-gone", uid, "heartbeat timeout");
    }
  }

  /**
   * Says goodbye to the other servers, unsubscribes, and fails the requests still waiting
   * (`REDIS_ERR_CLOSED`). The Redis clients stay open: they are the caller's.
   */
  override async close(): Promise<void> {
    if (this.#closed) return;
    this.#publish(this.#wire.heartbeat(this.uid, "closing"));
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const closed = new RedisAdapterError("REDIS_ERR_CLOSED", "the adapter was closed");
    for (const request of [...this.#requests.values()]) request.fail(closed);
    this.#requests.clear();
    for (const pending of this.#ackRequests.values()) clearTimeout(pending.timer);
    this.#ackRequests.clear();
    this.#nodes.clear();
    this.off("create-room", this.#onCreateRoom);
    this.off("delete-room", this.#onDeleteRoom);
    const unsubscribing: Promise<void>[] = this.#wire.subscriptions(this.uid).map((s) => this.#bus.unsubscribe(s.mode, s.channels, this));
    if (this.#roomChannels.size > 0) unsubscribing.push(this.#bus.unsubscribe("shard", [...this.#roomChannels], this));
    this.#roomChannels.clear();
    try {
      await Promise.all(unsubscribing);
    } catch (err) {
      this.#report("REDIS_ERR_SUBSCRIBE", "could not unsubscribe", err);
    }
    removeListener(this.#pubClient, "error", this.#onClientError);
    removeListener(this.#subClient, "error", this.#onClientError);
    removeListener(this.#pubClient, "ready", this.#onPubReady);
    removeListener(this.#subClient, "ready", this.#onSubReady);
    await super.close();
  }
}

function heartbeatTick(adapter: RedisAdapter): void {
  adapter.tick(Date.now());
}

function forgetAckRequest(requests: Map<string, AckRequest>, requestId: string): void {
  requests.delete(requestId);
}

/** `promise`, or a rejection after `ms` (the promise's own outcome is then ignored). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(reject, ms, new Error(`no answer from Redis within ${ms} ms`));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err as Error);
      },
    );
  });
}

function rethrow(err: unknown): never {
  throw err;
}

function removeListener(client: RedisClient, event: string, listener: (...args: any[]) => void): void {
  const emitter = client as unknown as { off?: (e: string, l: (...args: any[]) => void) => unknown; removeListener?: (e: string, l: (...args: any[]) => void) => unknown };
  if (typeof emitter.off === "function") emitter.off(event, listener);
  else emitter.removeListener?.(event, listener);
}
