// The in-memory adapters: rooms in one process, with or without connection state recovery.
export { MemoryAdapter } from "./memory-adapter.js";
export { SessionAwareAdapter } from "./session-aware-adapter.js";
