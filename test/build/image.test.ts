/**
 * The command as the Docker image ships it: package.json and the bundle (what `node scripts/build.ts
 * --bundle-only` writes to dist/), and nothing else: no node_modules, no src/. Built here from the sources as they
 * are, never from a dist/ left over in the checkout. It must print its release, serve the dev cluster (whose
 * watchdog is a file beside the bundle) and its reference page, and load the OpenTelemetry chunks when tracing is on.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { bundle } from "../../scripts/bundle.ts"
import { NomadSimulator } from "../sim/nomad/NomadSimulator.ts"
import { fetchAt, startCli } from "../support/cli.ts"
import { eventually } from "../support/eventually.ts"
import { startOtlpReceiver } from "../support/otlpReceiver.ts"

const project = fileURLToPath(new URL("../..", import.meta.url))
const release = (JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as { version: string }).version
const image = mkdtempSync(join(tmpdir(), "faas-nomad-image-"))
const command = join(image, "dist", "faas-nomad.js")

beforeAll(async () => {
  copyFileSync(join(project, "package.json"), join(image, "package.json"))
  mkdirSync(join(image, "dist"))
  await bundle(join(image, "dist"))
}, 120_000)
afterAll(() => rmSync(image, { recursive: true, force: true }))

describe("the command as the Docker image ships it", () => {
  it("is what the Dockerfile's runtime stage copies and starts, and nothing can reach a node_modules", () => {
    const dockerfile = readFileSync(join(project, "Dockerfile"), "utf8")
    const runtime = dockerfile.slice(dockerfile.indexOf("AS runtime"))
    const copied = [...runtime.matchAll(/^COPY (.*)$/gm)].map((m) => m[1])
    assert.deepStrictEqual(copied, ["--from=build /app/package.json ./", "--from=build /app/dist ./dist"])
    assert.include(runtime, `ENTRYPOINT ["node", "/app/dist/faas-nomad.js"]`)
    assert.throws(() => createRequire(command).resolve("effect"), /Cannot find module/)
  })

  it("prints its release", () => {
    const result = spawnSync(process.execPath, [command, "--version"], { encoding: "utf8" })
    assert.strictEqual(result.stderr, "")
    assert.strictEqual(result.stdout, `faas-nomad ${release}\n`)
  })

  it.live("serves the dev cluster: /healthz, the reference page, a deploy, and an invocation the watchdog beside it answers", () =>
    Effect.gen(function*() {
      const provider = yield* startCli(["dev"], {}, command)
      assert.strictEqual((yield* fetchAt(provider.url, "GET", "/healthz")).status, 200)
      // The reference page carries Scalar's script, from the bundle's own chunk: never a CDN.
      const docs = yield* fetchAt(provider.url, "GET", "/system/docs")
      assert.strictEqual(docs.status, 200)
      assert.include(docs.text, "window.Scalar.createApiReference")
      assert.notInclude(docs.text, "<script src=")
      const deployed = yield* fetchAt(provider.url, "POST", "/system/functions", {
        service: "hello",
        image: "functions/alpine:latest",
        envProcess: "cat"
      })
      assert.strictEqual(deployed.status, 202)
      const invoked = yield* eventually(
        fetchAt(provider.url, "POST", "/function/hello", "Hi there"),
        (reply) => reply.status === 200
      )
      assert.strictEqual(invoked.text, "Hi there")
      assert.strictEqual(yield* Effect.promise(provider.terminate), 0)
    }))

  it.live("traces with the OpenTelemetry SDK, loaded from its own chunks only when an endpoint is set", () =>
    Effect.gen(function*() {
      const receiver = yield* startOtlpReceiver
      const nomad = yield* NomadSimulator.scoped()
      const provider = yield* startCli(["start", "--service-discovery", "nomad", "--secrets-backend", "nomad"], {
        NOMAD_ADDR: nomad.url,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_BSP_SCHEDULE_DELAY: "20"
      }, command)
      assert.strictEqual(
        (yield* fetchAt(provider.url, "POST", "/system/functions", { service: "traced", image: "x:1" })).status,
        202
      )
      const span = yield* receiver.span((s) => s.kind === 2 && s.name === "POST /system/functions")
      assert.strictEqual(span.service, "faas-nomad")
    }))
})
