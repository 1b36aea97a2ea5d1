/**
 * The `faas-nomad` command as one tree-shaken bundle: rolldown follows `src/main.ts` through every import,
 * keeps only what is used (effect and its platform packages declare their modules free of side effects), and
 * inlines it all, so the bundle runs with no node_modules at all. Code loaded with `import()` (the OpenTelemetry
 * SDK, only when tracing is on) stays in chunks of its own, loaded when asked for. The dev cluster's watchdog
 * host is a process of its own, started by path beside the bundle, so it is an entry too.
 *
 * Written as `<outDir>/faas-nomad.js`, `<outDir>/watchdogHost.js` and `<outDir>/chunks/`. The bundle reads the
 * package's version from `<outDir>/../package.json`, as `src/version.ts` does from `src/`.
 */
import { fileURLToPath } from "node:url"
import { build } from "rolldown"

const root = fileURLToPath(new URL("..", import.meta.url))

/** What starts a process: the command, and the watchdog host the dev cluster starts for its allocations. */
export const bundleEntries = {
  "faas-nomad": "src/main.ts",
  watchdogHost: "src/dev/watchdogHost.ts"
} as const

/** Bundles the command into `outDir`; resolves with the files written, relative to it. */
export const bundle = async (outDir: string): Promise<ReadonlyArray<string>> => {
  const result = await build({
    cwd: root,
    input: bundleEntries,
    platform: "node",
    onLog: (level, log, handle) => {
      // The proxy imports @effect/opentelemetry's tracer tag statically, so that package cannot be a lazy chunk;
      // the SDK and exporters still are. Known, and not worth a line on every install.
      if (log.code !== "INEFFECTIVE_DYNAMIC_IMPORT") handle(level, log)
    },
    output: {
      dir: outDir,
      format: "esm",
      entryFileNames: "[name].js",
      chunkFileNames: "chunks/[name]-[hash].js",
      // Doc comments are a third of the text, and V8 keeps a script's source in the heap for as long as it runs.
      comments: { legal: true, annotation: false, jsdoc: false }
    },
    write: true
  })
  return result.output.map((file) => file.fileName)
}
