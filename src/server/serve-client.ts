// Serves the browser bundle of the client (built into dist/bundle/ at `npm run build`) under the
// server's path: socket.io.js, socket.io.min.js, socket.io.esm.min.js and their source maps,
// with an ETag (304 on If-None-Match), Cache-Control, and gzip or brotli by Accept-Encoding.

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";

/** The files served, with their content types. */
const CLIENT_FILES: ReadonlyMap<string, string> = new Map([
  ["socket.io.js", "application/javascript; charset=utf-8"],
  ["socket.io.min.js", "application/javascript; charset=utf-8"],
  ["socket.io.esm.min.js", "application/javascript; charset=utf-8"],
  ["socket.io.js.map", "application/json; charset=utf-8"],
  ["socket.io.min.js.map", "application/json; charset=utf-8"],
  ["socket.io.esm.min.js.map", "application/json; charset=utf-8"],
]);

interface CachedFile {
  type: string;
  body: Buffer;
  etag: string;
  gzip?: Buffer;
  br?: Buffer;
}

/**
 * The folder of the built bundle: `dist/bundle/` whether this module runs compiled from
 * `dist/server/` or from `src/server/` (tsx).
 *
 * @example
 * ```ts
 * defaultBundleDir(); // "/app/node_modules/courant/dist/bundle/"
 * ```
 */
export function defaultBundleDir(): string {
  const compiled = fileURLToPath(new URL("../bundle/", import.meta.url));
  if (existsSync(compiled)) return compiled;
  return fileURLToPath(new URL("../../dist/bundle/", import.meta.url));
}

/**
 * Answers requests for the client bundle files under `path`. Files are read once and kept in
 * memory with their compressed forms.
 *
 * @example
 * ```ts
 * const files = new ClientFileServer("/socket.io/");
 * httpServer.on("request", (req, res) => {
 *   if (!files.handle(req, res)) res.writeHead(404).end();
 * });
 * ```
 */
export class ClientFileServer {
  readonly #path: string;
  readonly #dir: string;
  readonly #cache = new Map<string, CachedFile | null>();

  /** `path` ends with "/"; `dir` defaults to {@link defaultBundleDir}. */
  constructor(path: string, dir?: string) {
    this.#path = path.endsWith("/") ? path : path + "/";
    const folder = dir ?? defaultBundleDir();
    this.#dir = folder.endsWith("/") ? folder : folder + "/";
  }

  /** Whether `url` names one of the bundle files under the path. */
  matches(url: string | undefined): boolean {
    return this.#fileName(url) !== undefined;
  }

  /**
   * Answers `req` when it asks for a bundle file (404 when the bundle was not built);
   * returns false, without touching `res`, for any other URL.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const name = this.#fileName(req.url);
    if (name === undefined) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" });
      res.end();
      return true;
    }
    const file = this.#load(name);
    if (file === null) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("Not found");
      return true;
    }
    const headers: Record<string, string | number> = {
      "Content-Type": file.type,
      "Cache-Control": "public, max-age=0",
      ETag: file.etag,
      Vary: "Accept-Encoding",
    };
    if (etagMatches(req.headers["if-none-match"], file.etag)) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    let body = file.body;
    const encoding = pickEncoding(req.headers["accept-encoding"]);
    if (encoding === "br") {
      body = file.br ??= brotliCompressSync(file.body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } });
      headers["Content-Encoding"] = "br";
    } else if (encoding === "gzip") {
      body = file.gzip ??= gzipSync(file.body, { level: 9 });
      headers["Content-Encoding"] = "gzip";
    }
    headers["Content-Length"] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  }

  #fileName(url: string | undefined): string | undefined {
    if (url === undefined || !url.startsWith(this.#path)) return undefined;
    const q = url.indexOf("?");
    const name = url.slice(this.#path.length, q === -1 ? url.length : q);
    return CLIENT_FILES.has(name) ? name : undefined;
  }

  #load(name: string): CachedFile | null {
    const cached = this.#cache.get(name);
    if (cached !== undefined) return cached;
    let file: CachedFile;
    try {
      const body = readFileSync(this.#dir + name);
      const etag = '"' + createHash("sha1").update(body).digest("base64url") + '"';
      file = { type: CLIENT_FILES.get(name) as string, body, etag };
    } catch {
      // Not built (yet): answer 404 now and look again next time.
      return null;
    }
    this.#cache.set(name, file);
    return file;
  }
}

/** If-None-Match: "*", one tag, or a comma-separated list; weak tags compare equal (RFC 9110 §13.1.2). */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  for (const item of header.split(",")) {
    const tag = item.trim();
    if (tag === etag || (tag.startsWith("W/") && tag.slice(2) === etag)) return true;
  }
  return false;
}

/** br over gzip when both are acceptable; a coding with q=0 is refused. */
function pickEncoding(header: string | string[] | undefined): "br" | "gzip" | undefined {
  if (typeof header !== "string" || header === "") return undefined;
  let gzip = false;
  let br = false;
  for (const item of header.split(",")) {
    const [coding = "", ...params] = item.trim().toLowerCase().split(";");
    const refused = params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
    if (refused) continue;
    if (coding === "br") br = true;
    else if (coding === "gzip" || coding === "*") gzip = true;
  }
  return br ? "br" : gzip ? "gzip" : undefined;
}
