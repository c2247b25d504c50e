// Engine.IO "message" packets encoded once for many sessions: the broadcast fast path.
// Polling recipients share one payload string; WebSocket recipients share pre-built frames,
// made on first WebSocket use (a broadcast to polling clients only never frames anything).

import { WebSocket } from "../websocket/index.js";
import type { PreparedMessage } from "../websocket/index.js";

/**
 * What `engine.prepare()` returns; hand it to `session.sendPrepared()` for each recipient.
 *
 * @example
 * ```ts
 * const prepared = engine.prepare(['2["chat","hi"]']);
 * for (const session of recipients) session.sendPrepared(prepared);
 * ```
 */
export class PreparedPackets {
  /** The messages' data, in order: Socket.IO encoded strings or binary attachments. */
  readonly messages: readonly (string | Uint8Array)[];
  /** Whether the polling response carrying them may be compressed. */
  readonly compress: boolean;
  #payload: string | null = null;
  #texts: readonly string[] | null = null;
  #frames: readonly PreparedMessage[] | null = null;

  constructor(messages: readonly (string | Uint8Array)[], options?: { compress?: boolean }) {
    this.messages = messages;
    this.compress = options?.compress !== false;
  }

  /**
   * The messages as text packets: `"4" + data`, binary as `"b" + base64`.
   *
   * @example
   * ```ts
   * new PreparedPackets(["a", new Uint8Array([1])]).textPackets; // ["4a", "bAQ=="]
   * ```
   */
  get textPackets(): readonly string[] {
    if (this.#texts === null) {
      const messages = this.messages;
      const texts: string[] = new Array<string>(messages.length);
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i] as string | Uint8Array;
        texts[i] = typeof m === "string" ? "4" + m : "b" + Buffer.from(m.buffer, m.byteOffset, m.byteLength).toString("base64");
      }
      this.#texts = texts;
    }
    return this.#texts;
  }

  /**
   * The polling payload: the text packets joined by the record separator.
   *
   * @example
   * ```ts
   * new PreparedPackets(["a", "b"]).pollingPayload; // "4a\x1e4b"
   * ```
   */
  get pollingPayload(): string {
    return (this.#payload ??= this.textPackets.join("\x1e"));
  }

  /**
   * One prepared WebSocket frame per message (text frames `"4" + data`, binary frames raw).
   *
   * @example
   * ```ts
   * for (const frame of prepared.websocketFrames) ws.sendPrepared(frame);
   * ```
   */
  get websocketFrames(): readonly PreparedMessage[] {
    if (this.#frames === null) {
      const messages = this.messages;
      const frames: PreparedMessage[] = new Array<PreparedMessage>(messages.length);
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i] as string | Uint8Array;
        frames[i] = typeof m === "string" ? WebSocket.prepare("4" + m) : WebSocket.prepare(m, { binary: true });
      }
      this.#frames = frames;
    }
    return this.#frames;
  }
}
