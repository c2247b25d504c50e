// Where to connect: "http://host:3000/admin?x=1" → origin, namespace, query. Relative and
// scheme-less URLs resolve against the page (`location`) as the official client does.

/**
 * A parsed connection URL.
 *
 * @example
 * ```ts
 * parseUrl("ws://localhost:3000/chat?token=1"); // { origin: "http://localhost:3000", nsp: "/chat", query: "token=1" }
 * ```
 */
export interface ParsedUrl {
  /** "http(s)://host[:port]" (ws/wss become http/https). */
  origin: string;
  /** The namespace: the URL's path ("/" by default). */
  nsp: string;
  /** The query string without "?", or "". */
  query: string;
}

/**
 * Parses a connection URL; no URL means the page's own origin.
 *
 * @example
 * ```ts
 * parseUrl("localhost:3000").origin; // "https://localhost:3000" outside a page
 * parseUrl("/admin").nsp;            // "/admin", on the page's origin
 * ```
 */
export function parseUrl(uri?: string): ParsedUrl {
  const loc = (globalThis as { location?: Location }).location;
  let text = uri ?? (loc === undefined ? "" : loc.protocol + "//" + loc.host);
  // "host:port/path" has no scheme: use the page's, or https.
  if (!/^[a-z][a-z\d+.-]*:\/\//i.test(text) && !text.startsWith("/")) text = (loc === undefined ? "https:" : loc.protocol) + "//" + text;
  const url = new URL(text, loc?.href);
  const protocol = url.protocol.replace(/^ws/, "http");
  return { origin: protocol + "//" + url.host, nsp: url.pathname, query: url.search.slice(1) };
}

/**
 * Encodes a query object (or normalizes a string) as a query string.
 *
 * @example
 * ```ts
 * encodeQuery({ token: "a b", n: 1 }); // "token=a+b&n=1"
 * encodeQuery("?x=1");                 // "x=1"
 * ```
 */
export function encodeQuery(query: string | Record<string, unknown> | undefined): string {
  return new URLSearchParams(query as Record<string, string> | undefined).toString();
}
