// The pure protocol codecs: Engine.IO v4 packets and payloads, Socket.IO v5 packets.
export * from "./bytes.js";
export * from "./engine-packet.js";
