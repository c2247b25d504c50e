/**
 * The floor under any Node.js server on `net.Socket`, for the echo, connection-rate and idle
 * scenarios. It does the WebSocket upgrade and the Engine.IO/Socket.IO handshake by hand, then
 * answers each `42<id>[…]` request with a pre-built `43<id>[…]` ack: no JSON, no protocol objects,
 * no timers. The acks read in one chunk go out in one `socket.write`. An idle connection is its net.Socket plus two fields,
 * with listeners shared by all, and the upgrade request is not kept.
 *
 * It does less than the workload asks (it never decodes a request: it knows the answer), so it is
 * a bound to read the others against, not a competitor. What lies between it and a real server is
 * that server's own work; what lies under it is Node's socket layer and the kernel.
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { ECHO_DATA } from "../workload.js";
import type { SioServer, SioTarget, Workload } from "../workload.js";
import { listenOnLoopback } from "./listen.js";

/** RFC 6455 §1.3: appended to Sec-WebSocket-Key before hashing. */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** The answer to the generator's `["echo", ECHO_DATA]`, after `43<id>`. */
const ECHO_ANSWER = Buffer.from(JSON.stringify([ECHO_DATA]));

/** An unmasked server text frame around `payload` (payloads here stay under 126 bytes). */
function textFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(2 + payload.length);
  frame[0] = 0x81;
  frame[1] = payload.length;
  payload.copy(frame, 2);
  return frame;
}

const kSid = Symbol("sid");
const kRest = Symbol("rest");
/** The floor's connection: a net.Socket with its session id and any partial frame, and nothing else. */
type FloorSocket = Socket & { [kSid]: string; [kRest]: Buffer | null };

/** Payload byte `k` of the frame whose key sits at `mask` and payload at `payload` (only the bytes up to the ack id are read). */
function unmasked(buf: Buffer, payload: number, mask: number, k: number): number {
  return (buf[payload + k] as number) ^ (buf[mask + (k & 3)] as number);
}

/** Reads the masked client frames of one chunk and answers the requests among them. */
function socketOnData(this: FloorSocket, chunk: Buffer): void {
  const rest = this[kRest];
  const buf = rest === null ? chunk : Buffer.concat([rest, chunk]);
  this[kRest] = null;
  const replies: Buffer[] = [];
  let at = 0;
  while (buf.length - at >= 6) {
    const len7 = (buf[at + 1] as number) & 0x7f;
    if (len7 === 127) {
      // The generator never sends a frame this large: drop the connection rather than the server.
      this.destroy();
      return;
    }
    const headerLength = len7 === 126 ? 8 : 6;
    if (buf.length - at < headerLength) break;
    const length = len7 === 126 ? buf.readUInt16BE(at + 2) : len7;
    if (buf.length - at < headerLength + length) break;
    const mask = at + headerLength - 4;
    const payload = at + headerLength;
    const opcode = (buf[at] as number) & 0x0f;
    if (opcode === 1 && length >= 2 && unmasked(buf, payload, mask, 0) === 0x34) {
      const type = unmasked(buf, payload, mask, 1);
      if (type === 0x30) replies.push(textFrame(Buffer.from(`40{"sid":"${this[kSid]}"}`)));
      else if (type === 0x32) {
        let i = 2;
        while (i < length && unmasked(buf, payload, mask, i) >= 0x30 && unmasked(buf, payload, mask, i) <= 0x39) i++;
        if (i > 2) {
          const head = Buffer.allocUnsafe(i);
          head[0] = 0x34;
          head[1] = 0x33;
          for (let k = 2; k < i; k++) head[k] = unmasked(buf, payload, mask, k);
          replies.push(textFrame(Buffer.concat([head, ECHO_ANSWER])));
        }
      }
    }
    at = payload + length;
  }
  if (at < buf.length) this[kRest] = buf.subarray(at);
  if (replies.length === 1) this.write(replies[0] as Buffer);
  else if (replies.length > 1) this.write(Buffer.concat(replies));
}

/** The open connections (a server process runs one target). */
const sockets = new Set<Socket>();

function socketOnClose(this: Socket): void {
  sockets.delete(this);
}

function socketOnError(): void {
  // A reset by the generator at the end of a run; "close" follows.
}

async function start(workload: Workload): Promise<SioServer> {
  if (workload.redis !== undefined) throw new Error("the floor target has no Redis adapter");
  const http = createServer();
  let counter = 0;
  const ping = textFrame(Buffer.from("2"));
  http.on("upgrade", (req: IncomingMessage, socket: Socket) => {
    const key = req.headers["sec-websocket-key"] ?? "";
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    const sid = `floor${++counter}`;
    const open = JSON.stringify({ sid, upgrades: [], pingInterval: workload.pingInterval, pingTimeout: 20_000, maxPayload: 1e7 });
    const floor = socket as FloorSocket;
    floor[kSid] = sid;
    floor[kRest] = null;
    socket.setNoDelay(true);
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.write(textFrame(Buffer.from(`0${open}`)));
    sockets.add(socket);
    socket.on("data", socketOnData);
    socket.on("close", socketOnClose);
    socket.on("error", socketOnError);
  });
  const heartbeat = setInterval(() => {
    for (const socket of sockets) socket.write(ping);
  }, workload.pingInterval);
  const port = await listenOnLoopback(http);
  return {
    port,
    http,
    connectionCount: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        for (const socket of sockets) socket.destroy();
        http.close(() => resolve());
      }),
  };
}

/** The floor: a bound for Node on net.Socket, not a Socket.IO server. */
export const nodeFloor: SioTarget = {
  name: "node-floor",
  label: "the floor for Node on net.Socket (echo, connect and idle): hand-made handshake, a pre-built ack per request, no decoding, one write per read",
  polling: false,
  scaleOut: false,
  start,
};
