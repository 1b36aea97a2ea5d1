/**
 * What the benchmarks run faas-nomad against, as a user runs it: `faas-nomad start` on the Nomad and Consul
 * simulators (in this process), where every allocation is answered by one upstream function. The provider runs
 * from its production build (the bundle, laid out as the Docker image has it, built here from the sources as they
 * are) or from source (the checkout's bin).
 */
import type { ChildProcess } from "node:child_process"
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bundle } from "../scripts/bundle.ts"
import { type ConsulSimulator, startConsulSimulator } from "../test/sim/consul/ConsulSimulator.ts"
import { type NomadSimulator, startNomadSimulator } from "../test/sim/nomad/NomadSimulator.ts"
import { benchFile, freePort, startQuietProcess, waitForHttp } from "./support.ts"

export interface SimulatedCluster {
  readonly nomad: NomadSimulator
  /** Without Consul, functions register in Nomad and the provider finds them there. */
  readonly consul?: ConsulSimulator
}

/** Nomad and Consul simulators; Nomad registers services in Consul, and runs every task as `upstreamPort`. */
export const startSimulatedCluster = async (
  upstreamPort: number
): Promise<{ readonly nomad: NomadSimulator; readonly consul: ConsulSimulator }> => {
  const consul = await startConsulSimulator()
  const nomad = await startNomadSimulator({
    consul: consul.state,
    driver: {
      start: () => Promise.resolve({ address: "127.0.0.1", port: upstreamPort }),
      stop: () => Promise.resolve()
    }
  })
  return { nomad, consul }
}

/** The production build in a temporary folder (removed at exit), as the image has it: package.json and dist/. */
export const productionBuild = async (): Promise<string> => {
  const image = mkdtempSync(join(tmpdir(), "faas-nomad-bench-"))
  process.on("exit", () => rmSync(image, { recursive: true, force: true }))
  copyFileSync(benchFile("../package.json"), join(image, "package.json"))
  await bundle(join(image, "dist"))
  return join(image, "dist", "faas-nomad.js")
}

/**
 * The environment the image gives the bundle: the runtime stage's `ENV NAME=value` lines that name no build
 * argument (NODE_ENV, MALLOC_ARENA_MAX), read from the Dockerfile so the benchmark cannot drift from it.
 */
export const imageEnvironment = (): Record<string, string> => {
  const dockerfile = readFileSync(benchFile("../Dockerfile"), "utf8")
  const runtime = dockerfile.slice(dockerfile.indexOf(" AS runtime"))
  return Object.fromEntries([...runtime.matchAll(/^ENV (\w+)=([^\s$]+)$/gm)].map((m) => [m[1]!, m[2]!]))
}

export interface RunningProvider {
  readonly child: ChildProcess
  readonly base: string
}

/**
 * `faas-nomad start` against the cluster, secrets in Nomad, once it answers /healthz.
 * `command` is the production build's path, run with the image's environment, or "source" for the checkout's
 * bin. `ipc` opens a channel to it.
 */
export const startProvider = async (
  command: string,
  cluster: SimulatedCluster,
  options: {
    readonly nodeFlags?: ReadonlyArray<string>
    readonly ipc?: boolean
    /** More `faas-nomad start` flags. */
    readonly args?: ReadonlyArray<string>
  } = {}
): Promise<RunningProvider> => {
  const port = await freePort()
  const script = command === "source" ? benchFile("../bin/faas-nomad.js") : command
  const child = startQuietProcess([
    ...(options.nodeFlags ?? []),
    script,
    "start",
    ...[
      ["--port", String(port)],
      ["--bind-address", "127.0.0.1"],
      ["--nomad-addr", cluster.nomad.url],
      cluster.consul === undefined
        ? ["--service-discovery", "nomad"]
        : ["--service-discovery", "consul", "--consul-http-addr", cluster.consul.url.replace("http://", "")],
      ["--secrets-backend", "nomad"],
      ["--log-level", "error"],
      options.args ?? []
    ].flat()
  ], { ipc: options.ipc ?? false, env: command === "source" ? {} : imageEnvironment() })
  const base = `http://127.0.0.1:${port}`
  await waitForHttp(`${base}/healthz`)
  return { child, base }
}

/** Deploys `name` (one instance) through the provider at `base`. */
export const deployFunction = async (base: string, name: string) => {
  const deployed = await fetch(`${base}/system/functions`, {
    method: "POST",
    body: JSON.stringify({ service: name, image: "bench/upstream:1" })
  })
  await deployed.text()
  if (deployed.status !== 202) throw new Error(`deploy of ${name} answered ${deployed.status}`)
}

/** Waits until every provider in `bases` sees `name` with one available instance. */
export const waitUntilAvailable = (bases: ReadonlyArray<string>, name: string) =>
  Promise.all(bases.map((base) =>
    waitForHttp(
      `${base}/system/function/${name}`,
      (status, body) => status === 200 && JSON.parse(body).availableReplicas === 1
    )
  ))
