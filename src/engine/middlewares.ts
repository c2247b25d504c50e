// Express-style middlewares on the engine's HTTP requests (`engine.use`, as in socket.io 4.6+):
// every polling request and WebSocket upgrade under the path goes through them, in order, after
// CORS and before the engine looks at the request.

import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseQueryString } from "node:querystring";
import type { ParsedUrlQuery } from "node:querystring";

/**
 * A middleware of `engine.use`: Express's `(req, res, next)`. On a WebSocket upgrade `res` is an
 * {@link UpgradeResponse}: headers it sets go into the 101 response.
 *
 * @example
 * ```ts
 * const logger: EngineMiddleware = (req, _res, next) => { console.log(req.url); next(); };
 * ```
 */
export type EngineMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** The request as middlewares see it: socket.io's `req._query`, every query parameter parsed. */
export interface MiddlewareRequest extends IncomingMessage {
  _query?: ParsedUrlQuery;
}

/**
 * Runs `middlewares` on one request in order, then `done`: with `undefined` once the last has
 * called `next()`, or with the error one passed to `next(err)` or threw. A middleware that answers
 * the request itself and never calls `next` ends the chain there. Each `next` counts once; the
 * chain goes on only after the middleware has returned, so an error thrown further on is not
 * taken for the middleware's.
 *
 * @example
 * ```ts
 * runMiddlewares([helmet()], req, res, (err) => (err === undefined ? handle(req, res) : refuse(err)));
 * ```
 */
export function runMiddlewares(middlewares: readonly EngineMiddleware[], req: MiddlewareRequest, res: ServerResponse, done: (err: unknown) => void): void {
  // socket.io's middlewares read the parsed query here (`req._query.sid === undefined`: the handshake).
  if (req._query === undefined) {
    const url = req.url ?? "";
    const q = url.indexOf("?");
    req._query = q === -1 ? {} : parseQueryString(url.slice(q + 1));
  }
  step(middlewares, 0, req, res, done);
}

const NOT_CALLED = Symbol("not called");

function step(middlewares: readonly EngineMiddleware[], index: number, req: MiddlewareRequest, res: ServerResponse, done: (err: unknown) => void): void {
  if (index === middlewares.length) {
    done(undefined);
    return;
  }
  let returned = false;
  let outcome: unknown = NOT_CALLED;
  const proceed = (err: unknown): void => {
    if (err !== undefined && err !== null) done(err);
    else step(middlewares, index + 1, req, res, done);
  };
  const next = (err?: unknown): void => {
    if (outcome !== NOT_CALLED) return;
    outcome = err;
    if (returned) proceed(err);
  };
  try {
    (middlewares[index] as EngineMiddleware)(req, res, next);
  } catch (error) {
    if (outcome === NOT_CALLED) outcome = error ?? new Error("middleware threw");
  }
  returned = true;
  if (outcome !== NOT_CALLED) proceed(outcome);
}
