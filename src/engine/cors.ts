// Cross-origin resource sharing for the polling transport and the WebSocket Origin check.
// Nothing is added unless the `cors` option is set; an origin that is not allowed gets no
// Access-Control-Allow-Origin header (the browser then refuses the response).

import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Decides an origin asynchronously: call `callback(null, true)` to allow it, `false` to refuse it,
 * or hand back a string / RegExp / list that the origin is then matched against.
 *
 * @example
 * ```ts
 * const origin: CorsOriginFunction = (origin, cb) => cb(null, origin?.endsWith(".example.com") ?? false);
 * ```
 */
export type CorsOriginFunction = (
  origin: string | undefined,
  callback: (err: Error | null, allow?: boolean | string | RegExp | readonly (string | RegExp)[]) => void,
) => void;

/**
 * Which origins may read responses: `"*"` or `true` (any; `true` echoes the request's origin),
 * one exact origin, a RegExp, a list of those, or a function deciding per request.
 *
 * @example
 * ```ts
 * const origin: CorsOrigin = ["https://app.example.com", /\.example\.org$/];
 * ```
 */
export type CorsOrigin = boolean | string | RegExp | readonly (string | RegExp)[] | CorsOriginFunction;

/**
 * The `cors` option of the engine, shaped like the `cors` npm package's options.
 *
 * @example
 * ```ts
 * attach(httpServer, { cors: { origin: "https://app.example.com", credentials: true } });
 * ```
 */
export interface CorsOptions {
  /** Allowed origins; `"*"` when omitted. */
  origin?: CorsOrigin;
  /** Sends `Access-Control-Allow-Credentials: true`. */
  credentials?: boolean;
  /** Preflight `Access-Control-Allow-Methods`; `GET,HEAD,PUT,PATCH,POST,DELETE` when omitted. */
  methods?: string | readonly string[];
  /** Preflight `Access-Control-Allow-Headers`; the request's `Access-Control-Request-Headers` echoed when omitted. */
  allowedHeaders?: string | readonly string[];
  /** `Access-Control-Expose-Headers` on every response. */
  exposedHeaders?: string | readonly string[];
  /** Preflight `Access-Control-Max-Age`, in seconds. */
  maxAge?: number;
  /** Status of an answered preflight [204] (some old browsers want 200). */
  optionsSuccessStatus?: number;
  /** Give preflights their CORS headers but let them go on to the middlewares instead of answering them [false]. */
  preflightContinue?: boolean;
}

/**
 * The `cors` option as a function, asked for each request (the `cors` npm package's delegate):
 * `callback(null, options)` applies those options to this request; an error refuses it.
 *
 * @example
 * ```ts
 * const cors: CorsOptionsDelegate = (req, cb) => cb(null, { origin: req.headers.host === "admin.example" ? "https://admin.example" : false });
 * ```
 */
export type CorsOptionsDelegate = (req: IncomingMessage, callback: (err: Error | null, options?: CorsOptions) => void) => void;

const DEFAULT_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE";

function joinList(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value.join(",");
}

/**
 * Whether `origin` matches a static allow rule (exact string, RegExp or a list of them).
 *
 * @example
 * ```ts
 * matchOrigin("https://a.example", ["https://a.example", /\.b\.example$/]); // true
 * matchOrigin("https://evil.example", /\.b\.example$/); // false
 * ```
 */
export function matchOrigin(origin: string, rule: string | RegExp | readonly (string | RegExp)[]): boolean {
  if (typeof rule === "string") return rule === origin;
  if (rule instanceof RegExp) {
    // A global or sticky RegExp keeps state between test() calls: start over every time.
    rule.lastIndex = 0;
    return rule.test(origin);
  }
  for (let i = 0; i < rule.length; i++) {
    if (matchOrigin(origin, rule[i] as string | RegExp)) return true;
  }
  return false;
}

/**
 * A compiled `cors` option: answers which `Access-Control-Allow-Origin` a request gets and
 * writes the CORS headers on responses.
 *
 * @example
 * ```ts
 * const cors = new CorsPolicy({ origin: ["https://a.example"], credentials: true });
 * cors.allowOrigin("https://a.example"); // "https://a.example"
 * cors.allowOrigin("https://b.example"); // null
 * ```
 */
export class CorsPolicy {
  /** True when the origin is a rule (not `"*"` / `true`), so a WebSocket from elsewhere is refused. */
  readonly restrictsOrigin: boolean;
  /** True when deciding needs {@link resolveOrigin} (a function origin). */
  readonly isAsync: boolean;
  readonly #origin: CorsOrigin;
  readonly #credentials: boolean;
  readonly #methods: string;
  readonly #allowedHeaders: string | undefined;
  readonly #exposedHeaders: string | undefined;
  readonly #maxAge: string | undefined;
  readonly #successStatus: number;
  /** Preflights get their headers and go on to the middlewares (`preflightContinue`). */
  readonly preflightContinues: boolean;

  constructor(options: CorsOptions) {
    this.#origin = options.origin ?? "*";
    this.restrictsOrigin = this.#origin !== "*" && this.#origin !== true && this.#origin !== false;
    this.isAsync = typeof this.#origin === "function";
    this.#credentials = options.credentials === true;
    this.#methods = joinList(options.methods) ?? DEFAULT_METHODS;
    this.#allowedHeaders = joinList(options.allowedHeaders);
    this.#exposedHeaders = joinList(options.exposedHeaders);
    this.#maxAge = options.maxAge === undefined ? undefined : String(options.maxAge);
    this.#successStatus = options.optionsSuccessStatus ?? 204;
    this.preflightContinues = options.preflightContinue === true;
  }

  /**
   * The `Access-Control-Allow-Origin` value for a request from `origin` under a static rule
   * (`null`: none). For a function origin use {@link resolveOrigin}.
   *
   * @example
   * ```ts
   * new CorsPolicy({}).allowOrigin(undefined); // "*"
   * new CorsPolicy({ origin: true }).allowOrigin("https://x.example"); // "https://x.example"
   * ```
   */
  allowOrigin(origin: string | undefined): string | null {
    return CorsPolicy.#decide(this.#origin as Exclude<CorsOrigin, CorsOriginFunction>, origin);
  }

  static #decide(rule: boolean | string | RegExp | readonly (string | RegExp)[], origin: string | undefined): string | null {
    if (rule === "*") return "*";
    if (rule === false) return null;
    if (origin === undefined) return null;
    if (rule === true) return origin;
    return matchOrigin(origin, rule) ? origin : null;
  }

  /**
   * Like {@link allowOrigin}, for any rule including a function origin. An error from the
   * function refuses the origin.
   *
   * @example
   * ```ts
   * await new CorsPolicy({ origin: (o, cb) => cb(null, true) }).resolveOrigin("https://x.example"); // "https://x.example"
   * ```
   */
  resolveOrigin(origin: string | undefined): Promise<string | null> {
    const rule = this.#origin;
    if (typeof rule !== "function") return Promise.resolve(this.allowOrigin(origin));
    return new Promise((resolve) => {
      let settled = false;
      try {
        rule(origin, (err, allow) => {
          if (settled) return;
          settled = true;
          resolve(err !== null && err !== undefined ? null : CorsPolicy.#decide(allow ?? false, origin));
        });
      } catch {
        if (!settled) {
          settled = true;
          resolve(null);
        }
      }
    });
  }

  /**
   * Sets the headers of an actual (non-preflight) response for an allowed origin.
   *
   * @example
   * ```ts
   * const allowed = cors.allowOrigin(req.headers.origin);
   * if (allowed !== null) cors.setHeaders(res, allowed);
   * ```
   */
  setHeaders(res: ServerResponse, allowOrigin: string): void {
    res.setHeader("Access-Control-Allow-Origin", allowOrigin);
    if (allowOrigin !== "*") res.setHeader("Vary", "Origin");
    if (this.#credentials) res.setHeader("Access-Control-Allow-Credentials", "true");
    if (this.#exposedHeaders !== undefined) res.setHeader("Access-Control-Expose-Headers", this.#exposedHeaders);
  }

  /**
   * Answers a preflight `OPTIONS` request: `optionsSuccessStatus` (204) with the allow headers
   * (none but `Vary` when the origin is not allowed).
   *
   * @example
   * ```ts
   * if (req.method === "OPTIONS") return cors.answerPreflight(req, res, cors.allowOrigin(req.headers.origin));
   * ```
   */
  answerPreflight(req: IncomingMessage, res: ServerResponse, allowOrigin: string | null): void {
    this.setPreflightHeaders(req, res, allowOrigin);
    res.writeHead(this.#successStatus, { "Content-Length": "0" });
    res.end();
  }

  /**
   * The headers of a preflight answer, without answering it (`preflightContinue`).
   *
   * @example
   * ```ts
   * cors.setPreflightHeaders(req, res, cors.allowOrigin(req.headers.origin));
   * ```
   */
  setPreflightHeaders(req: IncomingMessage, res: ServerResponse, allowOrigin: string | null): void {
    if (allowOrigin !== null) {
      this.setHeaders(res, allowOrigin);
      res.setHeader("Access-Control-Allow-Methods", this.#methods);
      let allowHeaders = this.#allowedHeaders;
      if (allowHeaders === undefined) {
        allowHeaders = req.headers["access-control-request-headers"];
        res.setHeader("Vary", allowOrigin === "*" ? "Access-Control-Request-Headers" : "Origin, Access-Control-Request-Headers");
      }
      if (allowHeaders !== undefined && allowHeaders !== "") res.setHeader("Access-Control-Allow-Headers", allowHeaders);
      if (this.#maxAge !== undefined) res.setHeader("Access-Control-Max-Age", this.#maxAge);
    } else if (this.restrictsOrigin) {
      res.setHeader("Vary", "Origin");
    }
  }
}

/**
 * A {@link CorsOptionsDelegate} and the policies it has given: the same options object is compiled
 * once. The delegate's answer comes once: a second call of its callback, or a throw after the
 * first, is ignored.
 *
 * @example
 * ```ts
 * new CorsDelegate(delegate).policyFor(req, (err, policy) => err === null ? use(policy) : refuse(err));
 * ```
 */
export class CorsDelegate {
  readonly #delegate: CorsOptionsDelegate;
  readonly #policies = new WeakMap<CorsOptions, CorsPolicy>();
  readonly #defaults = new CorsPolicy({});

  constructor(delegate: CorsOptionsDelegate) {
    this.#delegate = delegate;
  }

  policyFor(req: IncomingMessage, done: (err: unknown, policy: CorsPolicy) => void): void {
    let settled = false;
    const answer = (err: unknown, options?: CorsOptions): void => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) {
        done(err, this.#defaults);
        return;
      }
      if (options === undefined) {
        done(null, this.#defaults);
        return;
      }
      let policy = this.#policies.get(options);
      if (policy === undefined) this.#policies.set(options, (policy = new CorsPolicy(options)));
      done(null, policy);
    };
    try {
      this.#delegate(req, answer);
    } catch (err) {
      // Thrown after answering: from our own continuation, not the delegate's decision.
      if (settled) throw err;
      answer(err);
    }
  }
}
