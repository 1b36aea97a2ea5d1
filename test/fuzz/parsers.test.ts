/**
 * Properties of the pure parsers and request schemas: for any input they
 * return a value or problems that name the field, never throw, and agree with
 * a reference computation where there is one.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Redacted, Result, Schema } from "effect"
import * as fc from "fast-check"
import { parseCommandLine } from "../../src/config/commandLine.ts"
import { settings } from "../../src/config/settings.ts"
import * as Value from "../../src/config/values.ts"
import { FunctionDeployment } from "../../src/domain/FunctionDeployment.ts"
import { splitQualifiedName } from "../../src/domain/FunctionName.ts"
import { DeleteFunctionRequest, NamespaceQuery, ScaleServiceRequest } from "../../src/domain/requests.ts"
import { SecretDeleteRequest, SecretRequest } from "../../src/domain/Secret.ts"
import {
  invocationName,
  invocationNameEnd,
  invocationPrefix,
  upstreamPath
} from "../../src/http/proxy/invocationTarget.ts"
import { decodeWith } from "../../src/http/requestInput.ts"
import { maxConstraintLength, parseConstraints } from "../../src/jobs/constraints.ts"
import { initialReplicas } from "../../src/jobs/functionLabels.ts"
import { deploymentFromMeta } from "../../src/jobs/jobMeta.ts"
import { proxySettingTags } from "../../src/jobs/proxySettings.ts"
import { parseQuantity } from "../../src/jobs/quantity.ts"
import { toTaskResources } from "../../src/jobs/resources.ts"
import { toFunctionStatus } from "../../src/jobs/toFunctionStatus.ts"
import { toNomadJob } from "../../src/jobs/toNomadJob.ts"
import { defaultJobSettings } from "../support/jobSettings.ts"
import { dnsLabel, seed } from "./fuzzSupport.ts"

const runs = (numRuns: number) => ({ seed, numRuns })

/** Any text, including lone surrogates and control characters. */
const anyText = fc.string({ unit: "binary", maxLength: 40 })
const lineBreak = /[\r\n]/
const oneLineText = anyText.filter((s) => !lineBreak.test(s))

// ---------------------------------------------------------------------------------------------------------------
// Request schemas

const requestSchemas = {
  FunctionDeployment,
  ScaleServiceRequest,
  DeleteFunctionRequest,
  SecretRequest,
  SecretDeleteRequest,
  NamespaceQuery
} as const

/** JSON-shaped input with the schemas' own keys mixed in, so decoding gets past the first check. */
const schemaKeys = [
  "service",
  "image",
  "namespace",
  "envProcess",
  "envVars",
  "constraints",
  "secrets",
  "labels",
  "annotations",
  "limits",
  "requests",
  "readOnlyRootFilesystem",
  "registryAuth",
  "serviceName",
  "replicas",
  "functionName",
  "name",
  "value",
  "rawValue",
  "memory",
  "cpu",
  "nvidia.com/gpu",
  "__proto__",
  "constructor"
]
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }),
    tie("object"),
    fc.array(tie("value"), { maxLength: 3 })
  ),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...schemaKeys), fc.string()), tie("value"), { maxKeys: 6 })
})).value

describe("request schemas", () => {
  for (const [name, schema] of Object.entries(requestSchemas)) {
    const decode = decodeWith(schema as Schema.Codec<unknown, unknown>)
    it(`${name}: any value decodes or fails with InvalidRequest listing each problem, never a defect`, () => {
      fc.assert(
        fc.property(fc.oneof(jsonish, fc.anything()), (input) => {
          const result = Effect.runSync(Effect.result(decode(input)))
          if (Result.isSuccess(result)) return
          expect(result.failure._tag).toBe("InvalidRequest")
          const lines = result.failure.message.split("\n")
          expect(lines.length).toBeGreaterThan(0)
          for (const line of lines) expect(line.trim()).not.toBe("")
        }),
        runs(300)
      )
    })
  }
})

// ---------------------------------------------------------------------------------------------------------------
// Quantities and resources

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }

/** A quantity as Kubernetes writes one, with its exact value as a fraction. */
interface Quantity {
  readonly text: string
  readonly numerator: bigint
  readonly denominator: bigint
}

const quantity: fc.Arbitrary<Quantity> = fc.record({
  whole: fc.stringMatching(/^\d{1,6}$/),
  fraction: fc.option(fc.stringMatching(/^\d{0,4}$/), { nil: undefined }),
  exponent: fc.option(fc.integer({ min: -6, max: 6 }), { nil: undefined }),
  suffix: fc.constantFrom(...Object.keys(decimalSuffixes), ...Object.keys(binarySuffixes)),
  padding: fc.constantFrom("", " ", "\t ")
}).map(({ whole, fraction, exponent, suffix, padding }) => {
  const withExponent = exponent !== undefined && suffix === "" ? exponent : undefined
  const text = `${padding}${whole}${fraction === undefined ? "" : `.${fraction}`}${
    withExponent === undefined ? "" : `e${withExponent}`
  }${suffix}${padding}`
  const digits = BigInt(`${whole}${fraction ?? ""}`)
  const power10 = (withExponent ?? 0) + (decimalSuffixes[suffix] ?? 0) - (fraction?.length ?? 0)
  const power2 = binarySuffixes[suffix] ?? 0
  const numerator = digits * 2n ** BigInt(power2) * (power10 > 0 ? 10n ** BigInt(power10) : 1n)
  const denominator = power10 < 0 ? 10n ** BigInt(-power10) : 1n
  return { text, numerator, denominator }
})

const exactNumber = (q: Quantity) => Number(q.numerator) / Number(q.denominator)
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b
/** MHz the reference way: whole cores at 1000 MHz, rounded up, at least 1. */
const exactMhz = (q: Quantity) => Math.max(1, Number(ceilDiv(q.numerator * 1000n, q.denominator)))
/** MB the reference way: bytes over 2^20, rounded up, at least 10. */
const exactMemoryMb = (q: Quantity) => Math.max(10, Number(ceilDiv(q.numerator, q.denominator * 2n ** 20n)))

/** Strings that are not quantities: valid parts put together wrongly. */
const notAQuantity = fc.oneof(
  fc.tuple(fc.nat(99999), fc.constantFrom("Mi", "Ki", "k", "m"), fc.constantFrom("Mi", "Ki", "k", "m", "i", "B"))
    .map(([n, a, b]) => `${n}${a}${b}`),
  fc.tuple(fc.nat(99999), fc.integer({ min: -5, max: 5 }), fc.constantFrom("Mi", "k", "m", "Gi"))
    .map(([n, e, s]) => `${n}e${e}${s}`),
  fc.tuple(fc.nat(999), fc.nat(999)).map(([a, b]) => `${a} ${b}Mi`),
  fc.tuple(fc.nat(999), fc.constantFrom("mi", "KI", "K", "MB", "b", "Mib", "gi", "x", "%"))
    .map(([n, s]) => `${n}${s}`),
  fc.tuple(fc.constantFrom("-", "+", "0x", "#"), fc.nat(999)).map(([p, n]) => `${p}${n}`),
  fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99)).map(([a, b, c]) => `${a}.${b}.${c}`),
  fc.constantFrom(
    "",
    " ",
    ".",
    "e5",
    "Mi",
    "1e",
    "1e+",
    "1,5",
    "Infinity",
    "NaN",
    "1e400",
    `${"9".repeat(400)}`,
    "½",
    "١٢"
  )
)

describe("parseQuantity", () => {
  it("agrees with exact arithmetic on generated quantities (n Mi = n × 2^20, 500m = 0.5, 1.5e3 = 1500)", () => {
    fc.assert(
      fc.property(quantity, (q) => {
        const parsed = parseQuantity(q.text)
        const exact = exactNumber(q)
        expect(parsed).toBeDefined()
        expect(Math.abs(parsed! - exact)).toBeLessThanOrEqual(Math.abs(exact) * 1e-12)
      }),
      runs(1000)
    )
  })

  it("is exact for whole numbers with a binary suffix", () => {
    fc.assert(
      fc.property(fc.nat(2 ** 20), fc.constantFrom(...Object.entries(binarySuffixes)), (n, [suffix, bits]) => {
        expect(parseQuantity(`${n}${suffix}`)).toBe(n * 2 ** bits)
      }),
      runs(500)
    )
  })

  it("returns undefined for strings that are not quantities", () => {
    fc.assert(
      fc.property(notAQuantity, (text) => {
        expect(parseQuantity(text)).toBeUndefined()
      }),
      runs(500)
    )
  })

  it("never throws; anything it returns is a finite number, 0 or more", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.stringMatching(/^[\d.eE+\-a-zA-Z ]{0,12}$/)), (text) => {
        const parsed = parseQuantity(text)
        if (parsed !== undefined) {
          expect(Number.isFinite(parsed)).toBe(true)
          expect(parsed).toBeGreaterThanOrEqual(0)
        }
      }),
      runs(1000)
    )
  })
})

const resourceText = fc.oneof(
  quantity.map((q) => q.text),
  notAQuantity,
  anyText,
  fc.constantFrom("500MHz", "0MHz", " 800 mhz ")
)
const resources = fc.record(
  {
    memory: resourceText,
    cpu: resourceText,
    "nvidia.com/gpu": resourceText,
    "amd.com/gpu": resourceText,
    "intel.com/gpu": resourceText
  },
  { requiredKeys: [] }
)

/** Mostly valid resources, so that jobs get built as often as problems get found. */
const likelyText = (valid: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: resourceText })
const likelyResources = fc.record(
  {
    memory: likelyText(fc.nat(4096).map((n) => `${n + 1}Mi`)),
    cpu: likelyText(fc.oneof(fc.nat(4000).map((n) => `${n + 1}m`), fc.constantFrom("1", "0.5", "2", "800MHz"))),
    "nvidia.com/gpu": likelyText(fc.constantFrom("1", "2"))
  },
  { requiredKeys: [] }
)

const resourceFields = /^(requests|limits)\.(memory|cpu|nvidia\.com\/gpu|amd\.com\/gpu|intel\.com\/gpu): /

describe("toTaskResources", () => {
  it("never throws; returns whole, finite resources or problems that each name their field", () => {
    fc.assert(
      fc.property(
        fc.option(resources, { nil: undefined }),
        fc.option(resources, { nil: undefined }),
        (requests, limits) => {
          const { problems, resources: r } = toTaskResources(requests, limits)
          for (const problem of problems) expect(problem).toMatch(resourceFields)
          if (problems.length > 0) return
          const wholeAtLeast = (n: number | null | undefined, min: number) =>
            typeof n === "number" && Number.isInteger(n) && n >= min
          expect(wholeAtLeast(r.CPU, 1)).toBe(true)
          expect(wholeAtLeast(r.MemoryMB, 10)).toBe(true)
          if (r.MemoryMaxMB !== undefined) expect(wholeAtLeast(r.MemoryMaxMB, r.MemoryMB! + 1)).toBe(true)
          for (const device of r.Devices ?? []) expect(wholeAtLeast(device.Count, 1)).toBe(true)
        }
      ),
      runs(1000)
    )
  })

  it("reserves memory as the reference computes it: bytes over 2^20, rounded up, at least 10 MB", () => {
    fc.assert(
      fc.property(quantity.filter((q) => q.numerator > 0n && exactNumber(q) < 2 ** 50), (q) => {
        expect(toTaskResources({ memory: q.text }, undefined).resources.MemoryMB).toBe(exactMemoryMb(q))
      }),
      runs(1000)
    )
  })

  it("reserves CPU within 1 MHz of the reference (cores × 1000, rounded up, at least 1), up to a million cores", () => {
    fc.assert(
      fc.property(quantity.filter((q) => q.numerator > 0n && exactNumber(q) <= 1e6), (q) => {
        const { problems, resources: r } = toTaskResources({ cpu: q.text }, undefined)
        expect(problems).toEqual([])
        expect(Math.abs(r.CPU! - exactMhz(q))).toBeLessThanOrEqual(1)
      }),
      runs(1000)
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Constraints

const attribute = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_.]{0,15}$/),
  fc.stringMatching(/^[a-z][a-z0-9_.]{0,15}$/).map((a) => `\${${a}}`),
  fc.constantFrom(
    "node.datacenter",
    "${node.datacenter}",
    "node.platform.os",
    "node.platform.arch",
    "node.hostname",
    "node.id"
  )
)
const comparisonOperator = fc.constantFrom("==", "!=", ">=", "<=", "=", ">", "<")
const wordOperator = fc.constantFrom(
  "regexp",
  "set_contains",
  "set_contains_all",
  "set_contains_any",
  "version",
  "semver"
)
/** A value: no surrounding blanks, may hold inner spaces and operator characters. */
const constraintValue = fc.stringMatching(/^[^\s](?:[ -~]{0,12}[^\s])?$/)

const aliases: Record<string, string> = {
  "node.platform.os": "${attr.kernel.name}",
  "node.platform.arch": "${attr.cpu.arch}",
  "node.hostname": "${attr.unique.hostname}",
  "node.id": "${node.unique.id}"
}
const target = (a: string) => (a.startsWith("${") ? a : aliases[a] ?? `\${${a}}`)

describe("parseConstraints", () => {
  it("never throws, and every non-blank entry becomes exactly one datacenter, constraint or named problem", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyText, constraintValue), { maxLength: 8 }), (input) => {
        const parsed = parseConstraints(input)
        const nonBlank = input.filter((s) => s.trim() !== "").length
        expect(parsed.datacenters.length + parsed.constraints.length + parsed.problems.length).toBe(nonBlank)
        const unread = input.filter((s) => s.trim() !== "")
        for (const problem of parsed.problems) {
          expect(problem.startsWith("constraints: ")).toBe(true)
          expect(unread.some((raw) => problem.includes(JSON.stringify(raw)))).toBe(true)
        }
      }),
      runs(1000)
    )
  })

  it("reads `<attribute> <operator> <value>` exactly, for comparisons, word operators and unary ones", () => {
    const comparison = fc.tuple(attribute, comparisonOperator, constraintValue)
    const word = fc.tuple(attribute, wordOperator, constraintValue)
    const unary = fc.tuple(attribute, fc.constantFrom("is_set", "is_not_set"))
    fc.assert(
      fc.property(fc.oneof(comparison, word, unary), fc.constantFrom(" ", "  ", "\t"), (parts, gap) => {
        const parsed = parseConstraints([parts.join(gap)])
        expect(parsed.problems).toEqual([])
        const [a, operator, value] = parts
        if (value === undefined) {
          expect(parsed.constraints).toEqual([{ LTarget: target(a), Operand: operator }])
        } else if (/^(\$\{)?node\.datacenter\}?$/.test(a) && (operator === "==" || operator === "=")) {
          expect(parsed.datacenters).toEqual([value])
        } else {
          expect(parsed.constraints).toEqual([{
            LTarget: target(a),
            Operand: operator === "==" ? "=" : operator,
            RTarget: value
          }])
        }
      }),
      runs(1000)
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Deployment ⇄ Nomad job

const nullable = <A>(arb: fc.Arbitrary<A>) => fc.option(arb, { nil: null })
const stringMap = (special: ReadonlyArray<readonly [string, fc.Arbitrary<string>]>) =>
  fc.tuple(
    fc.dictionary(fc.string({ unit: "binary", maxLength: 12 }), anyText, { maxKeys: 4 }),
    fc.subarray(special.map(([key, value]) => value.map((v) => [key, v] as const)))
  ).chain(([map, picked]) =>
    picked.length === 0
      ? fc.constant(map)
      : fc.tuple(...picked).map((entries) => ({ ...map, ...Object.fromEntries(entries) }))
  )
const durationText = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("30s", "1m30s", "1.5h", "10", "250ms") },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom("0", "-1s", "soon", ""), anyText) }
)
const rarely = (valid: fc.Arbitrary<string>, invalid: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: invalid })

const volumeValue = fc.tuple(
  fc.constantFrom("host", "csi", "nfs"),
  fc.constantFrom("certs", "pg-data", ""),
  fc.constantFrom("/etc/certs", "/data", "/var/openfaas/secrets/x", "relative", "/tmp"),
  fc.constantFrom("", ":ro", ":rw", ":rx")
).map(([type, source, destination, mode]) => `${type}:${source}:${destination}${mode}`)

/** Raw deployment bodies built to decode, with fields a job is made of chosen at random, valid or not. */
const deploymentBody = fc.record(
  {
    service: fc.oneof(dnsLabel, fc.stringMatching(/^[a-z]([-a-z0-9]{50,60}[a-z0-9])$/)),
    image: fc.stringMatching(/^\S{1,40}$/),
    namespace: fc.constantFrom("", "default", "team-a"),
    envProcess: anyText,
    envVars: nullable(fc.dictionary(fc.string({ maxLength: 10 }), anyText, { maxKeys: 3 })),
    constraints: nullable(
      fc.array(rarely(fc.tuple(attribute, comparisonOperator, constraintValue).map((p) => p.join(" ")), anyText), {
        maxLength: 3
      })
    ),
    secrets: nullable(fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,10}$/), { maxLength: 2 })),
    labels: nullable(stringMap([
      ["com.openfaas.scale.min", rarely(fc.nat(5).map(String), anyText)],
      ["com.openfaas.timeout", durationText],
      ["com.openfaas.max_inflight", rarely(fc.integer({ min: 1, max: 20 }).map(String), anyText)],
      ["faas_function", anyText],
      ["com.openfaas.nomad.update.canary", rarely(fc.nat(3).map(String), anyText)],
      ["com.openfaas.nomad.update.auto_promote", rarely(fc.constantFrom("true", "false", "1"), anyText)],
      ["com.openfaas.nomad.update.healthy_deadline", durationText],
      ["com.openfaas.nomad.update.progress_deadline", durationText],
      ["com.openfaas.nomad.update.health_check", rarely(fc.constantFrom("checks", "task_states", "manual"), anyText)]
    ])),
    annotations: nullable(stringMap([
      [
        "com.openfaas.health.http.path",
        rarely(fc.constantFrom("/ready", "/_/health", "/x?y=1"), fc.oneof(fc.constantFrom("ready", "/a b"), anyText))
      ],
      ["com.openfaas.health.http.initialDelay", durationText],
      ["com.openfaas.nomad.volume.data", rarely(volumeValue, anyText)],
      ["com.openfaas.nomad.volume.data.access-mode", rarely(fc.constantFrom("single-node-writer", "x"), anyText)],
      ["com.openfaas.nomad.volume.data.per-alloc", rarely(fc.constantFrom("true", "false"), anyText)],
      ["com.openfaas.nomad.volume.certs", rarely(volumeValue, anyText)]
    ])),
    limits: nullable(likelyResources),
    requests: nullable(likelyResources),
    readOnlyRootFilesystem: fc.boolean(),
    registryAuth: rarely(
      fc.oneof(
        fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), anyText).map(([u, p]) =>
          Buffer.from(`${u}:${p}`).toString("base64")
        ),
        fc.constant("")
      ),
      anyText
    )
  },
  { requiredKeys: ["service", "image"] }
)

const decodeDeployment = Schema.decodeUnknownSync(FunctionDeployment)
const problemFields =
  /^(service|envVars|envProcess|constraints|labels|annotations|registryAuth|requests\.[\w./]+|limits\.[\w./]+)[:.]/

const finiteNumbers = (value: unknown, path = "job"): void => {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}`)
  } else if (Array.isArray(value)) value.forEach((v, i) => finiteNumbers(v, `${path}[${i}]`))
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) finiteNumbers(v, `${path}.${k}`)
  }
}

describe("toNomadJob", () => {
  it("fails with named problems, or makes one group and one task named after the function, with the count given", () => {
    fc.assert(
      fc.property(deploymentBody, fc.nat(5), (body, count) => {
        const deployment = decodeDeployment(body)
        const placement = { namespace: "default", count, createdAt: "2026-11-29T10:00:00.000Z" }
        const result = toNomadJob(deployment, placement, defaultJobSettings)
        expect(toNomadJob(deployment, placement, defaultJobSettings)).toEqual(result)
        // Registry credentials are never quoted, in a problem or anywhere in the job but its docker auth.
        const credentials = deployment.registryAuth === undefined || deployment.registryAuth === null
          ? ""
          : Redacted.value(deployment.registryAuth)
        if (Result.isFailure(result)) {
          expect(result.failure.length).toBeGreaterThan(0)
          for (const problem of result.failure) {
            expect(problem).toMatch(problemFields)
            if (credentials.trim().length >= 4) expect(problem).not.toContain(credentials.trim())
          }
          return
        }
        const job = result.success
        finiteNumbers(job)
        expect(job.ID).toBe(`OpenFaaS-${deployment.service}`)
        expect(job.TaskGroups).toHaveLength(1)
        const group = job.TaskGroups![0]!
        expect(group.Name).toBe(deployment.service)
        expect(group.Count).toBe(count)
        expect(group.Tasks).toHaveLength(1)
        expect(group.Tasks[0]!.Name).toBe(deployment.service)
        expect(group.Tasks[0]!.Config?.["image"]).toBe(deployment.image)
        // Nomad keeps Meta as JSON: what is read back is what was sent, less the registry credentials.
        const { registryAuth: _credentials, ...recorded } = deployment
        expect(deploymentFromMeta(job.Meta)).toEqual(recorded)
        if (credentials.trim().length >= 4) expect(JSON.stringify(job)).not.toContain(credentials.trim())
        const stored = JSON.parse(JSON.stringify(job))
        const status = toFunctionStatus(stored, deployment.service, { availableReplicas: 0, invocationCount: 0 })!
        expect(status.image).toBe(deployment.image)
        expect(status.labels).toEqual({ ...deployment.labels, faas_function: deployment.service })
        expect(status.annotations).toEqual(deployment.annotations ?? {})
        expect(status.envProcess).toBe(deployment.envProcess)
        expect(status.replicas).toBe(count)
      }),
      runs(600)
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Configuration values and the command line

const valueParsers = Object.values(settings).map((s) => s.parse as Value.ValueParser<unknown>)

const settingFlags = Object.values(settings).map((s) => s.flag)
const settingEnvs = Object.values(settings).map((s) => s.env)

describe("configuration values", () => {
  it("every setting's parser returns a value or a one-line sentence quoting the input, for any one-line text", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...valueParsers),
        fc.oneof(oneLineText, fc.stringMatching(/^[\d.a-zA-Z:/[\] µ]{0,14}$/)),
        (parse, raw) => {
          const parsed = parse(raw)
          if (Result.isFailure(parsed)) {
            expect(parsed.failure).toContain(JSON.stringify(raw))
            expect(lineBreak.test(parsed.failure)).toBe(false)
          }
        }
      ),
      runs(2000)
    )
  })

  it("durations agree with Go's syntax on generated values (1h2m3.5s)", () => {
    const units = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, ns: 1e-6 } as const
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(1000), fc.constantFrom(...(Object.keys(units) as Array<keyof typeof units>))), {
          minLength: 1,
          maxLength: 4
        }),
        (parts) => {
          const parsed = Value.duration(parts.map(([n, u]) => `${n}${u}`).join(""))
          const expected = parts.reduce((sum, [n, u]) => sum + n * units[u], 0)
          expect(Result.isSuccess(parsed)).toBe(true)
          expect(Math.abs(Duration.toMillis(Result.getOrThrow(parsed)) - expected)).toBeLessThanOrEqual(
            expected * 1e-12
          )
        }
      ),
      runs(300)
    )
  })
})

describe("parseCommandLine", () => {
  const arg = fc.oneof(
    fc.constantFrom("dev", "start", "--help", "--version", "version", "help", "-h", "--", "---", "--nope", "dev"),
    fc.constantFrom(...settingFlags),
    fc.tuple(fc.constantFrom(...settingFlags), oneLineText).map(([flag, value]) => `${flag}=${value}`),
    oneLineText
  )
  const env = fc.dictionary(fc.oneof(fc.constantFrom(...settingEnvs), fc.string({ maxLength: 8 })), oneLineText, {
    maxKeys: 6
  })

  it("never throws, and a failure is one non-empty line", () => {
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 6 }), env, (argv, environment) => {
        const result = parseCommandLine(argv, environment)
        if (Result.isFailure(result)) {
          expect(result.failure.trim()).not.toBe("")
          expect(lineBreak.test(result.failure)).toBe(false)
        } else {
          expect(["Run", "Help", "Version"]).toContain(result.success._tag)
        }
      }),
      runs(2000)
    )
  })

  it("a flag wins over the environment, which wins over the default", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 0, max: 65535 }),
        fc.boolean(),
        (flagPort, envPort, useFlag) => {
          const result = parseCommandLine(useFlag ? ["dev", "--port", String(flagPort)] : ["dev"], {
            port: String(envPort)
          })
          expect(Result.isSuccess(result)).toBe(true)
          if (Result.isSuccess(result) && result.success._tag === "Run") {
            expect(result.success.settings.port).toBe(useFlag ? flagPort : envPort)
          }
        }
      ),
      runs(200)
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// The proxy's reading of `/function/<name>[.<namespace>][/path][?query]`

describe("invocation targets", () => {
  const url = fc.oneof(
    anyText,
    fc.tuple(fc.string({ unit: "binary", maxLength: 12 }), anyText).map(([name, rest]) =>
      `${invocationPrefix}${name}${rest}`
    ),
    fc.tuple(dnsLabel, fc.constantFrom("", "/", "?", "//", "/..", "?/", "/?"), anyText).map(([n, sep, rest]) =>
      `/function/${n}${sep}${rest}`
    )
  )

  it("never throw; the upstream path starts with / and, with the name, gives back the URL byte for byte", () => {
    fc.assert(
      fc.property(url, (u) => {
        const end = invocationNameEnd(u)
        if (
          !u.startsWith(invocationPrefix) || u.length === invocationPrefix.length ||
          "/?".includes(u[invocationPrefix.length]!)
        ) {
          expect(end).toBe(-1)
          return
        }
        const name = invocationName(u, end)
        expect(name.length).toBeGreaterThan(0)
        expect(/[/?]/.test(name)).toBe(false)
        const rest = u.slice(end)
        const upstream = upstreamPath(u, end)
        expect(upstream.startsWith("/")).toBe(true)
        expect(upstream).toBe(rest === "" ? "/" : rest.startsWith("?") ? `/${rest}` : rest)
        expect(`${invocationPrefix}${name}${rest}`).toBe(u)
      }),
      runs(2000)
    )
  })

  it("a qualified name splits at its last dot and joins back", () => {
    fc.assert(
      fc.property(anyText, (qualified) => {
        const { name, namespace } = splitQualifiedName(qualified)
        expect(namespace === undefined ? name : `${name}.${namespace}`).toBe(qualified)
        if (namespace !== undefined) expect(namespace.includes(".")).toBe(false)
      }),
      runs(1000)
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Found by these properties, fixed, and kept as regressions.

describe("parser regressions", () => {
  it("CPU in millicores is reserved exactly: 700m is 700 MHz, 9m is 9 MHz", () => {
    // parseQuantity("700m") is 0.7000000000000001 (700 × 1e-3), and Math.ceil(cores × 1000) made it 701.
    expect(toTaskResources({ cpu: "700m" }, undefined).resources.CPU).toBe(700)
    expect(toTaskResources({ cpu: "9m" }, undefined).resources.CPU).toBe(9)
  })

  it("com.openfaas.max_inflight past 2^53 is a problem, not a cap of 1 (its tag would read 1e+22)", () => {
    expect(Result.isFailure(proxySettingTags({ "com.openfaas.max_inflight": "10000000000000000000000" }))).toBe(true)
    expect(proxySettingTags({ "com.openfaas.max_inflight": "12" })).toEqual(
      Result.succeed(["openfaas-max-inflight=12"])
    )
  })

  it("a CPU, memory or device count no machine has is a problem, not a job no node can place", () => {
    expect(toTaskResources({ cpu: "1000001" }, undefined).problems).toHaveLength(1)
    expect(toTaskResources({ memory: "2Ei" }, undefined).problems).toHaveLength(1)
    expect(toTaskResources({ "nvidia.com/gpu": "1025" } as never, undefined).problems).toHaveLength(1)
  })

  it("CPU agrees exactly with the reference on every generated quantity", () => {
    fc.assert(
      fc.property(quantity.filter((q) => q.numerator > 0n && exactNumber(q) <= 1e6), (q) => {
        expect(toTaskResources({ cpu: q.text }, undefined).resources.CPU).toBe(exactMhz(q))
      }),
      runs(1000)
    )
  })

  it("a constraint has a length limit, and blanks inside one are read as part of its value", () => {
    // `(\S.*?)\s*$` took quadratic time over a run of blanks: a 1 MiB deploy body held the provider for minutes.
    // The parser is now linear, and a constraint longer than maxConstraintLength is refused outright.
    const long = parseConstraints([`a = b${" ".repeat(maxConstraintLength)}c`])
    expect(long.problems.join("\n")).toContain(`longer than ${maxConstraintLength}`)
    const blanks = " ".repeat(maxConstraintLength - 20)
    const inside = parseConstraints([`a = b${blanks}c   `, `a regexp b${blanks}c`])
    expect(inside.problems).toEqual([])
  })

  it("a setting's failure stays one line when the value holds a line break", () => {
    const result = parseCommandLine(["dev", "--port", "80\n81"], {})
    expect(Result.isFailure(result) && !lineBreak.test(result.failure)).toBe(true)
  })

  it("a number too long for a double is refused, not read as Infinity", () => {
    const huge = "9".repeat(400)
    expect(Result.isFailure(Value.duration(`${huge}s`))).toBe(true)
    expect(Result.isFailure(Value.positiveInteger(huge))).toBe(true)
    expect(Result.isFailure(Value.byteSize(huge))).toBe(true)
  })

  it("an initialDelay too long for a double is a problem, not a job with an infinite Grace", () => {
    const deployment = decodeDeployment({
      service: "fn",
      image: "x",
      annotations: { "com.openfaas.health.http.initialDelay": `${"9".repeat(400)}s` }
    })
    const result = toNomadJob(deployment, { namespace: "default", count: 1, createdAt: "x" }, defaultJobSettings)
    expect(Result.isFailure(result)).toBe(true)
  })

  it("com.openfaas.scale.min refuses a count no cluster can run", () => {
    expect(Result.isFailure(initialReplicas({ "com.openfaas.scale.min": "100000000000000000000" }, 1000))).toBe(true)
  })
})
