/**
 * Reading an HTTP/1.1 message head off a raw socket, for the hand-written handshakes of
 * raw-client.ts and raw-server.ts. Lenient on purpose: it shows what the other side sent.
 */
import type net from "node:net";
import { AssertionError } from "node:assert";

/**
 * Reads from `socket` up to the blank line ending an HTTP head. Resolves with the head (latin1)
 * and the bytes after it; leaves the socket paused so the next reader loses nothing.
 *
 * @example
 * const { head, rest } = await readHead(socket, 2000, "the response");
 */
export function readHead(socket: net.Socket, timeoutMs: number, what: string): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf("\r\n\r\n");
      if (end === -1) return;
      cleanup();
      socket.pause();
      // Paused until a RawPeer (or readBody) takes over, so no chunk is lost in between.
      resolve({ head: buffered.subarray(0, end).toString("latin1"), rest: buffered.subarray(end + 4) });
    };
    const onEnd = (): void => {
      cleanup();
      reject(new AssertionError({ message: `connection closed before ${what} (got ${JSON.stringify(buffered.toString("latin1").slice(0, 200))})` }));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new AssertionError({ message: `timeout after ${timeoutMs}ms waiting for ${what}` }));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
    };
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("close", onEnd);
    socket.on("error", onError);
  });
}

/**
 * Reads a body: up to `length` bytes when known, otherwise until the socket ends (or a short
 * wait passes, for servers that keep the connection open).
 *
 * @example
 * const body = await readBody(socket, rest, 12, 2000);
 */
export function readBody(socket: net.Socket, initial: Buffer, length: number | undefined, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve) => {
    let body = initial;
    const done = (): void => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", done);
      socket.off("end", done);
      resolve(length === undefined ? body : body.subarray(0, length));
    };
    const onData = (chunk: Buffer): void => {
      body = Buffer.concat([body, chunk]);
      if (length !== undefined && body.length >= length) done();
    };
    const timer = setTimeout(done, length === undefined ? Math.min(timeoutMs, 500) : timeoutMs);
    if (length !== undefined && body.length >= length) return done();
    socket.on("data", onData);
    socket.on("close", done);
    socket.on("end", done);
    socket.resume();
  });
}

/**
 * Splits a head into its start line and headers (names lower-cased, repeats joined with ", "),
 * keeping the raw header lines too.
 *
 * @example
 * parseHead("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket").headers.upgrade; // "websocket"
 */
export function parseHead(head: string): { startLine: string; headers: Record<string, string>; rawHeaders: [string, string][] } {
  const [startLine = "", ...lines] = head.split("\r\n");
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const rawHeaders: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    rawHeaders.push([name, value]);
    const lower = name.toLowerCase();
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
  }
  return { startLine, headers, rawHeaders };
}
