// The pure protocol codecs shared by server and client: Engine.IO v4 packets and payloads,
// Socket.IO v5 packets with binary attachments. No I/O, no timers, browser-safe.
export * from "./bytes.js";
export * from "./engine-packet.js";
export * from "./binary.js";
export * from "./socket-packet.js";
export * from "./json-text.js";
export type * from "./parser.js";
