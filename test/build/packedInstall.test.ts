/**
 * The package as a user gets it: `npm pack` (whose `prepare` builds dist/), installed from the tarball into a
 * fresh Effect app, where the README's library snippet typechecks against the package's .d.ts, serves, and stops,
 * and the installed `faas-nomad` bin runs. Offline: the app installs from the npm cache `npm ci` filled, through
 * a lockfile pinned to the project's own versions. Nothing is left behind: the project is packed from a copy of
 * its sources (its own dist/ is not touched), npm gets a private cache holding copies of the tarballs it needs,
 * and its logs go to the scratch directory, which is removed.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync, type SpawnSyncReturns } from "node:child_process"
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { ConsulSimulator } from "../sim/consul/ConsulSimulator.ts"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import { fetchAt, startListening } from "../support/cli.ts"
import { eventually } from "../support/eventually.ts"
import { echoDriver } from "../support/simDriver.ts"

const project = fileURLToPath(new URL("../..", import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), "faas-nomad-pack-"))
const app = join(scratch, "app")
const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as {
  readonly version: string
  readonly license: string
  readonly bin: Record<string, string>
  readonly engines: Record<string, string>
  readonly dependencies: Record<string, string>
}

interface LockedPackage {
  readonly version: string
  readonly integrity: string
  readonly dev?: boolean
  readonly devOptional?: boolean
}
const lockfile = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")) as {
  readonly packages: Record<string, LockedPackage>
}

/** npm as `npm test` ran it (else the one on PATH), with none of its settings but a private cache and log folder. */
const npm = (args: ReadonlyArray<string>, cwd: string): SpawnSyncReturns<string> => {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith("npm_") && value !== undefined) env[name] = value
  }
  env["npm_config_cache"] = join(scratch, "npm-cache")
  env["npm_config_logs_dir"] = join(scratch, "npm-logs")
  env["npm_config_update_notifier"] = "false"
  const cli = process.env["npm_execpath"]
  return spawnSync(cli === undefined ? "npm" : process.execPath, cli === undefined ? args : [cli, ...args], {
    cwd,
    env,
    encoding: "utf8"
  })
}
const succeeded = (result: SpawnSyncReturns<string>, what: string) => {
  if (result.status !== 0) throw new Error(`${what} failed (${result.status}):\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

/** Where npm keeps what `npm ci` downloaded: cacache's content store, `<cache>/_cacache/content-v2/<algo>/<hex>`. */
const userCache = () =>
  process.env["npm_config_cache"] ?? succeeded(npm(["config", "get", "cache"], project), "npm config get cache").trim()
const contentPath = (cache: string, integrity: string) => {
  const [algorithm, base64] = integrity.split("-") as [string, string]
  const hex = Buffer.from(base64, "base64").toString("hex")
  return join(cache, "_cacache", "content-v2", algorithm, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4))
}

/** The README's library snippet, on an ephemeral loopback port instead of 8081. */
const readmeSnippet = () => {
  const readme = readFileSync(join(project, "README.md"), "utf8")
  const section = readme.slice(readme.indexOf("## Use it as a library"))
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1]
  if (snippet === undefined || !snippet.includes("{ port: 8081 }")) throw new Error("README: no library snippet")
  return snippet.replace("{ port: 8081 }", `{ port: 0, host: "127.0.0.1" }`)
}

let packed: { readonly filename: string; readonly integrity: string; readonly files: ReadonlyArray<string> }

beforeAll(() => {
  // Pack a copy of what the package is made from, so the checkout's own dist/ is neither used nor rewritten.
  const copy = join(scratch, "project")
  for (
    const entry of ["package.json", "package-lock.json", "README.md", ".npmrc", "tsconfig.json", "tsconfig.build.json"]
  ) {
    if (existsSync(join(project, entry))) cpSync(join(project, entry), join(copy, entry))
  }
  for (const folder of ["bin", "src", "scripts"]) cpSync(join(project, folder), join(copy, folder), { recursive: true })
  symlinkSync(join(project, "node_modules"), join(copy, "node_modules"), "dir")
  const output = succeeded(npm(["pack", "--json", "--pack-destination", scratch], copy), "npm pack")
  // `prepare` writes to stdout too: the JSON report is what follows it.
  const [report] = JSON.parse(output.slice(output.indexOf("[\n"))) as Array<{
    filename: string
    integrity: string
    files: Array<{ path: string }>
  }>
  packed = { filename: report!.filename, integrity: report!.integrity, files: report!.files.map((f) => f.path) }

  // A fresh Effect app whose lockfile pins the package's dependencies to the versions the project was tested with.
  const cache = userCache()
  const tarball = `file:../${packed.filename}`
  const dependencies = {
    effect: lockfile.packages["node_modules/effect"]!.version,
    "@effect/platform-node": lockfile.packages["node_modules/@effect/platform-node"]!.version,
    "faas-nomad": tarball
  }
  const packages: Record<string, unknown> = {
    "": { name: "effect-app", dependencies },
    "node_modules/faas-nomad": {
      version: manifest.version,
      resolved: tarball,
      integrity: packed.integrity,
      license: manifest.license,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      engines: manifest.engines
    }
  }
  for (const [path, locked] of Object.entries(lockfile.packages)) {
    if (path === "" || locked.dev === true || locked.devOptional === true) continue
    const name = path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length)
    const basename = name.slice(name.indexOf("/") + 1)
    packages[path] = { ...locked, resolved: `https://registry.npmjs.org/${name}/-/${basename}-${locked.version}.tgz` }
    const source = contentPath(cache, locked.integrity)
    if (!existsSync(source)) throw new Error(`${name}@${locked.version} is not in the npm cache ${cache}: run npm ci`)
    const target = contentPath(join(scratch, "npm-cache"), locked.integrity)
    mkdirSync(dirname(target), { recursive: true })
    copyFileSync(source, target)
  }
  mkdirSync(app)
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "effect-app", private: true, type: "module", dependencies })
  )
  writeFileSync(
    join(app, "package-lock.json"),
    JSON.stringify({ name: "effect-app", lockfileVersion: 3, requires: true, packages })
  )
  succeeded(npm(["install", "--offline", "--no-audit", "--no-fund"], app), "npm install --offline")
  writeFileSync(join(app, "main.ts"), readmeSnippet())
}, 300_000)
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe("the packed package, installed into a fresh Effect app", () => {
  it("holds the library (ES modules and .d.ts), the command's bundle and the bin, and no tests", () => {
    for (const file of [
      "bin/faas-nomad.js",
      "dist/faas-nomad.js",
      "dist/watchdogHost.js",
      "dist/index.js",
      "dist/index.d.ts"
    ]) {
      assert.include(packed.files, file)
    }
    assert.isFalse(packed.files.some((f) => f.startsWith("test/") || f.startsWith("bench/")))
  })

  it("typechecks the README's snippet against the package's .d.ts", () => {
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: ["node"],
          strict: true,
          noEmit: true,
          skipLibCheck: true
        },
        include: ["main.ts"]
      })
    )
    const tsc = spawnSync(process.execPath, [join(project, "node_modules", "typescript", "bin", "tsc"), "-p", app], {
      encoding: "utf8"
    })
    assert.strictEqual(tsc.status, 0, tsc.stdout)
  })

  it.live("runs the README's snippet: the provider's API and the app's own route answer, then it stops", () =>
    Effect.gen(function*() {
      const consul = yield* ConsulSimulator.scoped()
      const nomad = yield* NomadSimulator.scoped({ driver: echoDriver(), consul: consul.state })
      const embedded = yield* startListening(process.execPath, ["main.ts"], {
        cwd: app,
        env: { NOMAD_ADDR: nomad.url, CONSUL_HTTP_ADDR: consul.url.replace("http://", ""), secrets_backend: "nomad" }
      })
      assert.strictEqual((yield* fetchAt(embedded.url, "GET", "/hello")).text, "hello")
      const deployed = yield* fetchAt(embedded.url, "POST", "/system/functions", { service: "embedded", image: "x:1" })
      assert.strictEqual(deployed.status, 202)
      const invoked = yield* eventually(
        fetchAt(embedded.url, "POST", "/function/embedded/path", "through the app"),
        (reply) => reply.status === 200
      )
      assert.strictEqual(JSON.parse(invoked.text).body, "through the app")
      // SIGTERM interrupts the app's main fiber: it closes its layers and exits by itself, with the code
      // NodeRuntime.runMain gives an interrupted program (130), not killed by the signal (null).
      assert.strictEqual(yield* Effect.promise(embedded.terminate), 130)
    }))

  it("installs a faas-nomad bin that runs the bundle (Node strips no types under node_modules)", () => {
    const result = spawnSync(join(app, "node_modules", ".bin", "faas-nomad"), ["--version"], { encoding: "utf8" })
    assert.strictEqual(result.stderr, "")
    assert.strictEqual(result.stdout, `faas-nomad ${manifest.version}\n`)
  })
})
