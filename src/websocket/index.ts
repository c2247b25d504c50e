// Filled in by its own issue; the subpath export exists from the start so the package shape is stable.
export {};
