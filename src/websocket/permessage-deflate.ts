import zlib from "node:zlib";
import type { ExtensionParams } from "./extension.js";
import { WebSocketError } from "./errors.js";
import { Limiter } from "./limiter.js";
import type { Utf8Validator } from "./validation.js";

/** The extension token of RFC 7692. */
export const PERMESSAGE_DEFLATE = "permessage-deflate";

/** RFC 7692 §7.2.1: the tail a sync flush leaves, removed on send and appended before inflating. */
const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/**
 * permessage-deflate settings (RFC 7692). On the server they bound what is accepted from the
 * client's offers; on the client they shape the offer.
 *
 * @example
 * ```ts
 * new WebSocketServer({ port: 0, perMessageDeflate: { threshold: 256, serverMaxWindowBits: 12 } });
 * ```
 */
export interface PerMessageDeflateOptions {
  /** Messages below this many bytes are sent uncompressed. Default 1024. */
  threshold?: number;
  /** Most zlib jobs running at once for all the sockets of a server (or all clients). Default 10. */
  concurrencyLimit?: number;
  /** Ask that the server resets its compressor after each message. */
  serverNoContextTakeover?: boolean;
  /** Ask that the client resets its compressor after each message. */
  clientNoContextTakeover?: boolean;
  /** Largest LZ77 window (8-15) the server may compress with; `true` means offer the parameter without a value (client). */
  serverMaxWindowBits?: number | boolean;
  /** Largest LZ77 window (8-15) the client may compress with; `true` means "offer the parameter without a value". */
  clientMaxWindowBits?: number | boolean;
  /** Passed to `zlib.createDeflateRaw` (windowBits is set by negotiation). */
  zlibDeflateOptions?: zlib.ZlibOptions;
  /** Passed to `zlib.createInflateRaw` (windowBits is set by negotiation). */
  zlibInflateOptions?: zlib.ZlibOptions;
}

/** The agreed parameters (RFC 7692 §7.1), window sizes resolved to numbers. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/** Options after defaults, with the limiter they share. */
export interface ResolvedDeflateOptions {
  readonly options: PerMessageDeflateOptions;
  readonly threshold: number;
  readonly limiter: Limiter;
}

let defaultClientLimiter: Limiter | undefined;

/**
 * Applies defaults. A server resolves once and shares the limiter between its sockets; clients
 * share one process-wide limiter unless they set their own `concurrencyLimit`.
 *
 * @example
 * ```ts
 * const resolved = resolveDeflateOptions(true, true);
 * resolved.threshold; // 1024
 * ```
 */
export function resolveDeflateOptions(value: boolean | PerMessageDeflateOptions, ownLimiter: boolean): ResolvedDeflateOptions {
  const options = typeof value === "object" ? value : {};
  const threshold = options.threshold ?? 1024;
  let limiter: Limiter;
  if (ownLimiter || options.concurrencyLimit !== undefined) limiter = new Limiter(options.concurrencyLimit ?? 10);
  else limiter = defaultClientLimiter ??= new Limiter(10);
  return { options, threshold, limiter };
}

function windowBitsValue(values: Array<string | true> | undefined, allowNoValue: boolean): number | true | undefined | null {
  if (values === undefined) return undefined;
  if (values.length !== 1) return null;
  const value = values[0]!;
  if (value === true) return allowNoValue ? true : null;
  if (!/^(?:[89]|1[0-5])$/.test(value)) return null;
  return Number(value);
}

function flagValue(values: Array<string | true> | undefined): boolean | null {
  if (values === undefined) return false;
  return values.length === 1 && values[0] === true ? true : null;
}

const KNOWN_PARAMS = new Set(["server_no_context_takeover", "client_no_context_takeover", "server_max_window_bits", "client_max_window_bits"]);

function configuredBits(value: number | boolean | undefined): number | undefined {
  return typeof value === "number" && value >= 8 && value <= 15 ? value : undefined;
}

/**
 * Server side of RFC 7692 §7.1: picks the first acceptable offer and returns the agreed parameters
 * plus the response parameters, or `null` to decline (no acceptable offer; the handshake goes on
 * without compression). Offers with unknown or repeated parameters or invalid values are declined.
 *
 * @example
 * ```ts
 * const offers = parseExtensions("permessage-deflate; client_max_window_bits").get("permessage-deflate")!;
 * negotiateServer(offers, {})?.response; // Map { "client_max_window_bits" => 15 }
 * ```
 */
export function negotiateServer(
  offers: readonly ExtensionParams[],
  options: PerMessageDeflateOptions,
): { params: DeflateParams; response: Map<string, number | true> } | null {
  for (const offer of offers) {
    let known = true;
    for (const name of offer.keys()) if (!KNOWN_PARAMS.has(name)) known = false;
    if (!known) continue;
    const serverNoContext = flagValue(offer.get("server_no_context_takeover"));
    const clientNoContext = flagValue(offer.get("client_no_context_takeover"));
    const serverBits = windowBitsValue(offer.get("server_max_window_bits"), false);
    const clientBits = windowBitsValue(offer.get("client_max_window_bits"), true);
    if (serverNoContext === null || clientNoContext === null || serverBits === null || clientBits === null) continue;

    const response = new Map<string, number | true>();
    const params: DeflateParams = {
      serverNoContextTakeover: serverNoContext || options.serverNoContextTakeover === true,
      clientNoContextTakeover: clientNoContext || options.clientNoContextTakeover === true,
      serverMaxWindowBits: 15,
      clientMaxWindowBits: 15,
    };
    if (params.serverNoContextTakeover) response.set("server_no_context_takeover", true);
    if (params.clientNoContextTakeover) response.set("client_no_context_takeover", true);

    const ownServerBits = configuredBits(options.serverMaxWindowBits);
    if (serverBits !== undefined || ownServerBits !== undefined) {
      params.serverMaxWindowBits = Math.min((serverBits as number | undefined) ?? 15, ownServerBits ?? 15);
      response.set("server_max_window_bits", params.serverMaxWindowBits);
    }
    // RFC 7692 §7.1.2.2: client_max_window_bits may only be answered if the client offered it.
    if (clientBits !== undefined) {
      const ownClientBits = configuredBits(options.clientMaxWindowBits);
      const offered = clientBits === true ? 15 : clientBits;
      params.clientMaxWindowBits = Math.min(offered, ownClientBits ?? 15);
      if (ownClientBits !== undefined || clientBits !== true) response.set("client_max_window_bits", params.clientMaxWindowBits);
    }
    return { params, response };
  }
  return null;
}

/**
 * The client's offer (RFC 7692 §7.1) built from its options; `client_max_window_bits` is always
 * offered so the server may shrink our window.
 *
 * @example
 * ```ts
 * clientOffer({}); // Map { "client_max_window_bits" => true }
 * ```
 */
export function clientOffer(options: PerMessageDeflateOptions): Map<string, number | true> {
  const offer = new Map<string, number | true>();
  if (options.serverNoContextTakeover === true) offer.set("server_no_context_takeover", true);
  if (options.clientNoContextTakeover === true) offer.set("client_no_context_takeover", true);
  const serverBits = configuredBits(options.serverMaxWindowBits);
  if (serverBits !== undefined) offer.set("server_max_window_bits", serverBits);
  else if (options.serverMaxWindowBits === true) offer.set("server_max_window_bits", true);
  offer.set("client_max_window_bits", configuredBits(options.clientMaxWindowBits) ?? true);
  return offer;
}

/**
 * Client side of RFC 7692 §7.1: checks the server's response against what we offered and
 * returns the agreed parameters. Throws a `WebSocketError` (`WS_ERR_HANDSHAKE`) when the response
 * must fail the connection.
 *
 * @example
 * ```ts
 * acceptServerResponse(new Map([["server_no_context_takeover", [true]]]), {}).serverNoContextTakeover; // true
 * ```
 */
export function acceptServerResponse(response: ExtensionParams, options: PerMessageDeflateOptions): DeflateParams {
  const fail = (why: string): never => {
    throw new WebSocketError("WS_ERR_HANDSHAKE", `Invalid permessage-deflate response: ${why}`);
  };
  for (const name of response.keys()) if (!KNOWN_PARAMS.has(name)) fail(`unknown parameter "${name}"`);
  const serverNoContext = flagValue(response.get("server_no_context_takeover"));
  const clientNoContext = flagValue(response.get("client_no_context_takeover"));
  const serverBits = windowBitsValue(response.get("server_max_window_bits"), false);
  const clientBits = windowBitsValue(response.get("client_max_window_bits"), false);
  if (serverNoContext === null) fail("bad server_no_context_takeover");
  if (clientNoContext === null) fail("bad client_no_context_takeover");
  if (serverBits === null || serverBits === true) fail("bad server_max_window_bits");
  if (clientBits === null || clientBits === true) fail("bad client_max_window_bits");
  const ownServerBits = configuredBits(options.serverMaxWindowBits);
  if (options.serverNoContextTakeover === true && serverNoContext !== true) fail("server_no_context_takeover was requested");
  if (ownServerBits !== undefined && (serverBits === undefined || (serverBits as number) > ownServerBits)) {
    fail("server_max_window_bits larger than requested");
  }
  const ownClientBits = configuredBits(options.clientMaxWindowBits);
  if (ownClientBits !== undefined && clientBits !== undefined && (clientBits as number) > ownClientBits) {
    fail("client_max_window_bits larger than offered");
  }
  return {
    serverNoContextTakeover: serverNoContext === true,
    clientNoContextTakeover: clientNoContext === true || options.clientNoContextTakeover === true,
    serverMaxWindowBits: (serverBits as number | undefined) ?? 15,
    clientMaxWindowBits: (clientBits as number | undefined) ?? ownClientBits ?? 15,
  };
}

/** Called once per compress/decompress job. */
export type DeflateCallback = (error: WebSocketError | null, data: Buffer) => void;

const kOwner = Symbol("permessage-deflate owner");
type OwnedZlib<T> = T & { [kOwner]: PerMessageDeflate };

/**
 * One connection's permessage-deflate state: a raw deflate stream for what we send, a raw inflate
 * stream for what we receive (kept across messages when context takeover is on), both run through
 * the shared {@link Limiter}. The caller serializes jobs: at most one compress and one decompress
 * in flight, which keeps messages in order.
 *
 * @example
 * ```ts
 * const pmd = new PerMessageDeflate(resolved, params, true, 100 * 1024 * 1024);
 * pmd.compress(Buffer.from("hello".repeat(500)), true, (err, data) => { ... });
 * ```
 */
export class PerMessageDeflate {
  readonly threshold: number;
  readonly params: DeflateParams;
  /** Our compressor's window; zlib cannot do 8 for raw deflate, so then we never compress. */
  readonly canCompress: boolean;
  readonly #resolved: ResolvedDeflateOptions;
  readonly #isServer: boolean;
  readonly #maxPayload: number;
  #deflate: OwnedZlib<zlib.DeflateRaw> | null = null;
  #inflate: OwnedZlib<zlib.InflateRaw> | null = null;
  #deflateChunks: Buffer[] = [];
  #deflateLength = 0;
  #inflateChunks: Buffer[] = [];
  #inflateLength = 0;
  #inflateError: WebSocketError | null = null;
  #inflateValidator: Utf8Validator | null = null;
  #inflateCallback: DeflateCallback | null = null;
  #deflateCallback: DeflateCallback | null = null;
  #closed = false;

  constructor(resolved: ResolvedDeflateOptions, params: DeflateParams, isServer: boolean, maxPayload: number) {
    this.#resolved = resolved;
    this.threshold = resolved.threshold;
    this.params = params;
    this.#isServer = isServer;
    this.#maxPayload = maxPayload;
    this.canCompress = (isServer ? params.serverMaxWindowBits : params.clientMaxWindowBits) >= 9;
  }

  /** The response/offer parameters formatted for the handshake header. */
  static format(params: Map<string, number | true>): string {
    let out = PERMESSAGE_DEFLATE;
    for (const [name, value] of params) out += value === true ? `; ${name}` : `; ${name}=${value}`;
    return out;
  }

  /**
   * Compresses one message (or fragment). With `fin`, the trailing 00 00 FF FF is removed and the
   * context is reset if we agreed not to keep it.
   */
  compress(data: Buffer, fin: boolean, callback: DeflateCallback): void {
    this.#resolved.limiter.add((done) => {
      if (this.#closed) {
        done();
        callback(closedError(), data);
        return;
      }
      const deflate = this.#getDeflate();
      this.#deflateCallback = (error, result) => {
        this.#deflateCallback = null;
        done();
        callback(error, result);
      };
      deflate.write(data);
      deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        const cb = this.#deflateCallback;
        if (cb === null) return; // closed meanwhile
        let out = this.#deflateChunks.length === 1 ? this.#deflateChunks[0]! : Buffer.concat(this.#deflateChunks, this.#deflateLength);
        this.#deflateChunks = [];
        this.#deflateLength = 0;
        if (fin) {
          out = out.subarray(0, out.length - 4);
          const noContext = this.#isServer ? this.params.serverNoContextTakeover : this.params.clientNoContextTakeover;
          if (noContext) deflate.reset();
        }
        cb(null, out);
      });
    });
  }

  /**
   * Inflates one compressed frame payload. The inflated size of the whole message counts against
   * `maxPayload` (a deflate bomb stops at once with 1009); a `validator` checks text as it comes
   * out, so invalid UTF-8 stops inflating too (1007). With `fin` the message is complete and is
   * passed to the callback; without it the callback gets an empty buffer.
   */
  decompress(data: Buffer, fin: boolean, validator: Utf8Validator | null, callback: DeflateCallback): void {
    this.#resolved.limiter.add((done) => {
      if (this.#closed) {
        done();
        callback(closedError(), data);
        return;
      }
      const inflate = this.#getInflate();
      this.#inflateValidator = validator;
      this.#inflateCallback = (error, result) => {
        this.#inflateCallback = null;
        done();
        callback(error, result);
      };
      inflate.write(data);
      if (fin) inflate.write(TRAILER);
      inflate.flush(() => {
        const cb = this.#inflateCallback;
        if (cb === null) return; // already failed through 'error', or closed
        if (this.#inflateError !== null) {
          cb(this.#inflateError, EMPTY);
          return;
        }
        if (!fin) {
          cb(null, EMPTY);
          return;
        }
        const out = this.#inflateChunks.length === 1 ? this.#inflateChunks[0]! : Buffer.concat(this.#inflateChunks, this.#inflateLength);
        this.#inflateChunks = [];
        this.#inflateLength = 0;
        const noContext = this.#isServer ? this.params.clientNoContextTakeover : this.params.serverNoContextTakeover;
        if (noContext) inflate.reset();
        cb(null, out);
      });
    });
  }

  /** Frees the zlib streams; a job in flight and later jobs complete with an error. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#deflate !== null) {
      this.#deflate.close();
      this.#deflate = null;
    }
    if (this.#inflate !== null) {
      this.#inflate.close();
      this.#inflate = null;
    }
    this.#deflateChunks = [];
    this.#inflateChunks = [];
    const deflateCallback = this.#deflateCallback;
    if (deflateCallback !== null) deflateCallback(closedError(), EMPTY);
    const inflateCallback = this.#inflateCallback;
    if (inflateCallback !== null) inflateCallback(closedError(), EMPTY);
  }

  #getDeflate(): OwnedZlib<zlib.DeflateRaw> {
    if (this.#deflate === null) {
      const windowBits = this.#isServer ? this.params.serverMaxWindowBits : this.params.clientMaxWindowBits;
      const deflate = zlib.createDeflateRaw({ ...this.#resolved.options.zlibDeflateOptions, windowBits }) as OwnedZlib<zlib.DeflateRaw>;
      deflate[kOwner] = this;
      deflate.on("data", deflateOnData);
      deflate.on("error", zlibOnIgnoredError);
      this.#deflate = deflate;
    }
    return this.#deflate;
  }

  #getInflate(): OwnedZlib<zlib.InflateRaw> {
    if (this.#inflate === null) {
      // Inflating with the largest window reads data compressed with any smaller one.
      const inflate = zlib.createInflateRaw({ ...this.#resolved.options.zlibInflateOptions, windowBits: 15 }) as OwnedZlib<zlib.InflateRaw>;
      inflate[kOwner] = this;
      inflate.on("data", inflateOnData);
      inflate.on("error", inflateOnError);
      this.#inflate = inflate;
    }
    return this.#inflate;
  }

  /** @internal */
  static onDeflateData(pmd: PerMessageDeflate, chunk: Buffer): void {
    pmd.#deflateChunks.push(chunk);
    pmd.#deflateLength += chunk.length;
  }

  /** @internal */
  static onInflateData(pmd: PerMessageDeflate, chunk: Buffer): void {
    if (pmd.#inflateError !== null) return;
    pmd.#inflateLength += chunk.length;
    if (pmd.#maxPayload > 0 && pmd.#inflateLength > pmd.#maxPayload) {
      pmd.#failInflate(new WebSocketError("WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", "Max payload size exceeded", 1009));
      return;
    }
    if (pmd.#inflateValidator !== null && !pmd.#inflateValidator.write(chunk)) {
      pmd.#failInflate(new WebSocketError("WS_ERR_INVALID_UTF8", "Invalid UTF-8 sequence", 1007));
      return;
    }
    pmd.#inflateChunks.push(chunk);
  }

  /** @internal */
  static onInflateError(pmd: PerMessageDeflate, error: Error): void {
    pmd.#inflate = null;
    pmd.#inflateChunks = [];
    const cb = pmd.#inflateCallback;
    // After a limit stopped the stream, zlib may choke on the rest of the input: the limit is the reason.
    const reported = pmd.#inflateError ?? new WebSocketError("WS_ERR_INFLATE", `Invalid compressed data: ${error.message}`, 1007, undefined, error);
    if (cb !== null) cb(reported, EMPTY);
  }

  /** Stops inflating at once: no more output is kept, and the stream is dropped. */
  #failInflate(error: WebSocketError): void {
    this.#inflateError = error;
    this.#inflateChunks = [];
    const inflate = this.#inflate;
    if (inflate !== null) {
      inflate.removeListener("data", inflateOnData);
      inflate.reset();
    }
  }
}

const EMPTY = Buffer.alloc(0);

function closedError(): WebSocketError {
  return new WebSocketError("WS_ERR_NOT_OPEN", "The connection was closed", 1006);
}

function deflateOnData(this: OwnedZlib<zlib.DeflateRaw>, chunk: Buffer): void {
  PerMessageDeflate.onDeflateData(this[kOwner], chunk);
}

function inflateOnData(this: OwnedZlib<zlib.InflateRaw>, chunk: Buffer): void {
  PerMessageDeflate.onInflateData(this[kOwner], chunk);
}

function inflateOnError(this: OwnedZlib<zlib.InflateRaw>, error: Error): void {
  PerMessageDeflate.onInflateError(this[kOwner], error);
}

function zlibOnIgnoredError(): void {
  // A deflate stream only errors after close(); nothing is waiting for it then.
}
