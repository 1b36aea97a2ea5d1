/**
 * Where the production build's memory goes, to tell whether loading rarely used modules lazily would matter:
 * faas-nomad's bundle, `start` against the simulators, with one function deployed and invoked once, then stopped.
 * - Source loaded at start, by package: the scripts the bundle imports before it serves (V8 keeps a script's
 *   source for as long as it runs, and compiles what runs).
 * - Live heap by the package whose code allocated it: Node's sampling heap profiler (`--heap-prof`), whose frames
 *   in the bundle map back to modules through the `// node_modules/...` line rolldown writes before each module.
 *   "node internals" is mostly Node reading and compiling the scripts; "module top level" is the bundle's
 *   top-level code, all modules' at once.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { deployFunction, productionBuild, startProvider, startSimulatedCluster, waitUntilAvailable } from "./cluster.ts"
import { startProcess } from "./support.ts"

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly selfSize: number
  readonly children: ReadonlyArray<ProfileNode>
}

/** `node_modules/@scope/name/...` to `@scope/name`, `src/http/...` to `src/http`. */
const packageOf = (module: string) =>
  /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module)?.[1] ??
    (module.startsWith("src/") ? module.split("/").slice(0, 2).join("/") : module)

/** For each line of a bundle file, the package of the module it belongs to. */
const linePackages = (file: string): ReadonlyArray<string> => {
  let current = "(bundle runtime)"
  return readFileSync(file, "utf8").split("\n").map((line) => {
    const marker = /^\/\/ ((?:node_modules|src)\/\S+)$/.exec(line)
    if (marker !== null) current = packageOf(marker[1]!)
    return current
  })
}

/** The bundle's entry and every chunk it imports statically: what runs before the provider serves. */
const loadedAtStart = (entry: string): ReadonlyArray<string> => {
  const seen = new Set<string>()
  const queue = [entry]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    for (const m of readFileSync(file, "utf8").matchAll(/^import (?:[^;]*? from )?"(\.[^"]+)";$/gm)) {
      queue.push(join(dirname(file), m[1]!))
    }
  }
  return [...seen]
}

const table = (title: string, sizes: Map<string, number>, rows: number) => {
  const total = [...sizes.values()].reduce((a, b) => a + b, 0)
  console.log(`${title}: ${(total / 1e6).toFixed(2)} MB`)
  for (const [name, bytes] of [...sizes].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(
      `  ${(bytes / 1e3).toFixed(0).padStart(6)} KB  ${(100 * bytes / total).toFixed(1).padStart(5)}%  ${name}`
    )
  }
}

export const runHeapBench = async () => {
  const command = await productionBuild()
  const upstream = await startProcess<{ port: number }>("processes/upstream.ts", [])
  const cluster = await startSimulatedCluster(upstream.info.port)
  const profiles = mkdtempSync(join(tmpdir(), "faas-nomad-heap-"))
  process.on("exit", () => rmSync(profiles, { recursive: true, force: true }))
  const { child, base } = await startProvider(command, cluster, {
    nodeFlags: ["--heap-prof", "--heap-prof-interval=4096", `--heap-prof-dir=${profiles}`]
  })
  await deployFunction(base, "bench")
  await waitUntilAvailable([base], "bench")
  await fetch(`${base}/function/bench/`).then((r) => r.text())
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const exited = new Promise((resolve) => child.once("exit", resolve))
  child.kill("SIGTERM") // a clean exit writes the profile
  await exited

  const source = new Map<string, number>()
  for (const file of loadedAtStart(command)) {
    const lines = readFileSync(file, "utf8").split("\n")
    const packages = linePackages(file)
    lines.forEach((line, i) => source.set(packages[i]!, (source.get(packages[i]!) ?? 0) + line.length + 1))
  }

  const files = new Map<string, ReadonlyArray<string>>()
  const packageAt = (url: string, line: number) => {
    const path = new URL(url).pathname
    if (!files.has(path)) files.set(path, linePackages(path))
    return files.get(path)![line] ?? "(bundle runtime)"
  }
  const live = new Map<string, number>()
  const walk = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame
    const owner = !url.startsWith("file://")
      ? (url === "" ? "(V8)" : "node internals")
      : lineNumber === 0 && functionName === ""
      ? "(module top level)"
      : packageAt(url, lineNumber)
    if (node.selfSize > 0) live.set(owner, (live.get(owner) ?? 0) + node.selfSize)
    node.children.forEach(walk)
  }
  const [profile] = readdirSync(profiles)
  walk((JSON.parse(readFileSync(join(profiles, profile!), "utf8")) as { head: ProfileNode }).head)

  console.log("\nheap: faas-nomad start, production build, one function deployed and invoked once")
  table("source loaded at start, by package", source, 14)
  table("live heap at exit by the package that allocated it (sampled every 4 KB)", live, 14)
}
