/**
 * The faas-provider API answer by answer, byte for byte: for good and bad
 * input, each route's status, framing headers and whole body, as faas-cli
 * and the gateway read them. Written against the hand-made routes before the
 * API was declared with HttpApi, and kept unchanged through that switch: the
 * declaration answers exactly as the routes did.
 */
import { afterAll, assert, describe, it, layer } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { MemoryCluster } from "../../src/layers/memory/MemoryCluster.ts"
import { release, sha } from "../../src/version.ts"
import type { Fault, SimServer } from "../sim/SimServer.ts"
import {
  assertAnswer,
  empty,
  type Expected,
  jsonBody,
  problem,
  time,
  withoutTimes
} from "../support/contractAnswers.ts"
import { openRequest, providerPort, rest, send } from "../support/rawHttp.ts"
import { simulatedDependencies } from "../support/simulatedDependencies.ts"
import { liveApp, testApp } from "../support/testApp.ts"

type Step = readonly [
  method: string,
  path: string,
  body: unknown,
  expected: Expected,
  headers?: Readonly<Record<string, string>>
]

/** Waits for the in-memory cluster's starts and stops, where there is one: a step reads what the last one did. */
const settle = Effect.flatMap(
  Effect.serviceOption(MemoryCluster),
  (cluster) => (Option.isSome(cluster) ? cluster.value.settled : Effect.void)
)

/** Sends each step on a connection of its own, in order, and compares the answer; bodies that are not strings go as JSON. */
const run = (steps: ReadonlyArray<Step>) =>
  Effect.gen(function*() {
    const port = yield* providerPort
    for (const [method, path, body, expected, headers] of steps) {
      const raw = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body)
      const answer = yield* Effect.promise(() =>
        send(port, method, path, headers ?? (raw === undefined ? {} : { "content-type": "application/json" }), raw)
      )
      assertAnswer(withoutTimes(answer), expected, `${method} ${path} ${raw ?? ""}`)
      if (method !== "GET") yield* settle
    }
  })

const dns1123 =
  "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit"
const notOpenFaaS = (namespace: string) =>
  `namespace "${namespace}" is not an OpenFaaS namespace: create it in Nomad with Meta openfaas=true, or use the default namespace`
const status = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  image: "x:1",
  namespace: "default",
  labels: { faas_function: name },
  annotations: {},
  invocationCount: 0,
  replicas: 1,
  availableReplicas: 1,
  createdAt: time,
  ...extra
})

/** The deployment sent first, and its status: as it was sent, keys and all, in the provider's order. */
const deployment = {
  service: "echo-fn",
  image: "x:1",
  envProcess: "cat",
  envVars: { Z: "1", A: "2" },
  labels: { b: "2", a: "1" },
  annotations: { note: "line one\nline two" },
  limits: { cpu: "100m", memory: "64Mi" },
  requests: { memory: "32Mi" },
  constraints: ["node.datacenter == dc1"],
  secrets: [],
  readOnlyRootFilesystem: true,
  unknownKey: { ignored: true }
}
const echoed = {
  name: "echo-fn",
  image: "x:1",
  namespace: "default",
  envProcess: "cat",
  envVars: { Z: "1", A: "2" },
  constraints: ["node.datacenter == dc1"],
  labels: { b: "2", a: "1", faas_function: "echo-fn" },
  annotations: { note: "line one\nline two" },
  limits: { memory: "64Mi", cpu: "100m" },
  requests: { memory: "32Mi" },
  readOnlyRootFilesystem: true,
  invocationCount: 0,
  replicas: 1,
  availableReplicas: 1,
  createdAt: time
}
const listed = jsonBody([echoed, status("null-fn"), status("plain-fn"), status("untyped-fn")])

layer(testApp(), { excludeTestServices: true })("the API contract", (it) => {
  it.effect("functions: deploy, read, list, update, scale, delete, and every way to get them wrong", () =>
    run([
      ["GET", "/system/functions", undefined, jsonBody([])],
      ["POST", "/system/functions", deployment, empty(202)],
      ["GET", "/system/function/echo-fn", undefined, jsonBody(echoed)],
      [
        "POST",
        "/system/functions",
        { service: "echo-fn", image: "x:1" },
        problem(409, `function "echo-fn" in namespace "default" already exists; update it with PUT /system/functions`)
      ],
      // Lenient as Go's decoder: any content type, null maps and lists, unknown keys.
      ["POST", "/system/functions", JSON.stringify({ service: "plain-fn", image: "x:1" }), empty(202), {
        "content-type": "text/plain"
      }],
      ["POST", "/system/functions", JSON.stringify({ service: "untyped-fn", image: "x:1" }), empty(202), {}],
      ["POST", "/system/functions", {
        service: "null-fn",
        image: "x:1",
        envVars: null,
        labels: null,
        annotations: null,
        constraints: null,
        secrets: null,
        limits: null,
        requests: null,
        registryAuth: null
      }, empty(202)],
      ["GET", "/system/function/null-fn", undefined, jsonBody(status("null-fn"))],
      ["GET", "/system/functions", undefined, listed],
      ["HEAD", "/system/functions", undefined, { ...listed, text: "" }],
      // Bodies that are not a deployment: 400, every problem on a line of its own.
      [
        "POST",
        "/system/functions",
        "{not json",
        problem(
          400,
          "the request body is not valid JSON: Expected property name or '}' in JSON at position 1 (line 1 column 2)"
        )
      ],
      [
        "POST",
        "/system/functions",
        `{"service":`,
        problem(400, "the request body is not valid JSON: Unexpected end of JSON input")
      ],
      ["POST", "/system/functions", "nope", problem(400, "the request body is not valid JSON: unexpected character")],
      ["POST", "/system/functions", "", problem(400, "the request body is empty: expected a JSON object")],
      ["POST", "/system/functions", "  \n ", problem(400, "the request body is empty: expected a JSON object")],
      ["POST", "/system/functions", "null", problem(400, "Expected object")],
      ["POST", "/system/functions", "[]", problem(400, "Expected object")],
      [
        "POST",
        "/system/functions",
        { service: "Bad_Name", image: "", envVars: { n: 1 }, labels: "x", limits: { memory: "lots" } },
        problem(
          400,
          [
            `service: ${dns1123}`,
            "image: must be a non-empty image reference without spaces",
            "envVars.n: Expected string",
            "labels: Expected object | null"
          ].join("\n")
        )
      ],
      [
        "POST",
        "/system/functions",
        { image: "x:1", registryAuth: 5 },
        problem(400, "service: Missing key\nregistryAuth: Expected string | null")
      ],
      [
        "POST",
        "/system/functions",
        { service: "bad-limits", image: "x:1", limits: { memory: "lots", cpu: "fast" }, constraints: ["gibberish"] },
        problem(
          400,
          [
            `constraints: "gibberish" is not understood; expected "<attribute> <operator> <value>", e.g. "node.datacenter == dc1" or "\${attr.kernel.name} = linux"`,
            `limits.cpu: "fast" is not a CPU quantity such as 500m, 2 or 800MHz`,
            `limits.memory: "lots" is not a memory quantity such as 128Mi or 1Gi`
          ].join("\n")
        )
      ],
      [
        "POST",
        "/system/functions",
        { service: "needs", image: "x:1", secrets: ["nope"] },
        problem(
          400,
          `secrets: "nope" does not exist in namespace "default"; create it first (faas-cli secret create nope)`
        )
      ],
      // Update and delete.
      [
        "PUT",
        "/system/functions",
        { service: "ghost", image: "x:1" },
        problem(404, `function "ghost" in namespace "default" not found`)
      ],
      ["PUT", "/system/functions", { service: "plain-fn", image: "x:2" }, empty(202)],
      ["PUT", "/system/functions", "", problem(400, "the request body is empty: expected a JSON object")],
      [
        "DELETE",
        "/system/functions",
        { functionName: "ghost" },
        problem(404, `function "ghost" in namespace "default" not found`)
      ],
      ["DELETE", "/system/functions", "[]", problem(400, "Expected object")],
      ["DELETE", "/system/functions", { functionName: "Bad" }, problem(400, `functionName: ${dns1123}`)],
      ["DELETE", "/system/functions", { name: "untyped-fn" }, problem(400, "functionName: Missing key")],
      ["DELETE", "/system/functions", { functionName: "untyped-fn" }, empty(202)],
      // Names in the path.
      ["GET", "/system/function/plain-fn", undefined, jsonBody(status("plain-fn", { image: "x:2" }))],
      ["GET", "/system/function/nobody", undefined, problem(404, `function "nobody" in namespace "default" not found`)],
      ["GET", "/system/function/Not_A_Label", undefined, problem(400, `name: ${dns1123}`)],
      [
        "GET",
        "/system/function/a;b",
        undefined,
        problem(400, `a function name cannot contain ";": /system/function/a;b`)
      ],
      // Length is a deploy rule (job_prefix and the name make the service name): a longer name is simply absent.
      [
        "GET",
        `/system/function/${"a".repeat(64)}`,
        undefined,
        problem(404, `function "${"a".repeat(64)}" in namespace "default" not found`)
      ],
      [
        "GET",
        "/system/function/%zz",
        undefined,
        problem(400, `the path "/system/function/%zz" has a malformed percent-escape`)
      ],
      // Namespaces in the query: the last one given counts, an empty one is the default.
      ["GET", "/system/functions?namespace=elsewhere", undefined, problem(400, notOpenFaaS("elsewhere"))],
      [
        "GET",
        "/system/functions?namespace=no%2Fslashes",
        undefined,
        problem(400, `namespace: "no/slashes" is not a Nomad namespace name (1 to 128 letters, digits or '-')`)
      ],
      ["GET", "/system/functions?namespace=&namespace=elsewhere", undefined, problem(400, notOpenFaaS("elsewhere"))],
      [
        "GET",
        "/system/function/plain-fn?namespace=elsewhere&namespace=",
        undefined,
        jsonBody(status("plain-fn", { image: "x:2" }))
      ],
      // Scale.
      ["POST", "/system/scale-function/plain-fn", { serviceName: "plain-fn", replicas: 2 }, empty(202)],
      [
        "GET",
        "/system/function/plain-fn",
        undefined,
        jsonBody(status("plain-fn", { image: "x:2", replicas: 2, availableReplicas: 2 }))
      ],
      ["POST", "/system/scale-function/plain-fn", { replicas: 0 }, empty(202)],
      [
        "POST",
        "/system/scale-function/ghost",
        { replicas: 1 },
        problem(404, `function "ghost" in namespace "default" not found`)
      ],
      [
        "POST",
        "/system/scale-function/plain-fn",
        { replicas: -1 },
        problem(400, "replicas: must be a whole number, 0 or more")
      ],
      ["POST", "/system/scale-function/plain-fn", { replicas: 1.5 }, problem(400, "replicas: Expected an integer")],
      ["POST", "/system/scale-function/plain-fn", { replicas: "2" }, problem(400, "replicas: Expected number")],
      ["POST", "/system/scale-function/plain-fn", {}, problem(400, "replicas: Missing key")],
      [
        "POST",
        "/system/scale-function/plain-fn",
        "",
        problem(400, "the request body is empty: expected a JSON object")
      ],
      ["POST", "/system/scale-function/Bad_Name", { replicas: 1 }, problem(400, `name: ${dns1123}`)],
      [
        "POST",
        "/system/scale-function/plain-fn?namespace=elsewhere",
        { replicas: 1 },
        problem(400, notOpenFaaS("elsewhere"))
      ]
    ]))

  it.effect("namespaces, info and health", () =>
    run([
      ["GET", "/system/namespaces", undefined, jsonBody(["default"])],
      [
        "GET",
        "/system/info",
        undefined,
        jsonBody({
          provider: "faas-nomad",
          orchestration: "nomad",
          version: { sha, release }
        })
      ],
      ["GET", "/healthz", undefined, empty(200)],
      ["HEAD", "/healthz", undefined, empty(200)]
    ]))

  it.effect("secrets: create 201, update and delete 200, list names only, and the problems", () =>
    run([
      ["GET", "/system/secrets", undefined, jsonBody([])],
      ["POST", "/system/secrets", { name: "api-key", value: "s3cr3t" }, empty(201)],
      [
        "POST",
        "/system/secrets",
        { name: "api-key", value: "x" },
        problem(409, `secret "api-key" in namespace "default" already exists; update it with PUT /system/secrets`)
      ],
      [
        "POST",
        "/system/secrets",
        { name: "bytes", rawValue: Buffer.from("raw").toString("base64"), unknownKey: 1 },
        empty(201)
      ],
      ["POST", "/system/secrets", { name: "nulled", rawValue: null, value: "v" }, empty(201)],
      [
        "GET",
        "/system/secrets",
        undefined,
        jsonBody([
          { name: "api-key", namespace: "default" },
          { name: "bytes", namespace: "default" },
          { name: "nulled", namespace: "default" }
        ])
      ],
      ["PUT", "/system/secrets", { name: "api-key", value: "rotated" }, empty(200)],
      [
        "PUT",
        "/system/secrets",
        { name: "ghost", value: "x" },
        problem(404, `secret "ghost" in namespace "default" not found`)
      ],
      [
        "POST",
        "/system/secrets",
        { name: "../etc", value: "x" },
        problem(
          400,
          "name: must be 1 to 253 letters, digits, '.', '_' or '-', starting with a letter or digit (no '/')\nname: must not contain '..'"
        )
      ],
      ["POST", "/system/secrets", { name: "no-value" }, problem(400, "value: a secret needs a value or a rawValue")],
      [
        "POST",
        "/system/secrets",
        { name: "b64", rawValue: "not base64!" },
        problem(400, "rawValue: must be base64 (standard alphabet, padded)")
      ],
      ["POST", "/system/secrets", { value: 1 }, problem(400, "name: Missing key\nvalue: Expected string")],
      [
        "POST",
        "/system/secrets",
        "{",
        problem(
          400,
          "the request body is not valid JSON: Expected property name or '}' in JSON at position 1 (line 1 column 2)"
        )
      ],
      ["DELETE", "/system/secrets", { name: "api-key" }, empty(200)],
      [
        "DELETE",
        "/system/secrets",
        { name: "api-key" },
        problem(404, `secret "api-key" in namespace "default" not found`)
      ],
      ["DELETE", "/system/secrets", "", problem(400, "the request body is empty: expected a JSON object")],
      ["GET", "/system/secrets?namespace=nowhere", undefined, problem(400, notOpenFaaS("nowhere"))],
      ["POST", "/system/secrets?namespace=nowhere", { name: "x", value: "y" }, problem(400, notOpenFaaS("nowhere"))],
      // Other methods are refused with the ones that are allowed.
      [
        "PATCH",
        "/system/secrets",
        { name: "x" },
        {
          status: 405,
          headers: { "content-type": "text/plain", "content-length": "49", allow: "GET, POST, PUT, DELETE" },
          text: "method PATCH is not supported on /system/secrets\n"
        }
      ],
      ["OPTIONS", "/system/secrets", undefined, {
        status: 405,
        headers: { "content-type": "text/plain", "content-length": "51", allow: "GET, POST, PUT, DELETE" },
        text: "method OPTIONS is not supported on /system/secrets\n"
      }],
      ["HEAD", "/system/secrets", undefined, {
        status: 405,
        headers: { "content-type": "text/plain", "content-length": "48", allow: "GET, POST, PUT, DELETE" },
        text: ""
      }]
    ]))

  it.effect("logs: NDJSON, one line per log line, and the query's problems", () =>
    Effect.gen(function*() {
      yield* run([["POST", "/system/functions", { service: "logged", image: "x:1" }, empty(202)]])
      const cluster = yield* MemoryCluster
      const [alloc] = yield* cluster.jobAllocations("default", "OpenFaaS-logged")
      cluster.appendLog(alloc!.ID, "logged", "stdout", "2026-11-29T10:00:00Z first\n2026-11-29T11:00:00Z second\n")
      const line = (text: string, at: string) =>
        JSON.stringify({ name: "logged", namespace: "default", instance: alloc!.ID, timestamp: at, text })
      const port = yield* providerPort
      const streamed = yield* Effect.promise(() => send(port, "GET", "/system/logs?name=logged"))
      assertAnswer(streamed, {
        status: 200,
        headers: { "content-type": "application/x-ndjson", "transfer-encoding": "chunked" },
        text: `${line("2026-11-29T10:00:00Z first", "2026-11-29T10:00:00.000Z")}\n` +
          `${line("2026-11-29T11:00:00Z second", "2026-11-29T11:00:00.000Z")}\n`
      }, "GET /system/logs?name=logged")
      yield* run([
        ["GET", "/system/logs?name=logged&tail=1&since=2026-11-29T10:30:00Z&follow=false", undefined, {
          status: 200,
          headers: { "content-type": "application/x-ndjson", "transfer-encoding": "chunked" },
          text: `${line("2026-11-29T11:00:00Z second", "2026-11-29T11:00:00.000Z")}\n`
        }],
        [
          "GET",
          "/system/logs?name=nobody",
          undefined,
          problem(404, `function "nobody" in namespace "default" not found`)
        ],
        ["GET", "/system/logs", undefined, problem(400, "name: the function's name is required")],
        ["GET", "/system/logs?name=", undefined, problem(400, "name: the function's name is required")],
        ["GET", "/system/logs?name=Bad_Name", undefined, problem(400, `name: ${dns1123}`)],
        [
          "GET",
          "/system/logs?name=logged&tail=many",
          undefined,
          problem(422, `could not parse the log request: tail: "many" is not a whole number`)
        ],
        [
          "GET",
          "/system/logs?name=logged&since=yesterday",
          undefined,
          problem(422, `could not parse the log request: since: "yesterday" is not an RFC 3339 time`)
        ],
        ["GET", "/system/logs?name=logged&namespace=elsewhere", undefined, problem(400, notOpenFaaS("elsewhere"))]
      ])
    }))

  it.effect("what no route answers", () =>
    run([
      ["GET", "/system/nothing-here", undefined, problem(404, "no route for GET /system/nothing-here")],
      ["PATCH", "/system/functions", undefined, problem(404, "no route for PATCH /system/functions")],
      ["GET", "/system/function/", undefined, problem(404, "no route for GET /system/function/")],
      ["GET", "/nothing%zz", undefined, problem(400, `the path "/nothing%zz" has a malformed percent-escape`)]
    ]))
})

describe("limits", () => {
  layer(testApp({ env: { max_body_size: "1Ki", max_header_size: "1Ki" } }), { excludeTestServices: true })(
    "small limits",
    (it) => {
      it.effect("a body over max_body_size is 413, declared or streamed; headers over max_header_size 431", () =>
        Effect.gen(function*() {
          const tooLarge = problem(413, "request body is larger than 1024 bytes (max_body_size)")
          const big = { service: "big", image: "x:1", annotations: { blob: "x".repeat(2048) } }
          yield* run([
            ["POST", "/system/functions", big, tooLarge],
            ["POST", "/system/secrets", { name: "big", value: "x".repeat(2048) }, tooLarge],
            ["POST", "/system/scale-function/big", { replicas: 1, padding: "x".repeat(2048) }, tooLarge]
          ])
          const port = yield* providerPort
          const streamed = yield* Effect.promise(async () => {
            const { request, response } = openRequest(port, "PUT", "/system/functions", {
              "transfer-encoding": "chunked",
              "content-type": "application/json"
            })
            request.write(`{"service":"big","image":"x:1","annotations":{"blob":"`)
            request.write("x".repeat(2048))
            request.end(`"}}`)
            const res = await response
            return { status: res.statusCode!, headers: res.headers, text: await rest(res) }
          })
          assertAnswer(streamed, tooLarge, "a chunked body over the limit")
          const headers = yield* Effect.promise(() =>
            send(port, "GET", "/system/info", { "x-padding": "p".repeat(2048) })
          )
          assert.strictEqual(headers.status, 431)
        }))
    }
  )
})

const secretsDir = mkdtempSync(join(tmpdir(), "faas-nomad-contract-"))
afterAll(() => rmSync(secretsDir, { recursive: true, force: true }))
writeFileSync(join(secretsDir, "basic-auth-user"), "admin\n")
writeFileSync(join(secretsDir, "basic-auth-password"), "s3cr3t-pass\n")

describe("basic auth", () => {
  layer(testApp({ env: { basic_auth: "true", secret_mount_path: secretsDir } }), { excludeTestServices: true })(
    "on",
    (it) => {
      const refused: Expected = {
        status: 401,
        headers: {
          "content-type": "text/plain",
          "content-length": "20",
          "www-authenticate": `Basic realm="Restricted"`
        },
        text: "invalid credentials\n"
      }
      const encoded = Buffer.from("admin:s3cr3t-pass").toString("base64")

      it.effect("every /system route refuses without credentials, before it reads the request", () =>
        run(
          [
            ["GET", "/system/functions"],
            ["POST", "/system/functions"],
            ["PUT", "/system/functions"],
            ["DELETE", "/system/functions"],
            ["GET", "/system/function/x"],
            ["GET", "/system/function/Not_A_Label"],
            ["POST", "/system/scale-function/x"],
            ["GET", "/system/namespaces"],
            ["GET", "/system/info"],
            ["GET", "/system/secrets"],
            ["POST", "/system/secrets"],
            ["PUT", "/system/secrets"],
            ["DELETE", "/system/secrets"],
            ["PATCH", "/system/secrets"],
            ["GET", "/system/logs"],
            ["GET", "/system/logs?name=x&tail=many"]
          ].flatMap(([method, path]) => [
            [method!, path!, method === "GET" ? undefined : "{not json", refused] as const,
            [method!, path!, method === "GET" ? undefined : "{not json", refused, {
              authorization: `Basic ${Buffer.from("admin:wrong").toString("base64")}`
            }] as const
          ])
        ))

      it.effect("credentials are read as faas-provider reads them; /healthz and /metrics stay open", () =>
        Effect.gen(function*() {
          const info = jsonBody({ provider: "faas-nomad", orchestration: "nomad", version: { sha, release } })
          yield* run([
            ["GET", "/system/info", undefined, info, { authorization: `Basic ${encoded}` }],
            ["GET", "/system/info", undefined, info, { authorization: `basic ${encoded}` }],
            ["GET", "/system/info", undefined, info, { authorization: `Basic   ${encoded}` }],
            ["GET", "/system/info", undefined, info, { authorization: `Basic\t${encoded}` }],
            ["GET", "/system/info", undefined, info, { authorization: `Basic ${encoded.replace(/=+$/, "")}` }],
            ["GET", "/system/info", undefined, refused, { authorization: `Bearer ${encoded}` }],
            ["GET", "/system/info", undefined, refused, { authorization: "Basic" }],
            ["GET", "/system/info", undefined, refused, {
              authorization: `Basic ${Buffer.from("root:s3cr3t-pass").toString("base64")}`
            }],
            [
              "POST",
              "/system/functions",
              "{not json",
              problem(
                400,
                "the request body is not valid JSON: Expected property name or '}' in JSON at position 1 (line 1 column 2)"
              ),
              { authorization: `Basic ${encoded}` }
            ],
            [
              "PATCH",
              "/system/secrets",
              undefined,
              {
                status: 405,
                headers: { "content-type": "text/plain", "content-length": "49", allow: "GET, POST, PUT, DELETE" },
                text: "method PATCH is not supported on /system/secrets\n"
              },
              { authorization: `Basic ${encoded}` }
            ],
            ["GET", "/healthz", undefined, empty(200)],
            ["PATCH", "/system/functions", undefined, problem(404, "no route for PATCH /system/functions")]
          ])
          const port = yield* providerPort
          assert.strictEqual((yield* Effect.promise(() => send(port, "GET", "/metrics"))).status, 200)
        }))
    }
  )
})

describe("a failing dependency", () => {
  it.live("is a 5xx naming it: 503 unavailable, 504 too slow, 502 refusing or garbled; a job Nomad refuses 400", () =>
    Effect.gen(function*() {
      const { env, nomad, vault } = yield* simulatedDependencies("300ms")
      const failing = (server: SimServer, fault: Fault, steps: ReadonlyArray<Step>) =>
        Effect.gen(function*() {
          server.faults.inject(fault, { times: Infinity })
          yield* run(steps)
          server.faults.clear()
        })
      const deploy = { service: "f", image: "x:1" }
      const secret = { name: "s", value: "v" }
      yield* Effect.gen(function*() {
        yield* failing(nomad.server, { kind: "status", status: 500, body: "internal error" }, [
          ["GET", "/system/functions", undefined, problem(503, "nomad is unavailable: list jobs: internal error")],
          [
            "GET",
            "/system/function/f",
            undefined,
            problem(503, "nomad is unavailable: read job OpenFaaS-f: internal error")
          ],
          [
            "POST",
            "/system/functions",
            deploy,
            problem(503, "nomad is unavailable: register job OpenFaaS-f: internal error")
          ],
          [
            "GET",
            "/system/namespaces",
            undefined,
            problem(503, "nomad is unavailable: list namespaces: internal error")
          ]
        ])
        yield* failing(nomad.server, { kind: "hang" }, [
          [
            "GET",
            "/system/functions",
            undefined,
            problem(504, "nomad did not answer in time: no answer within 300ms (GET /v1/jobs)")
          ]
        ])
        yield* failing(nomad.server, { kind: "status", status: 403, body: "denied" }, [
          ["GET", "/system/functions", undefined, problem(502, "nomad refused the provider's token: list jobs: denied")]
        ])
        yield* failing(nomad.server, { kind: "status", status: 200, body: "not json" }, [
          [
            "GET",
            "/system/functions",
            undefined,
            problem(502, "nomad gave an answer the provider cannot use: list jobs: the answer is not JSON")
          ]
        ])
        yield* failing(nomad.server, { kind: "status", status: 400, body: "job is invalid" }, [
          ["POST", "/system/functions", deploy, problem(400, `Nomad rejected the job of function "f": job is invalid`)]
        ])
        yield* failing(vault.server, { kind: "status", status: 500, body: "internal error" }, [
          ["GET", "/system/secrets", undefined, problem(503, "vault is unavailable: list secrets: internal error")],
          ["POST", "/system/secrets", secret, problem(503, "vault is unavailable: create secret s: internal error")]
        ])
        yield* failing(vault.server, { kind: "hang" }, [
          [
            "PUT",
            "/system/secrets",
            secret,
            problem(
              504,
              "vault did not answer in time: no answer within 300ms (GET /v1/secret/metadata/openfaas/default/s)"
            )
          ]
        ])
        yield* failing(vault.server, { kind: "drop" }, [
          [
            "DELETE",
            "/system/secrets",
            secret,
            problem(503, "vault is unavailable: other side closed (GET /v1/secret/metadata/openfaas/default/s)")
          ]
        ])
        yield* Effect.promise(() => nomad.server.down())
        yield* run([
          [
            "GET",
            "/system/function/f",
            undefined,
            problem(
              503,
              `nomad is unavailable: connect ECONNREFUSED ${new URL(nomad.url).host} (GET /v1/job/OpenFaaS-f)`
            )
          ]
        ])
        yield* Effect.promise(() => nomad.server.up())
      }).pipe(Effect.provide(Layer.fresh(liveApp(env))))
    }))
})
