/**
 * The parameters of one extension offer: name → every value it was given (`true` for a parameter
 * without a value). A Map, so hostile names such as `__proto__` are only data.
 */
export type ExtensionParams = Map<string, Array<string | true>>;

/** Extension name → its offers, in header order. */
export type ExtensionOffers = Map<string, ExtensionParams[]>;

/** RFC 7230 §3.2.6 tchar, indexed by char code. */
const TOKEN_CHARS = (() => {
  const table = new Uint8Array(128);
  for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") table[c.charCodeAt(0)] = 1;
  return table;
})();

/**
 * Whether `code` is a tchar (RFC 7230 §3.2.6).
 *
 * @example
 * ```ts
 * isTokenChar("a".charCodeAt(0)); // true
 * isTokenChar(",".charCodeAt(0)); // false
 * ```
 */
export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN_CHARS[code] === 1;
}

/**
 * Whether `value` is a non-empty RFC 7230 token.
 *
 * @example
 * ```ts
 * isToken("permessage-deflate"); // true
 * isToken("a b"); // false
 * ```
 */
export function isToken(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!isTokenChar(value.charCodeAt(i))) return false;
  return true;
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) break;
    i++;
  }
  return i;
}

function skipToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

/**
 * Parses a `Sec-WebSocket-Extensions` header (RFC 6455 §9.1) in one linear pass. Parameter
 * values may be tokens or quoted strings whose unescaped content is a token. Throws a
 * `SyntaxError` on anything else.
 *
 * @example
 * ```ts
 * const offers = parseExtensions("permessage-deflate; client_max_window_bits, permessage-deflate");
 * offers.get("permessage-deflate")?.[0]?.get("client_max_window_bits"); // [true]
 * ```
 */
export function parseExtensions(header: string): ExtensionOffers {
  const offers: ExtensionOffers = new Map();
  const n = header.length;
  let i = 0;
  while (true) {
    i = skipSpaces(header, i);
    const nameStart = i;
    i = skipToken(header, i);
    if (i === nameStart) throw syntaxError(header, i);
    const name = header.slice(nameStart, i);
    const params: ExtensionParams = new Map();
    i = skipSpaces(header, i);
    while (i < n && header.charCodeAt(i) === 0x3b /* ; */) {
      i = skipSpaces(header, i + 1);
      const paramStart = i;
      i = skipToken(header, i);
      if (i === paramStart) throw syntaxError(header, i);
      const param = header.slice(paramStart, i);
      let value: string | true = true;
      i = skipSpaces(header, i);
      if (i < n && header.charCodeAt(i) === 0x3d /* = */) {
        i = skipSpaces(header, i + 1);
        if (i < n && header.charCodeAt(i) === 0x22 /* " */) {
          let unquoted = "";
          let runStart = ++i;
          while (true) {
            if (i >= n) throw syntaxError(header, i);
            const c = header.charCodeAt(i);
            if (c === 0x22) break;
            if (c === 0x5c /* \ */) {
              unquoted += header.slice(runStart, i);
              if (++i >= n) throw syntaxError(header, i);
              runStart = i;
            }
            i++;
          }
          unquoted += header.slice(runStart, i);
          i++;
          // RFC 6455 §9.1: a quoted value must be a token once unescaped.
          if (!isToken(unquoted)) throw syntaxError(header, i);
          value = unquoted;
        } else {
          const valueStart = i;
          i = skipToken(header, i);
          if (i === valueStart) throw syntaxError(header, i);
          value = header.slice(valueStart, i);
        }
        i = skipSpaces(header, i);
      }
      const values = params.get(param);
      if (values === undefined) params.set(param, [value]);
      else values.push(value);
    }
    const list = offers.get(name);
    if (list === undefined) offers.set(name, [params]);
    else list.push(params);
    if (i >= n) return offers;
    if (header.charCodeAt(i) !== 0x2c /* , */) throw syntaxError(header, i);
    i++;
  }
}

function syntaxError(header: string, index: number): SyntaxError {
  return new SyntaxError(
    index >= header.length ? "Unexpected end of Sec-WebSocket-Extensions header" : `Unexpected character at index ${index}`,
  );
}

/**
 * Formats extensions for a `Sec-WebSocket-Extensions` header: each entry is a name and its
 * parameters (`true` for a parameter without a value).
 *
 * @example
 * ```ts
 * formatExtensions([["permessage-deflate", new Map([["client_max_window_bits", 10]])]]);
 * // "permessage-deflate; client_max_window_bits=10"
 * ```
 */
export function formatExtensions(entries: Iterable<readonly [string, ReadonlyMap<string, string | number | true>]>): string {
  const parts: string[] = [];
  for (const [name, params] of entries) {
    let part = name;
    for (const [param, value] of params) part += value === true ? `; ${param}` : `; ${param}=${value}`;
    parts.push(part);
  }
  return parts.join(", ");
}
