// The session cookie set on the handshake response when the `cookie` option is on (for sticky
// load balancing). Formatted as RFC 6265 §4.1 Set-Cookie.

/**
 * The `cookie` option in its object form. `true` means all the defaults:
 * `io=<sid>; Path=/; HttpOnly; SameSite=Lax`.
 *
 * @example
 * ```ts
 * attach(httpServer, { cookie: { name: "lb", sameSite: "strict", secure: true } });
 * ```
 */
export interface CookieOptions {
  /** Cookie name; `"io"` by default. */
  name?: string;
  /** `Path`; `"/"` by default; `false` leaves it out (and turns `HttpOnly` off unless set). */
  path?: string | false;
  /** `HttpOnly`; on by default (unless `path` is `false`). */
  httpOnly?: boolean;
  /** `SameSite`; `"lax"` by default; `true` means `"strict"`, `false` leaves it out. */
  sameSite?: boolean | "lax" | "strict" | "none";
  secure?: boolean;
  domain?: string;
  /** `Max-Age` in seconds. */
  maxAge?: number;
  expires?: Date;
  partitioned?: boolean;
  priority?: "low" | "medium" | "high";
}

const SAME_SITE: Readonly<Record<string, string>> = { lax: "Lax", strict: "Strict", none: "None" };
const PRIORITY: Readonly<Record<string, string>> = { low: "Low", medium: "Medium", high: "High" };

/**
 * The Set-Cookie value carrying a session id.
 *
 * @example
 * ```ts
 * formatSessionCookie(true, "abc"); // "io=abc; Path=/; HttpOnly; SameSite=Lax"
 * formatSessionCookie({ name: "lb", httpOnly: false }, "abc"); // "lb=abc; Path=/; SameSite=Lax"
 * ```
 */
export function formatSessionCookie(options: true | CookieOptions, sid: string): string {
  const o: CookieOptions = options === true ? {} : options;
  const path = o.path === undefined ? "/" : o.path;
  const httpOnly = o.httpOnly ?? path !== false;
  const sameSite = o.sameSite === undefined ? "lax" : o.sameSite === true ? "strict" : o.sameSite;
  let out = `${o.name ?? "io"}=${encodeURIComponent(sid)}`;
  if (o.maxAge !== undefined) out += `; Max-Age=${Math.floor(o.maxAge)}`;
  if (o.domain !== undefined) out += `; Domain=${o.domain}`;
  if (path !== false) out += `; Path=${path}`;
  if (o.expires !== undefined) out += `; Expires=${o.expires.toUTCString()}`;
  if (httpOnly) out += "; HttpOnly";
  if (o.secure === true) out += "; Secure";
  if (o.partitioned === true) out += "; Partitioned";
  if (o.priority !== undefined) out += `; Priority=${PRIORITY[o.priority] ?? o.priority}`;
  if (sameSite !== false) out += `; SameSite=${SAME_SITE[sameSite] ?? sameSite}`;
  return out;
}
