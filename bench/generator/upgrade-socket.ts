/**
 * The generator's WebSocket connections start here: a TCP connection to 127.0.0.1 that sends a
 * hand-written upgrade request, with every read landing in one shared buffer (`net.connect`'s
 * `onread`) and handed to the connection's parser in place: no Buffer and no stream event per
 * read, which is most of a generator's cost per delivery when every socket gets one small frame
 * at a time. Listeners are module-level functions that find the parser through a symbol: no
 * closure per connection.
 */
import net from "node:net";
import { randomBytes } from "node:crypto";

/** A connection's parser: told of each read and of the close. */
export interface SocketReader {
  /** Parses the first `n` bytes of `chunk`, a shared buffer: nothing may be kept from it. */
  feed(chunk: Buffer, n: number): void;
  closed(): void;
}

const UPGRADE_KEY = randomBytes(16).toString("base64");
const kReader = Symbol("socketReader");
/** Where every connection's reads land; each read is parsed before the next one can arrive. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
type ReaderSocket = net.Socket & { [kReader]: SocketReader };

/**
 * Connects to `port` and sends a WebSocket upgrade request for `path`; the response and every
 * later byte go to `reader`.
 *
 * @example
 * this.socket = upgradeSocket(port, "/socket.io/?EIO=4&transport=websocket", this);
 */
export function upgradeSocket(port: number, path: string, reader: SocketReader): net.Socket {
  const socket = net.connect({ port, host: "127.0.0.1", onread: { buffer: READ_BUFFER, callback: socketOnRead as (n: number, buf: Uint8Array) => boolean } }) as ReaderSocket;
  socket[kReader] = reader;
  socket.setNoDelay(true);
  socket.on("error", socketOnError);
  socket.on("close", socketOnClose);
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${UPGRADE_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  return socket;
}

function socketOnRead(this: ReaderSocket, n: number, buffer: Buffer): boolean {
  this[kReader].feed(buffer, n);
  return true;
}

function socketOnError(this: ReaderSocket): void {
  // "close" follows; the reader counts drops there.
}

function socketOnClose(this: ReaderSocket): void {
  this[kReader].closed();
}
