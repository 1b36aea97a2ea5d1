/**
 * Preloaded into faas-nomad by the scale and autoscaler benchmarks (`node --expose-gc --import <this module> ...`).
 * Asked over the IPC channel, it collects garbage and answers with `process.memoryUsage()`: "gc" is a full collection;
 * "pressure" is the collection V8 makes under memory pressure, which also hands the free pages it keeps for reuse
 * back to the system. It only listens; the provider runs as it always does. JavaScript, not TypeScript: a
 * TypeScript preload would make Node load its type stripper into the process being measured.
 */
process.on("message", (message) => {
  if (message === "pressure") globalThis.gc?.({ type: "major", execution: "sync", flavor: "last-resort" })
  else if (message === "gc") globalThis.gc?.()
  else return
  process.send?.(process.memoryUsage())
})
