/**
 * GET /system/openapi.json: the document generated from the declaration is
 * valid OpenAPI 3.1 (checked by @readme/openapi-parser, against the
 * specification's own schema and its rules), carries the schemas'
 * descriptions and examples, sits behind basic auth like every /system
 * route, and lists exactly the routes the server answers: all but the
 * invocation proxy, outside the API by design, and the 405s for methods
 * /system/secrets does not take.
 */
import { NodeServices } from "@effect/platform-node"
import { afterAll, assert, layer } from "@effect/vitest"
import { compileErrors, validate } from "@readme/openapi-parser"
import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import type { OpenApi } from "effect/http-api"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ProviderConfig } from "../../src/config/ProviderConfig.ts"
import { ProviderRoutes } from "../../src/http/ProviderRoutes.ts"
import { DevCluster } from "../../src/layers/DevCluster.ts"
import * as EchoRunner from "../../src/layers/memory/EchoRunner.ts"
import { Telemetry } from "../../src/layers/Telemetry.ts"
import { ProviderServices } from "../../src/provider/ProviderServices.ts"
import { providerPort, send } from "../support/rawHttp.ts"
import { testApp } from "../support/testApp.ts"

const secrets = mkdtempSync(join(tmpdir(), "faas-nomad-openapi-"))
afterAll(() => rmSync(secrets, { recursive: true, force: true }))
writeFileSync(join(secrets, "basic-auth-user"), "admin")
writeFileSync(join(secrets, "basic-auth-password"), "pw")
const env = { basic_auth: "true", secret_mount_path: secrets }
const authorization = `Basic ${Buffer.from("admin:pw").toString("base64")}`

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const

/** `METHOD /path/:param` for each operation of the document. */
const operations = (document: OpenApi.OpenAPISpec): Array<string> =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    methods.filter((method) => (item as Record<string, unknown>)[method] !== undefined).map((method) =>
      `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`
    )
  )

/** Every route `ProviderRoutes` adds to a router, as `METHOD /path`: recorded by a router that also serves them. */
const routesAdded = Effect.gen(function*() {
  const added: Array<string> = []
  const router = yield* HttpRouter.make
  const recording = HttpRouter.HttpRouter.of({
    ...router,
    add: (method, path, handler, options) => {
      added.push(`${method} ${path}`)
      return router.add(method, path, handler, options)
    },
    addAll: (routes) => {
      for (const route of routes) added.push(`${route.method} ${route.path}`)
      return router.addAll(routes)
    }
  })
  yield* Layer.build(
    ProviderRoutes.pipe(
      Layer.provide(Layer.succeed(HttpRouter.HttpRouter)(recording)),
      Layer.provide(ProviderServices),
      Layer.provide(DevCluster(EchoRunner.layer)),
      Layer.provide(Telemetry),
      Layer.provide(NodeServices.layer),
      Layer.provide(ProviderConfig.layerFromEnv(env))
    )
  )
  return added
})

/** What the server answers outside the document, each for a reason. */
const outside = (route: string) =>
  route === "* /function/*" || // the invocation proxy: the hot path, outside HttpApi
  (route.endsWith(" /system/secrets") && !/^(GET|POST|PUT|DELETE) /.test(route)) // 405 for the other methods

layer(testApp({ env }), { excludeTestServices: true })("GET /system/openapi.json", (it) => {
  const fetchDocument = Effect.gen(function*() {
    const port = yield* providerPort
    const answer = yield* Effect.promise(() => send(port, "GET", "/system/openapi.json", { authorization }))
    assert.strictEqual(answer.status, 200)
    assert.strictEqual(answer.headers["content-type"], "application/json")
    return JSON.parse(answer.text) as OpenApi.OpenAPISpec
  })

  it.effect("is behind basic auth, as every /system route", () =>
    Effect.gen(function*() {
      const port = yield* providerPort
      for (const path of ["/system/openapi.json", "/system/docs"]) {
        const refused = yield* Effect.promise(() => send(port, "GET", path))
        assert.strictEqual(refused.status, 401, path)
        assert.strictEqual(refused.headers["www-authenticate"], `Basic realm="Restricted"`)
      }
    }))

  it.effect("is a valid OpenAPI 3.1 document", () =>
    Effect.gen(function*() {
      const document = yield* fetchDocument
      assert.strictEqual(document.openapi, "3.1.0")
      const result = yield* Effect.promise(() => validate(structuredClone(document) as never))
      assert.isTrue(result.valid, result.valid ? "" : compileErrors(result))
      assert.deepStrictEqual(result.warnings, [])
    }))

  it.effect("lists exactly the routes the server answers", () =>
    Effect.gen(function*() {
      const document = yield* fetchDocument
      const listed = operations(document).sort()
      const added = yield* routesAdded
      assert.deepStrictEqual([...new Set(added.filter((route) => !outside(route)))].sort(), listed)
      assert.isTrue(added.includes("* /function/*") && added.includes("PATCH /system/secrets"), "the exceptions exist")
      // And each listed route answers: with the right credentials, never "no route".
      const port = yield* providerPort
      for (const route of listed) {
        const [method, path] = route.split(" ") as [string, string]
        const answer = yield* Effect.promise(() =>
          send(
            port,
            method,
            path.replace(":name", "some-fn"),
            { authorization, "content-type": "application/json" },
            method === "GET" ? undefined : "{}"
          )
        )
        assert.notInclude(answer.text, "no route for", route)
        assert.notStrictEqual(answer.status, 401, route)
      }
    }))

  it.effect("carries the schemas' descriptions and examples, and each error's status with an example of its text", () =>
    Effect.gen(function*() {
      const document = yield* fetchDocument
      const deploy = document.paths["/system/functions"]!.post!
      const body = (deploy.requestBody as { content: Record<string, { schema: any }> }).content["application/json"]!
      const service = body.schema.properties.service
      assert.strictEqual(service.description, "The function's name, a DNS-1123 label")
      assert.deepStrictEqual(service.examples, ["figlet"])
      assert.deepStrictEqual(Object.keys(deploy.responses).sort(), [
        "202",
        "400",
        "401",
        "409",
        "413",
        "502",
        "503",
        "504"
      ])
      const status = document.paths["/system/function/{name}"]!.get!
      const notFound = status.responses[404]!.content!["text/plain; charset=utf-8"]!.schema as { $ref: string }
      const schemaName = notFound.$ref.replace("#/components/schemas/", "")
      assert.deepStrictEqual(
        (document.components.schemas[schemaName] as { examples: Array<string> }).examples,
        [`function "figlet" in namespace "default" not found\n`]
      )
      assert.deepStrictEqual(document.components.securitySchemes, { basic: { type: "http", scheme: "basic" } })
      assert.deepStrictEqual(status.security, [{ basic: [] }])
      assert.deepStrictEqual(document.paths["/healthz"]!.get!.security, [])
    }))
})
