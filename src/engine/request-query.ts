// Reading the request line: the Engine.IO query parameters, and header value validation.

/**
 * The query parameters the engine reads from a request URL.
 *
 * @example
 * ```ts
 * parseQuery("/engine.io/?EIO=4&transport=polling"); // { EIO: "4", transport: "polling", sid: undefined, b64: false }
 * ```
 */
export interface EngineQuery {
  EIO: string | undefined;
  transport: string | undefined;
  sid: string | undefined;
  b64: boolean;
}

function decodeComponent(value: string): string | undefined {
  if (value.indexOf("%") === -1 && value.indexOf("+") === -1) return value;
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/**
 * Reads EIO, transport, sid and b64 from a request URL; null when the query does not decode.
 * The first occurrence of a repeated key wins.
 *
 * @example
 * ```ts
 * parseQuery("/engine.io/?EIO=4&transport=websocket&sid=abc")?.sid; // "abc"
 * ```
 */
export function parseQuery(url: string | undefined): EngineQuery | null {
  const query: EngineQuery = { EIO: undefined, transport: undefined, sid: undefined, b64: false };
  if (url === undefined) return query;
  const q = url.indexOf("?");
  if (q === -1) return query;
  let start = q + 1;
  const end = url.length;
  while (start < end) {
    let amp = url.indexOf("&", start);
    if (amp === -1) amp = end;
    const eq = url.indexOf("=", start);
    const hasValue = eq !== -1 && eq < amp;
    const key = url.slice(start, hasValue ? eq : amp);
    if (key === "EIO" || key === "transport" || key === "sid" || key === "b64") {
      const value = decodeComponent(hasValue ? url.slice(eq + 1, amp) : "");
      if (value === undefined) return null;
      if (key === "b64") query.b64 = value !== "0" && value !== "false";
      // The first occurrence wins (a repeated sid must not switch sessions halfway through).
      else if (query[key] === undefined) query[key] = value;
    }
    start = amp + 1;
  }
  return query;
}

/**
 * RFC 9110 §5.5: field values hold no control characters other than HTAB (nor anything past Latin-1).
 *
 * @example
 * ```ts
 * hasInvalidHeaderChar("https://a.example"); // false
 * ```
 */
export function hasInvalidHeaderChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || c > 0xff) return true;
  }
  return false;
}
